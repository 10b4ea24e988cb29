"""``docs/gcp-roles.md`` lists the IAM permissions the adapter needs: the whole adapter is exercised against the
emulated Google APIs (costs, budgets, inventory, recommendations, every remediation and the marking of a
recommendation), each API method it called is turned into the permission that authorizes it, and every one must be
in the document — and the document lists nothing the adapter never uses."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from finops_core.models import CostQuery, RemediationAction
from finops_gcp.billing import linked_projects
from finops_gcp.costs.budgets import budgets

from tests.conftest import REPO
from tests.fakes.gcp.google_api import GoogleFake, GoogleRequest
from tests.servers.conftest import Waits
from tests.servers.gcp.conftest import PROJECTS
from tests.servers.gcp.recommendations import samples
from tests.servers.gcp.test_provider import ZONE, gcp_provider

pytestmark = pytest.mark.anyio
ROLES = REPO / "docs" / "gcp-roles.md"
# Each fake route (one Google API method) -> the permission it needs; None: no permission (a public catalog).
PERMISSIONS: dict[str, str | None] = {
    "bq.jobs.insert": "bigquery.jobs.create",
    "bq.jobs.query": "bigquery.jobs.create",
    "bq.jobs.get": "bigquery.jobs.get",
    "bq.getQueryResults": "bigquery.jobs.get",
    "billing.account": "billing.accounts.get",
    "billing.projects": "billing.resourceAssociations.list",
    "budgets.list": "billing.budgets.list",
    "catalog.skus": None,
    "compute.aggregated.instances": "compute.instances.list",
    "compute.aggregated.disks": "compute.disks.list",
    "compute.aggregated.addresses": "compute.addresses.list",
    "compute.global.addresses": "compute.globalAddresses.list",
    "compute.global.snapshots": "compute.snapshots.list",
    "compute.global.images": "compute.images.list",
    "machineTypes.get": "compute.machineTypes.get",
    "monitoring.timeSeries": "monitoring.timeSeries.list",
    "sql.instances": "cloudsql.instances.list",
}
_RESOURCE = re.compile(r"/compute/v1/projects/[^/]+/(?:zones/[^/]+/|regions/[^/]+/|global/)(\w+)/[^/]+(?:/(\w+))?$")
_OPERATION = re.compile(r"/compute/v1/projects/[^/]+/(zones|regions|global)/")
# Recommender id -> the name its permissions carry (recommender.<name>.list / .update).
RECOMMENDER_PERMISSION = {
    "google.compute.instance.IdleResourceRecommender": "computeInstanceIdleResourceRecommendations",
    "google.compute.instance.MachineTypeRecommender": "computeInstanceMachineTypeRecommendations",
    "google.compute.disk.IdleResourceRecommender": "computeDiskIdleResourceRecommendations",
    "google.compute.address.IdleResourceRecommender": "computeAddressIdleResourceRecommendations",
    "google.compute.image.IdleResourceRecommender": "computeImageIdleResourceRecommendations",
    "google.compute.commitment.UsageCommitmentRecommender": "commitmentUtilizationRecommendations",
    "google.cloudbilling.commitment.SpendBasedCommitmentRecommender": "spendBasedCommitmentRecommendations",
    "google.cloudsql.instance.IdleRecommender": "cloudsqlIdleInstanceRecommendations",
    "google.cloudsql.instance.OverprovisionedRecommender": "cloudsqlOverprovisionedInstanceRecommendations",
    "google.run.service.CostRecommender": "runServiceCostRecommendations",
}


def permission(route: str, request: GoogleRequest) -> str | None:
    """The IAM permission the request's API method needs (a KeyError names a method this test must learn)."""
    if route in PERMISSIONS:
        return PERMISSIONS[route]
    if route in ("recommendations", "mark"):
        recommender = request.path.split("/recommenders/")[1].split("/")[0]
        return f"recommender.{RECOMMENDER_PERMISSION[recommender]}.{'list' if route == 'recommendations' else 'update'}"
    if route.startswith("operations."):
        scope = _OPERATION.match(request.path)
        assert scope is not None, request.path
        return f"compute.{ {'zones': 'zone', 'regions': 'region', 'global': 'global'}[scope[1]] }Operations.get"
    found = _RESOURCE.match(request.path)
    assert found is not None, (route, request.path)
    kind, verb = found[1], found[2]
    if kind == "addresses" and "/global/" in request.path:
        kind = "globalAddresses"
    method = verb or {"GET": "get", "DELETE": "delete"}[request.method]
    return f"compute.{kind}.{method}"


def documented() -> set[str]:
    """The permissions in the document's tables (a backticked ``service.resource.verb`` in the first column)."""
    return set(re.findall(r"^\| `([a-z]+\.[A-Za-z]+\.[A-Za-z]+)` \|", ROLES.read_text(), flags=re.M))


async def exercise_the_whole_adapter(google: GoogleFake, home: Path, waits: Waits) -> None:
    """Costs, budgets, inventory, recommendations, every remediation and the marking of a recommendation, over the
    fakes."""
    idle = samples.idle_vm()
    provider, ops = gcp_provider(google, home, waits, {samples.parent(samples.IDLE_VM): [idle]})
    ops.add_instance(PROJECTS[0], ZONE, "web-1", status="RUNNING")
    ops.machine_types[ZONE] = {"e2-small", "e2-standard-4"}
    ops.add_disk(PROJECTS[0], ZONE, "spare-1", size_gb=20)
    ops.add_address(PROJECTS[0], "us-central1", "spare-ip")
    ops.add_snapshot(PROJECTS[0], "old-1")
    base = f"//compute.googleapis.com/projects/{PROJECTS[0]}"

    await provider.info()
    await provider.query_costs(CostQuery(start=date(2020, 11, 1), end=date(2020, 12, 1), group_by=("service",)))
    await provider.daily_costs(date(2020, 11, 1), date(2020, 11, 8))
    await provider.costs.costs_by(date(2020, 11, 1), date(2020, 12, 1), group_by=("service",))
    await budgets(provider.ctx, provider.costs)
    await linked_projects(provider.ctx)
    await provider.list_resources()
    found = await provider.list_recommendations()
    (recommended,) = [r.action for r in found.recommendations if r.source == "gcp-recommender" and r.action]
    steps = [
        RemediationAction(
            provider="gcp",
            kind="set_tags",
            resource_id=f"{base}/zones/{ZONE}/instances/web-1",
            parameters={"team": "web"},
        ),
        recommended,  # stop web-1, then mark the recommendation succeeded
        RemediationAction(
            provider="gcp",
            kind="resize_instance",
            resource_id=recommended.resource_id,
            parameters={"new_size": "e2-small"},
        ),
        RemediationAction(provider="gcp", kind="start_instance", resource_id=recommended.resource_id),
        RemediationAction(provider="gcp", kind="delete_volume", resource_id=f"{base}/zones/{ZONE}/disks/spare-1"),
        RemediationAction(provider="gcp", kind="delete_snapshot", resource_id=f"{base}/global/snapshots/old-1"),
        RemediationAction(
            provider="gcp", kind="release_ip", resource_id=f"{base}/regions/us-central1/addresses/spare-ip"
        ),
    ]
    for action in steps:
        await provider.plan_remediation(action)
        assert (await provider.apply_remediation(action)).applied, action.kind


async def test_every_api_method_the_adapter_calls_is_covered_by_the_roles_document(
    google: GoogleFake, home: Path, waits: Waits
) -> None:
    await exercise_the_whole_adapter(google, home, waits)
    used = {permission(name, request) for name, request in google.requests if name != "(no route)"} - {None}
    assert len(used) > 25, used
    assert "recommender.computeInstanceIdleResourceRecommendations.update" in used
    listed = documented()
    assert used - listed == set(), "permissions missing from docs/gcp-roles.md"
    # Needed, but not an API method of their own here: reading the export table, the snapshot a disk snapshot
    # creates, impersonation; and marking the other actionable recommenders' recommendations.
    extra = {
        "bigquery.tables.getData",
        "compute.snapshots.create",
        "iam.serviceAccounts.getAccessToken",
        "recommender.computeInstanceMachineTypeRecommendations.update",
        "recommender.computeDiskIdleResourceRecommendations.update",
        "recommender.computeAddressIdleResourceRecommendations.update",
    }
    assert listed - used - extra == set(), "docs/gcp-roles.md lists permissions the adapter never uses"

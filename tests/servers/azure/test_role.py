"""``docs/azure-role.json`` grants what the code calls: the whole adapter is exercised against the emulated Resource
Manager (costs, forecast, budgets, benefits, inventory, recommendations, every remediation), each request it made is
turned into the Azure RBAC operation that authorizes it, and every one must be in the role (read operations in the
reader role, changes in the remediator role)."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pytest
from finops_core.models import CostQuery, RemediationAction

from tests.conftest import REPO
from tests.fakes.azure import tags
from tests.fakes.azure.arm import ArmFake, ArmRequest
from tests.fakes.azure.network import NetworkFake
from tests.servers.azure.conftest import SUBSCRIPTIONS
from tests.servers.azure.test_provider import azure_provider
from tests.servers.conftest import Waits

pytestmark = pytest.mark.anyio
ROLES = REPO / "docs" / "azure-role.json"
# POST calls that Azure authorizes as reads (queries), by their path's last segments.
READ_POSTS = {
    "Microsoft.CostManagement/query": "Microsoft.CostManagement/query/read",
    "Microsoft.CostManagement/forecast": "Microsoft.CostManagement/forecast/read",
    "Microsoft.ResourceGraph/resources": "Microsoft.ResourceGraph/resources/read",
}
VERB = {"GET": "read", "PUT": "write", "PATCH": "write", "DELETE": "delete"}


def rbac_operation(request: ArmRequest) -> str:
    """The RBAC operation of an ARM request: ``<Namespace>/<type>[/<type>...]/read|write|delete|<verb>/action``."""
    tail = re.split(r"/providers/", request.path, flags=re.IGNORECASE)[-1].strip("/").split("/")
    namespace, segments = tail[0], tail[1:]
    types = segments[0::2]  # type, name, type, name ... [verb]
    posted = f"{namespace}/{'/'.join(types)}"
    if request.method == "POST":
        if posted in READ_POSTS:
            return READ_POSTS[posted]
        verb = segments[-1] if len(segments) % 2 == 1 else ""
        return f"{namespace}/{'/'.join(segments[0:-1:2])}/{verb}/action"
    return f"{namespace}/{'/'.join(types)}/{VERB[request.method]}"


def _roles() -> dict[str, set[str]]:
    return {role["Name"]: {a.lower() for a in role["Actions"]} for role in json.loads(ROLES.read_text())}


def test_the_role_file_holds_a_reader_and_a_remediator_custom_role() -> None:
    roles = json.loads(ROLES.read_text())
    assert [r["Name"] for r in roles] == ["finops-mcp reader", "finops-mcp remediator"]
    for role in roles:
        assert role["IsCustom"] is True
        assert role["AssignableScopes"]
        assert role["NotActions"] == []
    reader = _roles()["finops-mcp reader"]
    assert all(a.endswith("/read") for a in reader), "the reader role changes nothing"


async def test_every_request_the_adapter_makes_is_granted_by_the_role(arm: ArmFake, home: Path, waits: Waits) -> None:
    provider, compute = azure_provider(arm, home, waits)
    network = NetworkFake(arm)
    tags.install(arm, compute, network)
    sub = SUBSCRIPTIONS[0]
    vm = compute.add_vm(sub, "rg-web", "web-1", power="running")
    spare = compute.add_disk(sub, "rg-web", "spare-1", size_gb=64)
    snapshot = compute.add_snapshot(sub, "rg-web", "old-1")
    ip = network.add_ip(sub, "rg-web", "ip-1")

    await provider.info()
    await provider.query_costs(CostQuery(start=date(2026, 10, 1), end=date(2026, 11, 1), group_by=("service",)))
    await provider.daily_costs(date(2026, 11, 1), date(2026, 11, 8))
    await provider.list_resources()
    await provider.list_recommendations()
    await provider.costs.forecast()
    await provider.costs.budgets()
    await provider.costs.benefits()
    steps = [
        ("set_tags", vm, {"owner": "web"}),
        ("stop_instance", vm, {}),
        ("resize_instance", vm, {"new_size": "Standard_D2s_v5"}),
        ("start_instance", vm, {}),
        ("delete_volume", spare, {"snapshot_first": "true"}),
        ("delete_snapshot", snapshot, {}),
        ("release_ip", ip, {}),
    ]
    for kind, resource, parameters in steps:
        action = RemediationAction(provider="azure", kind=kind, resource_id=resource, parameters=parameters)
        await provider.plan_remediation(action)
        assert (await provider.apply_remediation(action)).applied, kind

    signed = [request for name, request in arm.requests if "authorization" in request.headers]
    operations = {rbac_operation(r).lower() for r in signed}
    assert len(operations) > 20, operations
    roles = _roles()
    granted = roles["finops-mcp reader"] | roles["finops-mcp remediator"]
    assert operations - granted == set(), "operations missing from docs/azure-role.json"
    reads = {op for op in operations if op.endswith("/read")}
    assert reads - roles["finops-mcp reader"] == set(), "read operations belong in the reader role"
    assert granted - operations == set(), "the roles grant operations the adapter never makes"

"""Every cost recommender asked where it answers, over the Recommender fake: parents, paging, the state filter,
partial answers, back-off and insights."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest
from finops_core.errors import PermissionDenied, Throttled
from finops_gcp.context import GcpContext
from finops_gcp.recommendations import all_recommendations
from finops_gcp.recommendations.recommenders import BY_ID, RECOMMENDERS, Target, list_target

from tests.fakes.gcp.google_api import GoogleError, GoogleFake
from tests.fakes.gcp.recommender import install, install_compute_scopes, recommendation
from tests.servers.conftest import Waits
from tests.servers.gcp.conftest import PROJECTS
from tests.servers.gcp.recommendations.samples import (
    IDLE_DISK,
    IDLE_VM,
    REGION,
    ZONE,
    idle_address,
    idle_disk,
    idle_vm,
    machine_type,
    parent,
)

pytestmark = pytest.mark.anyio
WEB, DATA = PROJECTS


def asked(google: GoogleFake) -> set[str]:
    return {r.path.removeprefix("/v1/").removesuffix("/recommendations") for r in google.calls("recommendations")}


async def test_each_recommender_is_asked_in_each_configured_zone_or_region_of_each_project(
    google: GoogleFake, gcp_context: Callable[..., GcpContext]
) -> None:
    install(google, {})
    recs, missing = await all_recommendations(gcp_context(zones=["us-central1-a", "us-central1-b", "europe-west1"]))
    assert (recs, missing) == ([], [])
    expected: set[str] = set()
    for project in PROJECTS:
        for r in RECOMMENDERS:
            places = {
                "zone": ["us-central1-a", "us-central1-b"],
                "region": ["europe-west1", "us-central1"],
            }.get(r.scope, ["global"])
            expected |= {parent(r.id, place, project) for place in places}
    assert asked(google) == expected
    assert all(r.query.get("filter") == "stateInfo.state=ACTIVE" for r in google.calls("recommendations"))


async def test_without_zones_the_places_come_from_where_each_project_keeps_disks_and_addresses(
    google: GoogleFake, gcp_context: Callable[..., GcpContext]
) -> None:
    install(google, {})
    install_compute_scopes(
        google,
        {WEB: ["zones/us-central1-a", "regions/europe-west4"], DATA: []},
        {WEB: ["regions/asia-east1", "global"]},
    )
    ctx = gcp_context(billing_account="012345-6789AB-CDEF01")
    await all_recommendations(ctx)
    web = {p for p in asked(google) if p.startswith(f"projects/{WEB}/")}
    assert {p.split("/")[3] for p in web} == {"us-central1-a", "us-central1", "europe-west4", "asia-east1", "global"}
    assert parent(IDLE_DISK, "us-central1-a", WEB) in web
    assert parent(IDLE_DISK, "europe-west4", WEB) not in web  # a region: only regional recommenders there
    data = {p for p in asked(google) if p.startswith(f"projects/{DATA}/")}
    assert data == {parent("google.compute.image.IdleResourceRecommender", "global", DATA)}
    # Spend-based commitments: once, for the billing account.
    billing = "billingAccounts/012345-6789AB-CDEF01/locations/global/recommenders/"
    assert billing + "google.cloudbilling.commitment.SpendBasedCommitmentRecommender" in asked(google)
    assert len(google.calls("aggregated")) == 4


async def test_every_page_is_read_and_only_active_recommendations_are_answered(
    google: GoogleFake, gcp_context: Callable[..., GcpContext]
) -> None:
    vms = [idle_vm(cost=f"-{i}") for i in range(1, 6)]
    for i, vm in enumerate(vms):
        vm["name"] = vm["name"].replace("vm1", f"vm{i}")
        for operation in vm["content"]["operationGroups"][0]["operations"]:
            operation["resource"] = operation["resource"].replace("web-1", f"web-{i}")  # five VMs, not one
    vms[2]["stateInfo"] = {"state": "DISMISSED"}
    install(google, {parent(IDLE_VM): vms}, page_size=2)
    recs, missing = await all_recommendations(gcp_context(projects=[WEB], zones=[ZONE]))
    assert missing == []
    assert [r.monthly_savings.amount for r in recs] == [
        Decimal("5.00"),
        Decimal("4.00"),
        Decimal("2.00"),
        Decimal("1.00"),
    ]
    pages = [r for r in google.calls("recommendations") if r.path.endswith(f"{IDLE_VM}/recommendations")]
    assert [r.query.get("pageToken") for r in pages] == [None, "2"]


async def test_a_project_with_the_api_disabled_is_named_and_the_others_still_answer(
    google: GoogleFake, gcp_context: Callable[..., GcpContext]
) -> None:
    install(google, {parent(IDLE_VM): [idle_vm()]}, disabled_projects={DATA})
    recs, missing = await all_recommendations(gcp_context(zones=[ZONE]))
    assert [r.account_id for r in recs] == [WEB]
    assert len(missing) == 1
    assert missing[0].startswith(f"project {DATA} (all recommenders): the Recommender API is not enabled")
    assert "enable the Recommender API (recommender.googleapis.com)" in missing[0]


async def test_one_recommender_refused_in_one_place_is_named_alone(
    google: GoogleFake, gcp_context: Callable[..., GcpContext]
) -> None:
    fake = install(google, {parent(IDLE_VM): [idle_vm()]})
    fake.refused[parent(IDLE_DISK)] = GoogleError(400, "INVALID_ARGUMENT", "Location not supported.")
    recs, missing = await all_recommendations(gcp_context(projects=[WEB], zones=[ZONE]))
    assert len(recs) == 1
    assert len(missing) == 1
    assert missing[0].startswith(f"{IDLE_DISK} in project {WEB}, {ZONE}: ")
    assert "Location not supported" in missing[0]


async def test_throttling_is_waited_out_with_growing_waits(
    google: GoogleFake, gcp_context: Callable[..., GcpContext], waits: Waits
) -> None:
    install(google, {parent(IDLE_VM): [idle_vm()]})
    google.fail("recommendations", "throttle", times=2)
    target = Target(BY_ID[IDLE_VM], parent(IDLE_VM), WEB, ZONE)
    found = await list_target(gcp_context(), target)
    assert [f.item["name"] for f in found] == [idle_vm()["name"]]
    assert waits == [1.0, 2.0]


async def test_throttling_past_the_retries_names_the_place(
    google: GoogleFake, gcp_context: Callable[..., GcpContext], waits: Waits
) -> None:
    install(google, {})
    google.fail("recommendations", "throttle", times=4)
    with pytest.raises(Throttled, match=f"{IDLE_VM} in project {WEB}, {ZONE}"):
        await list_target(gcp_context(), Target(BY_ID[IDLE_VM], parent(IDLE_VM), WEB, ZONE))
    assert waits == [1.0, 2.0, 4.0]


async def test_when_every_project_refuses_the_error_is_raised(
    google: GoogleFake, gcp_context: Callable[..., GcpContext]
) -> None:
    install(google, {}, disabled_projects=set(PROJECTS))
    with pytest.raises(PermissionDenied, match="Recommender API has not been used"):
        await all_recommendations(gcp_context(zones=[ZONE]))


async def test_insights_behind_a_recommendation_are_summarized_in_its_detail(
    google: GoogleFake, gcp_context: Callable[..., GcpContext]
) -> None:
    insight_type = f"projects/{WEB}/locations/{ZONE}/insightTypes/google.compute.instance.IdleResourceInsight"
    insight = {
        "name": f"{insight_type}/insights/i1",
        "description": "VM web-1 used under 1% CPU",
        "insightSubtype": "IDLE_VM",
        "category": "COST",
        "severity": "MEDIUM",
        "observationPeriod": "1209600s",
        "stateInfo": {"state": "ACTIVE"},
    }
    item = idle_vm(insights=[insight["name"]])
    install(google, {parent(IDLE_VM): [item]}, insights_by_parent={insight_type: [insight]})
    recs, missing = await all_recommendations(gcp_context(projects=[WEB], zones=[ZONE]))
    assert missing == []
    assert "insight: VM web-1 used under 1% CPU (cost, medium, observed over 14 days)" in (recs[0].detail or "")
    assert [r.path for r in google.calls("insights")] == [f"/v1/{insight_type}/insights"]


async def test_recommendations_from_several_recommenders_are_ranked_by_savings(
    google: GoogleFake, gcp_context: Callable[..., GcpContext]
) -> None:
    install(
        google,
        {
            parent(IDLE_VM): [idle_vm()],
            parent("google.compute.instance.MachineTypeRecommender"): [machine_type()],
            parent(IDLE_DISK): [idle_disk()],
            parent("google.compute.address.IdleResourceRecommender", REGION): [idle_address()],
            parent("google.cloudsql.instance.IdleRecommender", REGION): [
                recommendation(
                    parent("google.cloudsql.instance.IdleRecommender", REGION), "s", cost="-5", currency="EUR"
                )
            ],
        },
    )
    recs, _ = await all_recommendations(gcp_context(projects=[WEB], zones=[ZONE]))
    assert [(r.kind, str(r.monthly_savings)) for r in recs] == [
        ("rightsize", "73.04 USD"),
        ("idle", "42.50 USD"),
        ("unattached", "8.00 USD"),
        ("unattached", "7.30 USD"),
        ("idle", "5.00 EUR"),
    ]

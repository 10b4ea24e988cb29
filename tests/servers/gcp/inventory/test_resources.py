"""The inventory over the fakes: each kind mapped, aggregated paging, partial answers, limits, filters, prices."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from finops_core.errors import InvalidInput
from finops_core.money import Money
from finops_gcp.context import GcpContext
from finops_gcp.inventory import PriceBook, list_resources

from tests.fakes.gcp.compute import ComputeState
from tests.fakes.gcp.google_api import GoogleError, GoogleFake, GoogleRequest
from tests.fakes.gcp.sql import sql_instance
from tests.servers.gcp.conftest import PROJECTS

pytestmark = pytest.mark.anyio
P, Q = PROJECTS
Z = "us-central1-a"
C = "//compute.googleapis.com/projects"


def usd(amount: str) -> Money:
    return Money(amount=Decimal(amount), currency="USD")


def estate(state: ComputeState) -> None:
    state.add_disk(P, Z, "boot-1", 100, "pd-balanced", labels={"team": "web"})
    state.add_instance(P, Z, "web-1", "e2-standard-2", labels={"team": "web"}, disks=["boot-1"])
    state.add_disk(P, Z, "data-1", 200, "pd-standard")
    state.add_instance(P, Z, "old-vm", "n1-standard-4", "TERMINATED", disks=["data-1"])
    state.add_disk(P, Z, "orphan-1", 50, "pd-ssd")
    state.add_address(P, "us-central1", "ip-free", "RESERVED", address="34.1.1.1")
    state.add_address(P, "us-central1", "ip-used", "IN_USE", address="34.1.1.2", users=["x"])
    state.add_address(P, "us-central1", "ip-internal", "RESERVED", address="10.0.0.5", address_type="INTERNAL")
    state.add_address(P, "global", "lb-ip", "IN_USE", address="34.2.2.2")
    state.add_snapshot(P, "snap-1", (Z, "gone-disk"), 20, 2 * 1024**3)
    state.add_image(P, "img-1", 10, 3 * 1024**3)


async def test_every_kind_is_listed_with_its_full_name_state_size_labels_and_list_price_estimate(
    gcp_context: Callable[..., GcpContext], state: ComputeState, prices: None, databases: dict[str, Any]
) -> None:
    estate(state)
    databases[P] = [sql_instance(P, "db-1", labels={"env": "prod"})]
    databases[Q] = [sql_instance(Q, "db-2", activation_policy="NEVER")]
    inv = await list_resources(gcp_context())
    by_id = {r.resource_id: r for r in inv.resources}
    assert inv.total == 13
    assert not inv.truncated
    assert inv.note is None
    assert "Cloud Billing Catalog" in inv.source
    assert "estimate" in inv.source

    web = by_id[f"{C}/{P}/zones/{Z}/instances/web-1"]
    assert (web.resource_type, web.state, web.size, web.region, web.account_id) == (
        "instance",
        "running",
        "e2-standard-2",
        Z,
        P,
    )
    assert web.tags == {"team": "web"}
    assert web.name == "web-1"
    assert web.created_at is not None
    # 2 vCPU x 0.021811 + 8 GiB x 0.002923, 730 hours
    assert web.monthly_cost == usd("48.91438")
    assert web.monthly_cost_is_estimate
    old = by_id[f"{C}/{P}/zones/{Z}/instances/old-vm"]
    assert (old.state, old.monthly_cost) == ("stopped", usd("0.00"))  # stopped VMs bill no compute

    boot = by_id[f"{C}/{P}/zones/{Z}/disks/boot-1"]
    assert (boot.resource_type, boot.state, boot.size, boot.monthly_cost) == (
        "volume",
        "in-use",
        "100 GiB pd-balanced",
        usd("10.00"),
    )
    assert by_id[f"{C}/{P}/zones/{Z}/disks/data-1"].monthly_cost == usd("8.00")
    orphan = by_id[f"{C}/{P}/zones/{Z}/disks/orphan-1"]
    assert (orphan.state, orphan.monthly_cost) == ("unattached", usd("8.50"))

    free = by_id[f"{C}/{P}/regions/us-central1/addresses/ip-free"]
    assert (free.resource_type, free.state, free.region) == ("ip", "unattached", "us-central1")
    assert free.monthly_cost == usd("7.30")  # the last tier, past the free one
    assert by_id[f"{C}/{P}/regions/us-central1/addresses/ip-used"].monthly_cost == usd("3.65")
    internal = by_id[f"{C}/{P}/regions/us-central1/addresses/ip-internal"]
    assert internal.monthly_cost == usd("0.00")
    glb = by_id[f"{C}/{P}/global/addresses/lb-ip"]
    assert (glb.state, glb.region, glb.monthly_cost) == ("in-use", "global", None)

    snap = by_id[f"{C}/{P}/global/snapshots/snap-1"]
    assert (snap.resource_type, snap.state, snap.region, snap.monthly_cost) == (
        "snapshot",
        "available",
        "us-central1",
        usd("0.10"),
    )
    img = by_id[f"{C}/{P}/global/images/img-1"]
    assert (img.resource_type, img.native_type, img.monthly_cost) == (
        "other",
        "compute.googleapis.com/Image",
        usd("0.15"),
    )

    db1 = by_id[f"//cloudsql.googleapis.com/projects/{P}/instances/db-1"]
    assert (db1.resource_type, db1.state, db1.region, db1.tags) == (
        "database",
        "running",
        "us-central1",
        {"env": "prod"},
    )
    assert db1.size == "db-custom-2-7680 POSTGRES_15 100 GiB PD_SSD"
    assert db1.monthly_cost is None
    db2 = by_id[f"//cloudsql.googleapis.com/projects/{Q}/instances/db-2"]
    assert (db2.state, db2.account_id) == ("stopped", Q)

    costs = [r.monthly_cost.amount if r.monthly_cost else Decimal(-1) for r in inv.resources]
    assert costs == sorted(costs, reverse=True)  # most expensive first


async def test_aggregated_lists_are_paged_to_the_end(
    google: GoogleFake, gcp_context: Callable[..., GcpContext], state: ComputeState, prices: None
) -> None:
    state.page_size = 2
    for n in range(5):
        state.add_instance(P, f"us-central1-{'abc'[n % 3]}", f"vm-{n}", "e2-micro")
    inv = await list_resources(gcp_context(projects=[P]), "instance")
    assert sorted(r.name or "" for r in inv.resources) == [f"vm-{n}" for n in range(5)]
    calls = google.calls("compute.aggregated.instances")
    assert len(calls) == 3
    assert inv.resources[0].monthly_cost == usd("6.1142975")  # e2-micro: 0.25 vCPU + 1 GiB


async def test_an_unreachable_zone_makes_a_partial_answer_that_names_it(
    gcp_context: Callable[..., GcpContext], state: ComputeState, prices: None
) -> None:
    state.add_instance(P, Z, "web-1")
    state.add_instance(P, "europe-west1-b", "eu-1")
    state.unreachable.add((P, "zones/europe-west1-b"))
    inv = await list_resources(gcp_context(projects=[P]), "instance")
    assert [r.name for r in inv.resources] == ["web-1"]
    assert inv.note is not None
    assert "Partial answer" in inv.note
    assert "zones/europe-west1-b" in inv.note
    assert "unreachable" in inv.note
    assert "empty-zone" not in inv.note  # "no results" warnings are not gaps


async def test_a_project_that_refuses_is_named_while_the_other_answers(
    gcp_context: Callable[..., GcpContext], state: ComputeState, prices: None, databases: dict[str, Any]
) -> None:
    state.add_instance(P, Z, "web-1")
    state.add_instance(Q, Z, "data-1")
    state.denied.add(Q)
    inv = await list_resources(gcp_context(), "instance")
    assert [r.name for r in inv.resources] == ["web-1"]
    assert inv.note is not None
    assert f"project {Q}" in inv.note
    assert "docs/gcp-roles.md" in inv.note


async def test_cloud_sql_refused_in_one_project_is_a_partial_answer(
    google: GoogleFake, gcp_context: Callable[..., GcpContext]
) -> None:
    def handle(request: GoogleRequest) -> dict[str, Any]:
        if request.path.split("/")[3] == Q:
            raise GoogleError(403, "PERMISSION_DENIED", "Cloud SQL Admin API has not been used in project")
        return {"items": [sql_instance(P, "db-1")]}

    google.route("sql", "GET", r"/v1/projects/[^/]+/instances", handle)
    inv = await list_resources(gcp_context(), "database")
    assert [r.name for r in inv.resources] == ["db-1"]
    assert inv.note is not None
    assert f"Cloud SQL in project {Q}" in inv.note


async def test_cloud_sql_paging_and_throttling_are_followed_with_recorded_backoff(
    google: GoogleFake, gcp_context: Callable[..., GcpContext], databases: dict[str, Any], waits: list[float]
) -> None:
    databases[P] = [sql_instance(P, f"db-{n}") for n in range(3)]
    google.fail("sql.instances", "throttle", 2)
    inv = await list_resources(gcp_context(projects=[P]), "database")
    assert sorted(r.name or "" for r in inv.resources) == ["db-0", "db-1", "db-2"]
    assert waits == [1.0, 2.0]


async def test_limit_keeps_the_most_expensive_and_says_how_many_matched(
    gcp_context: Callable[..., GcpContext], state: ComputeState, prices: None, databases: dict[str, Any]
) -> None:
    estate(state)
    inv = await list_resources(gcp_context(), limit=2)
    assert inv.total == 11
    assert inv.truncated
    assert [r.name for r in inv.resources] == ["web-1", "boot-1"]
    with pytest.raises(InvalidInput):
        await list_resources(gcp_context(), limit=0)
    with pytest.raises(InvalidInput):
        await list_resources(gcp_context(), "vm")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("resource_type", "region", "names"),
    [
        ("volume", None, ["boot-1", "orphan-1", "data-1"]),
        ("ip", None, ["ip-free", "ip-used", "ip-internal", "lb-ip"]),
        ("other", None, ["img-1"]),
        ("snapshot", "us-central1", ["snap-1"]),
        ("instance", "us-central1", ["web-1", "old-vm"]),
        ("instance", Z, ["web-1", "old-vm"]),
        ("ip", "global", ["lb-ip"]),
    ],
)
async def test_type_and_region_filters(
    gcp_context: Callable[..., GcpContext],
    state: ComputeState,
    prices: None,
    resource_type: Any,
    region: str | None,
    names: list[str],
) -> None:
    estate(state)
    inv = await list_resources(gcp_context(projects=[P]), resource_type, region)
    assert [r.name for r in inv.resources] == names
    assert all(r.resource_type == resource_type for r in inv.resources)


async def test_no_match_says_so_and_what_to_try(
    gcp_context: Callable[..., GcpContext], state: ComputeState, prices: None
) -> None:
    estate(state)
    inv = await list_resources(gcp_context(projects=[P]), "instance", "europe-west1")
    assert inv.resources == []
    assert inv.total == 0
    assert inv.note is not None
    assert "No instance resources found in europe-west1" in inv.note
    assert "Try without" in inv.note
    other = await list_resources(gcp_context(projects=[P]), "bucket")
    assert other.total == 0
    assert other.note is not None
    assert "not bucket" in other.note


async def test_prices_are_read_once_per_price_book(
    google: GoogleFake, gcp_context: Callable[..., GcpContext], state: ComputeState, prices: None
) -> None:
    state.add_instance(P, Z, "web-1")
    book = PriceBook()
    ctx = gcp_context(projects=[P])
    first = await list_resources(ctx, prices=book)
    pages = len(google.calls("catalog.skus"))
    second = await list_resources(ctx, prices=book)
    assert pages == 6  # 16 SKUs, 3 a page: paged to the end
    assert len(google.calls("catalog.skus")) == pages
    assert book.loads == 1
    assert first.resources == second.resources
    assert all(c.path == "/v1/services/6F81-5844-456A/skus" for c in google.calls("catalog.skus"))


async def test_without_the_catalog_resources_are_listed_without_cost_and_the_note_says_why(
    google: GoogleFake, gcp_context: Callable[..., GcpContext], state: ComputeState
) -> None:
    def down(request: GoogleRequest) -> dict[str, Any]:
        raise GoogleError(500, "INTERNAL", "backend error")

    google.route("catalog.skus", "GET", r"/v1/services/[^/]+/skus", down)
    state.add_instance(P, Z, "web-1")
    book = PriceBook()
    inv = await list_resources(gcp_context(projects=[P]), prices=book)
    assert [(r.name, r.monthly_cost) for r in inv.resources] == [("web-1", None)]
    assert inv.note is not None
    assert "Cloud Billing Catalog API could not be read" in inv.note
    await list_resources(gcp_context(projects=[P]), prices=book)
    assert book.loads == 2  # a failed read is not kept: the next question tries again


async def test_unknown_machine_families_and_disk_types_are_listed_without_cost(
    gcp_context: Callable[..., GcpContext], state: ComputeState, prices: None, databases: dict[str, Any]
) -> None:
    state.add_disk(P, Z, "hyper", 100, "hyperdisk-balanced")
    state.add_instance(P, Z, "custom", "n2-custom-4-8192", disks=["hyper"])
    inv = await list_resources(gcp_context(projects=[P]))
    assert {r.name: r.monthly_cost for r in inv.resources} == {"custom": None, "hyper": None}
    assert inv.note is None


FIRST_CALL = """
import sys
from datetime import timedelta

import anyio
from finops_core.paid import PaidCalls
from finops_gcp.clients import GcpClients
from finops_gcp.context import GcpContext
from finops_gcp.inventory import list_resources
from finops_gcp.settings import GcpSettings
from google.auth.credentials import AnonymousCredentials

apis = ("compute", "sqladmin", "catalog")
settings = GcpSettings(projects=[sys.argv[2]], endpoints=dict.fromkeys(apis, sys.argv[1]))
clients = GcpClients(settings, AnonymousCredentials)
paid = PaidCalls(None, ttl=timedelta(0), provider="gcp", caller=clients.caller)
inventory = anyio.run(list_resources, GcpContext(settings, clients, paid))
print(inventory.total, sorted(m for m in sys.modules if m.startswith("google.cloud")))
"""


def test_the_first_inventory_call_imports_no_client_library_of_compute_or_the_catalog(
    google: GoogleFake, state: ComputeState, prices: None, databases: dict[str, Any]
) -> None:
    # Importing google.cloud.compute_v1 took 7-20 s, all of it the first inventory call's wait.
    estate(state)
    done = subprocess.run(
        [sys.executable, "-c", FIRST_CALL, google.url, P], capture_output=True, text=True, timeout=60, check=True
    )
    total, modules = done.stdout.split(" ", 1)
    assert int(total) == 11
    assert "compute_v1" not in modules
    assert "billing_v1" not in modules

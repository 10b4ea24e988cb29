"""Our waste rules over the fakes: each rule fires on its evidence and stays quiet without it."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from finops_core.money import Money
from finops_gcp.context import GcpContext
from finops_gcp.inventory import waste_findings

from tests.conftest import AS_OF
from tests.fakes.gcp.compute import ComputeState
from tests.fakes.gcp.monitoring import cpu_series
from tests.servers.gcp.conftest import PROJECTS

pytestmark = pytest.mark.anyio
P = PROJECTS[0]
Z = "us-central1-a"
C = f"//compute.googleapis.com/projects/{P}"
RECENT = "2026-11-01T08:00:00.000-08:00"


def usd(amount: str) -> Money:
    return Money(amount=Decimal(amount), currency="USD")


async def findings(ctx: GcpContext) -> tuple[dict[str, Any], list[str]]:
    found, missing = await waste_findings(ctx)
    assert all(r.source == "finops-gcp-rules" and r.provider == "gcp" for r in found)
    return {str(r.resource_id): r for r in found}, missing


async def test_an_unattached_disk_is_deleted_after_a_snapshot_and_an_attached_one_is_not(
    gcp_context: Callable[..., GcpContext], state: ComputeState, prices: None, cpu: dict[str, Any]
) -> None:
    state.add_disk(P, Z, "orphan-1", 50, "pd-ssd")
    state.add_disk(P, Z, "boot-1", 100)
    state.add_instance(P, Z, "web-1", disks=["boot-1"])
    cpu[P] = [cpu_series(P, Z, state.instances[(P, f"zones/{Z}", "web-1")]["id"], "web-1", [0.5] * 14, AS_OF)]
    found, missing = await findings(gcp_context(projects=[P]))
    assert list(found) == [f"{C}/zones/{Z}/disks/orphan-1"]
    r = found[f"{C}/zones/{Z}/disks/orphan-1"]
    assert (r.kind, r.monthly_savings, r.account_id, r.region) == ("unattached", usd("8.50"), P, Z)
    assert r.action is not None
    assert (r.action.kind, r.action.resource_id, r.action.parameters) == (
        "delete_volume",
        r.resource_id,
        {"snapshot_first": "true"},
    )
    assert "estimate" in (r.detail or "")
    assert missing == []


async def test_an_unused_external_address_is_released_but_used_and_internal_ones_are_not(
    gcp_context: Callable[..., GcpContext], state: ComputeState, prices: None
) -> None:
    state.add_address(P, "us-central1", "ip-free", "RESERVED", address="34.1.1.1")
    state.add_address(P, "us-central1", "ip-used", "IN_USE", address="34.1.1.2")
    state.add_address(P, "us-central1", "ip-internal", "RESERVED", address="10.0.0.5", address_type="INTERNAL")
    found, _ = await findings(gcp_context(projects=[P]))
    assert list(found) == [f"{C}/regions/us-central1/addresses/ip-free"]
    r = found[f"{C}/regions/us-central1/addresses/ip-free"]
    assert r.action is not None
    assert (r.action.kind, r.monthly_savings) == ("release_ip", usd("7.30"))
    assert "34.1.1.1" in r.title


async def test_a_stopped_vm_whose_disks_still_bill_is_a_finding_without_an_action(
    gcp_context: Callable[..., GcpContext], state: ComputeState, prices: None
) -> None:
    state.add_disk(P, Z, "data-1", 200, "pd-standard")
    state.add_disk(P, Z, "boot-1", 100)
    state.add_instance(P, Z, "old-vm", "n1-standard-4", "TERMINATED", disks=["data-1", "boot-1"])
    state.add_instance(P, Z, "bare-vm", "n1-standard-4", "TERMINATED")  # no disks: nothing billed
    found, _ = await findings(gcp_context(projects=[P]))
    assert list(found) == [f"{C}/zones/{Z}/instances/old-vm"]
    r = found[f"{C}/zones/{Z}/instances/old-vm"]
    assert (r.kind, r.action, r.monthly_savings) == ("other", None, usd("18.00"))
    assert "300 GiB" in r.title
    assert "data-1" in (r.detail or "")


async def test_old_snapshots_are_deleted_and_those_of_deleted_disks_are_the_safer_bet(
    gcp_context: Callable[..., GcpContext], state: ComputeState, prices: None
) -> None:
    state.add_disk(P, Z, "boot-1", 100)
    state.add_instance(P, Z, "web-1", "e2-micro", "TERMINATED")
    state.add_snapshot(P, "of-gone", (Z, "gone-disk"))
    state.add_snapshot(P, "of-boot", (Z, "boot-1"))
    state.add_snapshot(P, "young", (Z, "gone-disk"), created=RECENT)
    state.add_snapshot(P, "scheduled", (Z, "gone-disk"), auto_created=True)
    found, _ = await findings(gcp_context(projects=[P]))
    snaps = {k: v for k, v in found.items() if "/snapshots/" in k}
    assert sorted(snaps) == [f"{C}/global/snapshots/of-boot", f"{C}/global/snapshots/of-gone"]
    gone = snaps[f"{C}/global/snapshots/of-gone"]
    assert gone.action is not None
    assert (gone.action.kind, gone.risk, gone.monthly_savings) == ("delete_snapshot", "low", usd("0.10"))
    assert "source disk gone" in gone.title
    assert snaps[f"{C}/global/snapshots/of-boot"].risk == "medium"


async def test_a_vm_idle_by_cpu_is_stopped_but_a_busy_one_or_one_with_too_little_data_is_not(
    gcp_context: Callable[..., GcpContext], state: ComputeState, prices: None, cpu: dict[str, Any]
) -> None:
    ids = {name: state.add_instance(P, Z, name)["id"] for name in ("idle", "busy", "new", "unmeasured")}
    cpu[P] = [
        cpu_series(P, Z, ids["idle"], "idle", [0.01] * 14, AS_OF),
        cpu_series(P, Z, ids["busy"], "busy", [0.01] * 7 + [0.5] * 7, AS_OF),
        cpu_series(P, Z, ids["new"], "new", [0.0] * 3, AS_OF),  # 3 of 14 days: unknown, not idle
    ]
    found, missing = await findings(gcp_context(projects=[P]))
    assert list(found) == [f"{C}/zones/{Z}/instances/idle"]
    r = found[f"{C}/zones/{Z}/instances/idle"]
    assert r.action is not None
    assert (r.kind, r.action.kind, r.monthly_savings) == ("idle", "stop_instance", usd("48.91438"))
    assert "mean CPU 1.00% over 14 of the last 14 days" in (r.detail or "")
    assert missing == []


async def test_without_monitoring_idle_vms_are_not_checked_and_the_answer_says_so(
    gcp_context: Callable[..., GcpContext], state: ComputeState, prices: None
) -> None:
    state.add_instance(P, Z, "web-1")
    state.add_disk(P, Z, "orphan-1", 50, "pd-ssd")
    found, missing = await findings(gcp_context(projects=[P]))  # no Monitoring route: 404 for the project
    assert list(found) == [f"{C}/zones/{Z}/disks/orphan-1"]
    assert len(missing) == 1
    assert "Cloud Monitoring" in missing[0]
    assert "idle VMs not checked" in missing[0]


async def test_without_prices_findings_still_come_with_zero_savings_and_a_note(
    gcp_context: Callable[..., GcpContext], state: ComputeState
) -> None:
    state.add_disk(P, Z, "orphan-1", 50, "pd-ssd")
    found, missing = await findings(gcp_context(projects=[P]))  # no catalog route
    assert found[f"{C}/zones/{Z}/disks/orphan-1"].monthly_savings == usd("0.00")
    assert "not estimated" in (found[f"{C}/zones/{Z}/disks/orphan-1"].detail or "")
    assert any("Cloud Billing Catalog" in m for m in missing)

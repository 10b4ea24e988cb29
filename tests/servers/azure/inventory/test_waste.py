"""Our waste rules over the Azure inventory and Azure Monitor: each rule fires on evidence and only then."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal

import pytest
from finops_azure.context import AzureContext
from finops_azure.inventory import PriceBook, waste_findings
from finops_core.money import Money

from tests.conftest import AS_OF
from tests.fakes.azure.arm import ArmFake
from tests.fakes.azure.monitor import MonitorFake
from tests.fakes.azure.resource_graph import ResourceGraphFake
from tests.fakes.azure.retail_prices import RetailPricesFake
from tests.servers.azure.inventory.conftest import A, B, arm_id, disk, plan, public_ip, snapshot, vm

pytestmark = pytest.mark.anyio
Ctx = Callable[..., AzureContext]
VM = "Microsoft.Compute/virtualMachines"


def _days(n: int, value: float) -> dict[date, float]:
    return {AS_OF - timedelta(days=d): value for d in range(1, n + 1)}


async def _rules(ctx: AzureContext) -> dict[str, tuple[str, Money, str | None, dict[str, str]]]:
    findings, _ = await waste_findings(ctx, prices=PriceBook())
    return {
        (f.resource_id or "").rsplit("/", 1)[-1]: (
            f.recommendation_id.split("/")[1],
            f.monthly_savings,
            f.action.kind if f.action else None,
            f.action.parameters if f.action else {},
        )
        for f in findings
    }


async def test_unattached_disks_are_deleted_after_a_snapshot_and_attached_ones_are_left(
    azure_context: Ctx, graph: ResourceGraphFake, retail: RetailPricesFake
) -> None:
    graph.add(
        disk(A, "orphan", sku="StandardSSD_LRS", size_gb=100, state="Unattached"),
        disk(A, "used", state="Attached", managed_by=arm_id(A, VM, "web")),
    )
    found = await _rules(azure_context())
    assert found == {
        "orphan": (
            "unattached-disk",
            Money(amount=Decimal("9.60"), currency="USD"),
            "delete_volume",
            {"snapshot_first": "true"},
        )
    }


async def test_unassociated_static_ips_are_released_and_others_are_left(
    azure_context: Ctx, graph: ResourceGraphFake, retail: RetailPricesFake
) -> None:
    graph.add(
        public_ip(A, "spare"),
        public_ip(A, "used", attached_to=arm_id(A, "Microsoft.Network/networkInterfaces", "nic")),
        public_ip(A, "basic-dynamic", sku="Basic", allocation="Dynamic"),  # holds no address, bills nothing
    )
    found = await _rules(azure_context())
    assert found == {"spare": ("unassociated-ip", Money(amount=Decimal("3.65"), currency="USD"), "release_ip", {})}


async def test_deallocated_vms_holding_premium_disks_are_reported_with_the_disks_cost(
    azure_context: Ctx, graph: ResourceGraphFake, retail: RetailPricesFake
) -> None:
    held = arm_id(A, "Microsoft.Compute/disks", "off-os")
    cheap = arm_id(A, "Microsoft.Compute/disks", "cold-os")
    graph.add(
        vm(A, "off", power="deallocated", disks=(held,)),
        disk(A, "off-os", sku="Premium_LRS", size_gb=128, state="Reserved", managed_by=arm_id(A, VM, "off")),
        vm(A, "cold", power="deallocated", disks=(cheap,)),
        disk(A, "cold-os", sku="Standard_LRS", size_gb=32, state="Reserved", managed_by=arm_id(A, VM, "cold")),
    )
    findings, _ = await waste_findings(azure_context())
    (finding,) = findings
    assert finding.resource_id == arm_id(A, VM, "off")
    assert finding.monthly_savings == Money(amount=Decimal("19.71"), currency="USD")
    assert finding.action is None
    assert finding.detail is not None
    assert "off-os" in finding.detail
    assert "estimated" in finding.detail


async def test_snapshots_older_than_the_limit_are_deleted_and_young_ones_kept(
    azure_context: Ctx, graph: ResourceGraphFake, retail: RetailPricesFake
) -> None:
    old = (AS_OF - timedelta(days=200)).isoformat() + "T00:00:00Z"
    young = (AS_OF - timedelta(days=10)).isoformat() + "T00:00:00Z"
    graph.add(snapshot(B, "old-snap", size_gb=64, created=old), snapshot(B, "new-snap", created=young))
    findings, _ = await waste_findings(azure_context(old_snapshot_days=90))
    (finding,) = findings
    assert finding.recommendation_id.startswith("finops-azure-rules/old-snapshot/")
    assert finding.action is not None
    assert finding.action.kind == "delete_snapshot"
    assert finding.monthly_savings == Money(amount=Decimal("3.20"), currency="USD")  # 64 GB x 0.05
    assert finding.detail is not None
    assert "200 days" in finding.detail
    assert "upper bound" in finding.detail
    assert (finding.account_id, finding.region, finding.source) == (B, "westeurope", "finops-azure-rules")


async def test_empty_app_service_plans_are_reported_without_an_action(
    azure_context: Ctx, graph: ResourceGraphFake, retail: RetailPricesFake
) -> None:
    graph.add(plan(A, "empty", sites=0, capacity=2), plan(A, "busy", sites=3))
    found = await _rules(azure_context())
    assert found == {
        "empty": ("empty-app-service-plan", Money(amount=Decimal("246.74"), currency="USD"), None, {})  # 2 x 123.37
    }


async def test_vms_idle_by_azure_monitor_cpu_are_deallocated_and_too_little_data_is_not_idle(
    azure_context: Ctx, arm: ArmFake, graph: ResourceGraphFake, retail: RetailPricesFake, monitor: MonitorFake
) -> None:
    graph.add(vm(A, "idle"), vm(A, "busy"), vm(B, "new"), vm(B, "unknown"))
    monitor.set_daily(arm_id(A, VM, "idle"), "Percentage CPU", _days(14, 1.2))
    monitor.set_daily(arm_id(A, VM, "busy"), "Percentage CPU", _days(14, 45.0))
    monitor.set_daily(arm_id(B, VM, "new"), "Percentage CPU", _days(3, 0.5))  # 3 of 14 days: unknown
    findings, missing = await waste_findings(azure_context(idle_days=14, idle_cpu_percent=3.0))
    (finding,) = findings
    assert finding.resource_id == arm_id(A, VM, "idle")
    assert finding.action is not None
    assert (finding.action.kind, finding.action.parameters) == ("stop_instance", {"deallocate": "true"})
    assert finding.monthly_savings == Money(amount=Decimal("70.08"), currency="USD")
    assert finding.detail is not None
    assert "1.2%" in finding.detail
    assert "14 of the last 14 days" in finding.detail
    # Azure Monitor does not know "unknown": named as not checked, not called idle.
    assert len(missing) == 1
    assert "unknown" in missing[0]
    (request,) = [
        r for r in arm.calls("monitor-metrics") if r.path.endswith("/idle/providers/Microsoft.Insights/metrics")
    ]
    assert request.query["metricnames"] == "Percentage CPU"
    assert request.query["timespan"] == "2026-11-12T00:00:00Z/2026-11-26T00:00:00Z"


async def test_findings_are_ranked_by_saving_and_say_they_are_estimates(
    azure_context: Ctx, graph: ResourceGraphFake, retail: RetailPricesFake
) -> None:
    graph.add(disk(A, "small", sku="Standard_LRS", size_gb=20, state="Unattached"), public_ip(A, "spare"))
    graph.add(disk(A, "big", sku="Premium_LRS", size_gb=128, state="Unattached"))
    findings, missing = await waste_findings(azure_context())
    assert [f.monthly_savings.amount for f in findings] == [Decimal("19.71"), Decimal("3.65"), Decimal("1.54")]
    assert all("retail list prices" in (f.detail or "") for f in findings)
    assert missing == []


async def test_savings_are_zero_and_the_gap_named_when_prices_are_down(
    azure_context: Ctx, arm: ArmFake, graph: ResourceGraphFake, retail: RetailPricesFake
) -> None:
    graph.add(disk(A, "orphan", state="Unattached"))
    arm.fail("retail-prices", "error5xx", times=50)
    findings, missing = await waste_findings(azure_context())
    (finding,) = findings
    assert finding.monthly_savings.amount == 0
    assert finding.detail is not None
    assert "not estimated" in finding.detail
    assert len(missing) == 1
    assert "Retail Prices API failed" in missing[0]

"""``AzureProvider`` — what ``finops-azure`` and the orchestrator use — passes the core provider contract over the
emulated Resource Manager: Cost Management (over a dataset), Resource Graph (over the compute fake's live state),
Advisor, Retail Prices, Monitor and the compute operations a remediation makes."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from finops_azure.provider import AzureProvider, create_provider
from finops_core.settings import Settings
from finops_core.testing.contract import CloudProviderContract

from tests.conftest import AS_OF
from tests.fakes.azure import advisor, cost_management
from tests.fakes.azure.arm import ArmFake
from tests.fakes.azure.compute import ComputeFake
from tests.fakes.azure.monitor import MonitorFake
from tests.fakes.azure.resource_graph import ResourceGraphFake
from tests.fakes.azure.retail_prices import RetailPricesFake
from tests.servers.azure.conftest import SUBSCRIPTIONS, StaticToken
from tests.servers.conftest import Waits


class LiveGraph(ResourceGraphFake):
    """Resource Graph over the compute fake's current VMs, disks and snapshots, so a change shows in the inventory."""

    def __init__(self, arm: ArmFake, compute: ComputeFake) -> None:
        self.compute = compute
        self.static: list[dict[str, Any]] = []
        super().__init__(arm)

    @property
    def resources(self) -> list[dict[str, Any]]:  # type: ignore[override]
        vms = [_with_power(vm, self.compute.power[key]) for key, vm in self.compute.vms.items()]
        live = [*vms, *self.compute.disks.values(), *self.compute.snapshots.values()]
        return self.static + [_graph_record(r) for r in live]

    @resources.setter
    def resources(self, records: list[dict[str, Any]]) -> None:
        self.static = list(records)


def _with_power(vm: dict[str, Any], power: str) -> dict[str, Any]:
    """A VM with the power state Resource Graph adds under ``properties.extended``."""
    view = {"instanceView": {"powerState": {"code": f"PowerState/{power}"}}}
    return {**vm, "properties": {**vm["properties"], "extended": view}}


def _graph_record(record: dict[str, Any]) -> dict[str, Any]:
    """An ARM resource as Resource Graph returns it (with its subscription and group as fields)."""
    parts = record["id"].split("/")
    return {**record, "type": record["type"].lower(), "subscriptionId": parts[2], "resourceGroup": parts[4].lower()}


def azure_provider(arm: ArmFake, home: Path, waits: Waits) -> tuple[AzureProvider, ComputeFake]:
    """A provider over the emulators, as ``finops.toml`` would configure it, and the compute fake it changes."""
    cost_management.install(arm, cost_management.demo_rows(AS_OF), today=AS_OF)
    advisor.install(arm, {})
    RetailPricesFake(arm)
    MonitorFake(arm)
    compute = ComputeFake(arm)
    compute.add_disk(SUBSCRIPTIONS[0], "rg-data", "orphan-1", size_gb=256)  # unattached: a finding to act on
    graph = LiveGraph(arm, compute)
    for subscription in SUBSCRIPTIONS:
        graph.add_subscription(subscription)
    azure = {
        "subscriptions": list(SUBSCRIPTIONS),
        "resource_manager_url": arm.url,
        "retail_prices_url": f"{arm.url}/api/retail/prices",
        "lro_poll_seconds": 0,
    }
    settings = Settings.load({"FINOPS_HOME": str(home)}, overrides={"azure": azure})
    return create_provider(settings, credential_factory=StaticToken, today=lambda: AS_OF, sleep=waits), compute


class TestAzureProvider(CloudProviderContract):
    @pytest.fixture
    def provider(self, arm: ArmFake, home: Path, waits: Waits) -> AzureProvider:
        return azure_provider(arm, home, waits)[0]

    @pytest.fixture
    def cost_period(self) -> tuple[date, date]:
        return date(2026, 10, 1), date(2026, 11, 1)

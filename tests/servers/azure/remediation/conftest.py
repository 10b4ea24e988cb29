"""An Azure world for remediation tests: compute and network fakes on ``ArmFake`` plus the Tags API, and a
context whose long-running-operation pollers wait 0 s between polls."""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from finops_azure.context import AzureContext

from tests.fakes.azure import tags
from tests.fakes.azure.arm import ArmFake
from tests.fakes.azure.compute import ComputeFake
from tests.fakes.azure.network import NetworkFake


@dataclass
class World:
    arm: ArmFake
    compute: ComputeFake
    network: NetworkFake

    def state(self) -> Any:
        """Everything a remediation could change, to compare before and after a plan."""
        c, n = self.compute, self.network
        return copy.deepcopy((c.vms, c.power, c.disks, c.snapshots, n.ips))

    def status_polls(self) -> int:
        return len(self.arm.calls("compute-operation")) + len(self.arm.calls("network-operation"))


@pytest.fixture
def world(arm: ArmFake) -> World:
    compute, network = ComputeFake(arm), NetworkFake(arm)
    tags.install(arm, compute, network)
    return World(arm, compute, network)


@pytest.fixture
def ctx(azure_context: Callable[..., AzureContext], world: World) -> AzureContext:
    return azure_context(lro_poll_seconds=0)

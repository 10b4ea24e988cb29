"""The orchestrator's plan / approve / execute loop (``tests.servers.remediation.RemediationWorkflow``) on the
emulated Azure Resource Manager: VMs, deallocated for real."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from pathlib import Path
from typing import Any, ClassVar

import pytest

from tests.fakes.azure.arm import ArmFake
from tests.servers.azure.conftest import SUBSCRIPTIONS
from tests.servers.azure.test_provider import azure_provider
from tests.servers.conftest import Waits
from tests.servers.remediation import EmulatedCloud, RemediationWorkflow


class Vms(EmulatedCloud):
    cloud = "azure"
    protect = ("finops:protect", "true")
    legal_hold = ("Legal-Hold", "True")  # Azure tag names are case-insensitive
    running, stopped = "running", ("deallocated",)
    read_back = ("power_state", "deallocated")
    routes: ClassVar[Mapping[str, str]] = {"stop": "compute-vm-deallocate", "read": "compute-vm-get"}

    def __init__(self, arm: ArmFake, home: Path, waits: Waits) -> None:
        self.arm = self.fake = arm
        self.provider, self.compute = azure_provider(arm, home, waits)

    def add_instance(self, name: str, tags: dict[str, str] | None = None) -> str:
        return self.compute.add_vm(SUBSCRIPTIONS[0], "rg-web", name, tags=tags or {})

    def stop(self, resource_id: str) -> dict[str, Any]:
        return {"provider": "azure", "kind": "stop_instance", "resource_id": resource_id}

    def tag(self, resource_id: str, **tags: str) -> None:
        self.compute.vms[resource_id.lower()]["tags"].update(tags)

    def state(self, resource_id: str) -> str:
        return self.compute.power[resource_id.lower()]

    def snapshot(self) -> object:
        return copy.deepcopy((self.compute.vms, self.compute.power, self.arm.calls("compute-vm-update")))


class TestOnAzure(RemediationWorkflow):
    @pytest.fixture
    def emulated(self, arm: ArmFake, home: Path, waits: Waits) -> EmulatedCloud:
        return Vms(arm, home, waits)

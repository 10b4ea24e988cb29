"""Remediation against Microsoft's own GET examples of the resources it changes (tests/fakes/azure/examples/compute
and network): each record, served as Microsoft wrote it, is planned as the person would expect; our compute and
network fakes answer in the examples' shape."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from finops_azure.context import AzureContext
from finops_azure.remediation import plan_remediation
from finops_core.errors import RemediationRefused
from finops_core.models import RemediationAction

from tests.fakes.azure.arm import ArmFake, ArmRequest, ArmResponse
from tests.fakes.azure.compute import ComputeFake
from tests.fakes.azure.network import NetworkFake
from tests.fakes.azure.vendor import documented, shape_problems
from tests.servers.azure.conftest import SUBSCRIPTIONS

pytestmark = pytest.mark.anyio
SUB = SUBSCRIPTIONS[0]
RG = f"/subscriptions/{SUB}/resourceGroups/myResourceGroup/providers"
VM = "compute/VirtualMachine_Get.json"
INSTANCE_VIEW = "compute/VirtualMachine_Get_InstanceViewAutoPlacedOnDedicatedHostGroup.json"
SIZES = "compute/VirtualMachine_ListAvailableVmSizes.json"
DISK = "compute/Disk_Get.json"
SNAPSHOT = "compute/Snapshot_Get.json"
IP = "network/PublicIpAddressGet.json"
PATHS = {
    "vm": r"/subscriptions/[^/]+/resourceGroups/[^/]+/providers/Microsoft\.Compute/virtualMachines/[^/]+",
    "disk": r"/subscriptions/[^/]+/resourceGroups/[^/]+/providers/Microsoft\.Compute/disks/[^/]+",
    "snapshot": r"/subscriptions/[^/]+/resourceGroups/[^/]+/providers/Microsoft\.Compute/snapshots/[^/]+",
    "ip": r"/subscriptions/[^/]+/resourceGroups/[^/]+/providers/Microsoft\.Network/publicIPAddresses/[^/]+",
}


def _action(kind: str, resource_id: str, **parameters: str) -> RemediationAction:
    return RemediationAction(provider="azure", kind=kind, resource_id=resource_id, parameters=parameters)


def _serve(arm: ArmFake, kind: str, body: dict[str, Any]) -> None:
    arm.route(kind, "GET", PATHS[kind], lambda _: ArmResponse(200, json.dumps(body).encode()))


def _vm_with_instance_view(**changes: Any) -> dict[str, Any]:
    """VirtualMachine_Get with ``$expand=instanceView``: the VM record, its instance view under properties."""
    body = documented(VM) | changes
    body["properties"] = body["properties"] | {"instanceView": documented(INSTANCE_VIEW)}
    return {k: v for k, v in body.items() if v is not None}


@pytest.fixture
def ctx(azure_context: Callable[..., AzureContext]) -> AzureContext:
    return azure_context(lro_poll_seconds=0)


async def test_microsofts_vm_managed_by_its_scale_set_is_left_to_the_scale_set(arm: ArmFake, ctx: AzureContext) -> None:
    _serve(arm, "vm", _vm_with_instance_view())
    with pytest.raises(RemediationRefused, match=r"belongs to scale set .*virtualMachineScaleSets"):
        await plan_remediation(ctx, _action("stop_instance", f"{RG}/Microsoft.Compute/virtualMachines/myVM"))


async def test_microsofts_vm_reads_its_power_state_and_the_sizes_azure_offers(arm: ArmFake, ctx: AzureContext) -> None:
    _serve(arm, "vm", _vm_with_instance_view(managedBy=None))
    sizes = json.dumps(documented(SIZES)).encode()
    arm.route("sizes", "GET", PATHS["vm"] + "/vmSizes", lambda _: ArmResponse(200, sizes))
    vm = f"{RG}/Microsoft.Compute/virtualMachines/myVM"
    plan = await plan_remediation(ctx, _action("resize_instance", vm, new_size="standard_a2_v2"))
    assert plan.before["power_state"] == "running"  # "PowerState/running" in the instance view's statuses
    assert plan.summary.startswith("Resize VM myVM from Standard_DS3_v2 to Standard_A2_V2")
    assert "restarts the running VM" in plan.summary
    with pytest.raises(RemediationRefused, match="Sizes offered: Standard_A1_V2, Standard_A2_V2"):
        await plan_remediation(ctx, _action("resize_instance", vm, new_size="Standard_D4s_v5"))


async def test_microsofts_disk_without_a_disk_state_is_not_deleted(arm: ArmFake, ctx: AzureContext) -> None:
    # Disk_Get's example has no diskState (it is read-only and optional) and a managedBy VM: not "Unattached".
    _serve(arm, "disk", documented(DISK))
    with pytest.raises(RemediationRefused, match=r"is unknown \(used by .*TestVM414689371c88843d65ec\)"):
        await plan_remediation(ctx, _action("delete_volume", f"{RG}/Microsoft.Compute/disks/myManagedDisk"))


async def test_microsofts_snapshot_plans_its_deletion_with_its_size_and_age(arm: ArmFake, ctx: AzureContext) -> None:
    _serve(arm, "snapshot", documented(SNAPSHOT))
    plan = await plan_remediation(ctx, _action("delete_snapshot", f"{RG}/Microsoft.Compute/snapshots/mySnapshot"))
    assert plan.summary.startswith("Delete snapshot mySnapshot (100 GiB, created 2016-12-28")
    assert plan.before["source"].endswith("/disks/myDisk")


async def test_microsofts_public_ip_on_a_network_interface_is_not_released(arm: ArmFake, ctx: AzureContext) -> None:
    _serve(arm, "ip", documented(IP))
    ip = f"{RG}/Microsoft.Network/publicIPAddresses/testDNS-ip"
    with pytest.raises(RemediationRefused, match=r"is associated with .*testDNS649/ipConfigurations/ipconfig1"):
        await plan_remediation(ctx, _action("release_ip", ip))


def test_the_compute_and_network_fakes_answer_in_the_shape_of_microsofts_examples(arm: ArmFake) -> None:
    compute, network = ComputeFake(arm), NetworkFake(arm)
    vm = compute.add_vm(SUB, "rg", "web")
    disk = compute.add_disk(SUB, "rg", "data")
    snap = compute.add_snapshot(SUB, "rg", "snap")
    ip = network.add_ip(SUB, "rg", "ip")
    why = {
        "properties.instanceView": "VirtualMachines_Get with $expand=instanceView; checked against the instance "
        "view example below",
        "properties.diskState": "documented in DiskProperties (read-only); Disk_Get's example leaves it out",
        "sku.tier": "documented in DiskSku / SnapshotSku / PublicIPAddressSku; the examples leave it out",
        "sku": "documented in Snapshot and PublicIPAddress; their GET examples leave it out",
        "properties.ipAddress": "documented in PublicIPAddressPropertiesFormat; the example's address is dynamic",
        "tags": "every ARM resource's tags (Resource); PublicIpAddressGet's example has none",
    }

    def get(path: str, **query: str) -> Any:
        route = next(r for r in arm.routes if r.method == "GET" and r.pattern.fullmatch(path))
        return route.handler(ArmRequest("GET", path, {"api-version": "x", **query}, None, {}))

    with_view = get(vm, **{"$expand": "instanceView"})
    assert shape_problems(with_view, documented(VM), why) == []
    assert shape_problems(with_view["properties"]["instanceView"], documented(INSTANCE_VIEW)) == []
    assert shape_problems(get(f"{vm}/vmSizes"), documented(SIZES)) == []
    assert shape_problems(get(disk), documented(DISK), why) == []
    assert shape_problems(get(snap), documented(SNAPSHOT), why) == []
    assert shape_problems(get(ip), documented(IP), why) == []

"""Azure remediation over the compute and network fakes: a plan changes nothing; apply changes, polls Azure's
long-running operation to its end, records before/after and says how to undo."""

from __future__ import annotations

import pytest
from finops_azure.context import AzureContext
from finops_azure.remediation import ACTIONS, apply_remediation, plan_remediation
from finops_core.errors import InvalidInput, NotFound, RemediationRefused
from finops_core.models import ACTION_KINDS, RemediationAction, RemediationPlan, RemediationResult

from tests.servers.azure.conftest import SUBSCRIPTIONS, TOKEN
from tests.servers.azure.remediation.conftest import World
from tests.servers.conftest import Waits

pytestmark = pytest.mark.anyio
SUB = SUBSCRIPTIONS[0]


def _action(kind: str, resource_id: str, **parameters: str) -> RemediationAction:
    return RemediationAction(provider="azure", kind=kind, resource_id=resource_id, parameters=parameters)


async def _plan_then_apply(
    world: World, ctx: AzureContext, action: RemediationAction
) -> tuple[RemediationPlan, RemediationResult]:
    """Plan (asserting that nothing changed and nothing was polled), then apply."""
    state = world.state()
    plan = await plan_remediation(ctx, action)
    assert world.state() == state
    assert world.status_polls() == 0
    assert plan.dry_run_ok
    assert plan.is_demo is False
    result = await apply_remediation(ctx, action)
    assert TOKEN not in result.model_dump_json()
    return plan, result


def test_every_action_is_a_core_action_kind() -> None:
    assert set(ACTIONS) == set(ACTION_KINDS) - {"add_lifecycle_rule"}


async def test_a_stop_deallocates_the_vm_polling_the_operation_to_its_end(
    world: World, ctx: AzureContext, waits: Waits
) -> None:
    vm = world.compute.add_vm(SUB, "RG-Web", "web-1", tags={"team": "web"})
    plan, result = await _plan_then_apply(world, ctx, _action("stop_instance", vm))
    assert plan.summary.startswith("Deallocate VM web-1 (Standard_D8s_v5, running) in resource group RG-Web")
    assert SUB in plan.summary
    assert (plan.before["power_state"], plan.expected_after["power_state"]) == ("running", "deallocated")
    assert result.applied
    assert (result.before["power_state"], result.after["power_state"]) == ("running", "deallocated")
    assert world.compute.power[vm.lower()] == "deallocated"
    assert len(world.arm.calls("compute-vm-deallocate")) == 1
    assert len(world.arm.calls("compute-operation")) == 2  # InProgress, then Succeeded
    assert world.compute.operations.pending == 0
    assert result.undo is not None
    assert result.undo.startswith(f"start_instance on {vm}")
    assert waits == []  # nothing waited through ctx.sleep, and polling_interval=0 made the poller not sleep


async def test_ids_are_matched_case_insensitively_and_a_deallocated_vm_is_left_alone(
    world: World, ctx: AzureContext
) -> None:
    vm = world.compute.add_vm(SUB, "RG-Web", "web-1", power="deallocated")
    shouting = vm.replace(
        "/providers/Microsoft.Compute/virtualMachines/", "/PROVIDERS/microsoft.compute/VIRTUALMACHINES/"
    )
    result = await apply_remediation(ctx, _action("stop_instance", shouting))
    assert not result.applied
    assert "is already deallocated: applying this changes nothing" in result.message
    assert result.before == result.after
    assert world.arm.calls("compute-vm-deallocate") == []


async def test_a_deallocated_vm_is_started(world: World, ctx: AzureContext) -> None:
    vm = world.compute.add_vm(SUB, "RG-Web", "web-1", power="deallocated")
    _, result = await _plan_then_apply(world, ctx, _action("start_instance", vm))
    assert (result.before["power_state"], result.after["power_state"]) == ("deallocated", "running")
    assert result.undo == f"stop_instance on {vm}"


async def test_a_running_vm_is_resized_to_an_offered_size_and_the_plan_says_it_restarts(
    world: World, ctx: AzureContext
) -> None:
    vm = world.compute.add_vm(SUB, "RG-Web", "web-1", size="Standard_D8s_v5")
    with pytest.raises(InvalidInput, match="new_size"):
        await plan_remediation(ctx, _action("resize_instance", vm))
    with pytest.raises(RemediationRefused, match="does not offer Standard_M416ms_v2") as refused:
        await plan_remediation(ctx, _action("resize_instance", vm, new_size="Standard_M416ms_v2"))
    assert "stop_instance" in str(refused.value)
    assert "Standard_D4s_v5" in str(refused.value)
    plan, result = await _plan_then_apply(world, ctx, _action("resize_instance", vm, new_size="Standard_D4s_v5"))
    assert "restarts the running VM" in plan.summary
    assert plan.expected_after["vm_size"] == "Standard_D4s_v5"
    assert (result.before["vm_size"], result.after["vm_size"]) == ("Standard_D8s_v5", "Standard_D4s_v5")
    (update,) = world.arm.calls("compute-vm-update")
    assert update.body == {"properties": {"hardwareProfile": {"vmSize": "Standard_D4s_v5"}}}
    assert world.compute.restarts == [vm]
    assert result.undo is not None
    assert "new_size=Standard_D8s_v5" in result.undo


async def test_a_scale_set_vm_is_not_deallocated(world: World, ctx: AzureContext) -> None:
    vm = world.compute.add_vm(
        SUB,
        "RG-Web",
        "web-1",
        scale_set="/subscriptions/x/resourceGroups/g/providers/Microsoft.Compute/virtualMachineScaleSets/web",
    )
    with pytest.raises(RemediationRefused, match="belongs to scale set"):
        await apply_remediation(ctx, _action("stop_instance", vm))
    assert world.compute.power[vm.lower()] == "running"


async def test_deleting_a_disk_takes_a_snapshot_first_which_exists_and_is_named_in_the_undo(
    world: World, ctx: AzureContext
) -> None:
    disk = world.compute.add_disk(SUB, "RG-Data", "old-data", size_gb=256, tags={"team": "data"})
    plan, result = await _plan_then_apply(world, ctx, _action("delete_volume", disk))
    assert "after taking snapshot old-data-finops-20261126" in plan.summary
    assert "256 GiB Premium_LRS" in plan.summary
    assert result.applied
    assert (result.before["state"], result.after["state"]) == ("unattached", "deleted")
    assert disk.lower() not in world.compute.disks
    (snapshot,) = world.compute.snapshots.values()
    assert snapshot["name"] == "old-data-finops-20261126"
    assert snapshot["properties"]["creationData"] == {"createOption": "Copy", "sourceResourceId": disk}
    assert snapshot["properties"]["provisioningState"] == "Succeeded"
    assert snapshot["properties"]["diskSizeGB"] == 256
    assert snapshot["tags"]["team"] == "data"
    assert snapshot["tags"]["finops:source-disk"] == disk
    assert snapshot["sku"] == {"name": "Standard_LRS"}
    # The snapshot was complete (polled to Succeeded) before the delete was sent.
    order = [name for name, _ in world.arm.requests if name in ("compute-snapshot-put", "compute-disk-delete")]
    assert order == ["compute-snapshot-put", "compute-disk-delete"]
    assert len(world.arm.calls("compute-operation")) == 4
    assert result.undo is not None
    assert snapshot["id"] in result.undo
    assert result.message.endswith("(it bills per GiB stored).")


async def test_deleting_a_disk_without_a_snapshot_says_it_cannot_be_undone(world: World, ctx: AzureContext) -> None:
    disk = world.compute.add_disk(SUB, "RG-Data", "scratch")
    plan, result = await _plan_then_apply(world, ctx, _action("delete_volume", disk, snapshot_first="false"))
    assert "gone for good" in plan.undo
    assert "WITHOUT a snapshot" in plan.summary
    assert result.after == {"state": "deleted"}
    assert world.compute.snapshots == {}


async def test_an_attached_disk_is_refused(world: World, ctx: AzureContext) -> None:
    vm = world.compute.add_vm(SUB, "RG-Web", "web-1")
    disk = world.compute.add_disk(SUB, "RG-Web", "web-1-data", state="Attached", managed_by=vm)
    with pytest.raises(RemediationRefused, match="only an Unattached disk") as refused:
        await apply_remediation(ctx, _action("delete_volume", disk))
    assert vm in str(refused.value)
    assert disk.lower() in world.compute.disks
    assert world.compute.snapshots == {}


async def test_an_unassociated_public_ip_is_released_and_an_associated_one_refused(
    world: World, ctx: AzureContext
) -> None:
    nic = (
        f"/subscriptions/{SUB}/resourceGroups/RG-Web/providers/Microsoft.Network/networkInterfaces/web-1-nic"
        "/ipConfigurations/ipconfig1"
    )
    used = world.network.add_ip(SUB, "RG-Web", "web-1-ip", attached_to=nic)
    free = world.network.add_ip(SUB, "RG-Web", "old-ip", address="20.9.9.9")
    with pytest.raises(RemediationRefused, match=r"associated with .*web-1-nic"):
        await plan_remediation(ctx, _action("release_ip", used))
    plan, result = await _plan_then_apply(world, ctx, _action("release_ip", free))
    assert "20.9.9.9" in plan.summary
    assert "new address" in plan.undo
    assert (result.before["state"], result.after["state"]) == ("unattached", "deleted")
    assert free.lower() not in world.network.ips
    assert used.lower() in world.network.ips
    assert len(world.arm.calls("network-operation")) == 2


async def test_a_snapshot_is_deleted(world: World, ctx: AzureContext) -> None:
    snap = world.compute.add_snapshot(SUB, "RG-Data", "nightly-2025-03-01", size_gb=64)
    plan, result = await _plan_then_apply(world, ctx, _action("delete_snapshot", snap))
    assert "64 GiB" in plan.summary
    assert "cannot be restored" in plan.undo
    assert (result.before["state"], result.after["state"]) == ("available", "deleted")
    assert world.compute.snapshots == {}


async def test_tags_are_merged_and_the_undo_restores_them(world: World, ctx: AzureContext) -> None:
    disk = world.compute.add_disk(SUB, "RG-Data", "old-data", tags={"team": "data", "env": "prod"})
    plan, result = await _plan_then_apply(world, ctx, _action("set_tags", disk, team="platform", owner="ana"))
    assert plan.expected_after["tags"] == {"team": "platform", "env": "prod", "owner": "ana"}
    assert result.after["tags"] == {"team": "platform", "env": "prod", "owner": "ana"}
    assert world.compute.disks[disk.lower()]["tags"] == {"team": "platform", "env": "prod", "owner": "ana"}
    (patch,) = world.arm.calls("tags")
    assert patch.body == {"operation": "Merge", "properties": {"tags": {"team": "platform", "owner": "ana"}}}
    assert result.undo is not None
    assert f"set_tags on {disk} with {{'team': 'data'}}" in result.undo
    assert "delete the added tag(s) owner" in result.undo
    again = await apply_remediation(ctx, _action("set_tags", disk, team="platform"))
    assert not again.applied
    assert "already has these tags" in again.message


@pytest.mark.parametrize("kind", ["stop_instance", "set_tags"])
async def test_a_protected_resource_is_refused(world: World, ctx: AzureContext, kind: str) -> None:
    vm = world.compute.add_vm(SUB, "RG-Web", "db-1", tags={"FinOps:Protect": "True"})
    with pytest.raises(RemediationRefused, match="finops:protect=true") as refused:
        await plan_remediation(ctx, _action(kind, vm, note="x"))
    assert "Nothing was changed" in str(refused.value)
    with pytest.raises(RemediationRefused):
        await apply_remediation(ctx, _action(kind, vm, note="x"))
    assert world.compute.power[vm.lower()] == "running"
    assert world.arm.calls("tags") == []


async def test_an_unknown_resource_is_not_found_with_advice(world: World, ctx: AzureContext) -> None:
    missing = f"/subscriptions/{SUB}/resourceGroups/RG-Web/providers/Microsoft.Compute/disks/nope"
    with pytest.raises(NotFound, match="azure_list_resources") as raised:
        await plan_remediation(ctx, _action("delete_volume", missing))
    assert "'nope'" in str(raised.value)
    assert TOKEN not in str(raised.value)


async def test_ids_of_the_wrong_form_or_kind_say_what_is_expected(world: World, ctx: AzureContext) -> None:
    with pytest.raises(NotFound, match="not a full Azure resource id"):
        await plan_remediation(ctx, _action("stop_instance", "web-1"))
    storage = f"/subscriptions/{SUB}/resourceGroups/g/providers/Microsoft.Storage/storageAccounts/logs"
    with pytest.raises(InvalidInput, match=r"Microsoft\.Storage/storageAccounts resources cannot be changed"):
        await plan_remediation(ctx, _action("set_tags", storage, a="b"))
    disk = world.compute.add_disk(SUB, "g", "d")
    with pytest.raises(InvalidInput, match="stop_instance applies to a virtual machine"):
        await plan_remediation(ctx, _action("stop_instance", disk))
    with pytest.raises(InvalidInput, match="add_lifecycle_rule"):
        await plan_remediation(ctx, _action("add_lifecycle_rule", disk))

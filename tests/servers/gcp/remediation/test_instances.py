"""Stopping, starting and resizing VM instances: a plan changes nothing; apply waits for the operation and reads
the instance back."""

from __future__ import annotations

import pytest
from finops_core.errors import InvalidInput, NotFound, RemediationRefused
from finops_core.models import RemediationAction
from finops_gcp.context import GcpContext
from finops_gcp.remediation import apply_remediation, plan_remediation

from tests.fakes.gcp.compute_ops import ComputeOps
from tests.fakes.gcp.google_api import GoogleFake
from tests.servers.conftest import Waits
from tests.servers.gcp.remediation.conftest import ZONE, P, instance_id, world

pytestmark = pytest.mark.anyio


def _action(kind: str, resource_id: str, **parameters: str) -> RemediationAction:
    return RemediationAction(provider="gcp", kind=kind, resource_id=resource_id, parameters=parameters)


async def test_a_stop_is_planned_without_change_then_applied_after_polling_its_operation(
    ops: ComputeOps, google: GoogleFake, ctx: GcpContext, waits: Waits
) -> None:
    ops.add_instance(P, ZONE, "web-1", machine_type="e2-standard-4", labels={"team": "web"})
    action = _action("stop_instance", instance_id("web-1"))
    before = world(ops)
    plan = await plan_remediation(ctx, action)
    assert world(ops) == before
    assert plan.dry_run_ok
    assert "web-1" in plan.summary
    assert ZONE in plan.summary
    assert P in plan.summary
    assert plan.before == {"status": "RUNNING", "machine_type": "e2-standard-4", "labels": {"team": "web"}}
    assert plan.expected_after["status"] == "TERMINATED"
    assert plan.monthly_savings is None
    assert waits == []

    result = await apply_remediation(ctx, action)
    assert result.applied
    assert (result.before["status"], result.after["status"]) == ("RUNNING", "TERMINATED")
    assert ops.instances[(P, ZONE, "web-1")]["status"] == "TERMINATED"
    assert result.undo is not None
    assert f"start_instance on {instance_id('web-1')}" in result.undo
    assert len(google.calls("instances.stop")) == 1
    assert len(google.calls("operations.get")) == 1  # the change was waited for
    assert waits == [1.0]


async def test_the_client_keeps_polling_with_back_off_until_the_operation_is_done(
    ops: ComputeOps, google: GoogleFake, ctx: GcpContext, waits: Waits
) -> None:
    ops.polls_to_finish = 4
    ops.add_instance(P, ZONE, "web-1")
    result = await apply_remediation(ctx, _action("stop_instance", instance_id("web-1")))
    assert result.after["status"] == "TERMINATED"
    assert len(google.calls("operations.get")) == 4
    assert waits == [1.0, 2.0, 4.0, 8.0]


async def test_an_operation_ending_in_error_is_reported_and_the_instance_left_as_it_was(
    ops: ComputeOps, ctx: GcpContext
) -> None:
    ops.add_instance(P, ZONE, "web-1")
    ops.fail_operation("stop", 400, "resourceOperationFailed", "The instance could not be stopped")
    with pytest.raises(Exception, match="could not be stopped"):
        await apply_remediation(ctx, _action("stop_instance", instance_id("web-1")))
    assert ops.instances[(P, ZONE, "web-1")]["status"] == "RUNNING"


async def test_stopping_a_stopped_instance_says_so_and_changes_nothing(
    ops: ComputeOps, google: GoogleFake, ctx: GcpContext
) -> None:
    ops.add_instance(P, ZONE, "web-1", status="TERMINATED")
    result = await apply_remediation(ctx, _action("stop_instance", instance_id("web-1")))
    assert not result.applied
    assert "is already TERMINATED: applying this changes nothing" in result.message
    assert result.before == result.after
    assert google.calls("instances.stop") == []


async def test_a_stopped_instance_is_started_and_a_running_one_is_left_alone(ops: ComputeOps, ctx: GcpContext) -> None:
    ops.add_instance(P, ZONE, "batch-1", status="TERMINATED")
    ops.add_instance(P, ZONE, "web-1")
    result = await apply_remediation(ctx, _action("start_instance", instance_id("batch-1")))
    assert result.applied
    assert result.after["status"] == "RUNNING"
    assert result.undo == f"stop_instance on {instance_id('batch-1')}"
    again = await apply_remediation(ctx, _action("start_instance", instance_id("web-1")))
    assert not again.applied


async def test_instances_of_a_managed_group_or_with_local_ssds_are_not_stopped(
    ops: ComputeOps, ctx: GcpContext
) -> None:
    ops.add_instance(P, ZONE, "web-abcd", group="web-group")
    ops.add_instance(P, ZONE, "cache-1", local_ssd=True)
    with pytest.raises(RemediationRefused, match="managed instance group web-group"):
        await plan_remediation(ctx, _action("stop_instance", instance_id("web-abcd")))
    with pytest.raises(RemediationRefused, match="local SSDs"):
        await plan_remediation(ctx, _action("stop_instance", instance_id("cache-1")))


async def test_resizing_a_running_instance_is_refused_with_stop_it_first(
    ops: ComputeOps, google: GoogleFake, ctx: GcpContext
) -> None:
    ops.add_instance(P, ZONE, "web-1")
    ops.machine_types[ZONE].add("e2-small")
    with pytest.raises(RemediationRefused, match="stop it first"):
        await apply_remediation(ctx, _action("resize_instance", instance_id("web-1"), new_size="e2-small"))
    assert ops.instances[(P, ZONE, "web-1")]["machineType"].endswith("/e2-standard-4")
    assert google.calls("instances.setMachineType") == []


async def test_a_stopped_instance_is_resized_to_a_machine_type_that_exists_in_its_zone(
    ops: ComputeOps, google: GoogleFake, ctx: GcpContext
) -> None:
    ops.add_instance(P, ZONE, "web-1", status="TERMINATED")
    ops.machine_types[ZONE].add("e2-small")
    with pytest.raises(InvalidInput, match="'n9-mega' does not exist in us-central1-a"):
        await plan_remediation(ctx, _action("resize_instance", instance_id("web-1"), new_size="n9-mega"))
    with pytest.raises(InvalidInput, match=r"needs parameters\.new_size"):
        await plan_remediation(ctx, _action("resize_instance", instance_id("web-1")))
    before = world(ops)
    plan = await plan_remediation(ctx, _action("resize_instance", instance_id("web-1"), new_size="e2-small"))
    assert world(ops) == before
    assert plan.expected_after["machine_type"] == "e2-small"
    result = await apply_remediation(ctx, _action("resize_instance", instance_id("web-1"), new_size="e2-small"))
    assert result.applied
    assert (result.before["machine_type"], result.after["machine_type"]) == ("e2-standard-4", "e2-small")
    assert google.calls("instances.setMachineType")[0].body == {"machineType": f"zones/{ZONE}/machineTypes/e2-small"}
    assert result.undo is not None
    assert "new_size=e2-standard-4" in result.undo
    same = await apply_remediation(ctx, _action("resize_instance", instance_id("web-1"), new_size="e2-small"))
    assert not same.applied


async def test_ids_are_accepted_with_or_without_the_service_prefix_and_unknown_ones_are_not_found(
    ops: ComputeOps, ctx: GcpContext
) -> None:
    ops.add_instance(P, ZONE, "web-1")
    plan = await plan_remediation(ctx, _action("stop_instance", f"projects/{P}/zones/{ZONE}/instances/web-1"))
    assert plan.action.resource_id == f"projects/{P}/zones/{ZONE}/instances/web-1"
    link = f"https://www.googleapis.com/compute/v1/projects/{P}/zones/{ZONE}/instances/web-1"
    assert (await plan_remediation(ctx, _action("stop_instance", link))).before["status"] == "RUNNING"
    with pytest.raises(NotFound, match="gcp_list_resources"):
        await plan_remediation(ctx, _action("stop_instance", instance_id("nope")))
    with pytest.raises(NotFound, match="gcp_list_resources"):
        await plan_remediation(ctx, _action("stop_instance", instance_id("web-1", zone="europe-west1-b")))
    with pytest.raises(NotFound, match="full name"):
        await plan_remediation(ctx, _action("stop_instance", "i-0123456789abcdef0"))
    with pytest.raises(InvalidInput, match="stop_instance applies to a VM instance"):
        await plan_remediation(
            ctx, _action("stop_instance", f"//compute.googleapis.com/projects/{P}/zones/{ZONE}/disks/d")
        )
    with pytest.raises(InvalidInput, match="add_lifecycle_rule"):
        await plan_remediation(ctx, _action("add_lifecycle_rule", instance_id("web-1")))


async def test_resources_labelled_finops_protect_are_refused(
    ops: ComputeOps, google: GoogleFake, ctx: GcpContext
) -> None:
    ops.add_instance(P, ZONE, "db-1", labels={"finops-protect": "true"})
    with pytest.raises(RemediationRefused, match="finops-protect=true"):
        await plan_remediation(ctx, _action("stop_instance", instance_id("db-1")))
    with pytest.raises(RemediationRefused, match="finops-protect=true"):
        await apply_remediation(ctx, _action("set_tags", instance_id("db-1"), team="x"))
    assert google.calls("instances.stop") == []
    assert ops.instances[(P, ZONE, "db-1")]["status"] == "RUNNING"

"""Remediation on Azure: every change is checked first, then (after a person's confirmation, asked by the server's
``azure_apply_remediation``) re-checked, made, waited for (long-running operations are polled to the end) and read
back.

``plan_remediation`` changes nothing: it parses the ARM id, reads the resource, refuses what cannot or should not
be done (state, ``finops:protect=true`` tags, an attached disk, an associated IP, a size Azure does not offer) and
describes the change. ``apply_remediation`` does the same checks again, then the change. Applying an action whose
resource is already as asked changes nothing and says so.

Every action names its resource by full ARM id (``resource_id``); its parameters:

- ``stop_instance`` (deallocates the VM), ``start_instance``: none.
- ``resize_instance``: ``new_size`` (a VM size offered for the VM, e.g. ``Standard_D4s_v5``); a running VM restarts.
- ``delete_volume`` (an Unattached managed disk): ``snapshot_first`` ('true' by default), ``snapshot_name``
  (default ``<disk>-finops-<YYYYMMDD>``).
- ``delete_snapshot``, ``release_ip`` (an unassociated public IP): none.
- ``set_tags``: every parameter is a tag to set (existing tags are kept).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from finops_core.actions import Action, ActionTable, in_worker_thread
from finops_core.errors import FinOpsError, InvalidInput
from finops_core.models import RemediationAction

from finops_azure.remediation import network_actions, storage_actions, tags, vm_actions
from finops_azure.remediation.targets import KIND_NAMES, Target, TargetKind, parse_arm_id, resolve

if TYPE_CHECKING:
    from finops_azure.context import AzureContext

__all__ = ["ACTIONS", "TABLE", "apply_remediation", "plan_remediation", "resource_tags"]


ACTIONS: dict[str, Action[AzureContext, Target]] = {
    "stop_instance": Action(("vm",), vm_actions.prepare_stop),
    "start_instance": Action(("vm",), vm_actions.prepare_start),
    "resize_instance": Action(("vm",), vm_actions.prepare_resize),
    "delete_volume": Action(("disk",), storage_actions.prepare_delete_volume),
    "delete_snapshot": Action(("snapshot",), storage_actions.prepare_delete_snapshot),
    "release_ip": Action(("ip",), network_actions.prepare_release_ip),
    "set_tags": Action(("vm", "disk", "snapshot", "ip"), tags.prepare_set_tags),
}


def _wrong_kind(action: RemediationAction, kind: str, wanted: str) -> FinOpsError:
    named = KIND_NAMES[cast("TargetKind", kind)]  # ``kind`` came from parse_arm_id
    return InvalidInput(f"{action.kind} applies to {wanted}; {action.resource_id!r} is {named}.")


async def _read(ctx: AzureContext, resource_id: str, parameters: dict[str, str]) -> Target:
    return await ctx.run(resolve, ctx, resource_id)


# Apply waits for Azure's long-running operation to finish (``perform`` polls it) before reading the resource back.
TABLE = ActionTable["AzureContext", Target](
    cloud="azure",
    actions=ACTIONS,
    kind_names=KIND_NAMES,
    kind_of=lambda resource_id: parse_arm_id(resource_id).kind,
    read=_read,
    run=in_worker_thread,
    wrong_kind=_wrong_kind,
)
plan_remediation = TABLE.plan
apply_remediation = TABLE.apply
resource_tags = TABLE.tags

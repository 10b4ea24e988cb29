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

from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import TYPE_CHECKING

from finops_core.errors import InvalidInput
from finops_core.models import RemediationAction, RemediationPlan, RemediationResult

from finops_azure.remediation import network_actions, storage_actions, tags, vm_actions
from finops_azure.remediation.plans import Prepared, plan_of, result_of, unchanged
from finops_azure.remediation.targets import KIND_NAMES, Target, TargetKind, parse_arm_id, refuse_if_protected, resolve

if TYPE_CHECKING:
    from finops_azure.context import AzureContext

__all__ = ["ACTIONS", "apply_remediation", "plan_remediation", "resource_tags"]

Preparer = Callable[["AzureContext", Target, dict[str, str]], Prepared]

# What each action applies to, and how it is prepared.
ACTIONS: dict[str, tuple[tuple[TargetKind, ...], Preparer]] = {
    "stop_instance": (("vm",), vm_actions.prepare_stop),
    "start_instance": (("vm",), vm_actions.prepare_start),
    "resize_instance": (("vm",), vm_actions.prepare_resize),
    "delete_volume": (("disk",), storage_actions.prepare_delete_volume),
    "delete_snapshot": (("snapshot",), storage_actions.prepare_delete_snapshot),
    "release_ip": (("ip",), network_actions.prepare_release_ip),
    "set_tags": (("vm", "disk", "snapshot", "ip"), tags.prepare_set_tags),
}


def _prepare_now(ctx: AzureContext, action: RemediationAction) -> Prepared:
    if action.provider != "azure":
        raise InvalidInput(f"This is the Azure provider; the action is for {action.provider}.")
    if action.kind not in ACTIONS:
        raise InvalidInput(
            f"Unknown or unsupported action kind {action.kind!r} on Azure; use one of {', '.join(ACTIONS)}."
        )
    kinds, prepare = ACTIONS[action.kind]
    arm = parse_arm_id(action.resource_id)
    if arm.kind not in kinds:
        wanted = " or ".join(KIND_NAMES[k] for k in kinds)
        raise InvalidInput(f"{action.kind} applies to {wanted}; {action.resource_id!r} is {KIND_NAMES[arm.kind]}.")
    target = resolve(ctx, action.resource_id)
    refuse_if_protected(target)
    return replace(prepare(ctx, target, dict(action.parameters)), tags=target.tags)


async def plan_remediation(ctx: AzureContext, action: RemediationAction) -> RemediationPlan:
    """Check ``action`` and describe it (before, expected after, undo). Changes nothing."""
    return plan_of(action, await ctx.run(_prepare_now, ctx, action))


async def apply_remediation(ctx: AzureContext, action: RemediationAction) -> RemediationResult:
    """Re-check ``action``, make the change (waiting for Azure's long-running operation to finish), and read the
    resource back. The caller has a person's confirmation; this function does not ask."""
    prepared = await ctx.run(_prepare_now, ctx, action)
    if prepared.perform is None:
        return unchanged(action, prepared)
    done = await ctx.run(prepared.perform)
    after = await ctx.run(prepared.read_after)
    return result_of(action, prepared, done, after)


async def resource_tags(ctx: AzureContext, resource_id: str, parameters: Mapping[str, str]) -> dict[str, str]:
    """The tags ``resource_id`` (a full ARM id) carries now, read afresh from Resource Manager."""
    return (await ctx.run(resolve, ctx, resource_id)).tags

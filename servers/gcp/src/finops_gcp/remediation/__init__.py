"""Remediation on Google Cloud: every change is checked first, then (after a person's confirmation, asked by the
server's ``gcp_apply_remediation``) re-checked, made, waited for, and read back.

``plan_remediation`` changes nothing: it parses the resource's full name, reads the resource, and refuses what
cannot or should not be done (its state, the label ``finops-protect=true``, a disk or address in use, ...).
Compute Engine has no dry-run flag, so the check is ours, made against the resource as it is now.
``apply_remediation`` reads and checks again, starts the change, polls its zonal, regional or global operation
until DONE, and reads the resource back. Applying an action whose resource is already as asked changes nothing
and says so.

Resource ids are full names: ``//compute.googleapis.com/projects/P/zones/Z/instances/NAME`` (see
``targets``). Actions and their parameters:

- ``stop_instance``, ``start_instance``: none.
- ``resize_instance``: ``new_size`` (a machine type name, e.g. ``e2-standard-2``). The instance must be stopped.
- ``delete_volume`` (zonal disks): ``snapshot_first`` ('true' by default).
- ``delete_snapshot``, ``release_ip`` (regional or global static addresses): none.
- ``set_tags`` (instances, disks, addresses, snapshots): every other parameter is a label to set (existing labels
  are kept).
- Every action: ``recommendation_name`` and ``recommendation_etag`` (together), the Recommender recommendation it
  realizes, marked SUCCEEDED after apply (or FAILED when the change failed; left alone when Google did not
  answer in time, since the change may still finish).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import replace
from typing import TYPE_CHECKING

from finops_core.errors import FinOpsError, InvalidInput, Unavailable
from finops_core.models import RemediationAction, RemediationPlan, RemediationResult

from finops_gcp.remediation import addresses, disks, instances, labels
from finops_gcp.remediation.plans import Prepared, plan_of, result_of, unchanged
from finops_gcp.remediation.recommender import PARAMETERS, mark, recommendation_of
from finops_gcp.remediation.targets import (
    KIND_NAMES,
    Target,
    TargetKind,
    parse_resource_id,
    refuse_if_protected,
    resolve,
)

if TYPE_CHECKING:
    from finops_gcp.context import GcpContext

__all__ = ["ACTIONS", "apply_remediation", "plan_remediation", "resource_tags"]

Preparer = Callable[["GcpContext", Target, dict[str, str]], Awaitable[Prepared]]


async def _set_tags(ctx: GcpContext, t: Target, parameters: dict[str, str]) -> Prepared:
    wanted = {k.strip(): v.strip() for k, v in parameters.items() if k not in PARAMETERS}
    return await labels.prepare_set_labels(ctx, t, wanted)


# What each action applies to, and how it is prepared.
ACTIONS: dict[str, tuple[tuple[TargetKind, ...], Preparer]] = {
    "stop_instance": (("instance",), instances.prepare_stop),
    "start_instance": (("instance",), instances.prepare_start),
    "resize_instance": (("instance",), instances.prepare_resize),
    "delete_volume": (("disk",), disks.prepare_delete_volume),
    "delete_snapshot": (("snapshot",), disks.prepare_delete_snapshot),
    "release_ip": (("address",), addresses.prepare_release_ip),
    "set_tags": (("instance", "disk", "address", "snapshot"), _set_tags),
}


async def _prepare(ctx: GcpContext, action: RemediationAction) -> Prepared:
    if action.provider != "gcp":
        raise InvalidInput(f"This is the Google Cloud provider; the action is for {action.provider}.")
    if action.kind not in ACTIONS:
        raise InvalidInput(f"Google Cloud cannot {action.kind!r} from this server; use one of {', '.join(ACTIONS)}.")
    kinds, prepare = ACTIONS[action.kind]
    ref = parse_resource_id(action.resource_id)
    if ref.kind not in kinds:
        wanted = " or ".join(KIND_NAMES[k] for k in kinds)
        raise InvalidInput(f"{action.kind} applies to {wanted}; {action.resource_id!r} is not one.")
    recommendation_of(action.parameters)  # checked before anything is read
    target = await resolve(ctx, ref)
    refuse_if_protected(target)
    prepared = await prepare(ctx, target, action.parameters)
    return replace(prepared, tags=target.labels)


async def plan_remediation(ctx: GcpContext, action: RemediationAction) -> RemediationPlan:
    """Check ``action`` against the resource as it is now and describe it (before, expected after, undo).
    Changes nothing."""
    return plan_of(action, await _prepare(ctx, action))


async def apply_remediation(ctx: GcpContext, action: RemediationAction) -> RemediationResult:
    """Re-check ``action``, make the change, wait for its operation, and read the resource back. The caller has a
    person's confirmation; this function does not ask. A named recommendation is marked SUCCEEDED after (FAILED
    when the change itself failed)."""
    prepared = await _prepare(ctx, action)
    recommendation = recommendation_of(action.parameters)
    if prepared.perform is None:
        result = unchanged(action, prepared)
    else:
        try:
            done = await prepared.perform()
        except Unavailable:
            raise  # the change may still finish: its outcome is unknown, so the recommendation is left as it is
        except FinOpsError:
            if recommendation is not None:
                await mark(ctx, recommendation, succeeded=False)
            raise
        result = result_of(action, prepared, done, await prepared.read_after())
    if recommendation is not None:
        note = await mark(ctx, recommendation, succeeded=True)
        result = result.model_copy(update={"message": result.message + note})
    return result


async def resource_tags(ctx: GcpContext, resource_id: str, parameters: Mapping[str, str]) -> dict[str, str]:
    """The labels ``resource_id`` (a full name) carries now, read afresh from Compute Engine."""
    return (await resolve(ctx, parse_resource_id(resource_id))).labels

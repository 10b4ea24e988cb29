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

from typing import TYPE_CHECKING

from finops_core.actions import Action, ActionTable, awaited
from finops_core.errors import FinOpsError

from finops_gcp.remediation import addresses, disks, instances, labels
from finops_gcp.remediation.plans import Prepared
from finops_gcp.remediation.recommender import PARAMETERS, mark, recommendation_of
from finops_gcp.remediation.targets import KIND_NAMES, Target, parse_resource_id, resolve

if TYPE_CHECKING:
    from finops_core.models import RemediationAction

    from finops_gcp.context import GcpContext

__all__ = ["ACTIONS", "TABLE", "apply_remediation", "plan_remediation", "resource_tags"]


async def _set_tags(ctx: GcpContext, t: Target, parameters: dict[str, str]) -> Prepared:
    wanted = {k.strip(): v.strip() for k, v in parameters.items() if k not in PARAMETERS}
    return await labels.prepare_set_labels(ctx, t, wanted)


ACTIONS: dict[str, Action[GcpContext, Target]] = {
    "stop_instance": Action(("instance",), instances.prepare_stop),
    "start_instance": Action(("instance",), instances.prepare_start),
    "resize_instance": Action(("instance",), instances.prepare_resize),
    "delete_volume": Action(("disk",), disks.prepare_delete_volume),
    "delete_snapshot": Action(("snapshot",), disks.prepare_delete_snapshot),
    "release_ip": Action(("address",), addresses.prepare_release_ip),
    "set_tags": Action(("instance", "disk", "address", "snapshot"), _set_tags),
}


async def _read(ctx: GcpContext, resource_id: str, parameters: dict[str, str]) -> Target:
    return await resolve(ctx, parse_resource_id(resource_id))


async def _follow_up(ctx: GcpContext, action: RemediationAction, failure: FinOpsError | None) -> str:
    """The recommendation the action realizes (if named) marked SUCCEEDED, or FAILED when the change failed."""
    recommendation = recommendation_of(action.parameters)
    if recommendation is None:
        return ""
    return await mark(ctx, recommendation, succeeded=failure is None)


TABLE = ActionTable["GcpContext", Target](
    cloud="gcp",
    actions=ACTIONS,
    kind_names=KIND_NAMES,
    kind_of=lambda resource_id: parse_resource_id(resource_id).kind,
    read=_read,
    run=awaited,
    check=lambda action: recommendation_of(action.parameters),  # before anything is read
    follow_up=_follow_up,
    labels=True,
)
plan_remediation = TABLE.plan
apply_remediation = TABLE.apply
resource_tags = TABLE.tags

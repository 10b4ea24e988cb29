"""Remediation on AWS: every change is checked and dry-run first, then (after a person's confirmation, asked by
the server's ``aws_apply_remediation``) re-checked, made, and read back.

``plan_remediation`` changes nothing: it finds the resource, refuses what cannot or should not be done (state,
``finops:protect=true`` tags, AMIs using a snapshot, ...), dry-runs the EC2 call (``DryRun=True``) or, for S3,
validates and builds the merged configuration. ``apply_remediation`` does the same checks again, then the change,
then reads the resource back. Applying an action whose resource is already as asked changes nothing and says so.

Actions and their parameters (``region`` and ``account_id`` locate the resource in every action):

- ``stop_instance``, ``start_instance``: none.
- ``resize_instance``: ``new_size`` (an instance type). The instance must be stopped.
- ``delete_volume``: ``snapshot_first`` ('true' by default).
- ``delete_snapshot``, ``release_ip``: none.
- ``set_tags``: every other parameter is a tag to set (EC2 resources and S3 buckets; existing tags are kept).
- ``add_lifecycle_rule`` (S3 buckets): ``prefix``, ``transition_days`` + ``storage_class``, ``expire_days``,
  ``noncurrent_expire_days``, ``abort_multipart_days``, ``rule_id``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from finops_core.actions import Action, ActionTable, in_worker_thread
from finops_core.errors import FinOpsError, InvalidInput, NotFound
from finops_core.models import RemediationAction
from finops_core.tag_changes import TagChange

from finops_aws.remediation import ec2_actions, s3_actions
from finops_aws.remediation.plans import Prepared
from finops_aws.remediation.targets import KIND_NAMES, PLACE_PARAMETERS, Target, kind_of_id, resolve

if TYPE_CHECKING:
    from finops_aws.context import AwsContext

__all__ = ["ACTIONS", "TABLE", "apply_remediation", "plan_remediation", "resource_tags"]


def _set_tags(ctx: AwsContext, t: Target, parameters: dict[str, str]) -> Prepared:
    tags = {k.strip(): v for k, v in parameters.items() if k not in PLACE_PARAMETERS}
    if not tags:
        raise InvalidInput("set_tags needs the tags to set as parameters, e.g. {'team': 'data'}.")
    for key, value in tags.items():
        if not key or len(key) > 128 or len(value) > 256:
            raise InvalidInput(f"Tag {key!r}: keys are 1-128 characters and values at most 256.")
        if key.lower().startswith("aws:"):
            raise InvalidInput(f"Tag {key!r}: the aws: prefix is reserved for AWS.")
    how = "s3api put-bucket-tagging with before.tags" if t.kind == "bucket" else "ec2 delete-tags"
    undo = TagChange.of(t.tags, tags).undo(
        t.resource_id, lambda added: f"delete the new tag(s) {', '.join(added)} ({how})"
    )
    if t.kind == "bucket":
        return s3_actions.prepare_bucket_tags(t, tags, undo)
    return ec2_actions.prepare_ec2_tags(t, tags, undo)


ACTIONS: dict[str, Action[AwsContext, Target]] = {
    "stop_instance": Action(("instance",), ec2_actions.prepare_stop),
    "start_instance": Action(("instance",), ec2_actions.prepare_start),
    "resize_instance": Action(("instance",), ec2_actions.prepare_resize),
    "delete_volume": Action(("volume",), ec2_actions.prepare_delete_volume),
    "delete_snapshot": Action(("snapshot",), ec2_actions.prepare_delete_snapshot),
    "release_ip": Action(("ip",), ec2_actions.prepare_release_ip),
    "set_tags": Action(("instance", "volume", "snapshot", "ip", "bucket"), _set_tags),
    "add_lifecycle_rule": Action(("bucket",), s3_actions.prepare_lifecycle),
}


def _wrong_kind(action: RemediationAction, kind: str, wanted: str) -> FinOpsError:
    if kind == "bucket":  # any other name reads as a bucket's: it names nothing this action could change
        return NotFound(
            f"{action.resource_id!r} names no {wanted.removeprefix('an ').removeprefix('a ')}, which "
            f"{action.kind} needs. Check the id with aws_list_resources.",
            provider="aws",
        )
    return InvalidInput(f"{action.kind} applies to {wanted}; {action.resource_id!r} is not one.")


TABLE = ActionTable["AwsContext", Target](
    cloud="aws",
    actions=ACTIONS,
    kind_names=KIND_NAMES,
    kind_of=kind_of_id,
    read=resolve,
    run=in_worker_thread,
    wrong_kind=_wrong_kind,
)
plan_remediation = TABLE.plan
apply_remediation = TABLE.apply
resource_tags = TABLE.tags

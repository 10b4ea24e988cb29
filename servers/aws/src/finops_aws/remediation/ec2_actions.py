"""EC2 changes: stop, start and resize instances, delete volumes (after a snapshot) and snapshots, release IPs.

Each ``prepare_*`` reads the resource's state, refuses what cannot or should not be done with a message saying
what to do instead, dry-runs the EC2 call (``DryRun=True``), and returns the step apply performs. No price is
looked up here, so ``monthly_savings`` stays unset: the recommendation that proposed the action carries it.
"""

from __future__ import annotations

import functools
import re
from typing import TYPE_CHECKING, Any

from finops_core.actions import already
from finops_core.errors import InvalidInput, NotFound, RemediationRefused

from finops_aws.errors import aws_errors
from finops_aws.remediation.dry_run import dry_run, dry_run_step
from finops_aws.remediation.params import flag
from finops_aws.remediation.plans import Done, Prepared
from finops_aws.remediation.targets import Target, describe_ec2, tags_of

if TYPE_CHECKING:
    from finops_aws.context import AwsContext

ASG_TAG = "aws:autoscaling:groupName"
# How long apply waits for the snapshot taken before deleting a volume: 40 polls, 15 s apart (10 minutes).
SNAPSHOT_WAIT = {"Delay": 15, "MaxAttempts": 40}
_INSTANCE_TYPE = re.compile(r"^[a-z0-9-]+\.[a-z0-9-]+$")
MAX_TAGS = 50


def _instance_state(record: dict[str, Any]) -> dict[str, Any]:
    return {
        "state": record["State"]["Name"],
        "instance_type": record.get("InstanceType"),
        "tags": tags_of(record),
    }


def _read_instance(t: Target) -> dict[str, Any]:
    record = describe_ec2(t.client, "instance", t.resource_id, f"{t.region}, {t.account}")
    return _instance_state(record) if record else {"state": "terminated"}


def _refuse_gone(t: Target, state: str) -> None:
    if state in ("terminated", "shutting-down"):
        raise RemediationRefused(f"{t.label()} {t.where} is {state}; it cannot be changed. Nothing was changed.")


# -- instances --------------------------------------------------------------------------------------


def _switch(t: Target, undo: str, *, already_in: tuple[str, ...], needs: str) -> Prepared | None:
    """Stopping or starting ``t``, checked against its state: a plan that changes nothing when it is already there
    (``already_in``, or on its way), a refusal unless it is in the state the change ``needs``; None to go ahead."""
    state = t.record["State"]["Name"]
    _refuse_gone(t, state)
    if state in already_in:
        before = _instance_state(t.record)
        return already(f"{t.label()} {t.where} is already {state}", before, undo, functools.partial(_read_instance, t))
    if state != needs:
        raise RemediationRefused(f"{t.label()} {t.where} is {state}: wait until it is {needs}. Nothing was changed.")
    return None


def prepare_stop(ctx: AwsContext, t: Target, parameters: dict[str, str]) -> Prepared:
    undo = f"start_instance on {t.resource_id} (its public IPv4 address changes unless it has an Elastic IP)"
    unchanged = _switch(t, undo, already_in=("stopped", "stopping"), needs="running")
    if unchanged is not None:
        return unchanged
    if t.record.get("RootDeviceType") == "instance-store":
        raise RemediationRefused(
            f"{t.label()} {t.where} boots from an instance store, which cannot be stopped (only terminated). "
            "Nothing was changed."
        )
    group = t.tags.get(ASG_TAG)
    if group:
        raise RemediationRefused(
            f"{t.label()} {t.where} belongs to Auto Scaling group {group}, which would replace it once stopped. "
            "Lower the group's desired capacity instead. Nothing was changed."
        )
    perform = dry_run_step(
        t.client.stop_instances,
        operation="StopInstances",
        what=f"stop {t.resource_id} {t.where}",
        doing=f"stopping {t.resource_id} {t.where}",
        done=Done(
            f"Stopping {t.label()} {t.where}: compute charges end once it is stopped; its EBS volumes and any "
            "Elastic IP keep billing."
        ),
        InstanceIds=[t.resource_id],
    )
    before = _instance_state(t.record)
    subject = f"Stop instance {t.label()} ({before['instance_type']}) {t.where}"
    read = functools.partial(_read_instance, t)
    return Prepared(subject, before, {**before, "state": "stopped"}, undo, perform, read)


def prepare_start(ctx: AwsContext, t: Target, parameters: dict[str, str]) -> Prepared:
    undo = f"stop_instance on {t.resource_id}"
    unchanged = _switch(t, undo, already_in=("running", "pending"), needs="stopped")
    if unchanged is not None:
        return unchanged
    perform = dry_run_step(
        t.client.start_instances,
        operation="StartInstances",
        what=f"start {t.resource_id} {t.where}",
        doing=f"starting {t.resource_id} {t.where}",
        done=Done(f"Starting {t.label()} {t.where}: it bills for compute again once running."),
        InstanceIds=[t.resource_id],
    )
    before = _instance_state(t.record)
    subject = f"Start instance {t.label()} ({before['instance_type']}) {t.where}"
    read = functools.partial(_read_instance, t)
    return Prepared(subject, before, {**before, "state": "running"}, undo, perform, read)


def _instance_type(t: Target, name: str) -> dict[str, Any]:
    from botocore.exceptions import ClientError

    with aws_errors(f"looking up instance type {name} in {t.region}"):
        try:
            found = t.client.describe_instance_types(InstanceTypes=[name])["InstanceTypes"]
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") != "InvalidInstanceType":
                raise
            found = []
    if not found:
        raise InvalidInput(f"Instance type {name!r} does not exist in {t.region}; use a type such as t3.medium.")
    return found[0]


def prepare_resize(ctx: AwsContext, t: Target, parameters: dict[str, str]) -> Prepared:
    """Resize a stopped instance. A running one is refused rather than stopped and restarted for the person:
    the downtime is theirs to choose, and a start can fail for lack of capacity, leaving it stopped."""
    new_size = parameters.get("new_size", "").strip()
    if not new_size or not _INSTANCE_TYPE.match(new_size):
        raise InvalidInput("resize_instance needs parameters.new_size, an instance type such as 't3.medium'.")
    state = t.record["State"]["Name"]
    before = _instance_state(t.record)
    old_size = str(before["instance_type"])
    undo = f"resize_instance on {t.resource_id} with new_size={old_size} (while it is stopped)"
    read = lambda: _read_instance(t)  # noqa: E731
    _refuse_gone(t, state)
    wanted = _instance_type(t, new_size)
    if new_size == old_size:
        return already(f"{t.label()} {t.where} is already {new_size}", before, undo, read)
    if state != "stopped":
        raise RemediationRefused(
            f"{t.label()} {t.where} is {state}: stop it first (stop_instance), then resize it, then start_instance. "
            "Resizing needs a stopped instance, and the downtime is yours to choose. Nothing was changed."
        )
    arch = t.record.get("Architecture")
    supported = (wanted.get("ProcessorInfo") or {}).get("SupportedArchitectures") or []
    if arch and supported and arch not in supported:
        raise RemediationRefused(
            f"{new_size} runs {', '.join(supported)}, but {t.label()} runs {arch} software. Pick a {arch} type. "
            "Nothing was changed."
        )
    perform = dry_run_step(
        t.client.modify_instance_attribute,
        operation="ModifyInstanceAttribute",
        what=f"resize {t.resource_id} {t.where} to {new_size}",
        doing=f"resizing {t.resource_id} {t.where} to {new_size}",
        done=Done(f"Resized {t.label()} {t.where} from {old_size} to {new_size}; start_instance runs it again."),
        InstanceId=t.resource_id,
        InstanceType={"Value": new_size},
    )
    subject = f"Resize stopped instance {t.label()} from {old_size} to {new_size} {t.where}"
    return Prepared(subject, before, {**before, "instance_type": new_size}, undo, perform, read)


# -- volumes, snapshots, addresses ----------------------------------------------------------------------


def _volume_state(record: dict[str, Any]) -> dict[str, Any]:
    return {
        "state": record["State"],
        "size_gib": record.get("Size"),
        "volume_type": record.get("VolumeType"),
        "availability_zone": record.get("AvailabilityZone"),
        "tags": tags_of(record),
    }


def _read_gone(t: Target, state: Any) -> dict[str, Any]:
    try:
        record = describe_ec2(t.client, t.kind, t.resource_id, f"{t.region}, {t.account}")
    except NotFound:
        record = None
    return state(record) if record else {"state": "deleted"}


def _snapshot_tags(volume: Target) -> list[dict[str, str]]:
    """The volume's own tags (AWS reserves aws:*), plus where the snapshot came from, within EC2's 50 tags."""
    own = [{"Key": k, "Value": v} for k, v in volume.tags.items() if not k.startswith("aws:")][: MAX_TAGS - 2]
    return [
        *own,
        {"Key": "finops:source-volume", "Value": volume.resource_id},
        {"Key": "finops:reason", "Value": "taken before deleting the volume"},
    ]


def prepare_delete_volume(ctx: AwsContext, t: Target, parameters: dict[str, str]) -> Prepared:
    keep = flag(parameters, "snapshot_first", default=True)
    before = _volume_state(t.record)
    state = before["state"]
    read = lambda: _read_gone(t, _volume_state)  # noqa: E731
    lost = "none: no snapshot is taken, the data is gone for good"
    restore = (
        f"create a volume from the snapshot taken first (its id is given when applied) in "
        f"{before['availability_zone']}, then attach it"
    )
    undo = restore if keep else lost
    if state == "deleting":
        return already(f"{t.label()} {t.where} is already being deleted", before, undo, read)
    if state == "in-use":
        attached = ", ".join(a.get("InstanceId", "?") for a in t.record.get("Attachments") or [])
        raise RemediationRefused(
            f"{t.label()} {t.where} is attached to {attached}: detach it first, and be sure nothing needs it. "
            "Nothing was changed."
        )
    if state != "available":
        raise RemediationRefused(f"{t.label()} {t.where} is {state}, not available. Nothing was changed.")
    where = f"{t.resource_id} {t.where}"
    if keep:
        dry_run(t.client.create_snapshot, operation="CreateSnapshot", what=f"snapshot {where}", VolumeId=t.resource_id)
    dry_run(t.client.delete_volume, operation="DeleteVolume", what=f"delete {where}", VolumeId=t.resource_id)

    def perform() -> Done:
        snapshot_id = _snapshot_and_wait(t) if keep else None
        kept = f", after taking snapshot {snapshot_id} (which is kept)" if snapshot_id else ""
        with aws_errors(f"deleting {where}{kept}"):
            t.client.delete_volume(VolumeId=t.resource_id)
        if snapshot_id is None:
            return Done(f"Deleted {t.label()} {t.where} without a snapshot.", lost)
        return Done(
            f"Took snapshot {snapshot_id} of {t.label()}, then deleted the volume {t.where}. The snapshot bills for "
            "the data it holds until you delete it.",
            f"create a volume from snapshot {snapshot_id} in {before['availability_zone']} (ec2 create-volume "
            f"--snapshot-id {snapshot_id} --availability-zone {before['availability_zone']} --volume-type "
            f"{before['volume_type']}), then attach it",
        )

    subject = f"Delete volume {t.label()} ({before['size_gib']} GiB {before['volume_type']}) {t.where}" + (
        ", after taking a snapshot of it." if keep else ", without a snapshot: its data is lost."
    )
    after = {"state": "deleted", "snapshot_first": keep}
    return Prepared(subject, before, after, undo, perform, read)


def _snapshot_and_wait(t: Target) -> str:
    """Snapshot the volume and wait (bounded) until the snapshot is complete; the volume is only deleted then."""
    from botocore.exceptions import WaiterError

    with aws_errors(f"snapshotting {t.resource_id} {t.where}"):
        snapshot = t.client.create_snapshot(
            VolumeId=t.resource_id,
            Description=f"finops-mcp: {t.resource_id} before deleting it",
            TagSpecifications=[{"ResourceType": "snapshot", "Tags": _snapshot_tags(t)}],
        )
    snapshot_id = str(snapshot["SnapshotId"])
    with aws_errors(f"waiting for snapshot {snapshot_id} of {t.resource_id} {t.where}"):
        try:
            t.client.get_waiter("snapshot_completed").wait(SnapshotIds=[snapshot_id], WaiterConfig=SNAPSHOT_WAIT)
        except WaiterError as exc:
            raise RemediationRefused(
                f"Snapshot {snapshot_id} of {t.label()} {t.where} did not complete within 10 minutes, so the volume "
                f"was NOT deleted (the snapshot is kept). Once {snapshot_id} is completed, run delete_volume again "
                "with snapshot_first=false."
            ) from exc
    return snapshot_id


def _snapshot_state(record: dict[str, Any]) -> dict[str, Any]:
    return {
        "state": record["State"],
        "size_gib": record.get("VolumeSize"),
        "volume_id": record.get("VolumeId"),
        "storage_tier": record.get("StorageTier"),
        "tags": tags_of(record),
    }


def _images_using(t: Target) -> list[str]:
    """This account's AMIs in the region that use the snapshot. (Scanned here rather than with the
    block-device-mapping.snapshot-id filter: same answer, and the AWS emulators do not implement that filter.)"""
    users: list[str] = []
    with aws_errors(f"listing the AMIs that use {t.resource_id} {t.where}"):
        for page in t.client.get_paginator("describe_images").paginate(Owners=["self"]):
            for image in page["Images"]:
                mappings = image.get("BlockDeviceMappings") or []
                if any((m.get("Ebs") or {}).get("SnapshotId") == t.resource_id for m in mappings):
                    users.append(f"{image['ImageId']} ({image.get('Name', '')})")
    return users


def prepare_delete_snapshot(ctx: AwsContext, t: Target, parameters: dict[str, str]) -> Prepared:
    before = _snapshot_state(t.record)
    owner = str(t.record.get("OwnerId") or "")
    if owner and owner != t.account.account_id:
        raise RemediationRefused(
            f"{t.resource_id} {t.where} belongs to account {owner}; only its owner can delete it. Nothing was changed."
        )
    if before["state"] == "pending":
        raise RemediationRefused(f"{t.label()} {t.where} is still being taken: wait. Nothing was changed.")
    users = _images_using(t)
    if users:
        raise RemediationRefused(
            f"{t.label()} {t.where} backs the registered AMI {', '.join(users)}: deregister the AMI first (once "
            "nothing launches from it). Nothing was changed."
        )
    perform = dry_run_step(
        t.client.delete_snapshot,
        operation="DeleteSnapshot",
        what=f"delete {t.resource_id} {t.where}",
        doing=f"deleting {t.resource_id} {t.where}",
        done=Done(f"Deleted snapshot {t.label()} {t.where}."),
        SnapshotId=t.resource_id,
    )
    undo = "none: a deleted snapshot cannot be restored, unless a Recycle Bin retention rule for snapshots keeps it"
    subject = f"Delete snapshot {t.label()} ({before['size_gib']} GiB, of {before['volume_id']}) {t.where}"
    return Prepared(subject, before, {"state": "deleted"}, undo, perform, lambda: _read_gone(t, _snapshot_state))


def _address_state(record: dict[str, Any]) -> dict[str, Any]:
    return {
        "state": "associated" if record.get("AssociationId") or record.get("InstanceId") else "unassociated",
        "public_ip": record.get("PublicIp"),
        "instance_id": record.get("InstanceId"),
        "tags": tags_of(record),
    }


def prepare_release_ip(ctx: AwsContext, t: Target, parameters: dict[str, str]) -> Prepared:
    before = _address_state(t.record)
    ip = before["public_ip"]
    attached = t.record.get("InstanceId") or t.record.get("NetworkInterfaceId")
    if t.record.get("AssociationId") or attached:
        raise RemediationRefused(
            f"Elastic IP {ip} ({t.resource_id}) {t.where} is associated with {attached or 'a resource'}: releasing it "
            "would take that address away. Disassociate it first if it is really unused. Nothing was changed."
        )
    if not t.resource_id.startswith("eipalloc-"):
        raise RemediationRefused(f"{ip} {t.where} has no allocation id (EC2-Classic?). Nothing was changed.")
    perform = dry_run_step(
        t.client.release_address,
        operation="ReleaseAddress",
        what=f"release {ip} ({t.resource_id}) {t.where}",
        doing=f"releasing {ip} ({t.resource_id}) {t.where}",
        done=Done(f"Released Elastic IP {ip} ({t.resource_id}) {t.where}."),
        AllocationId=t.resource_id,
    )
    undo = (
        f"none guaranteed: {ip} may be recovered with `aws ec2 allocate-address --domain vpc --address {ip}` "
        f"in {t.region} if no other account has taken it"
    )
    subject = f"Release unassociated Elastic IP {ip} ({t.resource_id}) {t.where}"
    return Prepared(subject, before, {"state": "deleted"}, undo, perform, lambda: _read_gone(t, _address_state))


# -- tags -----------------------------------------------------------------------------------------------------


def prepare_ec2_tags(t: Target, tags: dict[str, str], undo: str) -> Prepared:
    """set_tags on an EC2 resource: create_tags with the keys that change (EC2 merges; others are untouched)."""
    current = t.tags
    changes = {k: v for k, v in tags.items() if current.get(k) != v}
    before = {"tags": current}
    read = lambda: {"tags": tags_of(describe_ec2(t.client, t.kind, t.resource_id, t.where) or {})}  # noqa: E731
    if not changes:
        return already(f"{t.label()} {t.where} already has these tags", before, undo, read)
    if len({**current, **changes}) > MAX_TAGS:
        raise RemediationRefused(f"{t.label()} would have more than {MAX_TAGS} tags. Nothing was changed.")
    listed = ", ".join(f"{k}={v}" for k, v in changes.items())
    perform = dry_run_step(
        t.client.create_tags,
        operation="CreateTags",
        what=f"tag {t.resource_id} {t.where}",
        doing=f"tagging {t.resource_id} {t.where}",
        done=Done(f"Set {listed} on {t.label()} {t.where}."),
        Resources=[t.resource_id],
        Tags=[{"Key": k, "Value": v} for k, v in changes.items()],
    )
    subject = f"Set tags {listed} on {t.label()} {t.where}"
    return Prepared(subject, before, {"tags": {**current, **changes}}, undo, perform, read)

"""Persistent disks and snapshots: delete an unattached disk (after a snapshot, by default) or a snapshot."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from finops_core.errors import RemediationRefused, Unavailable

from finops_gcp.remediation.operations import OPERATION_WAIT_SECONDS, Backoff, change
from finops_gcp.remediation.plans import Done, Prepared, flag
from finops_gcp.remediation.targets import Ref, Target, read, read_back, short

if TYPE_CHECKING:
    from finops_gcp.context import GcpContext

BUSY = ("CREATING", "RESTORING", "DELETING")


def disk_state(record: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "status": str(record.get("status") or ""),
        "size_gb": int(record.get("sizeGb") or 0),
        "type": short(str(record.get("type") or "")),
        "users": [short(str(u)) for u in record.get("users") or []],
        "labels": dict(record.get("labels") or {}),
    }


def snapshot_state(record: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "status": str(record.get("status") or ""),
        "source_disk": str(record.get("sourceDisk") or ""),
        "disk_size_gb": int(record.get("diskSizeGb") or 0),
        "storage_bytes": int(record.get("storageBytes") or 0),
        "labels": dict(record.get("labels") or {}),
    }


def snapshot_name(disk: str) -> str:
    """``<disk>-finops-<6 hex>``: a valid, unique snapshot name (at most 63 characters)."""
    return f"{disk[:44].rstrip('-')}-finops-{secrets.token_hex(3)}"


def _snapshot_labels(disk: Target) -> dict[str, str]:
    """The disk's labels, plus where the snapshot came from (label values: at most 63 characters)."""
    return {**disk.labels, "finops-source-disk": disk.ref.name[:63], "finops-reason": "before-disk-delete"}


async def _wait_ready(ctx: GcpContext, ref: Ref) -> None:
    """A snapshot's operation can finish while its data still uploads; the disk is deleted only once it is READY."""
    backoff = Backoff()
    while True:
        status = (await read(ctx, ref)).get("status")
        if status == "READY":
            return
        if status in ("FAILED", "DELETING"):
            raise RemediationRefused(
                f"The snapshot {ref.name} {ref.where} is {status}, so the disk was not deleted. Nothing else changed."
            )
        if backoff.waited >= OPERATION_WAIT_SECONDS:
            raise Unavailable(
                f"The snapshot {ref.name} {ref.where} is still {status} after {backoff.waited:.0f} s, so the disk "
                "was not deleted yet. Apply delete_volume again with snapshot_first=false once the snapshot is READY.",
                provider="gcp",
            )
        await backoff.pause(ctx)


async def prepare_delete_volume(ctx: GcpContext, t: Target, parameters: dict[str, str]) -> Prepared:
    before = disk_state(t.record)
    snapshot_first = flag(parameters, "snapshot_first", default=True)
    if before["users"]:
        users = ", ".join(before["users"])
        raise RemediationRefused(
            f"{t.label()} {t.where} is in use by {users}: detach it first (gcloud compute instances detach-disk) or "
            "delete the instance. Nothing was changed."
        )
    if before["status"] in BUSY:
        raise RemediationRefused(
            f"{t.label()} {t.where} is {before['status']}: wait and try again. Nothing was changed."
        )
    p, zone, name = t.ref.project, t.ref.location, t.ref.name
    if snapshot_first:
        undo = (
            f"create a disk from the snapshot taken first (named in the result): gcloud compute disks create {name} "
            f"--zone {zone} --project {p} --source-snapshot SNAPSHOT"
        )
        summary = f"Snapshot, then delete unattached {t.label()} ({before['size_gb']} GB {before['type']}) {t.where}"
    else:
        undo = "none: the disk and its data are gone for good (snapshot_first was false)"
        summary = f"Delete unattached {t.label()} ({before['size_gb']} GB {before['type']}) {t.where} with no snapshot"

    async def perform() -> Done:
        note = ""
        done_undo: str | None = None
        if snapshot_first:
            snap = Ref("snapshot", p, "global", snapshot_name(name))
            body = {
                "name": snap.name,
                "labels": _snapshot_labels(t),
                "description": f"Taken by finops before deleting disk {t.resource_id}",
            }
            await change(
                ctx,
                "POST",
                f"{t.ref.path}/createSnapshot",
                project=p,
                what=f"snapshotting {t.label()} {t.where} as {snap.name}",
                body=body,
            )
            await _wait_ready(ctx, snap)
            note = f" Its snapshot {snap.resource_id} keeps the data (and bills for snapshot storage)."
            done_undo = (
                f"create a disk from snapshot {snap.name}: gcloud compute disks create {name} --zone {zone} "
                f"--project {p} --source-snapshot {snap.name}"
            )
        await change(ctx, "DELETE", t.ref.path, project=p, what=f"deleting {t.label()} {t.where}")
        return Done(f"Deleted {t.label()} {t.where}: it no longer bills.{note}", done_undo)

    expected = {"status": "DELETED", "snapshot_first": snapshot_first}
    return Prepared(summary, before, expected, undo, perform, read_back(ctx, t.ref, disk_state))


async def prepare_delete_snapshot(ctx: GcpContext, t: Target, parameters: dict[str, str]) -> Prepared:
    before = snapshot_state(t.record)
    if before["status"] in ("CREATING", "UPLOADING", "DELETING"):
        raise RemediationRefused(
            f"{t.label()} {t.where} is {before['status']}: wait and try again. Nothing was changed."
        )
    p = t.ref.project

    async def perform() -> Done:
        await change(ctx, "DELETE", t.ref.path, project=p, what=f"deleting {t.label()} {t.where}")
        return Done(
            f"Deleted {t.label()} {t.where}. Compute Engine moves data a later snapshot of the same disk still needs "
            "into that snapshot, so storage billed falls by this snapshot's own data only."
        )

    source = f" of disk {short(before['source_disk'])}" if before["source_disk"] else ""
    summary = f"Delete {t.label()}{source} ({before['storage_bytes'] / 2**30:.1f} GiB stored) {t.where}"
    undo = "none: a deleted snapshot cannot be restored"
    return Prepared(summary, before, {"status": "DELETED"}, undo, perform, read_back(ctx, t.ref, snapshot_state))

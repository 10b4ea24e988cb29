"""Managed disks and snapshots: delete an unattached disk (after a snapshot, by default), delete a snapshot."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from finops_core.errors import InvalidInput, NotFound, RemediationRefused

from finops_azure.remediation.lro import run_to_end
from finops_azure.remediation.plans import Done, Prepared, flag
from finops_azure.remediation.targets import ArmId, Target, read_record

if TYPE_CHECKING:
    from finops_azure.context import AzureContext

MAX_NAME = 80  # Azure's limit on a snapshot's name


def disk_state(record: dict[str, Any]) -> dict[str, Any]:
    properties = record.get("properties") or {}
    return {
        "state": str(properties.get("diskState") or "unknown").lower(),
        "size_gb": properties.get("diskSizeGB"),
        "sku": (record.get("sku") or {}).get("name"),
        "managed_by": record.get("managedBy"),
        "location": record.get("location"),
        "tags": dict(record.get("tags") or {}),
    }


def snapshot_state(record: dict[str, Any]) -> dict[str, Any]:
    properties = record.get("properties") or {}
    return {
        "state": "available" if properties.get("provisioningState") == "Succeeded" else "other",
        "provisioning_state": properties.get("provisioningState"),
        "size_gb": properties.get("diskSizeGB"),
        "source": (properties.get("creationData") or {}).get("sourceResourceId"),
        "created": properties.get("timeCreated"),
        "location": record.get("location"),
        "tags": dict(record.get("tags") or {}),
    }


def _read_or_deleted(t: Target, state: Any) -> dict[str, Any]:
    record = read_record(t.client, t.arm)
    return state(record) if record else {"state": "deleted"}


def _snapshot_arm(t: Target, name: str) -> ArmId:
    return ArmId(
        f"/subscriptions/{t.arm.subscription}/resourceGroups/{t.arm.resource_group}/providers/Microsoft.Compute/"
        f"snapshots/{name}",
        t.arm.subscription,
        t.arm.resource_group,
        "snapshot",
        name,
    )


def _snapshot_name(ctx: AzureContext, t: Target, parameters: dict[str, str]) -> str:
    name = parameters.get("snapshot_name", "").strip()
    if not name:
        suffix = f"-finops-{ctx.today():%Y%m%d}"
        name = t.arm.name[: MAX_NAME - len(suffix)] + suffix
    if len(name) > MAX_NAME or not all(c.isalnum() or c in "-_." for c in name):
        raise InvalidInput(f"parameters.snapshot_name {name!r}: up to 80 letters, digits, '-', '_' or '.'.")
    return name


def prepare_delete_volume(ctx: AzureContext, t: Target, parameters: dict[str, str]) -> Prepared:
    """Delete an Unattached managed disk; with ``snapshot_first`` (default true) a full snapshot of it (Standard
    HDD storage, the cheapest, same resource group and region, the disk's tags plus ``finops:source-disk``) is
    taken and completes before the delete."""
    snapshot_first = flag(parameters, "snapshot_first", default=True)
    before = disk_state(t.record)
    read = lambda: _read_or_deleted(t, disk_state)  # noqa: E731
    state = before["state"]
    if state != "unattached" or before["managed_by"]:
        owner = f" (used by {before['managed_by']})" if before["managed_by"] else ""
        raise RemediationRefused(
            f"Disk {t.label()} {t.where} is {state}{owner}: only an Unattached disk is deleted. Detach it from its VM "
            "first, or leave it. Nothing was changed."
        )
    size = f"{before['size_gb']} GiB {before['sku']}"
    if not snapshot_first:
        summary = f"Delete unattached disk {t.label()} ({size}) {t.where} WITHOUT a snapshot"
        undo = "none: without a snapshot the disk's data is gone for good"
        snapshot = None
    else:
        snapshot = _snapshot_arm(t, _snapshot_name(ctx, t, parameters))
        existing = read_record(t.client, snapshot)
        source = ((existing or {}).get("properties") or {}).get("creationData", {}).get("sourceResourceId")
        if existing is not None and str(source or "").lower() != t.resource_id.lower():
            raise InvalidInput(
                f"A snapshot named {snapshot.name} already exists in {t.arm.resource_group} (of another source); "
                "pass parameters.snapshot_name to name the new one."
            )
        summary = f"Delete unattached disk {t.label()} ({size}) {t.where} after taking snapshot {snapshot.name}"
        undo = (
            f"create a managed disk from snapshot {snapshot.resource_id} (create option Copy), then delete the "
            "snapshot when no longer needed"
        )

    def perform() -> Done:
        group = t.arm.resource_group
        note = ""
        if snapshot is not None:
            body = {
                "location": t.record.get("location"),
                "tags": {**t.tags, "finops:source-disk": t.resource_id[:256], "finops:reason": "before deleting"},
                "sku": {"name": "Standard_LRS"},
                "properties": {"creationData": {"createOption": "Copy", "sourceResourceId": t.resource_id}},
            }
            what = f"taking snapshot {snapshot.name} of {t.resource_id}"
            run_to_end(ctx, t.client.snapshots.begin_create_or_update, what, group, snapshot.name, body)
            taken = read_record(t.client, snapshot)
            if taken is None or (taken.get("properties") or {}).get("provisioningState") != "Succeeded":
                raise RemediationRefused(
                    f"Snapshot {snapshot.name} of {t.label()} did not complete, so the disk was not deleted."
                )
            note = f" Snapshot {snapshot.resource_id} keeps its data (it bills per GiB stored)."
        run_to_end(ctx, t.client.disks.begin_delete, f"deleting disk {t.resource_id}", group, t.arm.name)
        return Done(f"Deleted disk {t.label()} {t.where}.{note}")

    return Prepared(summary, before, {**before, "state": "deleted"}, undo, perform, read)


def prepare_delete_snapshot(ctx: AzureContext, t: Target, parameters: dict[str, str]) -> Prepared:
    before = snapshot_state(t.record)
    if before["provisioning_state"] not in ("Succeeded", "Failed"):
        raise RemediationRefused(
            f"Snapshot {t.label()} {t.where} is {before['provisioning_state']}: wait until it finishes. Nothing was "
            "changed."
        )
    summary = f"Delete snapshot {t.label()} ({before['size_gb']} GiB, created {before['created']}) {t.where}"
    undo = "none: a deleted snapshot cannot be restored"

    def perform() -> Done:
        what = f"deleting snapshot {t.resource_id}"
        run_to_end(ctx, t.client.snapshots.begin_delete, what, t.arm.resource_group, t.arm.name)
        return Done(f"Deleted snapshot {t.label()} {t.where}.")

    def read() -> dict[str, Any]:
        try:
            return _read_or_deleted(t, snapshot_state)
        except NotFound:
            return {"state": "deleted"}

    return Prepared(summary, before, {"state": "deleted"}, undo, perform, read)

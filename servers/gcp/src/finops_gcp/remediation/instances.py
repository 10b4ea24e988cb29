"""VM instances: stop, start, and change the machine type of a stopped one.

No price is looked up here, so plans leave ``monthly_savings`` unset: the recommendation that proposed the
action carries it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from finops_core.actions import already
from finops_core.errors import InvalidInput, NotFound, RemediationRefused

from finops_gcp.inventory.compute import compute_url
from finops_gcp.remediation.operations import change
from finops_gcp.remediation.plans import Done, Prepared
from finops_gcp.remediation.targets import Target, read_back, short
from finops_gcp.rest import call

if TYPE_CHECKING:
    from finops_gcp.context import GcpContext

_MACHINE_TYPE = re.compile(r"^[a-z][-a-z0-9]{1,62}$")
GONE = ("TERMINATED", "STOPPED")  # a stopped instance reads TERMINATED (STOPPED is kept for old records)
STARTING = ("PROVISIONING", "STAGING", "RUNNING")


def instance_state(record: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "status": str(record.get("status") or ""),
        "machine_type": short(str(record.get("machineType") or "")),
        "labels": dict(record.get("labels") or {}),
    }


def _group(record: Mapping[str, Any]) -> str | None:
    """The managed instance group that created the instance (its ``created-by`` metadata), if any."""
    for item in (record.get("metadata") or {}).get("items") or []:
        value = str(item.get("value") or "")
        if item.get("key") == "created-by" and "/instanceGroupManagers/" in value:
            return short(value)
    return None


def _noop(t: Target, state: str, before: dict[str, Any], undo: str, ctx: GcpContext) -> Prepared:
    return already(f"{t.label()} {t.where} is already {state}", before, undo, read_back(ctx, t.ref, instance_state))


async def prepare_stop(ctx: GcpContext, t: Target, parameters: dict[str, str]) -> Prepared:
    record = t.record
    before = instance_state(record)
    status = before["status"]
    undo = f"start_instance on {t.resource_id} (an ephemeral external IP changes; a static one is kept)"
    if status in (*GONE, "STOPPING"):
        return _noop(t, status, before, undo, ctx)
    if status != "RUNNING":
        raise RemediationRefused(f"{t.label()} {t.where} is {status}: wait until it is RUNNING. Nothing was changed.")
    if any(d.get("type") == "SCRATCH" for d in record.get("disks") or []):
        raise RemediationRefused(
            f"{t.label()} {t.where} has local SSDs, whose data is lost when it stops. Stop it yourself if that is "
            "intended (gcloud compute instances stop --discard-local-ssd). Nothing was changed."
        )
    group = _group(record)
    if group:
        raise RemediationRefused(
            f"{t.label()} {t.where} belongs to managed instance group {group}, which would restart or recreate it. "
            "Resize the group instead. Nothing was changed."
        )
    what = f"stopping {t.label()} {t.where}"

    async def perform() -> Done:
        await change(ctx, "POST", f"{t.ref.path}/stop", project=t.ref.project, what=what)
        return Done(
            f"Stopped {t.label()} {t.where}: its vCPU and memory charges have ended; its persistent disks and any "
            "static IP keep billing."
        )

    summary = f"Stop {t.label()} ({before['machine_type']}) {t.where}"
    return Prepared(
        summary, before, {**before, "status": "TERMINATED"}, undo, perform, read_back(ctx, t.ref, instance_state)
    )


async def prepare_start(ctx: GcpContext, t: Target, parameters: dict[str, str]) -> Prepared:
    record = t.record
    before = instance_state(record)
    status = before["status"]
    undo = f"stop_instance on {t.resource_id}"
    if status in STARTING:
        return _noop(t, status, before, undo, ctx)
    if status == "SUSPENDED":
        raise RemediationRefused(
            f"{t.label()} {t.where} is SUSPENDED: resume it (gcloud compute instances resume) rather than start it. "
            "Nothing was changed."
        )
    if status not in GONE:
        raise RemediationRefused(
            f"{t.label()} {t.where} is {status}: wait until it is TERMINATED (stopped). Nothing was changed."
        )
    what = f"starting {t.label()} {t.where}"

    async def perform() -> Done:
        await change(ctx, "POST", f"{t.ref.path}/start", project=t.ref.project, what=what)
        return Done(f"Started {t.label()} {t.where}: it bills for vCPU and memory again.")

    summary = f"Start {t.label()} ({before['machine_type']}) {t.where}"
    return Prepared(
        summary, before, {**before, "status": "RUNNING"}, undo, perform, read_back(ctx, t.ref, instance_state)
    )


async def _check_machine_type(ctx: GcpContext, t: Target, name: str) -> None:
    url = compute_url(ctx, t.ref.project, "zones", t.ref.location, "machineTypes", name)
    try:
        await call(ctx, "GET", url, f"looking up machine type {name} in {t.ref.location}, project {t.ref.project}")
    except NotFound as exc:
        raise InvalidInput(
            f"Machine type {name!r} does not exist in {t.ref.location}. List those there with `gcloud compute "
            f"machine-types list --zones {t.ref.location}`."
        ) from exc


async def prepare_resize(ctx: GcpContext, t: Target, parameters: dict[str, str]) -> Prepared:
    """Change a stopped instance's machine type. A running one is refused rather than stopped and restarted for
    the person: the downtime is theirs to choose, and a start can fail for lack of capacity."""
    new_size = short(parameters.get("new_size", "").strip())
    if not _MACHINE_TYPE.match(new_size):
        raise InvalidInput("resize_instance needs parameters.new_size, a machine type name such as 'e2-standard-2'.")
    record = t.record
    before = instance_state(record)
    old_size = str(before["machine_type"])
    status = before["status"]
    undo = f"resize_instance on {t.resource_id} with new_size={old_size} (while it is stopped)"
    await _check_machine_type(ctx, t, new_size)
    if new_size == old_size:
        return _noop(t, new_size, before, undo, ctx)
    if status not in GONE:
        raise RemediationRefused(
            f"{t.label()} {t.where} is {status}: stop it first (stop_instance), then resize it, then start_instance. "
            "Changing the machine type needs a stopped instance, and the downtime is yours to choose. "
            "Nothing was changed."
        )
    what = f"changing the machine type of {t.label()} {t.where} to {new_size}"

    async def perform() -> Done:
        body = {"machineType": f"zones/{t.ref.location}/machineTypes/{new_size}"}
        await change(ctx, "POST", f"{t.ref.path}/setMachineType", project=t.ref.project, what=what, body=body)
        return Done(f"Changed {t.label()} {t.where} from {old_size} to {new_size}; start_instance runs it again.")

    summary = f"Change stopped {t.label()} from {old_size} to {new_size} {t.where}"
    return Prepared(
        summary, before, {**before, "machine_type": new_size}, undo, perform, read_back(ctx, t.ref, instance_state)
    )

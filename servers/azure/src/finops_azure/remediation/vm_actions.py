"""Virtual machine changes: deallocate (stop_instance), start, resize.

``stop_instance`` *deallocates*: a VM that is only powered off ("Stopped") still bills for compute; deallocated
it bills only for its disks (and static public IPs). Each ``prepare_*`` reads the power state from the instance
view, refuses what should not be done with a message saying what to do instead, and returns the step apply
performs. No price is looked up here: the recommendation that proposed the action carries the savings.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from finops_core.actions import already
from finops_core.errors import InvalidInput, RemediationRefused

from finops_azure.errors import azure_errors
from finops_azure.remediation.lro import run_to_end
from finops_azure.remediation.plans import Done, Prepared
from finops_azure.remediation.targets import Target, read_record

if TYPE_CHECKING:
    from finops_azure.context import AzureContext


def power_state(record: dict[str, Any]) -> str:
    """running, deallocated, stopped, starting, stopping, deallocating ... ('unknown' without an instance view)."""
    statuses = ((record.get("properties") or {}).get("instanceView") or {}).get("statuses") or []
    for status in statuses:
        code = str(status.get("code") or "")
        if code.lower().startswith("powerstate/"):
            return code.split("/", 1)[1].lower()
    return "unknown"


def vm_state(record: dict[str, Any]) -> dict[str, Any]:
    properties = record.get("properties") or {}
    return {
        "power_state": power_state(record),
        "vm_size": (properties.get("hardwareProfile") or {}).get("vmSize"),
        "location": record.get("location"),
        "tags": dict(record.get("tags") or {}),
    }


def _read(t: Target) -> dict[str, Any]:
    record = read_record(t.client, t.arm)
    return vm_state(record) if record else {"power_state": "deleted"}


def _refuse_scale_set(t: Target, what: str) -> None:
    scale_set = (t.properties.get("virtualMachineScaleSet") or {}).get("id")
    manager = str(t.record.get("managedBy") or "")
    if not scale_set and "/virtualmachinescalesets/" in manager.lower():
        scale_set = manager  # Microsoft's VirtualMachine_Get example: a VM whose managedBy is its scale set
    if scale_set:
        raise RemediationRefused(
            f"{t.label()} {t.where} belongs to scale set {scale_set}, which manages its instances: {what} the scale "
            "set (its capacity or model) instead. Nothing was changed."
        )


@dataclass(frozen=True)
class _Power:
    """Deallocating or starting a VM: how the plan and errors say it, the SDK's ``virtual_machines`` method, and
    the power states around it (those in which it is made already or on its way, the one it reaches)."""

    verb: str  # "Deallocate"
    doing: str  # "deallocating"
    method: str  # "begin_deallocate"
    already_in: tuple[str, ...]
    reaches: str


DEALLOCATE = _Power("Deallocate", "deallocating", "begin_deallocate", ("deallocated", "deallocating"), "deallocated")
START = _Power("Start", "starting", "begin_start", ("running", "starting"), "running")


def _switch(t: Target, power: _Power, undo: str) -> Prepared | None:
    """A plan that changes nothing when ``t`` is in a power state ``power`` makes already (or on its way); None to
    go ahead."""
    before = vm_state(t.record)
    state = before["power_state"]
    if state in power.already_in:
        return already(f"{t.label()} {t.where} is already {state}", before, undo, lambda: _read(t))
    return None


def _switched(ctx: AzureContext, t: Target, power: _Power, undo: str, done: Done, note: str = "") -> Prepared:
    """The change ``_switch`` let go ahead, made by ``perform`` (waited for to its end), and its plan."""
    before = vm_state(t.record)
    summary = f"{power.verb} VM {t.label()} ({before['vm_size']}, {before['power_state']}) {t.where}{note}"

    def perform() -> Done:
        begin = getattr(t.client.virtual_machines, power.method)
        run_to_end(ctx, begin, f"{power.doing} {t.resource_id}", t.arm.resource_group, t.arm.name)
        return done

    read = lambda: _read(t)  # noqa: E731
    return Prepared(summary, before, {**before, "power_state": power.reaches}, undo, perform, read)


def prepare_stop(ctx: AzureContext, t: Target, parameters: dict[str, str]) -> Prepared:
    undo = f"start_instance on {t.resource_id} (a dynamic public IP address changes; static ones are kept)"
    unchanged = _switch(t, DEALLOCATE, undo)
    if unchanged is not None:
        return unchanged
    _refuse_scale_set(t, "scale in")
    off = power_state(t.record) == "stopped"
    note = " (it is powered off but not deallocated, so it still bills for compute)" if off else ""
    done = Done(
        f"Deallocated {t.label()} {t.where}: compute charges have ended; its disks (and any static public IP) "
        "keep billing."
    )
    return _switched(ctx, t, DEALLOCATE, undo, done, note)


def prepare_start(ctx: AzureContext, t: Target, parameters: dict[str, str]) -> Prepared:
    undo = f"stop_instance on {t.resource_id}"
    unchanged = _switch(t, START, undo)
    if unchanged is not None:
        return unchanged
    return _switched(ctx, t, START, undo, Done(f"Started {t.label()} {t.where}: it bills for compute again."))


def _offered_sizes(t: Target) -> list[str]:
    with azure_errors(f"listing the sizes {t.resource_id} can take"):
        return [str(s.name) for s in t.client.virtual_machines.list_available_sizes(t.arm.resource_group, t.arm.name)]


def prepare_resize(ctx: AzureContext, t: Target, parameters: dict[str, str]) -> Prepared:
    """Resize a VM to ``new_size``, if Azure offers that size for it (``list_available_sizes``).

    A running VM is resized in place and Azure restarts it (minutes of downtime): the plan says so, and the person
    confirming apply chooses that downtime. We do not deallocate it for them: a size the VM's current hardware
    cluster does not offer is refused with "stop_instance first", since deallocating makes every size in the
    region available but also releases a dynamic public IP, which is the person's decision.
    """
    new_size = parameters.get("new_size", "").strip()
    if not new_size:
        raise InvalidInput("resize_instance needs parameters.new_size, a VM size such as 'Standard_D4s_v5'.")
    before = vm_state(t.record)
    state, old_size = before["power_state"], str(before["vm_size"])
    read = lambda: _read(t)  # noqa: E731
    running = state in ("running", "starting")
    undo = f"resize_instance on {t.resource_id} with new_size={old_size}" + (" (restarts it again)" if running else "")
    if new_size.lower() == old_size.lower():
        return already(f"{t.label()} {t.where} is already {old_size}", before, undo, read)
    _refuse_scale_set(t, "change the model of")
    offered = _offered_sizes(t)
    match = next((s for s in offered if s.lower() == new_size.lower()), None)
    if match is None:
        hint = (
            " Deallocate it first (stop_instance): a deallocated VM can take any size its region offers."
            if state != "deallocated"
            else ""
        )
        some = ", ".join(sorted(offered)[:12])
        raise RemediationRefused(
            f"Azure does not offer {new_size} for {t.label()} {t.where} now.{hint} Sizes offered: {some}. "
            "Nothing was changed."
        )
    restart = " Azure restarts the running VM to resize it: expect a few minutes of downtime." if running else ""
    summary = f"Resize VM {t.label()} from {old_size} to {match} {t.where} ({state}).{restart}".rstrip(".")

    def perform() -> Done:
        body = {"properties": {"hardwareProfile": {"vmSize": match}}}
        what = f"resizing {t.resource_id} to {match}"
        run_to_end(ctx, t.client.virtual_machines.begin_update, what, t.arm.resource_group, t.arm.name, body)
        after = " (it restarted)" if running else ""
        return Done(f"Resized {t.label()} {t.where} from {old_size} to {match}{after}.")

    return Prepared(summary, before, {**before, "vm_size": match}, undo, perform, read)

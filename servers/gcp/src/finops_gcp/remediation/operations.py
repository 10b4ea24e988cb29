"""Waiting for Compute Engine's long-running operations.

Every Compute Engine change (stop, setMachineType, delete, createSnapshot, setLabels, ...) answers an
Operation at once and finishes later. We poll the operation (zonal, regional or global, as it says) with
``ctx.sleep`` between polls, backing off from 1 to 10 seconds, for at most ``OPERATION_WAIT_SECONDS``; a
finished operation carrying an error becomes the finops error for its HTTP status.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from finops_core.errors import Unavailable

from finops_gcp.errors import gcp_errors, map_status
from finops_gcp.remediation.targets import short

if TYPE_CHECKING:
    from finops_gcp.context import GcpContext

OPERATION_WAIT_SECONDS = 600.0  # a snapshot of a large disk can take minutes
FIRST_DELAY = 1.0
MAX_DELAY = 10.0


def is_done(operation: Any) -> bool:
    from google.cloud import compute_v1

    return operation.status == compute_v1.Operation.Status.DONE


def _scope(operation: Any) -> tuple[str, str]:
    """(``zone``|``region``|``global``, its name) from the operation's own fields."""
    if operation.zone:
        return "zone", short(operation.zone)
    if operation.region:
        return "region", short(operation.region)
    return "global", "global"


def _poll(ctx: GcpContext, operation: Any, project: str, what: str) -> Any:
    from google.cloud import compute_v1

    scope, where = _scope(operation)
    timeout = ctx.settings.timeout_seconds
    with gcp_errors(f"checking on the operation {operation.name} ({what})"):
        if scope == "zone":
            zonal = ctx.clients.gapic(compute_v1.ZoneOperationsClient, "compute")
            return zonal.get(project=project, zone=where, operation=operation.name, timeout=timeout)
        if scope == "region":
            regional = ctx.clients.gapic(compute_v1.RegionOperationsClient, "compute")
            return regional.get(project=project, region=where, operation=operation.name, timeout=timeout)
        global_ = ctx.clients.gapic(compute_v1.GlobalOperationsClient, "compute")
        return global_.get(project=project, operation=operation.name, timeout=timeout)


def raise_if_failed(operation: Any, what: str) -> None:
    """A finished operation's error as a finops error (its HTTP status decides which)."""
    errors = list(operation.error.errors) if operation.error else []
    if not errors:
        return
    detail = "; ".join(f"{e.code}: {e.message}" if e.code else str(e.message) for e in errors)
    status = int(operation.http_error_status_code or 400)
    raise map_status(status, f"operation {operation.name} failed: {detail}", what)


async def wait_for(
    ctx: GcpContext, operation: Any, *, project: str, what: str, limit: float = OPERATION_WAIT_SECONDS
) -> Any:
    """Poll ``operation`` until it is DONE (sleeping with ``ctx.sleep``), raise its error if it failed, and return
    the finished operation. Past ``limit`` seconds, ``Unavailable`` says how to look at it later."""
    waited, delay = 0.0, FIRST_DELAY
    while not is_done(operation):
        if waited >= limit:
            scope, where = _scope(operation)
            flag = "--global" if scope == "global" else f"--{scope} {where}"
            raise Unavailable(
                f"Google is still {what} after {waited:.0f} s (operation {operation.name}); it may yet finish. "
                f"See it with `gcloud compute operations describe {operation.name} {flag} --project {project}` "
                "before trying again.",
                provider="gcp",
            )
        await ctx.sleep(delay)
        waited += delay
        delay = min(delay * 2, MAX_DELAY)
        operation = await ctx.run(_poll, ctx, operation, project, what)
    raise_if_failed(operation, what)
    return operation


async def change(ctx: GcpContext, call: Any, *, project: str, what: str) -> Any:
    """Start a change (``call()`` answers its Operation), then wait for it to finish."""

    def start() -> Any:
        with gcp_errors(what):
            return call()

    return await wait_for(ctx, await ctx.run(start), project=project, what=what)

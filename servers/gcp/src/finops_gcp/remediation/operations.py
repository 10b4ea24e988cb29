"""Waiting for Compute Engine's long-running operations.

Every Compute Engine change (stop, setMachineType, delete, createSnapshot, setLabels, ...) answers an
Operation at once and finishes later. We poll the operation (zonal, regional or global, as it says) with
``ctx.sleep`` between polls, backing off from 1 to 10 seconds, for at most ``OPERATION_WAIT_SECONDS``; a
finished operation carrying an error becomes the finops error for its HTTP status.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from finops_core.errors import Unavailable

from finops_gcp.errors import map_status
from finops_gcp.inventory.compute import compute_url
from finops_gcp.remediation.targets import short
from finops_gcp.rest import call

if TYPE_CHECKING:
    from finops_gcp.context import GcpContext

OPERATION_WAIT_SECONDS = 600.0  # a snapshot of a large disk can take minutes
FIRST_DELAY = 1.0
MAX_DELAY = 10.0
Operation = dict[str, Any]


@dataclass
class Backoff:
    """The pauses between polls: 1 s, then twice as long each time up to 10 s; ``waited`` is their sum so far."""

    waited: float = 0.0
    delay: float = FIRST_DELAY

    async def pause(self, ctx: GcpContext) -> None:
        await ctx.sleep(self.delay)
        self.waited += self.delay
        self.delay = min(self.delay * 2, MAX_DELAY)


def is_done(operation: Mapping[str, Any]) -> bool:
    return operation.get("status") == "DONE"


def _scope(operation: Mapping[str, Any]) -> tuple[str, str]:
    """(``zone``|``region``|``global``, its name) from the operation's own fields."""
    if operation.get("zone"):
        return "zone", short(str(operation["zone"]))
    if operation.get("region"):
        return "region", short(str(operation["region"]))
    return "global", "global"


async def _poll(ctx: GcpContext, operation: Mapping[str, Any], project: str, what: str) -> Operation:
    scope, where = _scope(operation)
    path = "global" if scope == "global" else f"{scope}s/{where}"
    name = str(operation.get("name") or "")
    url = compute_url(ctx, project, path, "operations", name)
    return await call(ctx, "GET", url, f"checking on the operation {name} ({what})")


def raise_if_failed(operation: Mapping[str, Any], what: str) -> None:
    """A finished operation's error as a finops error (its HTTP status decides which)."""
    errors = list((operation.get("error") or {}).get("errors") or [])
    if not errors:
        return
    detail = "; ".join(
        f"{e.get('code')}: {e.get('message')}" if e.get("code") else str(e.get("message")) for e in errors
    )
    status = int(operation.get("httpErrorStatusCode") or 400)
    raise map_status(status, f"operation {operation.get('name')} failed: {detail}", what)


async def wait_for(
    ctx: GcpContext, operation: Operation, *, project: str, what: str, limit: float = OPERATION_WAIT_SECONDS
) -> Operation:
    """Poll ``operation`` until it is DONE (sleeping with ``ctx.sleep``), raise its error if it failed, and return
    the finished operation. Past ``limit`` seconds, ``Unavailable`` says how to look at it later."""
    backoff = Backoff()
    while not is_done(operation):
        if backoff.waited >= limit:
            scope, where = _scope(operation)
            flag = "--global" if scope == "global" else f"--{scope} {where}"
            name = operation.get("name")
            raise Unavailable(
                f"Google is still {what} after {backoff.waited:.0f} s (operation {name}); it may yet finish. "
                f"See it with `gcloud compute operations describe {name} {flag} --project {project}` "
                "before trying again.",
                provider="gcp",
            )
        await backoff.pause(ctx)
        operation = await _poll(ctx, operation, project, what)
    raise_if_failed(operation, what)
    return operation


# Changes whose method takes no ``requestId`` (the global setLabels: snapshots, global addresses). A retry of one
# after a lost answer meets a new label fingerprint and is refused (412): nothing is changed twice.
NO_REQUEST_ID = re.compile(r"^global/(snapshots|addresses)/[^/]+/setLabels$")


async def change(
    ctx: GcpContext, method: str, path: str, *, project: str, what: str, body: Mapping[str, Any] | None = None
) -> Operation:
    """Start a change (``method`` on ``path`` under the project, answering an Operation), then wait for it to
    finish. The request carries a ``requestId`` where the method takes one, so a retry after a lost answer does
    not make the change twice."""
    params = {} if NO_REQUEST_ID.match(path) else {"requestId": str(uuid.uuid4())}
    operation = await call(ctx, method, compute_url(ctx, project, path), what, params=params, body=body)
    return await wait_for(ctx, operation, project=project, what=what)

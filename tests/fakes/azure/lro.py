"""Long-running operations the way Resource Manager runs them, for the compute and network fakes.

A change answers at once (``202 Accepted``, or ``200``/``202`` with the resource for PUT/PATCH) with an
``Azure-AsyncOperation`` header naming an operation-status URL on the fake. The first status request answers
``{"status": "InProgress"}``, the next ``{"status": "Succeeded"}``; the change takes effect (``finish`` runs) when
it succeeds, so a client that does not poll sees the resource mid-change. No ``Retry-After`` header is sent:
the SDK's poller then waits its ``polling_interval`` between polls (0 in tests).
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tests.fakes.azure.arm import ArmError, ArmFake, ArmRequest, ArmResponse


@dataclass
class _Operation:
    finish: Callable[[], None]
    polls: int = 0
    done: bool = False


class Operations:
    """Operation-status URLs of one resource provider (``Microsoft.Compute``, ``Microsoft.Network``)."""

    def __init__(self, arm: ArmFake, namespace: str, route_name: str, in_progress_polls: int = 1) -> None:
        self.arm = arm
        self.namespace = namespace
        self.route_name = route_name
        self.in_progress_polls = in_progress_polls
        self._ops: dict[str, _Operation] = {}
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        escaped = namespace.replace(".", r"\.")
        arm.route(
            route_name,
            "GET",
            rf"/subscriptions/[^/]+/providers/{escaped}/locations/[^/]+/operations/([^/]+)",
            self._status,
        )

    def start(self, subscription: str, location: str, finish: Callable[[], None]) -> dict[str, str]:
        """Begin an operation; the headers the accepting answer carries."""
        with self._lock:
            op_id = f"op-{next(self._ids):04d}"
            self._ops[op_id] = _Operation(finish)
        url = (
            f"{self.arm.url}/subscriptions/{subscription}/providers/{self.namespace}/locations/{location}"
            f"/operations/{op_id}?api-version=2024-01-01"
        )
        return {"Azure-AsyncOperation": url}

    def accepted(
        self, subscription: str, location: str, finish: Callable[[], None], body: Any = None, status: int = 202
    ) -> ArmResponse:
        return ArmResponse(status, body, self.start(subscription, location, finish))

    def _status(self, request: ArmRequest) -> dict[str, Any]:
        op_id = request.path.rsplit("/", 1)[-1]
        with self._lock:
            op = self._ops.get(op_id)
            if op is None:
                raise ArmError(404, "OperationNotFound", f"No operation {op_id}.")
            op.polls += 1
            if op.polls <= self.in_progress_polls:
                return {"name": op_id, "status": "InProgress", "startTime": "2026-11-26T10:00:00Z"}
            if not op.done:
                op.finish()
                op.done = True
        return {
            "name": op_id,
            "status": "Succeeded",
            "startTime": "2026-11-26T10:00:00Z",
            "endTime": "2026-11-26T10:01:00Z",
        }

    @property
    def pending(self) -> int:
        """Operations started and not yet seen through to Succeeded by a poll."""
        return sum(not op.done for op in self._ops.values())

"""How an adapter waits out a rate limit, a back-off or an operation poll: on the event loop, or in the worker
thread a blocking SDK call already runs in. Tests pass a ``Wait`` that records the waits instead of sleeping."""

from __future__ import annotations

import time
from typing import Protocol

import anyio


class Wait(Protocol):
    async def __call__(self, seconds: float) -> None:
        """Wait on the event loop."""
        ...

    def blocking(self, seconds: float) -> None:
        """Wait in the worker thread that asks: never handed to the event loop, since the thread may hold what
        the loop needs (a store, a lock) while it waits."""
        ...


class Sleep:
    """Real waits: anyio's on the loop, the thread's own in a worker thread (SDK retry policies wait there)."""

    async def __call__(self, seconds: float) -> None:
        await anyio.sleep(seconds)

    def blocking(self, seconds: float) -> None:
        time.sleep(seconds)


SLEEP = Sleep()

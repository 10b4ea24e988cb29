"""Running a cloud SDK's blocking calls (boto3, the Azure and Google clients) from async tools: in worker threads,
at most ``concurrency`` at once, so a fan-out over many regions or subscriptions neither blocks the event loop nor
floods the cloud with requests."""

from __future__ import annotations

import functools
from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import TypeVar

import anyio

T = TypeVar("T")


class BlockingCalls(ABC):
    """Mixed into each cloud's context, which says its ``concurrency``."""

    _limiter: anyio.CapacityLimiter | None = None

    @property
    @abstractmethod
    def concurrency(self) -> int:
        """At most this many calls at once (the cloud's ``max_concurrency`` setting)."""

    @property
    def limiter(self) -> anyio.CapacityLimiter:
        if self._limiter is None:  # made lazily: it must belong to the running event loop
            self._limiter = anyio.CapacityLimiter(self.concurrency)
        return self._limiter

    async def run(self, fn: Callable[..., T], *args: object, **kwargs: object) -> T:
        """``fn(*args, **kwargs)`` in a worker thread (the SDK blocks), within the concurrency limit."""
        return await anyio.to_thread.run_sync(functools.partial(fn, *args, **kwargs), limiter=self.limiter)

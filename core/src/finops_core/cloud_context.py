"""``CloudContext``: what every part of a cloud's adapter is handed (its settings section, its SDK clients, the
paid-call cache, today's date) and how it runs the SDK's blocking calls, over one place or many at once.

Each cloud subclasses it with its own settings and clients types and what it alone adds (AWS its regions, Azure its
subscriptions, Google its projects, and the waits of the clouds whose retries are ours).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Generic, Protocol, TypeVar

from finops_core.dates import today_utc
from finops_core.fanout import FanOut, fan_out
from finops_core.paid import Caller, PaidCalls
from finops_core.settings import Settings
from finops_core.workers import BlockingCalls

T = TypeVar("T")
P = TypeVar("P")


class SectionTuning(Protocol):
    """What core reads of a cloud's settings section (``CloudSection`` subclass): its id, how many calls it makes at
    once and how long a paid answer is reused."""

    @property
    def cloud_id(self) -> str: ...

    @property
    def max_concurrency(self) -> int: ...

    @property
    def cache_hours(self) -> float: ...


S = TypeVar("S", bound=SectionTuning)
K = TypeVar("K")


def paid_calls(settings: Settings, section: SectionTuning, caller: Callable[[], Caller]) -> PaidCalls:
    """The cloud's cache of paid answers, in the store of ``settings``, kept for its section's ``cache_hours``."""
    return PaidCalls.in_store(
        settings.store_file,
        cache_hours=section.cache_hours,
        provider=section.cloud_id,
        caller=caller,
        busy_seconds=settings.store_busy_seconds,
    )


@dataclass
class CloudContext(BlockingCalls, Generic[S, K]):
    """One cloud's settings section ``S`` and clients ``K``; blocking calls run at most ``max_concurrency`` at once."""

    settings: S
    clients: K
    paid: PaidCalls
    today: Callable[[], date] = today_utc

    @property
    def concurrency(self) -> int:
        return self.settings.max_concurrency

    async def run_each(self, fn: Callable[[P], T], places: Sequence[P], describe: Callable[[P], str]) -> FanOut[T]:
        """``fn(place)`` in worker threads for every place, concurrently; failures become ``missing`` lines
        ``"<describe(place)>: <error>"`` (``finops_core.fanout``)."""

        async def call(place: P) -> T:
            return await self.run(fn, place)

        return await fan_out(places, call, describe)

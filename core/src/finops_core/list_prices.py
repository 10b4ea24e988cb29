"""What every cloud's list-price estimates share: a unit price turned into a month's cost, and a cache of prices
asked for one by one, where the first unknown price is fetched alone.

A cloud keeps what is its own: which price a resource needs (its key), how its price API is asked and read, and
how it writes units (``Hrs``, ``1 Hour``, ``GiBy.h``).
"""

from __future__ import annotations

import threading
from collections.abc import Awaitable, Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import ClassVar, Generic, TypeVar

import anyio

from finops_core.errors import FinOpsError

HOURS_PER_MONTH = Decimal(730)

K = TypeVar("K", bound=Hashable)
P = TypeVar("P")


@dataclass(frozen=True)
class ListPrice:
    """A list price per ``unit`` in ``currency``. A cloud's subclass names its hourly and monthly units as
    ``unit_key`` folds them; any other unit is not converted."""

    amount: Decimal
    unit: str
    currency: str

    HOURLY: ClassVar[frozenset[str]] = frozenset()
    MONTHLY: ClassVar[frozenset[str]] = frozenset()

    def unit_key(self) -> str:
        """The unit as the cloud's ``HOURLY`` and ``MONTHLY`` name it."""
        return self.unit

    def monthly(self, quantity: Decimal = Decimal(1)) -> Decimal | None:
        """The monthly cost of ``quantity`` units (1 for hourly or monthly things, GiB for storage, vCPUs); None for
        a unit that is not converted."""
        unit = self.unit_key()
        if unit in self.HOURLY:
            return self.amount * HOURS_PER_MONTH * quantity
        if unit in self.MONTHLY:
            return self.amount * quantity
        return None


async def first_alone(keys: Sequence[K], fetch: Callable[[K], Awaitable[None]]) -> str | None:
    """``fetch`` every key: the first alone, then the others at once; why the first that failed did.

    When the API is down, that one failure stops the rest instead of every key failing in turn.
    """
    if not keys:
        return None
    try:
        await fetch(keys[0])
    except FinOpsError as exc:
        return str(exc)
    failures: list[str] = []

    async def one(key: K) -> None:
        try:
            await fetch(key)
        except FinOpsError as exc:
            failures.append(str(exc))

    async with anyio.create_task_group() as tg:
        for key in keys[1:]:
            tg.start_soon(one, key)
    return failures[0] if failures else None


class PriceCache(Generic[K, P]):
    """Prices fetched so far, kept for the provider's lifetime (hold one per provider).

    A price the API does not list is remembered as None; a failed call is not remembered, so the next question
    tries again. ``requests`` counts the pages fetched (tests check the cache with it).
    """

    def __init__(self) -> None:
        self._known: dict[K, P | None] = {}
        self._lock = threading.Lock()
        self.requests = 0

    def cached(self, key: K) -> tuple[bool, P | None]:
        with self._lock:
            return (key in self._known, self._known.get(key))

    def remember(self, key: K, price: P | None) -> None:
        with self._lock:
            self._known[key] = price

    def count_request(self) -> None:
        with self._lock:
            self.requests += 1

    def unknown(self, keys: Iterable[K]) -> tuple[list[K], list[K]]:
        """``keys`` without repeats, and those of them not asked yet."""
        wanted = list(dict.fromkeys(keys))
        return wanted, [k for k in wanted if not self.cached(k)[0]]

    def known(self, keys: Iterable[K]) -> dict[K, P]:
        """The price of each key that has one."""
        found: dict[K, P] = {}
        for key in keys:
            price = self.cached(key)[1]
            if price is not None:
                found[key] = price
        return found

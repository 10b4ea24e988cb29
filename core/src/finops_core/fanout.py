"""Asking many places at once (accounts x regions, subscriptions, projects) and answering with what came back.

One place failing does not fail the answer: it is named in ``missing`` and the answer says it is partial. When
every place fails, the first error is raised instead (a partial answer of nothing helps nobody).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

import anyio

from finops_core.errors import FinOpsError

T = TypeVar("T")
K = TypeVar("K")


@dataclass
class FanOut(Generic[T]):
    """Results from every place that answered, and a line for each that did not."""

    results: list[T] = field(default_factory=lambda: list[T]())
    missing: list[str] = field(default_factory=lambda: list[str]())

    def note(self) -> str | None:
        """What the answer lacks, for a partial answer's ``note``."""
        if not self.missing:
            return None
        return "Partial answer; missing: " + "; ".join(self.missing)


async def fan_out(targets: Sequence[K], call: Callable[[K], Awaitable[T]], describe: Callable[[K], str]) -> FanOut[T]:
    """``call(target)`` for every target concurrently, results in target order; failures become ``missing``
    lines ``"<describe(target)>: <error>"``."""
    out = FanOut[T]()
    errors: list[FinOpsError] = []
    found: dict[int, T] = {}

    async def one(i: int, target: K) -> None:
        try:
            found[i] = await call(target)
        except FinOpsError as exc:
            errors.append(exc)
            out.missing.append(f"{describe(target)}: {exc}")

    async with anyio.create_task_group() as tg:
        for i, target in enumerate(targets):
            tg.start_soon(one, i, target)
    if targets and len(errors) == len(targets):
        raise errors[0]
    out.results = [found[i] for i in sorted(found)]
    out.missing.sort()
    return out

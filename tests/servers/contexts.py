"""``contexts(...)``: what each cloud's ``<cloud>_context`` fixture returns, the adapter's context over the cloud's
emulators: its settings (with the test's overrides) and SDK clients, the paid-call cache in the test's own store,
and today fixed at ``AS_OF``."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol, TypeVar

from finops_core.paid import Caller, PaidCalls

from tests.conftest import AS_OF


class Section(Protocol):
    @property
    def cloud_id(self) -> str: ...

    @property
    def cache_hours(self) -> float: ...


class Clients(Protocol):
    def caller(self) -> Caller: ...


S = TypeVar("S", bound=Section)
K = TypeVar("K", bound=Clients)
C = TypeVar("C")


def contexts(
    context: Callable[..., C], settings: Callable[..., S], clients: Callable[[S], K], home: Path, **extra: Any
) -> Callable[..., C]:
    """``make(**setting_overrides)``: a ``context`` (``AwsContext``, ...) over ``settings(**setting_overrides)``
    and ``clients(settings)``, its paid answers kept in ``home/finops.sqlite``; ``extra`` goes to the context
    (``sleep=waits`` where the adapter's waits are its own)."""

    def make(**overrides: Any) -> C:
        section = settings(**overrides)
        made = clients(section)
        paid = PaidCalls.in_store(
            home / "finops.sqlite", cache_hours=section.cache_hours, provider=section.cloud_id, caller=made.caller
        )
        return context(section, made, paid, today=lambda: AS_OF, **extra)

    return make

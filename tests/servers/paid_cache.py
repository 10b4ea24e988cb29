"""Answers of billed or rate-limited cost calls, kept in a store several processes share, are reused only by the
same caller (issue 15, item 6): one scenario for every cloud (``SharedCache``).

Each cloud's ``costs/test_paid_cache.py`` subclasses it with one fixture, ``processes``: how a process of its server
builds its cost source over a store file with given credentials and settings, which second processes must not
share the first one's answers, and what its emulators were asked (``CostProcesses``)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from finops_core.models import CostBreakdown, CostQuery
from finops_core.paid import Caller, PaidCalls
from finops_core.provider import CostSource


def shared_cache(store: Path, cloud: str, caller: Callable[[], Caller]) -> PaidCalls:
    """The cache of paid answers of one process, in the store file ``store`` that several processes share."""
    return PaidCalls.in_store(store, cache_hours=6, provider=cloud, caller=caller)


class CostProcesses(ABC):
    """One cloud's cost source as each process of its server builds it, over the cloud's emulators."""

    query: CostQuery
    reader: Any  # the credentials of the first process (they name who they are)
    per_question: int | None = 1  # requests one question costs the cloud; None where it varies (scopes, pages)

    @abstractmethod
    def source(self, store: Path, credentials: Any, **settings: Any) -> CostSource:
        """The cost source of a process over the store file ``store``, with ``credentials`` and ``settings``."""

    @abstractmethod
    def strangers(self) -> dict[str, tuple[Any, Any, dict[str, Any]]]:
        """Pairs of processes that must not share answers, by name: the first one's credentials, the second one's
        credentials and settings (another account, principal or endpoint, or credentials that name nobody)."""

    @abstractmethod
    def asked(self) -> int:
        """The cost requests the cloud's emulators have answered so far."""

    def says_cached(self, answer: CostBreakdown) -> bool:
        """Whether ``answer`` says it came from the cache."""
        return answer.cached is True

    async def ask(self, store: Path, credentials: Any, **settings: Any) -> tuple[CostBreakdown, int]:
        """The answer of a process to ``query``, and the requests it cost."""
        before = self.asked()
        answer = await self.source(store, credentials, **settings).query_costs(self.query)
        return answer, self.asked() - before


class SharedCache:
    """A second process with the same credentials reuses the first one's answer; one that cannot be told to be the
    same caller asks the cloud itself."""

    pytestmark = pytest.mark.anyio

    async def test_the_same_credentials_in_another_process_reuse_the_answer(
        self, processes: CostProcesses, tmp_path: Path
    ) -> None:
        store = tmp_path / "shared.sqlite"
        first, made = await processes.ask(store, processes.reader)
        again, more = await processes.ask(store, processes.reader)
        assert processes.per_question in (made, None)
        assert first.paid_calls in (made, None)
        assert more == 0
        assert (processes.says_cached(first), processes.says_cached(again)) == (False, True)
        assert again.paid_calls == (None if first.paid_calls is None else 0)
        assert (again.rows, again.totals) == (first.rows, first.totals)

    async def test_a_process_not_known_to_be_the_same_caller_asks_the_cloud_itself(
        self, processes: CostProcesses, tmp_path: Path
    ) -> None:
        for name, (credentials, others, settings) in processes.strangers().items():
            store = tmp_path / f"{name}.sqlite"
            first, made = await processes.ask(store, credentials)
            other, more = await processes.ask(store, others, **settings)
            assert processes.per_question in (made, None), name
            assert first.paid_calls in (made, None), name
            assert more == made, name
            assert not processes.says_cached(other), name
            assert other.paid_calls == first.paid_calls, name

"""The paid-call cache keys each answer by who asked as well as by the request (issue 15, item 6)."""

from __future__ import annotations

import contextlib
import dataclasses
import threading
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from finops_core.paid import Caller, PaidCalls, request_key, unnamed_principal
from finops_core.store import Store

CALLER = Caller(account="123456789012", principal="arn:aws:iam::123456789012:user/a", endpoint="", partition="aws")
REQUEST = {"TimePeriod": {"Start": "2026-10-01", "End": "2026-11-01"}}


@pytest.mark.parametrize("field", [f.name for f in dataclasses.fields(Caller)])
def test_a_request_key_differs_for_every_part_of_the_caller(field: str) -> None:
    other = dataclasses.replace(CALLER, **{field: "something else"})
    mine = request_key("aws", CALLER, "GetCostAndUsage", REQUEST)
    assert mine != request_key("aws", other, "GetCostAndUsage", REQUEST)
    assert mine == request_key("aws", dataclasses.replace(CALLER), "GetCostAndUsage", dict(REQUEST))


def test_unnamed_principals_are_never_equal() -> None:
    assert unnamed_principal() != unnamed_principal()


class Asked:
    """A caller function that counts how often it is asked."""

    def __init__(self, caller: Caller) -> None:
        self.caller = caller
        self.times = 0

    def __call__(self) -> Caller:
        self.times += 1
        return self.caller


def fetch() -> tuple[Any, int]:
    return {"total": "12.34"}, 1


def test_the_caller_is_asked_once_however_many_calls_use_the_cache(tmp_path: Path) -> None:
    asked = Asked(CALLER)
    paid = PaidCalls(lambda: Store(tmp_path / "s.sqlite"), ttl=timedelta(hours=1), provider="aws", caller=asked)
    answers = [paid.call("GetCostAndUsage", {"n": n % 2}, fetch).paid_calls for n in range(4)]
    paid.close()
    assert answers == [1, 1, 0, 0]
    assert asked.times == 1


def test_without_a_store_the_caller_is_never_asked() -> None:
    asked = Asked(CALLER)
    paid = PaidCalls(None, ttl=timedelta(0), provider="azure", caller=asked)
    assert paid.call("query", {}, fetch).paid_calls == 1
    assert asked.times == 0


def test_two_callers_on_one_store_keep_their_own_answers(tmp_path: Path) -> None:
    store = tmp_path / "s.sqlite"
    other = dataclasses.replace(CALLER, account="210987654321")
    mine = PaidCalls(lambda: Store(store), ttl=timedelta(hours=1), provider="aws", caller=lambda: CALLER)
    theirs = PaidCalls(lambda: Store(store), ttl=timedelta(hours=1), provider="aws", caller=lambda: other)
    assert mine.call("GetCostAndUsage", REQUEST, lambda: ({"total": "1"}, 1)).body == {"total": "1"}
    answer = theirs.call("GetCostAndUsage", REQUEST, lambda: ({"total": "2"}, 1))
    again = mine.call("GetCostAndUsage", REQUEST, lambda: ({"total": "3"}, 1))
    mine.close()
    theirs.close()
    assert (answer.body, answer.paid_calls) == ({"total": "2"}, 1)
    assert (again.body, again.paid_calls) == ({"total": "1"}, 0)


def test_threads_asking_at_once_share_one_caller(tmp_path: Path) -> None:
    # Two worker threads (a fan-out over subscriptions) use the cache at once. Were both to find the caller, an
    # unnamed one would differ between them and split the cache. The first to ask waits a bounded moment for a
    # second to join it; only a cache that lets both in is ever joined.
    both_in = threading.Barrier(2, timeout=0.1)
    asked = Asked(CALLER)

    def caller() -> Caller:
        asked()
        with contextlib.suppress(threading.BrokenBarrierError):
            both_in.wait()
        return dataclasses.replace(CALLER, principal=unnamed_principal())

    paid = PaidCalls(lambda: Store(tmp_path / "s.sqlite"), ttl=timedelta(hours=1), provider="azure", caller=caller)
    threads = [threading.Thread(target=paid.call, args=("query", {"scope": n}, fetch)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    again = [paid.call("query", {"scope": n}, fetch).paid_calls for n in range(2)]
    paid.close()
    assert asked.times == 1
    assert again == [0, 0]

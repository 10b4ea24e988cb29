"""The store's write gate: one writer at a time, in the order they came, each waiting at most its bound."""

from __future__ import annotations

import threading
from pathlib import Path

import anyio
import anyio.to_thread
import pytest
from finops_core.errors import StoreBusy
from finops_core.store.writing import WriteGate

pytestmark = pytest.mark.anyio


async def test_writers_waiting_for_the_store_get_it_in_the_order_they_came(tmp_path: Path) -> None:
    gate = WriteGate(tmp_path / "s.sqlite-writer")
    order: list[str] = []
    gate.enter("the first write", wait=1)

    def write(name: str) -> None:
        gate.enter(name, wait=30)
        order.append(name)
        gate.leave()

    with anyio.fail_after(30):
        async with anyio.create_task_group() as group:
            for queued, name in enumerate("abcdef", start=2):
                group.start_soon(anyio.to_thread.run_sync, write, name)
                assert await anyio.to_thread.run_sync(lambda n=queued: gate.wait_queued(n, timeout=30))
            order.append("first")
            gate.leave()
    assert order == ["first", *"abcdef"]


async def test_a_writer_that_waits_past_its_bound_leaves_the_queue_and_names_the_holder(tmp_path: Path) -> None:
    gate = WriteGate(tmp_path / "s.sqlite-writer")
    gate.enter("ingest of big.csv", wait=1)
    gate.progress(1_234_567)
    with pytest.raises(StoreBusy, match=r"^Store busy: ingest of big\.csv, 1,234,567 rows so far \(process \d+"):
        await anyio.to_thread.run_sync(lambda: gate.enter("a budget", wait=0.05))
    gate.leave()
    gate.enter("the next write", wait=0)  # the one that gave up is not in the way
    gate.leave()


def test_a_nested_write_in_one_thread_is_refused_instead_of_waiting_on_itself(tmp_path: Path) -> None:
    gate = WriteGate(tmp_path / "s.sqlite-writer")
    gate.enter("outer", wait=1)
    with pytest.raises(RuntimeError, match="wait on itself"):
        gate.enter("inner", wait=10)
    gate.leave()
    assert threading.active_count() >= 1

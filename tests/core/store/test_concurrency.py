"""The store under concurrent use: one writer at a time within a bound, readers that never wait for a writer, and a
busy answer that says what holds the store, whether the holder is a thread of this process or another process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import TypeVar

import anyio
import anyio.to_thread
import pytest
from anyio.abc import Process
from anyio.streams.buffered import BufferedByteReceiveStream
from finops_core.errors import StoreBusy
from finops_core.focus import Lineage
from finops_core.models import Budget, CostQuery
from finops_core.money import Money
from finops_core.store import Snapshot, Store
from finops_core.store.writing import record_file

from tests.conftest import REPO
from tests.factories import line_item

pytestmark = pytest.mark.anyio

BUSY_S = 0.5  # the tests' wait bound for a write
PROMPT_S = 1.0  # what "answers promptly" means here: well under the 30 s SQLite used to wait
T = TypeVar("T")


def _budget(name: str = "team") -> Budget:
    return Budget(name=name, amount=Money(amount=Decimal(100), currency="USD"), period="monthly")


async def _in_thread(fn: Callable[[], T], within: float) -> T:
    """``fn()`` in a worker thread, failing the test after ``within`` seconds (a hung write cannot hang the test)."""
    with anyio.fail_after(within):
        return await anyio.to_thread.run_sync(fn, abandon_on_cancel=True)


async def _busy(fn: Callable[[], object], *, within: float) -> StoreBusy:
    with pytest.raises(StoreBusy) as caught:
        await _in_thread(fn, within=within)
    return caught.value


@asynccontextmanager
async def _held(how: str, path: Path, ready: bytes = b"holding") -> AsyncIterator[Process]:
    """The store at ``path`` held by another process (``tests/core/store/holding.py``) until the block ends."""
    command = [sys.executable, "-m", "tests.core.store.holding", how, str(path)]
    process = await anyio.open_process(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, cwd=REPO)
    try:
        assert process.stdout is not None
        with anyio.fail_after(30):
            said = await BufferedByteReceiveStream(process.stdout).receive_until(b"\n", 1000)
        assert said == ready
        yield process
    finally:
        if process.stdin is not None:
            await process.stdin.aclose()
        with anyio.fail_after(30):
            await process.wait()


async def test_a_write_waiting_on_a_long_write_of_this_process_answers_busy_with_what_runs_and_how_far(
    tmp_path: Path,
) -> None:
    store = Store(tmp_path / "s.sqlite", busy_seconds=BUSY_S)
    holding, done = threading.Event(), threading.Event()

    def long_ingest() -> None:
        with store.writer(
            Lineage(source="focus-export", file="/exports/big.csv", ingested_at=datetime.now(UTC)), kind="export"
        ) as writer:
            writer.add_items([line_item(), line_item()])
            holding.set()
            done.wait(30)

    async with anyio.create_task_group() as group:
        group.start_soon(_in_thread, long_ingest, 30)
        try:
            await _in_thread(lambda: holding.wait(30), within=30)
            started = anyio.current_time()
            busy = await _busy(lambda: store.save_budget(_budget(), datetime.now(UTC)), within=BUSY_S + 3)
            assert BUSY_S <= anyio.current_time() - started < BUSY_S + 2
        finally:
            done.set()
        assert str(busy).startswith("Store busy: ingest of big.csv, 2 rows so far")
        assert f"process {os.getpid()}" in str(busy)
        assert "try again in ~" in str(busy)
        assert "Nothing was written" in str(busy)
        assert busy.retry_after is not None
        assert busy.retry_after >= BUSY_S
    assert store.budgets() == []  # nothing half-written
    assert store.info().line_items == 2  # the long write itself committed
    assert not record_file(store.path).exists()  # its record went with it


async def test_a_write_on_an_event_loop_thread_never_waits_for_the_store(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.sqlite", busy_seconds=10)
    store.save_budget(_budget("free"), datetime.now(UTC))  # the store is free: a quick write may run anywhere
    holding, done = threading.Event(), threading.Event()

    def hold() -> None:
        with store.transaction():
            holding.set()
            done.wait(30)

    async def on_a_loop() -> None:
        store.save_budget(_budget("busy"), datetime.now(UTC))  # waiting here would freeze the loop for 10 s

    async with anyio.create_task_group() as group:
        group.start_soon(_in_thread, hold, 30)
        try:
            await _in_thread(lambda: holding.wait(30), within=30)
            with pytest.raises(RuntimeError, match="worker thread"):
                await _in_thread(lambda: anyio.run(on_a_loop), within=2)  # a loop of its own: a hang fails the test
        finally:
            done.set()
    assert [b.name for b in store.budgets()] == ["free"]


async def test_another_process_writing_leaves_readers_answering_at_once_and_writers_a_busy_answer_naming_it(
    tmp_path: Path,
) -> None:
    store = Store(tmp_path / "s.sqlite", busy_seconds=BUSY_S)
    await _in_thread(lambda: store.save_budget(_budget("kept"), datetime.now(UTC)), within=5)
    async with _held("ingest", store.path) as holder:
        info = await _in_thread(store.info, PROMPT_S)
        budgets = await _in_thread(store.budgets, PROMPT_S)
        costs = await _in_thread(lambda: store.query_costs(CostQuery(start=date(2026, 1, 1), end=date(2026, 2, 1))), 1)
        assert info.line_items == 0  # the last committed state: the other write is not visible yet
        assert [b.name for b in budgets] == ["kept"]
        assert costs.totals == []
        busy = await _busy(lambda: store.save_budget(_budget(), datetime.now(UTC)), within=BUSY_S + 3)
        snapshot = Snapshot(provider="aws", kind="resources", taken_at=datetime.now(UTC), body="{}")
        also = await _busy(lambda: store.save_snapshot(snapshot), within=BUSY_S + 3)
    assert str(busy).startswith("Store busy: ingest of held.csv, 3 rows so far")
    assert f"process {holder.pid}" in str(busy)
    assert "try again in ~" in str(busy)
    assert str(also).startswith("Store busy: ingest of held.csv")
    assert [b.name for b in store.budgets()] == ["kept"]
    assert store.info().line_items == 3  # the other process committed when it let go


async def test_a_process_holding_the_write_lock_without_a_record_is_named_as_such(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.sqlite", busy_seconds=BUSY_S)
    async with _held("sqlite", store.path):
        assert await _in_thread(store.budgets, PROMPT_S) == []
        busy = await _busy(lambda: store.save_budget(_budget(), datetime.now(UTC)), within=BUSY_S + 3)
    assert "another process holds the store's write lock and left no record" in str(busy)
    assert "try again in ~1 s" in str(busy)


async def test_a_record_left_by_a_killed_writer_is_ignored(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.sqlite", busy_seconds=BUSY_S)
    gone = await anyio.run_process([sys.executable, "-c", "import os; print(os.getpid())"])  # a pid now unused
    stale = {"what": "ingest of old.csv", "pid": int(gone.stdout), "host": os.uname().nodename, "since": 0, "rows": 9}
    record_file(store.path).write_text(json.dumps(stale))
    async with _held("sqlite", store.path):
        busy = await _busy(lambda: store.save_budget(_budget(), datetime.now(UTC)), within=BUSY_S + 3)
    assert "old.csv" not in str(busy)
    assert "left no record" in str(busy)
    assert await _in_thread(lambda: store.save_budget(_budget(), datetime.now(UTC)), within=5)  # free again


async def test_a_reader_answers_at_once_while_another_process_is_mid_checkpoint(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.sqlite", busy_seconds=BUSY_S)
    await _in_thread(lambda: store.save_budget(_budget("kept"), datetime.now(UTC)), within=5)
    with store.reader() as pinned:  # a long read: the TRUNCATE checkpoint waits for it, holding the write lock
        pinned.execute("BEGIN")
        pinned.execute("SELECT COUNT(*) FROM budgets").fetchone()
        async with _held("checkpoint", store.path, ready=b"checkpointing") as checkpointer:
            while True:  # until the checkpoint holds the write lock (a write that still gets in is harmless)
                try:
                    await _in_thread(lambda: store.save_budget(_budget("probe"), datetime.now(UTC)), within=5)
                except StoreBusy as exc:
                    busy = exc
                    break
            assert "kept" in [b.name for b in await _in_thread(store.budgets, PROMPT_S)]
            assert (await _in_thread(store.info, PROMPT_S)).partitions == 0
            pinned.execute("COMMIT")  # the checkpoint can finish now
            assert checkpointer.stdout is not None
            with anyio.fail_after(30):
                result = await BufferedByteReceiveStream(checkpointer.stdout).receive_until(b"\n", 1000)
    assert "left no record" in str(busy)
    assert result == b"(0, 0, 0)"  # it completed and truncated the log


async def test_a_process_locking_the_whole_file_gets_an_opener_a_prompt_busy_answer_not_a_bare_lock_error(
    tmp_path: Path,
) -> None:
    path = tmp_path / "s.sqlite"
    Store(path).close()
    # Exclusive locking mode takes the file only while no other connection has it open (WAL connections keep a
    # shared lock), so it meets a finops process that opens the store after it, like `finops store info`.
    async with _held("exclusive", path):
        busy = await _busy(lambda: Store(path, busy_seconds=BUSY_S), within=BUSY_S + 3)
    assert str(busy).startswith("Store busy: it cannot be opened while another process holds it")
    assert "try again in ~1 s" in str(busy)
    with Store(path, busy_seconds=BUSY_S) as store:  # free again once it let go
        assert store.budgets() == []

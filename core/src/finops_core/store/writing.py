"""Who writes the store now: one writer at a time, in arrival order, each with a record of what it does.

A ``Store`` has one writer connection. Its writes queue at a ``WriteGate``, first come first served, and each waits
at most a bound (``Settings.store_busy_seconds``); SQLite's own lock, taken with the same bound, orders writers of
other processes. The writer holding the store keeps an ``Activity`` (what, since when, rows so far): in memory for
the other threads of its process, and in a small JSON file beside the store (``<store>-writer``) for other
processes. So a write that gives up names what it waited for ("store busy: ingest of FILE, 1,234,567 rows so far,
try again in ~N s") instead of hanging or answering a bare "database is locked".

The file is written after SQLite's write lock is taken and removed before it is released, so only the lock's
holder writes it; a record left by a process that is gone (killed mid-write) is ignored.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import os
import socket
import threading
import time
from collections import deque
from dataclasses import asdict, dataclass
from itertools import count
from pathlib import Path
from typing import Literal

from finops_core.errors import StoreBusy
from finops_core.processes import process_alive

# A job of unknown length that has run for E seconds is, as a rule of thumb, about halfway: about E more to go.
# Bounded, so an answer never says "try again in a day".
_LONGEST_RETRY_S = 600


@dataclass
class Activity:
    """What the store's writer is doing: ``what`` (e.g. "ingest of big.csv"), its process and host, since when
    (epoch seconds) and, for a long write, how many rows it has written so far."""

    what: str
    pid: int
    host: str
    since: float
    rows: int | None = None

    def describe(self, now: float) -> str:
        rows = f", {self.rows:,} rows so far" if self.rows is not None else ""
        return f"{self.what}{rows} (process {self.pid}, for {max(now - self.since, 0):.0f} s)"

    def retry_after(self, now: float, wait: float) -> float:
        return float(math.ceil(max(wait, min(now - self.since, _LONGEST_RETRY_S))))


def busy_error(
    activity: Activity | None, *, wait: float, doing: Literal["write", "read", "open"] = "write"
) -> StoreBusy:
    """The answer to a write (read, open) that waited ``wait`` seconds for the store held by ``activity`` (None: a
    holder that left no record, e.g. the sqlite3 shell)."""
    now = time.time()
    retry = activity.retry_after(now, wait) if activity is not None else float(math.ceil(wait))
    holder = (
        activity.describe(now)
        if activity is not None
        else "another process holds the store's write lock and left no record of what it runs"
    )
    if doing == "read":
        message = (
            f"it cannot be read while another process holds it exclusively ({holder}), try again in ~{retry:.0f} s."
        )
    elif doing == "open":
        message = f"it cannot be opened while another process holds it ({holder}), try again in ~{retry:.0f} s."
    else:
        message = (
            f"{holder}, try again in ~{retry:.0f} s. Nothing was written; a write waits at most {wait:g} s for the "
            "store (FINOPS_STORE_BUSY_SECONDS)."
        )
    return StoreBusy(f"Store busy: {message}", retry_after=retry)


def on_event_loop() -> bool:
    """True in a thread that is running an event loop (where a blocking store write would freeze every client)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def record_file(store_path: Path) -> Path:
    return store_path.with_name(store_path.name + "-writer")


def read_record(path: Path) -> Activity | None:
    """The activity another process recorded at ``path``; None when there is none, it is unreadable, or its process
    (on this host) is gone."""
    try:
        activity = Activity(**json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        return None
    if activity.host == socket.gethostname() and not process_alive(activity.pid):
        return None
    return activity


class WriteGate:
    """The writers of one ``Store``: one at a time, in arrival order, each waiting at most its bound."""

    def __init__(self, record: Path) -> None:
        self._record = record
        self._turns = threading.Condition()
        self._queue: deque[int] = deque()  # tickets in arrival order; the head's writer holds the store
        self._tickets = count()
        self._holder: int | None = None  # the holding thread, to refuse a nested write instead of waiting on itself
        self.activity: Activity | None = None

    def enter(self, what: str, *, wait: float) -> None:
        """Wait (at most ``wait`` seconds) for this thread's turn; ``StoreBusy`` naming the holder when it does not
        come."""
        if self._holder == threading.get_ident():
            raise RuntimeError(f"{what}: a store write inside another write of the same thread would wait on itself")
        with self._turns:
            ticket = next(self._tickets)
            self._queue.append(ticket)
            self._turns.notify_all()  # for wait_queued
            if not self._turns.wait_for(lambda: self._queue[0] == ticket, timeout=wait):
                self._queue.remove(ticket)
                self._turns.notify_all()
                raise busy_error(self.activity, wait=wait)
            self._holder = threading.get_ident()
            self.activity = Activity(what=what, pid=os.getpid(), host=socket.gethostname(), since=time.time())

    def wait_queued(self, writers: int, *, timeout: float) -> bool:
        """Wait until ``writers`` writers hold or wait for the store (at most ``timeout`` seconds); whether they do."""
        with self._turns:
            return self._turns.wait_for(lambda: len(self._queue) >= writers, timeout=timeout)

    def leave(self) -> None:
        with self._turns:
            self._holder = None
            self.activity = None
            self._queue.popleft()
            self._turns.notify_all()

    def publish(self) -> None:
        """Show the holder's activity to other processes (call once SQLite's write lock is held)."""
        activity = self.activity
        if activity is None:
            return
        temporary = self._record.with_name(f"{self._record.name}.{os.getpid()}.{threading.get_ident()}")
        # The record only explains a wait: a store folder that refuses it must not fail the write.
        with contextlib.suppress(OSError):
            temporary.write_text(json.dumps(asdict(activity)), encoding="utf-8")
            temporary.replace(self._record)

    def progress(self, rows: int) -> None:
        if self.activity is not None:
            self.activity.rows = rows
            self.publish()

    def withdraw(self) -> None:
        """Remove the record (call before SQLite's write lock is released: until then, it can only be ours)."""
        with contextlib.suppress(OSError):
            self._record.unlink(missing_ok=True)

    def other_process(self) -> Activity | None:
        """What the process holding SQLite's write lock recorded, if it is alive and recorded anything."""
        return read_record(self._record)

"""Progress for long commands (a bar on a terminal, silence in CI and pipes) and for tools that work in a worker
thread (``in_worker_posting_progress``)."""

from __future__ import annotations

import asyncio
import os
import sys
import threading
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager, suppress
from typing import Protocol, TypeVar, cast

import anyio
import anyio.to_thread
from finops_core.logs import get_logger
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn


class ProgressSink(Protocol):
    def advance(self, steps: int = 1, message: str | None = None) -> None: ...


class _Silent:
    def advance(self, steps: int = 1, message: str | None = None) -> None:
        return None


class _Bar:
    def __init__(self, progress: Progress, task: int) -> None:
        self._progress = progress
        self._task = task  # rich's TaskID is an int

    def advance(self, steps: int = 1, message: str | None = None) -> None:
        if message is not None:
            self._progress.update(self._task, description=message)  # pyright: ignore[reportArgumentType]
        self._progress.advance(self._task, steps)  # pyright: ignore[reportArgumentType]


def wants_bar() -> bool:
    return sys.stderr.isatty() and not os.environ.get("CI")


@contextmanager
def progress_bar(description: str, total: int, *, enabled: bool | None = None) -> Iterator[ProgressSink]:
    """A progress bar on stderr when it is a terminal (and not CI), else a silent sink."""
    if not (wants_bar() if enabled is None else enabled):
        yield _Silent()
        return
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        transient=True,
    ) as progress:
        yield _Bar(progress, progress.add_task(description, total=total))


T = TypeVar("T")
Send = Callable[[float, float | None, str | None], Awaitable[None]]
"""``ctx.report_progress``: (done, total, message)."""


class PostedProgress:
    """Progress that worker threads post and a task on the event loop sends.

    Posting never waits: a thread that holds the store must never wait on the event loop (the loop may be waiting
    for the store: a deadlock). Only the latest post is sent; ones the loop had no time for are dropped.
    """

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._lock = threading.Lock()
        self._latest: tuple[float, float | None, str | None] | None = None
        self._closed = False
        self._wake = asyncio.Event()

    def post(self, done: float, total: float | None = None, message: str | None = None) -> None:
        """From any thread: make this the next progress to send."""
        with self._lock:
            self._latest = (done, total, message)
        self._nudge()

    def close(self) -> None:
        with self._lock:
            self._closed = True
        self._nudge()

    def _nudge(self) -> None:
        with suppress(RuntimeError):  # the loop has closed: nobody is left to tell
            self._loop.call_soon_threadsafe(self._wake.set)

    async def forward(self, send: Send) -> None:
        """Send each latest post until closed (the last one included)."""
        while True:
            await self._wake.wait()
            self._wake.clear()
            with self._lock:
                latest, self._latest, closed = self._latest, None, self._closed
            if latest is not None:
                try:
                    await send(*latest)
                except Exception as exc:  # a client that left must not fail the work it asked for
                    get_logger("finops.progress").debug("progress not sent", error=str(exc))
                    return
            if closed:
                return


async def in_worker_posting_progress(work: Callable[[PostedProgress], T], send: Send) -> T:
    """``work(posted)`` in a worker thread, while a task on the loop sends what it posts through ``send``."""
    posted = PostedProgress(asyncio.get_running_loop())
    failure: Exception | None = None
    result: T | None = None
    async with anyio.create_task_group() as group:
        group.start_soon(posted.forward, send)
        try:
            result = await anyio.to_thread.run_sync(work, posted)
        except Exception as exc:  # raised below as itself, not inside the task group's ExceptionGroup
            failure = exc
        finally:
            posted.close()
    if failure is not None:
        raise failure
    return cast(T, result)

"""Progress for long commands: a bar on a terminal, silence in CI and pipes."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Protocol

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

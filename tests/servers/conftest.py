"""What every cloud's tests share: the waits an adapter asks for, recorded instead of slept; logs at DEBUG."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator

import pytest
import structlog
from finops_core.logs import configure_logging


class Waits(list[float]):
    """The waits (rate limits, back-off, operation polls) the adapter asked for, in order; nothing sleeps."""

    async def __call__(self, seconds: float) -> None:
        self.append(seconds)

    def blocking(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def waits() -> Waits:
    return Waits()


@pytest.fixture
def debug_logs(capsys: pytest.CaptureFixture[str]) -> Iterator[Callable[[], str]]:
    """Logging configured as ``main()`` does, at DEBUG, to stderr; call it for what was logged so far. The logging
    setup is restored afterwards."""
    root, google = logging.getLogger(), logging.getLogger("google")
    saved = (root.handlers[:], root.level, google.level, google.propagate)
    configure_logging("DEBUG", "console")
    try:
        yield lambda: capsys.readouterr().err
    finally:
        structlog.reset_defaults()
        root.handlers[:] = saved[0]
        root.setLevel(saved[1])
        google.setLevel(saved[2])
        google.propagate = saved[3]

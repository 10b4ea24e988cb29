"""What every cloud's tests share: the waits an adapter asks for, recorded instead of slept."""

from __future__ import annotations

import pytest


class Waits(list[float]):
    """The waits (rate limits, back-off, operation polls) the adapter asked for, in order; nothing sleeps."""

    async def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def waits() -> Waits:
    return Waits()

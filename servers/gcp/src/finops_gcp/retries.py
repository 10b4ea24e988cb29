"""How every Google call is retried: ``max_attempts`` attempts at most (the first one included), and no more time
than ``retry_budget_seconds`` for all of them and the waits between them.

Only what may pass is retried: rate limits (429, and 403 ``rateLimitExceeded``) and unavailability (5xx, a
timeout, a dropped connection). Waits grow 1, 2, 4 ... s (at most ``MAX_WAIT``), or follow ``Retry-After``; a wait
that would end past the budget is not taken: the call gives up at once, saying how many attempts it made and for
how long. Each attempt's own timeout is ``timeout_seconds`` or what is left of the budget, whichever is less.

The client libraries' own retries are switched off wherever we call them (``retry=None``), so these are the only
ones: a 500 is tried ``max_attempts`` times, not that many times the library's count.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, TypeVar

from finops_core.errors import FinOpsError, Throttled, Unavailable
from finops_core.logs import get_logger

if TYPE_CHECKING:
    from finops_gcp.calls import Calls

T = TypeVar("T")
FIRST_WAIT = 1.0
MAX_WAIT = 16.0
RETRYABLE = (Throttled, Unavailable)


class Attempts:
    """The attempts of one call: how many were made, the time they and the waits took, and the next wait."""

    def __init__(self, ctx: Calls, what: str) -> None:
        self.ctx = ctx
        self.what = what
        self.made = 0
        self.spent = 0.0  # seconds of attempts and waits so far
        self._started: float | None = None

    @property
    def left(self) -> float:
        return self.ctx.settings.retry_budget_seconds - self.spent

    def begin(self) -> float:
        """Start an attempt; the timeout it may use."""
        self.made += 1
        self._started = time.monotonic()
        return max(min(self.ctx.settings.timeout_seconds, self.left), 0.001)

    def end(self) -> None:
        if self._started is not None:
            self.spent += time.monotonic() - self._started
            self._started = None

    def wait_after(self, exc: FinOpsError) -> float:
        """The wait before the next attempt after ``exc``, or ``exc`` itself (with the attempts said) when no
        attempt is left or the wait would end past the budget."""
        settings = self.ctx.settings
        if not isinstance(exc, RETRYABLE):
            raise exc
        hinted = exc.retry_after if isinstance(exc, Throttled) else None
        wait = hinted if hinted is not None else min(FIRST_WAIT * 2 ** (self.made - 1), MAX_WAIT)
        if self.made >= settings.max_attempts or wait >= self.left:
            raise self.gave_up(exc) from exc
        get_logger("finops_gcp").info(
            "google call retried", what=self.what, attempt=self.made, of=settings.max_attempts, wait=wait
        )
        self.spent += wait
        return wait

    def gave_up(self, exc: Throttled | Unavailable) -> FinOpsError:
        settings = self.ctx.settings
        plural = "s" if self.made != 1 else ""
        said = (
            f" Gave up after {self.made} attempt{plural} in {self.spent:.1f} s (max_attempts = "
            f"{settings.max_attempts}, retry_budget_seconds = {settings.retry_budget_seconds:g} in [gcp])."
        )
        if isinstance(exc, Throttled):
            return Throttled(str(exc) + said, provider=exc.provider, retry_after=exc.retry_after)
        return Unavailable(str(exc) + said, provider=exc.provider)


async def retried(ctx: Calls, what: str, attempt: Callable[[float], Awaitable[T]]) -> T:
    """``await attempt(seconds)`` until it answers, within the attempts and time ``[gcp]`` allows; ``seconds`` is the
    attempt's own time limit."""
    attempts = Attempts(ctx, what)
    while True:
        seconds = attempts.begin()
        try:
            return await attempt(seconds)
        except FinOpsError as exc:
            attempts.end()
            await ctx.sleep(attempts.wait_after(exc))
        finally:
            attempts.end()


async def retried_blocking(ctx: Calls, what: str, fn: Callable[..., T], *args: object) -> T:
    """``fn(*args, seconds)`` (a client library's blocking call) in a worker thread, retried as ``retried`` does."""

    async def attempt(seconds: float) -> T:
        return await ctx.run(fn, *args, seconds)

    return await retried(ctx, what, attempt)


def retried_in_thread(ctx: Calls, what: str, attempt: Callable[[float], T]) -> T:
    """``attempt(seconds)``, from a worker thread already (inside a blocking call such as a paid BigQuery job),
    retried as ``retried`` does; the waits are this thread's own (``ctx.sleep.blocking``)."""
    attempts = Attempts(ctx, what)

    while True:
        seconds = attempts.begin()
        try:
            return attempt(seconds)
        except FinOpsError as exc:
            attempts.end()
            ctx.sleep.blocking(attempts.wait_after(exc))
        finally:
            attempts.end()

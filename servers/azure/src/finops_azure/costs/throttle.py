"""Waiting out Cost Management's rate limits, visibly and within a budget.

Cost Management answers a few queries a minute per scope and tenant; past that it answers 429 with
``x-ms-ratelimit-microsoft.costmanagement-{qpu,entity,tenant,client}-retry-after`` (seconds), which azure-core's
retry policy does not read (it would back off blindly, sleeping in the worker thread). So the cost client is made
with ``retry_total=0`` and every request goes through ``Backoff.run``: on 429 it waits what the headers ask (or an
exponential default) with ``ctx.sleep``, up to ``throttle_max_wait_seconds`` in total for one question, then gives
up with a ``Throttled`` that says when to try again. Server errors (5xx) are retried a few times too.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

import anyio.from_thread

from finops_azure.errors import azure_errors, map_http_error, retry_after

if TYPE_CHECKING:
    from finops_azure.context import AzureContext

T = TypeVar("T")
FIRST_WAIT = 5.0  # seconds, doubled on each throttle without a header
SERVER_ERROR_RETRIES = 3
SERVER_ERROR_WAIT = 2.0  # seconds, doubled on each retry


class Backoff:
    """The requests of one question: how many were made and how long was waited (at most the budget)."""

    def __init__(self, ctx: AzureContext, what: str) -> None:
        self.ctx = ctx
        self.what = what
        self.requests = 0
        self.waited = 0.0

    def _sleep(self, seconds: float) -> None:
        self.waited += seconds

        # ``run`` executes in a worker thread (the SDK blocks); the wait runs on the event loop, through
        # ``ctx.sleep``, so tests see it and nothing blocks a thread meanwhile.
        async def wait() -> None:
            await self.ctx.sleep(seconds)

        anyio.from_thread.run(wait)

    def run(self, request: Callable[[], T]) -> T:
        """``request()`` (one HTTP request), retried on 429 and 5xx; other errors become finops errors."""
        from azure.core.exceptions import HttpResponseError

        throttles = 0
        failures = 0
        budget = self.ctx.settings.throttle_max_wait_seconds
        with azure_errors(self.what):
            while True:
                self.requests += 1
                try:
                    return request()
                except HttpResponseError as exc:
                    status = int(exc.status_code or 0)
                    headers = dict(getattr(exc.response, "headers", None) or {})
                    if status == 429:
                        asked = retry_after(headers)
                        wait = asked if asked is not None else FIRST_WAIT * 2**throttles
                        throttles += 1
                        if self.waited + wait > budget:
                            code = str(getattr(exc.error, "code", "") or "") if exc.error is not None else ""
                            waited = f"{self.what} (waited {self.waited:.0f} s of the {budget:.0f} s allowed)"
                            raise map_http_error(429, code, str(exc.message or ""), waited, wait) from None
                        self._sleep(wait)
                        continue
                    if status >= 500 and failures < SERVER_ERROR_RETRIES:
                        self._sleep(SERVER_ERROR_WAIT * 2**failures)
                        failures += 1
                        continue
                    raise

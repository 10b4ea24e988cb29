"""Waiting out Cost Management's rate limits, visibly and within a budget.

Cost Management answers a few queries a minute per scope and tenant; past that it answers 429 with
``x-ms-ratelimit-microsoft.costmanagement-{qpu,entity,tenant,client}-retry-after`` (seconds), which azure-core's
retry policy does not read (it would back off blindly, sleeping in the worker thread). So the cost client is made
without retries and every request goes through ``Backoff.run``, with the rule every Azure call follows
(``retries.RetryRule``): at most ``max_attempts`` tries of a request, the first included, on 429 and 5xx; the wait
the headers ask (or an exponential default) through ``ctx.sleep``; at most ``throttle_max_wait_seconds`` of waiting
for one question, all its pages together. Then a ``Throttled`` (or ``Unavailable``) says when to try again.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from finops_azure.errors import azure_errors, map_http_error, retry_after

if TYPE_CHECKING:
    from finops_azure.context import AzureContext

T = TypeVar("T")


class Backoff:
    """The requests of one question: how many were made and how long was waited (at most the budget)."""

    def __init__(self, ctx: AzureContext, what: str) -> None:
        self.ctx = ctx
        self.what = what
        self.requests = 0
        self.waited = 0.0

    def run(self, request: Callable[[], T]) -> T:
        """``request()`` (one HTTP request), tried again on 429 and 5xx as the rule allows; other errors, and the
        last one, become finops errors."""
        from azure.core.exceptions import HttpResponseError

        rule = self.ctx.settings.retry_rule
        attempt = 0
        with azure_errors(self.what):
            while True:
                attempt += 1
                self.requests += 1
                try:
                    return request()
                except HttpResponseError as exc:
                    status = int(exc.status_code or 0)
                    headers = dict(getattr(exc.response, "headers", None) or {})
                    wait = rule.wait_before(attempt, status, headers, self.waited)
                    if wait is None and status == 429:
                        code = str(getattr(exc.error, "code", "") or "") if exc.error is not None else ""
                        waited = (
                            f"{self.what} ({attempt} attempt(s); waited {self.waited:.0f} s of the "
                            f"{rule.max_wait:.0f} s allowed)"
                        )
                        raise map_http_error(429, code, str(exc.message or ""), waited, retry_after(headers)) from exc
                    if wait is None:
                        raise
                    self.waited += wait
                    self.ctx.sleep.blocking(wait)

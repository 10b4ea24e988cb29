"""How the Azure adapter tries a request again: ``max_attempts`` tries in all, the first included, and at most
``throttle_max_wait_seconds`` of waiting between them; then the error says when to try again.

One rule for every Azure call. ``AttemptsPolicy`` is the azure-core retry policy of every management client (Advisor,
Resource Graph, Compute, Network, Monitor): azure-core's own default tries up to 11 times and sleeps whatever a
``Retry-After`` asks (a minute each time is ten minutes), and retries a throttled POST (Resource Graph's query) only
when ``Retry-After`` is present. Cost Management's queries go through ``costs.throttle.Backoff`` and the Retail
Prices API through ``inventory.prices``, both with this same rule.

Waits go through the context's ``sleep`` (a ``finops_core.waiting.Wait``) and block the worker thread that runs
the call: never handed to the event loop, which the thread's caller may need (tests record them instead of
sleeping). A wait the service asks for is honoured as asked, never cut short: if it does not fit the budget, no
further attempt is made.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from finops_core.waiting import SLEEP

from finops_azure.errors import retry_after

RETRIED = frozenset({408, 429, 500, 502, 503, 504})
FIRST_WAIT = {429: 5.0}  # seconds before the second attempt when Azure does not say; doubled after each attempt
OTHER_FIRST_WAIT = 2.0


@dataclass(frozen=True)
class RetryRule:
    """``max_attempts`` tries of one request (the first included) with at most ``max_wait`` seconds of waiting."""

    max_attempts: int
    max_wait: float

    def wait_before(self, attempt: int, status: int, headers: Mapping[str, str], waited: float) -> float | None:
        """The wait before attempt ``attempt + 1`` after attempt ``attempt`` (1-based) answered ``status``, having
        waited ``waited`` seconds so far; None when there is no further attempt (not retryable, attempts used up,
        or the wait Azure asks for would pass the budget)."""
        if status not in RETRIED or attempt >= self.max_attempts:
            return None
        asked = retry_after(headers)
        wait = asked if asked is not None else FIRST_WAIT.get(status, OTHER_FIRST_WAIT) * 2 ** (attempt - 1)
        return wait if waited + wait <= self.max_wait else None


class AttemptsPolicy:
    """Builds the azure-core ``RetryPolicy`` for the management clients (a factory, so azure-core is imported on
    first use, like every Azure SDK module here)."""

    def __init__(self, rule: RetryRule, sleep: Callable[[float], None] = SLEEP.blocking) -> None:
        self.rule = rule
        self.sleep = sleep

    def build(self) -> Any:
        from azure.core.pipeline.policies import RetryPolicy

        rule, sleep = self.rule, self.sleep
        retries = rule.max_attempts - 1

        class Policy(RetryPolicy):
            """azure-core's retry loop (it rewinds bodies and records history), with our count, waits and budget."""

            def is_retry(self, settings: dict[str, Any], response: Any) -> bool:
                http = response.http_response
                attempt = len(settings["history"]) + 1
                wait = rule.wait_before(attempt, http.status_code, dict(http.headers), settings.get("_waited", 0.0))
                settings["_wait"] = wait
                return wait is not None

            def sleep(self, settings: dict[str, Any], transport: Any, response: Any = None) -> None:
                wait = settings.pop("_wait", None)
                if wait is None:  # a connection or read error: no answer to read a wait from
                    attempt = len(settings["history"])
                    wait = rule.wait_before(attempt, 503, {}, settings.get("_waited", 0.0)) or 0.0
                settings["_waited"] = settings.get("_waited", 0.0) + wait
                if wait > 0:
                    sleep(wait)

        return Policy(retry_total=retries, retry_connect=retries, retry_read=retries, retry_status=retries)

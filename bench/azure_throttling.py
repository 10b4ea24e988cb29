"""What a throttled Azure cost query does, in real time: Cost Management answers 429 with a
``x-ms-ratelimit-microsoft.costmanagement-qpu-retry-after`` header; the adapter waits as asked (real sleeps here,
unlike the tests), within ``throttle_max_wait_seconds``, then answers or says when to retry. Against the tests'
local Resource Manager fake, beside the same query unthrottled (the baseline), in one run.

    uv run python bench/azure_throttling.py
"""

from __future__ import annotations

import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import anyio

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the tests' emulators

from finops_azure.clients import AzureClients
from finops_azure.context import AzureContext
from finops_azure.costs import CostManagement
from finops_azure.settings import AzureSettings
from finops_core.errors import Throttled
from finops_core.models import CostQuery
from finops_core.paid import PaidCalls

from tests.fakes.azure import cost_management
from tests.fakes.azure.arm import ArmFake
from tests.servers.azure.conftest import StaticToken

HEADER = "x-ms-ratelimit-microsoft.costmanagement-qpu-retry-after"
AS_OF = date(2026, 11, 26)
QUERY = CostQuery(start=date(2026, 10, 1), end=date(2026, 11, 1), metric="billed", group_by=("service",))


async def timed(arm: ArmFake, *, throttles: int, retry_after: str, budget: float) -> tuple[float, str]:
    settings = AzureSettings(
        subscriptions=["00000000-0000-0000-0000-00000000aaaa"],
        resource_manager_url=arm.url,
        throttle_max_wait_seconds=budget,
        cache_hours=0,
    )
    clients = AzureClients(settings, StaticToken)
    paid = PaidCalls(None, ttl=timedelta(0), provider="azure", caller=clients.caller)
    costs = CostManagement(AzureContext(settings, clients, paid, today=lambda: AS_OF))
    if throttles:
        arm.fail("query", "throttle", times=throttles, headers={HEADER: retry_after})
    started = time.perf_counter()
    try:
        answer = await costs.query_costs(QUERY)
        outcome = f"answered ({answer.source.rsplit(';', 1)[-1].strip()})"
    except Throttled as exc:
        outcome = f"Throttled, retry_after={exc.retry_after}: {str(exc)[:110]}..."
    return time.perf_counter() - started, outcome


async def main() -> None:
    with tempfile.TemporaryDirectory(), ArmFake() as arm:
        cost_management.install(arm, cost_management.demo_rows(AS_OF), today=AS_OF)
        await timed(arm, throttles=0, retry_after="0", budget=90)  # warm the SDK import
        cases = [
            ("no throttling (baseline)", 0, "0", 90.0),
            ("2 x 429, retry-after 1 s", 2, "1", 90.0),
            ("3 x 429, retry-after 2 s, budget 5 s", 3, "2", 5.0),
        ]
        base = None
        for label, throttles, retry_after, budget in cases:
            seconds, outcome = await timed(arm, throttles=throttles, retry_after=retry_after, budget=budget)
            base = base or seconds
            print(f"{label:40} {seconds:6.2f} s  {seconds / base:6.1f}x  {outcome}")


if __name__ == "__main__":
    anyio.run(main)

"""Cost Management's rate limits: waited out as asked (recorded in ``waits``), within a budget, then a clear error."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from finops_azure.context import AzureContext
from finops_azure.costs import CostManagement
from finops_core.errors import Throttled, Unavailable
from finops_core.models import CostQuery

from tests.fakes.azure.arm import ArmError, ArmRequest, ArmResponse
from tests.fakes.azure.cost_management import CostManagementFake
from tests.servers.azure.conftest import TOKEN
from tests.servers.conftest import Waits

pytestmark = pytest.mark.anyio


@pytest.fixture
def costs(azure_context: Callable[..., AzureContext]) -> CostManagement:
    """Cost Management over one subscription of the emulator."""
    return CostManagement(azure_context(subscriptions=["00000000-0000-0000-0000-00000000aaaa"]))


QUERY = CostQuery(start=date(2026, 10, 1), end=date(2026, 11, 1), metric="billed")


@pytest.mark.parametrize(
    "header",
    [
        "x-ms-ratelimit-microsoft.costmanagement-qpu-retry-after",
        "x-ms-ratelimit-microsoft.costmanagement-entity-retry-after",
        "x-ms-ratelimit-microsoft.costmanagement-tenant-retry-after",
        "x-ms-ratelimit-microsoft.costmanagement-client-retry-after",
        "Retry-After",
    ],
)
async def test_a_throttled_query_waits_the_seconds_the_header_asks_then_answers(
    costs: CostManagement, cm: CostManagementFake, waits: Waits, header: str
) -> None:
    cm.arm.fail("query", "throttle", times=2, headers={header: "17"})
    answer = await costs.query_costs(QUERY)
    assert waits == [17.0, 17.0]  # azure-core did not retry (or sleep) on its own: 3 requests, 2 waits
    assert len(cm.arm.calls("query")) == 3
    assert [t.currency for t in answer.totals] == ["EUR"]
    assert "3 request(s)" in answer.source


async def test_without_a_header_the_waits_grow_exponentially(
    costs: CostManagement, cm: CostManagementFake, waits: Waits
) -> None:
    cm.arm.fail("query", "throttle", times=3)
    await costs.query_costs(QUERY)
    assert waits == [5.0, 10.0, 20.0]


async def test_the_total_wait_is_bounded_then_throttled_says_when_to_retry(
    azure_context: Callable[..., AzureContext], cm: CostManagementFake, waits: Waits
) -> None:
    costs = CostManagement(
        azure_context(subscriptions=["00000000-0000-0000-0000-00000000aaaa"], throttle_max_wait_seconds=30)
    )
    cm.arm.fail(
        "query", "throttle", times=10, headers={"x-ms-ratelimit-microsoft.costmanagement-qpu-retry-after": "12"}
    )
    with pytest.raises(Throttled) as raised:
        await costs.query_costs(QUERY)
    assert waits == [12.0, 12.0]  # a third wait would pass the 30 s budget
    assert raised.value.retry_after == 12.0
    message = str(raised.value)
    assert "Try again in 12 s" in message
    assert "waited 24 s of the 30 s allowed" in message
    assert TOKEN not in message


async def test_throttling_on_a_later_page_is_waited_out_too(
    costs: CostManagement, cm: CostManagementFake, waits: Waits
) -> None:
    original = cm.query
    seen: list[int] = []

    def throttle_second_page(request: ArmRequest) -> ArmResponse:
        seen.append(1)
        if len(seen) == 2:
            raise ArmError(
                429, "429", "Too many requests", {"x-ms-ratelimit-microsoft.costmanagement-entity-retry-after": "4"}
            )
        return original(request)

    route = next(r for r in cm.arm.routes if r.name == "query")
    route.handler = throttle_second_page
    answer = await costs.query_costs(
        CostQuery(start=QUERY.start, end=QUERY.end, granularity="daily", group_by=("service",), top_n=500)
    )
    assert waits == [4.0]
    assert answer.totals


async def test_server_errors_are_retried_a_few_times_with_back_off(
    costs: CostManagement, cm: CostManagementFake, waits: Waits
) -> None:
    cm.arm.fail("query", "error5xx", times=2)
    answer = await costs.query_costs(QUERY)
    assert waits == [2.0, 4.0]
    assert answer.totals


async def test_server_errors_that_persist_become_unavailable(
    costs: CostManagement, cm: CostManagementFake, waits: Waits
) -> None:
    cm.arm.fail("query", "error5xx", times=4)
    with pytest.raises(Unavailable, match="Try again in a few minutes"):
        await costs.query_costs(QUERY)
    assert waits == [2.0, 4.0, 8.0]
    assert len(cm.arm.calls("query")) == 4


async def test_an_unreadable_answer_is_a_clear_error_not_a_traceback(
    costs: CostManagement, cm: CostManagementFake
) -> None:
    cm.arm.fail("query", "bad_body")
    with pytest.raises(Unavailable, match="could not read"):
        await costs.query_costs(QUERY)

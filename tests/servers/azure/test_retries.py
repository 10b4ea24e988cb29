"""One retry rule for every Azure call: ``max_attempts`` tries in all (the first included), waits as Azure asks
(recorded in ``waits``, never slept), at most ``throttle_max_wait_seconds`` of waiting; then a clear error."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from finops_azure.context import AzureContext
from finops_azure.costs import CostManagement
from finops_azure.errors import retry_after
from finops_azure.inventory import PriceBook, list_resources
from finops_azure.recommendations.advisor import subscription_recommendations
from finops_azure.settings import AzureSettings
from finops_core.errors import ConfigError, Throttled, Unavailable
from finops_core.models import CostQuery

from tests.conftest import AS_OF
from tests.fakes.azure import advisor
from tests.fakes.azure.arm import ArmFake
from tests.fakes.azure.cost_management import install
from tests.fakes.azure.resource_graph import ResourceGraphFake
from tests.fakes.azure.retail_prices import RetailPricesFake
from tests.servers.azure.conftest import SUBSCRIPTIONS
from tests.servers.azure.costs.conftest import dataset
from tests.servers.azure.inventory.conftest import PRICE_LIST, vm
from tests.servers.conftest import Waits

pytestmark = pytest.mark.anyio
Ctx = Callable[..., AzureContext]
A = SUBSCRIPTIONS[0]


@pytest.mark.parametrize(("max_attempts", "expected_waits"), [(4, [2.0, 4.0, 8.0]), (2, [2.0]), (1, [])])
async def test_a_server_error_is_tried_max_attempts_times_in_all_the_first_included(
    arm: ArmFake, azure_context: Ctx, waits: Waits, max_attempts: int, expected_waits: list[float]
) -> None:
    advisor.install(arm, {A: []})
    arm.fail(advisor.ROUTE, "error5xx", times=20)
    ctx = azure_context(subscriptions=[A], max_attempts=max_attempts)
    with pytest.raises(Unavailable):
        await ctx.run(subscription_recommendations, ctx, A)
    assert len(arm.calls(advisor.ROUTE)) == max_attempts
    assert waits == expected_waits  # through ctx.sleep: nothing slept in a worker thread


async def test_a_wait_azure_asks_beyond_the_budget_is_not_waited_and_the_error_says_when(
    arm: ArmFake, azure_context: Ctx, waits: Waits
) -> None:
    advisor.install(arm, {A: []})
    arm.fail(advisor.ROUTE, "throttle", times=20, headers={"Retry-After": "600"})
    ctx = azure_context(subscriptions=[A], throttle_max_wait_seconds=90)
    with pytest.raises(Throttled, match="Try again in 600 s") as raised:
        await ctx.run(subscription_recommendations, ctx, A)
    assert raised.value.retry_after == 600.0
    assert len(arm.calls(advisor.ROUTE)) == 1
    assert waits == []


async def test_a_throttled_resource_graph_query_waits_as_asked_counted_once_as_attempts(
    arm: ArmFake, azure_context: Ctx, waits: Waits
) -> None:
    graph = ResourceGraphFake(arm)
    graph.add(vm(A, "web"))
    RetailPricesFake(arm).add(*PRICE_LIST)
    # Resource Graph's query is a POST: azure-core alone retries a throttled POST only with Retry-After.
    arm.fail("resource-graph", "throttle", times=2, headers={"x-ms-user-quota-resets-after": "00:00:03"})
    answer = await list_resources(azure_context(subscriptions=[A]), prices=PriceBook())
    assert [r.name for r in answer.resources] == ["web"]
    assert waits == [3.0, 3.0]
    assert len(graph.resource_queries()) == 3
    arm.fail("resource-graph", "throttle", times=20, headers={"Retry-After": "1"})
    waits.clear()
    with pytest.raises(Throttled):
        await list_resources(azure_context(subscriptions=[A], max_attempts=3), prices=PriceBook())
    assert waits == [1.0, 1.0]  # 3 attempts, not 3 of ours times azure-core's own


async def test_cost_management_throttling_counts_attempts_too_not_only_seconds(
    arm: ArmFake, azure_context: Ctx, waits: Waits
) -> None:
    install(arm, dataset(), today=AS_OF)
    arm.fail("query", "throttle", times=20, headers={"x-ms-ratelimit-microsoft.costmanagement-qpu-retry-after": "1"})
    costs = CostManagement(azure_context(subscriptions=[A], max_attempts=3))
    query = CostQuery(start=AS_OF.replace(day=1), end=AS_OF, metric="billed")
    with pytest.raises(Throttled, match=r"3 attempt\(s\); waited 2 s of the 90 s allowed"):
        await costs.query_costs(query)
    assert waits == [1.0, 1.0]
    assert len(arm.calls("query")) == 3


async def test_the_retail_prices_api_follows_the_same_rule(arm: ArmFake, azure_context: Ctx, waits: Waits) -> None:
    graph = ResourceGraphFake(arm)
    graph.add(vm(A, "web"))
    RetailPricesFake(arm).add(*PRICE_LIST)
    arm.fail("retail-prices", "error5xx", times=20)
    answer = await list_resources(azure_context(subscriptions=[A], max_attempts=2), prices=PriceBook())
    assert answer.note is not None
    assert "HTTP 503 after 2 attempts" in answer.note
    assert len(arm.calls("retail-prices")) == 2
    assert waits == [2.0]


def test_resource_graphs_quota_reset_header_is_read_as_a_wait() -> None:
    assert retry_after({"x-ms-user-quota-resets-after": "00:01:05"}) == 65.0
    assert retry_after({"x-ms-user-quota-resets-after": "soon"}) is None


def test_max_attempts_must_allow_one_attempt_and_says_which_key() -> None:
    with pytest.raises(ConfigError, match=r"azure\.max_attempts"):
        AzureSettings.from_section({"max_attempts": 0})
    assert AzureSettings().retry_rule.max_attempts == 4

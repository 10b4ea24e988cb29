"""``CostManagement.query_costs``: the core cost question, answered by Cost Management over the fake."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import date
from decimal import Decimal

import pytest
from finops_azure.context import AzureContext
from finops_azure.costs import CostManagement
from finops_core.errors import InvalidQuery
from finops_core.models import CostQuery

from tests.fakes.azure.arm import ArmError, ArmRequest, ArmResponse
from tests.fakes.azure.cost_management import CostManagementFake
from tests.servers.azure.conftest import SUBSCRIPTIONS, TOKEN
from tests.servers.azure.costs.conftest import dataset

pytestmark = pytest.mark.anyio
START, END = date(2026, 10, 1), date(2026, 11, 1)
EUR_SUB, USD_SUB = SUBSCRIPTIONS


def expected(start: date, end: date, *, amortized: bool = False, **match: str) -> dict[str, Decimal]:
    sums: dict[str, Decimal] = defaultdict(Decimal)
    for row in dataset():
        if start <= row.day < end and all(getattr(row, k) == v for k, v in match.items()):
            sums[row.currency] += row.amortized if amortized else row.actual
    return dict(sums)


def totals(answer: object) -> dict[str, Decimal]:
    return {t.currency: t.amount for t in answer.totals}  # type: ignore[attr-defined]


async def test_billed_totals_are_actual_cost_exact_to_the_last_digit_and_one_per_currency(
    costs: CostManagement,
) -> None:
    answer = await costs.query_costs(CostQuery(start=START, end=END, metric="billed"))
    assert totals(answer) == expected(START, END)
    assert {t.currency for t in answer.totals} == {"EUR", "USD"}
    # The amounts carry 18 decimals: read as floats, these sums would be off.
    assert any(t.amount.as_tuple().exponent < -15 for t in answer.totals)  # type: ignore[operator]
    assert answer.metric == "billed"
    assert "ActualCost" in answer.source
    assert answer.paid_calls is None


async def test_effective_is_amortized_cost_which_spreads_the_reservation_purchase(costs: CostManagement) -> None:
    half = date(2026, 10, 16)  # the purchase on the 1st is billed at once, amortized over the month's days
    billed = await costs.query_costs(CostQuery(start=START, end=half, metric="billed"))
    effective = await costs.query_costs(CostQuery(start=START, end=half, metric="effective"))
    assert totals(effective) == expected(START, half, amortized=True)
    assert totals(billed)["EUR"] - totals(effective)["EUR"] == Decimal("38.75") - 15 * Decimal("1.25")
    assert "AmortizedCost" in effective.source


async def test_the_query_asks_azure_for_the_inclusive_last_second_of_the_period(
    costs: CostManagement, cm: CostManagementFake
) -> None:
    await costs.query_costs(CostQuery(start=START, end=END, granularity="daily"))
    requests = cm.arm.calls("query")
    first = requests[0]
    assert first.body["timePeriod"] == {"from": "2026-10-01T00:00:00Z", "to": "2026-10-31T23:59:59Z"}
    assert first.body["type"] == "AmortizedCost"
    assert first.body["timeframe"] == "Custom"
    assert first.body["dataset"]["granularity"] == "Daily"
    assert first.query["api-version"] == "2025-03-01"
    assert {r.path.split("/")[2] for r in requests} == set(SUBSCRIPTIONS)
    assert all(r.headers["authorization"] == f"Bearer {TOKEN}" for r in requests)


async def test_grouping_by_service_and_region_matches_the_dataset_per_group(costs: CostManagement) -> None:
    answer = await costs.query_costs(
        CostQuery(start=START, end=END, metric="billed", group_by=("service", "region"), top_n=500)
    )
    assert not answer.truncated
    row = next(r for r in answer.rows if r.group == {"service": "Storage", "region": "eastus"} and r.currency == "USD")
    assert row.cost == expected(START, END, service="Storage", location="eastus")["USD"]


async def test_grouping_by_subscription_keeps_each_subscription_in_its_own_currency(costs: CostManagement) -> None:
    answer = await costs.query_costs(CostQuery(start=START, end=END, metric="billed", group_by=("sub_account",)))
    assert {(r.group["sub_account"], r.currency) for r in answer.rows} == {(EUR_SUB, "EUR"), (USD_SUB, "USD")}
    by_sub = {r.group["sub_account"]: r.cost for r in answer.rows}
    assert by_sub[EUR_SUB] == expected(START, END, subscription=EUR_SUB)["EUR"]


async def test_a_service_filter_is_sent_to_azure_and_narrows_the_total(
    costs: CostManagement, cm: CostManagementFake
) -> None:
    answer = await costs.query_costs(
        CostQuery(start=START, end=END, metric="billed", filters={"service": ("Storage", "Bandwidth")})
    )
    want = {
        c: expected(START, END, service="Storage").get(c, Decimal(0)) + expected(START, END, service="Bandwidth")[c]
        for c in ("EUR", "USD")
    }
    assert totals(answer) == want
    assert cm.arm.calls("query")[0].body["dataset"]["filter"] == {
        "dimensions": {"name": "ServiceName", "operator": "In", "values": ["Storage", "Bandwidth"]}
    }


async def test_a_subscription_filter_asks_only_that_subscription(costs: CostManagement, cm: CostManagementFake) -> None:
    answer = await costs.query_costs(CostQuery(start=START, end=END, filters={"sub_account": (USD_SUB,)}))
    assert [t.currency for t in answer.totals] == ["USD"]
    assert {r.path.split("/")[2] for r in cm.arm.calls("query")} == {USD_SUB}


async def test_derived_categories_group_from_service_and_charge_type(costs: CostManagement) -> None:
    answer = await costs.query_costs(
        CostQuery(start=START, end=END, metric="billed", group_by=("charge_category", "service_category"), top_n=50)
    )
    groups = {(r.group["charge_category"], r.group["service_category"]) for r in answer.rows}
    assert ("Purchase", "Other") in groups  # the reservation purchases
    assert ("Usage", "Compute") in groups
    assert totals(answer) == expected(START, END)


async def test_a_tag_key_groups_by_its_values_with_untagged_as_null(costs: CostManagement) -> None:
    answer = await costs.query_costs(
        CostQuery(start=START, end=END, metric="billed", tag_key="team", filters={"sub_account": (EUR_SUB,)})
    )
    assert {r.group["tag:team"] for r in answer.rows} == {"web", "data", None}
    assert totals(answer) == expected(START, END, subscription=EUR_SUB)


async def test_weekly_and_monthly_periods_are_reaggregated_from_daily_rows(costs: CostManagement) -> None:
    monthly = await costs.query_costs(
        CostQuery(start=date(2026, 9, 20), end=date(2026, 11, 10), metric="billed", granularity="monthly")
    )
    assert sorted({r.period_start or date.min for r in monthly.rows}) == [
        date(2026, 9, 20),
        date(2026, 10, 1),
        date(2026, 11, 1),
    ]
    assert totals(monthly) == expected(date(2026, 9, 20), date(2026, 11, 10))


async def test_list_and_contracted_cost_are_refused_with_what_to_ask_instead(costs: CostManagement) -> None:
    for metric in ("list", "contracted"):
        with pytest.raises(InvalidQuery, match=r"billed .*effective"):
            await costs.query_costs(CostQuery(start=START, end=END, metric=metric))  # type: ignore[arg-type]


async def test_more_than_two_azure_groupings_is_refused_with_a_way_out(costs: CostManagement) -> None:
    with pytest.raises(InvalidQuery, match="at most two"):
        await costs.query_costs(CostQuery(start=START, end=END, group_by=("service", "region"), tag_key="team"))


async def test_every_page_is_followed_through_next_link_and_counted(
    costs: CostManagement, cm: CostManagementFake
) -> None:
    answer = await costs.query_costs(
        CostQuery(start=START, end=END, metric="billed", granularity="daily", group_by=("service",), top_n=500)
    )
    requests = cm.arm.calls("query")
    # Per subscription 31 days x 6 services + the reservation purchase = 187 rows; 40 a page: 5 pages each.
    assert len(requests) == 10
    assert sum("$skiptoken" in r.query for r in requests) == 8
    assert all(r.body == requests[0].body for r in requests)  # each next page is POSTed with the same body
    assert "10 request(s)" in answer.source
    assert totals(answer) == expected(START, END)


async def test_a_second_identical_question_is_answered_from_the_cache(
    costs: CostManagement, cm: CostManagementFake
) -> None:
    first = await costs.query_costs(CostQuery(start=START, end=END, group_by=("service",)))
    made = len(cm.arm.calls("query"))
    again = await costs.query_costs(CostQuery(start=START, end=END, group_by=("service",)))
    assert len(cm.arm.calls("query")) == made
    assert again.totals == first.totals
    assert "(cached)" in again.source


async def test_a_management_group_is_asked_once_and_groups_subscriptions_itself(
    azure_context: Callable[..., AzureContext], cm: CostManagementFake
) -> None:
    costs = CostManagement(azure_context(management_group="mg-finops"))
    answer = await costs.query_costs(CostQuery(start=START, end=END, metric="billed", group_by=("sub_account",)))
    (request,) = cm.arm.calls("query")
    assert request.path.startswith("/providers/Microsoft.Management/managementGroups/mg-finops/")
    assert request.body["dataset"]["grouping"] == [{"type": "Dimension", "name": "SubscriptionId"}]
    assert {r.group["sub_account"] for r in answer.rows} == set(SUBSCRIPTIONS)
    assert totals(answer) == expected(START, END)


async def test_a_billing_scope_names_the_billing_account(
    azure_context: Callable[..., AzureContext], cm: CostManagementFake
) -> None:
    scope = "providers/Microsoft.Billing/billingAccounts/ba-1234"
    costs = CostManagement(azure_context(billing_scope=scope))
    answer = await costs.query_costs(CostQuery(start=START, end=END, group_by=("billing_account", "provider")))
    assert {(r.group["billing_account"], r.group["provider"]) for r in answer.rows} == {("ba-1234", "Microsoft")}
    assert cm.arm.calls("query")[0].path.startswith(f"/{scope}/")


async def test_one_subscription_failing_gives_a_partial_answer_naming_it(
    costs: CostManagement, cm: CostManagementFake
) -> None:
    def refuse_usd(request: ArmRequest) -> ArmResponse:
        if USD_SUB in request.path:
            raise ArmError(403, "AuthorizationFailed", "no Cost Management Reader role")
        return cm.query(request)

    route = next(r for r in cm.arm.routes if r.name == "query")
    route.handler = refuse_usd
    answer = await costs.query_costs(CostQuery(start=START, end=END, metric="billed"))
    assert [t.currency for t in answer.totals] == ["EUR"]
    assert answer.note is not None
    assert USD_SUB in answer.note
    assert TOKEN not in answer.model_dump_json()


async def test_an_empty_period_says_why(costs: CostManagement) -> None:
    answer = await costs.query_costs(CostQuery(start=date(2020, 1, 1), end=date(2020, 2, 1)))
    assert answer.rows == []
    assert answer.note is not None
    assert "2020-01-01" in answer.note

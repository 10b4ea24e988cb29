"""Cost Management against Microsoft's own examples (tests/fakes/azure/examples/cost-management): our fake answers in
their shape, and each example, served as Azure wrote it, reads through our adapter to the cent."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from decimal import Decimal

import pytest
from finops_azure.context import AzureContext
from finops_azure.costs import CostManagement
from finops_core.models import CostQuery

from tests.conftest import AS_OF
from tests.fakes.azure.arm import ArmFake, ArmRequest, ArmResponse
from tests.fakes.azure.cost_management import (
    API_VERSION,
    CM,
    SCOPE,
    demo_benefit_recommendations,
    demo_budgets,
    demo_utilization,
    install,
)
from tests.fakes.azure.vendor import documented, example, raw_body, shape_problems, typed_by_columns, union
from tests.servers.azure.costs.conftest import dataset

pytestmark = pytest.mark.anyio
QUERY = "cost-management/SubscriptionQuery.json"
PAGED = "cost-management/BillingAccountQueryGrouping.json"
FORECAST = "cost-management/SubscriptionForecast.json"
BUDGETS = "cost-management/SubscriptionBudgetsList.json"
BENEFITS = "cost-management/BenefitRecommendationsByBillingAccount.json"
UTILIZATION = "cost-management/SavingsPlan-BillingAccount.json"
ZERO = "00000000-0000-0000-0000-000000000000"  # the subscription of Microsoft's examples


@pytest.fixture
def costs(azure_context: Callable[..., AzureContext]) -> CostManagement:
    """Cost Management over the subscription the examples name."""
    return CostManagement(azure_context(subscriptions=[ZERO]))


A = "00000000-0000-0000-0000-00000000aaaa"


def _serve(arm: ArmFake, name: str, method: str, path: str, body: bytes) -> None:
    arm.route(name, method, path, lambda _: ArmResponse(200, body))


# -- the fake speaks the vendor's shape ---------------------------------------------------------------


def test_the_query_fake_answers_in_the_shape_of_microsofts_example(arm: ArmFake) -> None:
    fake = install(arm, dataset(), today=AS_OF)
    body = {
        "type": "ActualCost",
        "timeframe": "Custom",
        "timePeriod": {"from": "2026-10-01T00:00:00Z", "to": "2026-10-31T23:59:59Z"},
        "dataset": {
            "granularity": "Daily",
            "aggregation": {"totalCost": {"name": "Cost", "function": "Sum"}},
            "grouping": [{"type": "Dimension", "name": "ResourceGroupName"}],
        },
    }
    path = f"/subscriptions/{A}/providers/Microsoft.CostManagement/query"
    request = ArmRequest("POST", path, {"api-version": API_VERSION}, body, {})
    answer = json.loads(fake.query(request).body, parse_float=Decimal)
    assert shape_problems(answer, documented(QUERY)) == []
    assert answer["properties"]["rows"]
    assert typed_by_columns(answer["properties"]["columns"], answer["properties"]["rows"]) == []


def test_the_forecast_fake_answers_in_the_shape_of_microsofts_example(arm: ArmFake) -> None:
    fake = install(arm, dataset(), today=AS_OF)
    body = example(FORECAST)["parameters"]["parameters"] | {
        "timePeriod": {"from": "2026-11-01T00:00:00Z", "to": "2026-11-30T23:59:59Z"},
        "type": "ActualCost",
        "includeActualCost": True,
    }
    body["dataset"] = {"granularity": "Daily", "aggregation": {"totalCost": {"name": "Cost", "function": "Sum"}}}
    path = f"/subscriptions/{A}/providers/Microsoft.CostManagement/forecast"
    request = ArmRequest("POST", path, {"api-version": API_VERSION}, body, {})
    answer = json.loads(fake.forecast(request).body, parse_float=Decimal)
    assert shape_problems(answer, documented(FORECAST)) == []
    assert typed_by_columns(answer["properties"]["columns"], answer["properties"]["rows"]) == []


def test_the_budget_benefit_and_utilization_fakes_answer_in_the_shape_of_microsofts_examples() -> None:
    forecast = "properties.forecastSpend"
    why = {forecast: "documented in Budget.properties (forecastSpend); the list example shows a budget without one"}
    for fake_items, name in (
        (demo_budgets(), BUDGETS),
        (demo_benefit_recommendations(), BENEFITS),
        (demo_utilization(), UTILIZATION),
    ):
        (vendor_item, *_) = documented(name)["value"]
        for item in fake_items:
            assert shape_problems(item, vendor_item, why) == [], name


# -- Microsoft's examples through our adapter ---------------------------------------------------------


async def test_microsofts_query_example_reads_to_the_cent_whatever_the_column_order(
    arm: ArmFake, costs: CostManagement
) -> None:
    _serve(arm, "query", "POST", SCOPE + CM + "/query", raw_body(QUERY))
    answer = await costs.costs_by(
        date(2018, 3, 1), date(2018, 5, 1), group_by=["ResourceGroup"], granularity="daily", top_n=10
    )
    got = {(r.period_start, r.group["ResourceGroup"], r.cost, r.currency) for r in answer.rows}
    assert got == {
        (date(2018, 3, 31), "ScreenSharingTest-peer", Decimal("2.10333307059661"), "USD"),
        (date(2018, 3, 31), "Ict_StratAndPlan_GoldSprova_Prod", Decimal("218.68795741935486"), "USD"),
        (date(2018, 4, 1), "ssbciotelement01", Decimal("0.14384913581657052"), "USD"),
        (date(2018, 4, 29), "ict_stratandplan_goldsprova_prod", Decimal("0.009865586851323632"), "USD"),
    }
    (total,) = answer.totals
    assert (total.amount, total.currency) == (Decimal("220.945005212619364152"), "USD")  # the exact sum
    (request,) = arm.calls("query")
    documented_request = union(
        example(QUERY)["parameters"]["parameters"],
        example(PAGED)["parameters"]["parameters"],
        example(FORECAST)["parameters"]["parameters"],
    )
    assert shape_problems(request.body, documented_request) == []


async def test_a_next_link_as_microsoft_writes_it_is_followed_with_the_same_body(
    arm: ArmFake, azure_context: Callable[..., AzureContext]
) -> None:
    first = raw_body(PAGED).replace(b"https://management.azure.com", arm.url.encode())
    last = b'{"properties": {"nextLink": null, "columns": [], "rows": []}}'
    pages = iter([first, last])
    arm.route("query", "POST", SCOPE + CM + "/query", lambda _: ArmResponse(200, next(pages)))
    costs = CostManagement(azure_context(billing_scope="providers/Microsoft.Billing/billingAccounts/70664866"))
    answer = await costs.costs_by(date(2026, 10, 1), date(2026, 11, 1), group_by=["ResourceGroup"])
    one, two = arm.calls("query")
    assert two.query == {"api-version": "2021-10-01", "$skiptoken": "AQAAAA=="}  # the vendor's link, as written
    assert two.body == one.body
    (total,) = answer.totals
    assert total.amount == Decimal("19.545363672276512") + Decimal("173.41979241290323") + Decimal("20.35941656262545")


async def test_an_answer_with_no_content_is_no_cost_not_an_error(arm: ArmFake, costs: CostManagement) -> None:
    # Query_Usage and Forecast_Usage document "204": {} beside 200: nothing to report for the question.
    assert example(QUERY)["responses"]["204"] == {}
    arm.route("query", "POST", SCOPE + CM + "/query", lambda _: ArmResponse(204))
    arm.route("forecast", "POST", SCOPE + CM + "/forecast", lambda _: ArmResponse(204))
    native = await costs.costs_by(date(2026, 10, 1), date(2026, 11, 1), group_by=["ServiceName"])
    assert (native.rows, native.totals) == ([], [])
    assert native.note is not None
    assert "No ActualCost" in native.note
    core = await costs.query_costs(CostQuery(start=date(2026, 10, 1), end=date(2026, 11, 1), group_by=("service",)))
    assert core.totals == []
    assert await costs.daily_costs(date(2026, 10, 1), date(2026, 11, 1)) == []
    forecast = await costs.forecast()
    assert forecast.totals == []


async def test_microsofts_forecast_example_reads_to_the_cent(arm: ArmFake, costs: CostManagement) -> None:
    _serve(arm, "forecast", "POST", SCOPE + CM + "/forecast", raw_body(FORECAST))
    answer = await costs.forecast()
    (total,) = answer.totals
    assert (total.currency, total.actual, total.forecast) == ("USD", Decimal("0.00"), Decimal("220.945005212619364152"))
    assert total.total == total.forecast
    assert [(d.day, d.cost, d.status) for d in answer.days] == [
        (date(2018, 3, 31), Decimal("220.79129048995147"), "Forecast"),  # two rows of one day, added exactly
        (date(2018, 4, 1), Decimal("0.14384913581657052"), "Forecast"),
        (date(2018, 4, 29), Decimal("0.009865586851323632"), "Forecast"),
    ]
    (request,) = arm.calls("forecast")
    assert shape_problems(request.body, example(FORECAST)["parameters"]["parameters"]) == []


async def test_budgets_listed_at_a_subscription_name_their_own_scope(arm: ArmFake, costs: CostManagement) -> None:
    # Microsoft's example: listing a subscription's budgets also returns its resource groups' budgets, two of them
    # named TestBudget. Each must say where it applies, or a resource group's budget reads as the subscription's.
    _serve(arm, "budgets", "GET", SCOPE + CM + "/budgets", raw_body(BUDGETS))
    answer = await costs.budgets()
    got = [
        (b.name, b.scope, b.amount.amount, b.current_spend.amount if b.current_spend else None, b.percent_used)
        for b in answer.budgets
    ]
    group = f"subscriptions/{ZERO}/resourceGroups/MYDEVTESTRG"
    assert got == [
        ("TestBudget", f"subscriptions/{ZERO}", Decimal("600.65"), Decimal("120.89"), 20.1),
        ("TestBudget", group, Decimal("100.65"), Decimal("80.89"), 80.4),
        ("TestBudget1", group, Decimal("200.65"), Decimal("120.89"), 60.2),
    ]
    assert all(b.forecast_spend is None and b.percent_forecast is None for b in answer.budgets)
    assert {b.amount.currency for b in answer.budgets} == {"USD"}


async def test_microsofts_savings_plan_recommendation_reads_over_its_look_back_period(
    arm: ArmFake, azure_context: Callable[..., AzureContext]
) -> None:
    _serve(arm, "benefits", "GET", SCOPE + CM + "/benefitRecommendations", raw_body(BENEFITS))
    _serve(arm, "utilization", "GET", SCOPE + CM + "/benefitUtilizationSummaries", raw_body(UTILIZATION))
    costs = CostManagement(azure_context(billing_scope="providers/Microsoft.Billing/billingAccounts/123456"))
    answer = await costs.benefits()
    (rec,) = answer.recommendations
    assert (rec.kind, rec.benefit_scope, rec.term, rec.look_back) == ("SavingsPlan", "Shared", "P1Y", "Last7Days")
    money = {
        "hourly_commitment": rec.hourly_commitment,
        "cost_without_benefit": rec.cost_without_benefit,
        "cost_with_benefit": rec.cost_with_benefit,
        "savings": rec.savings,
    }
    assert {k: (m.amount, m.currency) if m else None for k, m in money.items()} == {
        "hourly_commitment": (Decimal("0.164"), "USD"),
        "cost_without_benefit": (Decimal("218.267"), "USD"),
        "cost_with_benefit": (Decimal("196.843"), "USD"),
        # savingsAmount is "the amount saved for the totalHours in the look-back period" (168 hours here), and
        # it is exactly cost without the plan minus cost with it: not a monthly figure.
        "savings": (Decimal("21.424"), "USD"),
    }
    assert Decimal("218.267") - Decimal("196.843") == Decimal("21.424")
    assert (rec.coverage_percent, rec.utilization_percent) == (54.61, 99.33)
    (request,) = arm.calls("benefits")
    documented_filter = example(BENEFITS)["parameters"]["$filter"]
    assert request.query["$filter"].split(" AND ")[0].split(" eq ")[0] == documented_filter.split(" eq ")[0]
    utilization = [
        (u.kind, u.order_id, u.day, u.average_percent, u.min_percent, u.max_percent) for u in answer.utilization
    ]
    assert utilization == [
        (
            "SavingsPlan",
            "/providers/Microsoft.BillingBenefits/savingsPlanOrders/66cccc66-6ccc-6c66-666c-66cc6c6c66c6",
            date(2022, 10, 16),
            90.0,
            80.0,
            100.0,
        ),
        (
            "SavingsPlan",
            "/providers/Microsoft.BillingBenefits/savingsPlanOrders/88cccc88-8ccc-8c88-888c-88cc8c8c88c8",
            date(2022, 10, 17),
            60.0,
            50.0,
            70.0,
        ),
    ]

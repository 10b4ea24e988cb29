"""``daily_costs``, the core contract, and the Azure-native questions: costs by Azure dimensions, forecast, budgets,
benefits."""

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
from finops_core.testing.contract import CostSourceContract

from tests.conftest import AS_OF
from tests.fakes.azure.cost_management import CostManagementFake
from tests.servers.azure.conftest import SUBSCRIPTIONS
from tests.servers.azure.costs.conftest import dataset

pytestmark = pytest.mark.anyio
START, END = date(2026, 10, 1), date(2026, 11, 1)
BILLING = "providers/Microsoft.Billing/billingAccounts/ba-1234"


class TestCostManagementContract(CostSourceContract):
    @pytest.fixture
    def provider(self, costs: CostManagement) -> CostManagement:
        return costs

    @pytest.fixture
    def cost_period(self) -> tuple[date, date]:
        return START, END


async def test_daily_costs_carry_billed_and_effective_per_subscription_service_and_location(
    costs: CostManagement, cm: CostManagementFake
) -> None:
    items = await costs.daily_costs(START, END)
    types = [r.body["type"] for r in cm.arm.calls("query") if "$skiptoken" not in r.query]
    assert sorted(types) == ["ActualCost"] * 2 + ["AmortizedCost"] * 2
    billed: dict[str, Decimal] = defaultdict(Decimal)
    for row in dataset():
        if START <= row.day < END:
            billed[row.currency] += row.actual
    got: dict[str, Decimal] = defaultdict(Decimal)
    for item in items:
        got[item.billing_currency] += item.billed_cost
    assert got == billed
    vm = next(
        i
        for i in items
        if i.service_name == "Virtual Machines" and i.region_id == "westeurope" and i.sub_account_id == SUBSCRIPTIONS[0]
    )
    assert vm.provider_name == "Microsoft"
    assert vm.service_category == "Compute"
    assert vm.effective_cost - vm.billed_cost == Decimal("1.25")  # the reserved VM, amortized
    purchase = next(i for i in items if i.service_name == "Reservations")
    assert purchase.charge_category == "Purchase"
    assert purchase.effective_cost == 0


async def test_costs_by_azure_dimensions_and_a_tag(costs: CostManagement, cm: CostManagementFake) -> None:
    answer = await costs.costs_by(
        START, END, group_by=["MeterCategory"], tag_key="team", metric="AmortizedCost", top_n=50
    )
    assert answer.group_by == ["MeterCategory", "tag:team"]
    assert ("Log Analytics", None) in {(r.group["MeterCategory"], r.group["tag:team"]) for r in answer.rows}
    want: dict[str, Decimal] = defaultdict(Decimal)
    for row in dataset():
        if START <= row.day < END:
            want[row.currency] += row.amortized
    assert {t.currency: t.amount for t in answer.totals} == want
    assert cm.arm.calls("query")[0].body["dataset"]["grouping"] == [
        {"type": "Dimension", "name": "MeterCategory"},
        {"type": "TagKey", "name": "team"},
    ]
    assert answer.requests >= 2


async def test_costs_by_resource_group_monthly_with_a_filter(costs: CostManagement) -> None:
    answer = await costs.costs_by(
        date(2026, 9, 15),
        END,
        group_by=["ResourceGroupName"],
        granularity="monthly",
        filters={"ResourceLocation": ["eastus"]},
    )
    assert {r.group["ResourceGroupName"] for r in answer.rows} == {"rg-eastus"}
    assert {r.period_start for r in answer.rows} == {date(2026, 9, 1), date(2026, 10, 1)}


async def test_costs_by_three_things_is_refused(costs: CostManagement) -> None:
    with pytest.raises(InvalidQuery, match="at most two"):
        await costs.costs_by(START, END, group_by=["ServiceName", "ResourceLocation"], tag_key="team")


async def test_the_forecast_gives_actual_so_far_and_the_month_end_total_per_currency(
    costs: CostManagement, cm: CostManagementFake
) -> None:
    answer = await costs.forecast()
    (request, *_) = cm.arm.calls("forecast")
    assert request.body["timePeriod"] == {"from": "2026-11-01T00:00:00Z", "to": "2026-11-30T23:59:59Z"}
    assert request.body["includeActualCost"] is True
    assert (answer.start, answer.end) == (date(2026, 11, 1), date(2026, 12, 1))
    by_currency = {t.currency: t for t in answer.totals}
    assert set(by_currency) == {"EUR", "USD"}
    eur = by_currency["EUR"]
    assert eur.actual == sum(
        (r.actual for r in dataset() if r.currency == "EUR" and date(2026, 11, 1) <= r.day < AS_OF), Decimal(0)
    )
    assert eur.total == eur.actual + eur.forecast
    statuses = {d.status for d in answer.days if d.day >= AS_OF}
    assert statuses == {"Forecast"}
    assert len([d for d in answer.days if d.currency == "EUR" and d.status == "Forecast"]) == 5  # 26th..30th


async def test_a_forecast_entirely_in_the_past_is_refused(costs: CostManagement) -> None:
    with pytest.raises(InvalidQuery, match="after today"):
        await costs.forecast(START, END)


async def test_budgets_show_spend_forecast_and_percent_used(costs: CostManagement) -> None:
    answer = await costs.budgets()
    assert len(answer.budgets) == 2  # one per subscription scope
    budget = answer.budgets[0]
    assert budget.amount.amount == Decimal("5000.00")
    assert budget.current_spend is not None
    assert budget.current_spend.amount == Decimal("4123.45")
    assert budget.percent_used == 82.5
    assert budget.percent_forecast == 104.2
    assert budget.time_grain == "Monthly"


async def test_benefits_need_a_billing_scope_for_utilization(costs: CostManagement) -> None:
    answer = await costs.benefits()
    assert answer.utilization == []
    assert answer.note is not None
    assert "billing_scope" in answer.note
    rec = answer.recommendations[0]
    assert rec.savings is not None
    assert rec.savings.amount == Decimal("310.75")
    assert rec.term == "P3Y"


async def test_benefits_at_a_billing_scope_include_reservation_and_savings_plan_utilization(
    azure_context: Callable[..., AzureContext], cm: CostManagementFake
) -> None:
    costs = CostManagement(azure_context(billing_scope=BILLING))
    answer = await costs.benefits()
    assert len(answer.recommendations) == 1
    assert {(u.kind, u.average_percent) for u in answer.utilization} == {("SavingsPlan", 92.5), ("Reservation", 64.0)}
    (request,) = cm.arm.calls("benefit_recommendations")
    assert request.path.startswith(f"/{BILLING}/")
    assert request.query["$filter"] == "properties/lookBackPeriod eq 'Last30Days' AND properties/term eq 'P3Y'"
    (usage,) = cm.arm.calls("utilization")
    assert usage.query["grainParameter"] == "Daily"


async def test_query_costs_refuses_sku(costs: CostManagement) -> None:
    with pytest.raises(InvalidQuery, match="MeterCategory"):
        await costs.query_costs(CostQuery(start=START, end=END, group_by=("sku",)))

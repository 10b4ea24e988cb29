"""The demo company's data is deterministic and shaped like real spend."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

import pytest
from finops_core.models import CostQuery
from finops_core.sandbox import DEMO_LABEL, SandboxProvider
from finops_core.sandbox.company import AWS, SAVINGS_PLAN_MONTHLY, daily_amount, history_start
from finops_core.service_categories import SUBCATEGORIES

from tests.conftest import AS_OF

pytestmark = pytest.mark.anyio


def test_the_same_seed_and_day_give_the_same_line_items() -> None:
    first = SandboxProvider("gcp", as_of=AS_OF).line_items
    second = SandboxProvider("gcp", as_of=AS_OF).line_items
    assert first == second


def test_moving_as_of_forward_keeps_history_unchanged_apart_from_the_spikes() -> None:
    day = date(2026, 6, 10)  # far from both spikes, for either as_of
    for index in range(len(AWS.series)):
        today = daily_amount(AWS, index, day, seed=7, as_of=AS_OF)
        assert today == daily_amount(AWS, index, day, seed=7, as_of=AS_OF + timedelta(days=40))
    assert daily_amount(AWS, 0, day, seed=7, as_of=AS_OF) != daily_amount(AWS, 0, day, seed=8, as_of=AS_OF)


def test_history_covers_thirteen_months_up_to_the_day_before_as_of() -> None:
    items = SandboxProvider("azure", as_of=AS_OF).line_items
    days = {i.charge_period_start.date() for i in items}
    assert min(days) == history_start(AS_OF) == date(2025, 11, 1)
    assert max(days) == AS_OF - timedelta(days=1)
    assert len({(d.year, d.month) for d in days}) == 13


async def test_weekends_cost_less_than_weekdays_for_compute() -> None:
    provider = SandboxProvider("aws", as_of=AS_OF)
    answer = await provider.query_costs(
        CostQuery(
            start=date(2026, 9, 1),
            end=date(2026, 11, 1),
            granularity="daily",
            filters={"service": ("Amazon Relational Database Service", "AWS Lambda")},
            group_by=("service",),
        )
    )
    by_kind: dict[bool, list[Decimal]] = defaultdict(list)
    for row in answer.rows:
        if row.group["service"] == "AWS Lambda":
            assert row.period_start is not None
            by_kind[row.period_start.weekday() >= 5].append(row.cost)
    weekday = sum(by_kind[False]) / len(by_kind[False])
    weekend = sum(by_kind[True]) / len(by_kind[True])
    assert weekend < weekday * Decimal("0.8")


async def test_spend_grows_over_the_year() -> None:
    provider = SandboxProvider("gcp", as_of=AS_OF)
    first = await provider.query_costs(CostQuery(start=date(2025, 11, 1), end=date(2025, 12, 1)))
    last = await provider.query_costs(CostQuery(start=date(2026, 10, 1), end=date(2026, 11, 1)))
    assert last.totals[0].amount > first.totals[0].amount * Decimal("1.2")


@pytest.mark.parametrize(
    ("cloud", "service", "days_before", "length"),
    [("aws", "Amazon Elastic Compute Cloud", 45, 4), ("gcp", "BigQuery", 12, 2)],
)
async def test_the_injected_spikes_stand_out_from_the_week_before(
    cloud: str, service: str, days_before: int, length: int
) -> None:
    provider = SandboxProvider(cloud, as_of=AS_OF)  # type: ignore[arg-type]
    spike_start = AS_OF - timedelta(days=days_before)
    query = CostQuery(
        start=spike_start - timedelta(days=7),
        end=spike_start + timedelta(days=length),
        granularity="daily",
        filters={"service": (service,)},
        group_by=("sub_account",),
        top_n=50,
    )
    answer = await provider.query_costs(query)
    per_day: dict[date, Decimal] = defaultdict(Decimal)
    for row in answer.rows:
        assert row.period_start is not None
        per_day[row.period_start] += row.cost
    before = max(v for d, v in per_day.items() if d < spike_start)
    during = min(v for d, v in per_day.items() if d >= spike_start)
    assert during > before * Decimal("1.3")


async def test_some_costs_are_untagged_so_tag_coverage_has_gaps() -> None:
    provider = SandboxProvider("azure", as_of=AS_OF)
    answer = await provider.query_costs(
        CostQuery(start=date(2026, 10, 1), end=date(2026, 11, 1), tag_key="env", top_n=50)
    )
    values = {r.group["tag:env"] for r in answer.rows}
    assert None in values
    assert {"prod", "dev"} <= values


async def test_billed_and_amortized_costs_agree_over_a_whole_month_but_not_on_the_first_day() -> None:
    provider = SandboxProvider("aws", as_of=AS_OF)
    month = (date(2026, 10, 1), date(2026, 11, 1))
    billed = await provider.query_costs(CostQuery(start=month[0], end=month[1], metric="billed"))
    effective = await provider.query_costs(CostQuery(start=month[0], end=month[1], metric="effective"))
    assert abs(billed.totals[0].amount - effective.totals[0].amount) < Decimal("0.01")
    day_one = await provider.query_costs(CostQuery(start=month[0], end=month[0] + timedelta(days=1), metric="billed"))
    day_one_eff = await provider.query_costs(
        CostQuery(start=month[0], end=month[0] + timedelta(days=1), metric="effective")
    )
    assert day_one.totals[0].amount - day_one_eff.totals[0].amount > SAVINGS_PLAN_MONTHLY * Decimal("0.9")


async def test_every_answer_is_labelled_as_demo_data() -> None:
    provider = SandboxProvider("aws", as_of=AS_OF)
    costs = await provider.query_costs(CostQuery(start=date(2026, 10, 1), end=date(2026, 11, 1)))
    resources = await provider.list_resources()
    recs = await provider.list_recommendations()
    info = await provider.info()
    action = next(r.action for r in recs.recommendations if r.action)
    plan = await provider.plan_remediation(action)
    result = await provider.apply_remediation(action)
    assert costs.is_demo
    assert resources.is_demo
    assert recs.is_demo
    assert info.is_demo
    assert plan.is_demo
    assert result.is_demo
    assert costs.source == resources.source == recs.source == DEMO_LABEL


async def test_the_inventory_holds_the_waste_a_review_would_find() -> None:
    provider = SandboxProvider("gcp", as_of=AS_OF)
    kinds = {r.kind for r in (await provider.list_recommendations()).recommendations}
    assert {"idle", "rightsize", "unattached", "commitment"} <= kinds
    states = {(r.resource_type, r.state) for r in (await provider.list_resources()).resources}
    assert {("instance", "stopped"), ("volume", "unattached"), ("ip", "unattached")} <= states


@pytest.mark.parametrize("cloud", ["aws", "azure", "gcp"])
def test_every_demo_line_item_has_the_focus_columns_its_identifiers_require(cloud: str) -> None:
    items = SandboxProvider(cloud, as_of=AS_OF).line_items  # type: ignore[arg-type]
    assert all(i.service_subcategory in SUBCATEGORIES[i.service_category or ""] for i in items)
    assert all(i.sub_account_type for i in items if i.sub_account_id)

"""The provider contract, as test classes every implementation subclasses (as fsspec's abstract tests).

Subclass ``CloudProviderContract`` (or one of its parts) in a test module and provide two fixtures:
``provider`` (the implementation under test) and ``cost_period`` (a ``(start, end)`` pair with data).
The suites need the ``anyio`` pytest plugin (``anyio_backend`` fixture), which pytest-anyio provides.

    class TestMyProvider(CloudProviderContract):
        @pytest.fixture
        def provider(self): return MyProvider(...)

        @pytest.fixture
        def cost_period(self): return date(2026, 10, 1), date(2026, 11, 1)
"""

# pyright: reportUnusedFunction=false
from __future__ import annotations

import itertools
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

import pytest

from finops_core.errors import FinOpsError, NotFound
from finops_core.models import METRIC_MEANING, CostQuery, RemediationAction
from finops_core.provider import CloudProvider

pytestmark = pytest.mark.anyio


def _sum_by_currency(amounts: list[tuple[str, Decimal]]) -> dict[str, Decimal]:
    sums: dict[str, Decimal] = defaultdict(Decimal)
    for currency, amount in amounts:
        sums[currency] += amount
    return dict(sums)


class CostSourceContract:
    pytestmark = pytest.mark.anyio

    async def test_a_total_query_gives_one_total_per_currency_and_names_its_metric(
        self, provider: CloudProvider, cost_period: tuple[date, date]
    ) -> None:
        start, end = cost_period
        answer = await provider.query_costs(CostQuery(start=start, end=end, metric="billed"))
        currencies = [t.currency for t in answer.totals]
        assert currencies
        assert len(currencies) == len(set(currencies))
        assert answer.metric == "billed"
        assert answer.metric_meaning == METRIC_MEANING["billed"]
        assert (answer.start, answer.end) == (start, end)

    async def test_rows_and_other_add_up_to_the_totals_exactly(
        self, provider: CloudProvider, cost_period: tuple[date, date]
    ) -> None:
        start, end = cost_period
        answer = await provider.query_costs(CostQuery(start=start, end=end, group_by=("service",), top_n=2))
        parts = _sum_by_currency([(r.currency, r.cost) for r in [*answer.rows, *answer.other]])
        assert parts == {t.currency: t.amount for t in answer.totals}

    async def test_top_n_folds_the_rest_into_other_and_says_truncated(
        self, provider: CloudProvider, cost_period: tuple[date, date]
    ) -> None:
        start, end = cost_period
        answer = await provider.query_costs(CostQuery(start=start, end=end, group_by=("service",), top_n=1))
        assert len({tuple(r.group.values()) for r in answer.rows}) == 1
        assert answer.truncated is True
        assert answer.other
        assert all(set(r.group.values()) == {"(other)"} for r in answer.other)

    async def test_the_grand_total_does_not_depend_on_grouping(
        self, provider: CloudProvider, cost_period: tuple[date, date]
    ) -> None:
        start, end = cost_period
        plain = await provider.query_costs(CostQuery(start=start, end=end))
        grouped = await provider.query_costs(
            CostQuery(start=start, end=end, group_by=("sub_account", "region"), granularity="daily", top_n=500)
        )
        assert plain.totals == grouped.totals

    async def test_daily_granularity_gives_periods_inside_the_range(
        self, provider: CloudProvider, cost_period: tuple[date, date]
    ) -> None:
        start, end = cost_period
        answer = await provider.query_costs(CostQuery(start=start, end=end, granularity="daily"))
        days = {r.period_start for r in answer.rows}
        assert days
        assert all(d is not None and start <= d < end for d in days)

    async def test_weekly_periods_tile_the_range_from_monday_to_monday_and_add_up_to_the_total(
        self, provider: CloudProvider, cost_period: tuple[date, date]
    ) -> None:
        # Needs cost data in every week of ``cost_period``, as any month of a real account has.
        start, end = cost_period
        answer = await provider.query_costs(
            CostQuery(start=start, end=end, granularity="weekly", group_by=("service",), top_n=2)
        )
        parts = [*answer.rows, *answer.other]
        starts = sorted({r.period_start for r in parts if r.period_start is not None})
        assert len(starts) == len({r.period_start for r in parts})  # no row without a period
        cut = {p.start: p.end for p in answer.partial_periods}
        spans = [(s, cut.get(s, s + timedelta(days=7))) for s in starts]
        assert spans[0][0] == start
        assert spans[-1][1] == end
        assert all(a[1] == b[0] for a, b in itertools.pairwise(spans)), spans
        assert all(s.weekday() == 0 for s, _ in spans if s not in cut), "a whole week begins on a Monday"
        assert all(e - s < timedelta(days=7) for s, e in cut.items())
        assert set(cut) <= set(starts)
        plain = await provider.query_costs(CostQuery(start=start, end=end))
        assert _sum_by_currency([(r.currency, r.cost) for r in parts]) == {t.currency: t.amount for t in plain.totals}

    async def test_an_empty_period_says_why(self, provider: CloudProvider, cost_period: tuple[date, date]) -> None:
        far = cost_period[0] - timedelta(days=3650)
        answer = await provider.query_costs(CostQuery(start=far, end=far + timedelta(days=1)))
        assert answer.rows == []
        assert answer.totals == []
        assert answer.note
        assert str(far) in answer.note

    async def test_daily_costs_are_rows_inside_the_period_that_match_the_query_total(
        self, provider: CloudProvider, cost_period: tuple[date, date]
    ) -> None:
        start, end = cost_period
        items = await provider.daily_costs(start, end)
        assert items
        assert all(start <= i.charge_period_start.date() < end for i in items)
        answer = await provider.query_costs(CostQuery(start=start, end=end, metric="effective"))
        assert _sum_by_currency([(i.billing_currency, i.effective_cost) for i in items]) == {
            t.currency: t.amount for t in answer.totals
        }

    async def test_daily_costs_with_an_empty_range_is_an_error(
        self, provider: CloudProvider, cost_period: tuple[date, date]
    ) -> None:
        with pytest.raises(FinOpsError, match="after"):
            await provider.daily_costs(cost_period[0], cost_period[0])


class InventoryContract:
    pytestmark = pytest.mark.anyio

    async def test_resources_belong_to_the_provider_and_respect_the_limit(self, provider: CloudProvider) -> None:
        page = await provider.list_resources(limit=2)
        assert page.provider == provider.cloud
        assert len(page.resources) <= 2
        assert page.total >= len(page.resources)
        assert page.truncated == (page.total > 2)
        assert all(r.provider == provider.cloud for r in page.resources)

    async def test_a_type_filter_returns_only_that_type(self, provider: CloudProvider) -> None:
        page = await provider.list_resources(resource_type="instance")
        assert all(r.resource_type == "instance" for r in page.resources)

    async def test_no_match_says_why(self, provider: CloudProvider) -> None:
        page = await provider.list_resources(region="no-such-region-1")
        assert page.resources == []
        assert page.note


class RecommenderContract:
    pytestmark = pytest.mark.anyio

    async def test_recommendations_are_ranked_by_savings_and_the_total_matches(self, provider: CloudProvider) -> None:
        answer = await provider.list_recommendations(limit=500)
        savings = [r.monthly_savings.amount for r in answer.recommendations]
        assert savings == sorted(savings, reverse=True)
        assert {t.currency: t.amount for t in answer.total_monthly_savings} == _sum_by_currency(
            [(r.monthly_savings.currency, r.monthly_savings.amount) for r in answer.recommendations]
        )

    async def test_the_savings_threshold_filters(self, provider: CloudProvider) -> None:
        answer = await provider.list_recommendations(min_monthly_savings=100.0)
        assert all(r.monthly_savings.amount >= 100 for r in answer.recommendations)


class RemediatorContract:
    pytestmark = pytest.mark.anyio

    async def _actionable(self, provider: CloudProvider) -> RemediationAction:
        recs = await provider.list_recommendations(limit=500)
        actions = [r.action for r in recs.recommendations if r.action is not None]
        assert actions, "the contract needs at least one recommendation with an action"
        return actions[0]

    async def test_a_plan_changes_nothing_and_its_tags_are_those_the_cloud_reports_now(
        self, provider: CloudProvider
    ) -> None:
        action = await self._actionable(provider)
        before = await provider.list_resources(limit=500)
        plan = await provider.plan_remediation(action)
        assert plan.dry_run_ok
        assert plan.undo
        assert plan.before
        assert await provider.list_resources(limit=500) == before
        assert await provider.resource_tags(action.resource_id, action.parameters) == plan.resource_tags

    async def test_planning_an_unknown_resource_is_not_found(self, provider: CloudProvider) -> None:
        action = await self._actionable(provider)
        with pytest.raises(NotFound):
            await provider.plan_remediation(action.model_copy(update={"resource_id": "no-such-resource"}))

    async def test_reading_the_tags_of_an_unknown_resource_is_not_found(self, provider: CloudProvider) -> None:
        with pytest.raises(NotFound):
            await provider.resource_tags("no-such-resource", {})

    async def test_applying_changes_the_resource_and_says_how_to_undo(self, provider: CloudProvider) -> None:
        action = await self._actionable(provider)
        result = await provider.apply_remediation(action)
        assert result.applied
        assert result.undo
        assert result.before != result.after
        recs = await provider.list_recommendations(limit=500)
        assert action not in [r.action for r in recs.recommendations]


class CloudProviderContract(CostSourceContract, InventoryContract, RecommenderContract, RemediatorContract):
    pytestmark = pytest.mark.anyio

    async def test_info_names_the_cloud_and_its_currencies(self, provider: CloudProvider) -> None:
        info = await provider.info()
        assert info.provider == provider.cloud
        assert info.currencies
        assert info.accounts

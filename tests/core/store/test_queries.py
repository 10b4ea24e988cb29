"""Cost questions are answered from the coarsest table that can, with the same numbers."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from finops_core.models import CostQuery
from finops_core.store import Store
from finops_core.store.queries import choose_table

from tests.factories import key_of, line_item, lineage


@pytest.fixture
def filled(store: Store) -> Store:
    rows = [
        line_item(
            date(2026, m, d),
            service_name=svc,
            region_id=region,
            tags=tags,
            billed_cost=Decimal(d) + Decimal("0.000000001"),
            effective_cost=Decimal(d),
        )
        for m in (1, 2)
        for d in range(1, 29)
        for svc, region, tags in (("EC2", "us-east-1", {"team": "web"}), ("S3", "eu-west-1", {}))
    ]
    for month in (1, 2):
        part = [r for r in rows if r.charge_period_start.month == month]
        store.replace_partition(key_of(part[0]), part, lineage(), kind="export")
    return store


@pytest.mark.parametrize(
    ("query", "table"),
    [
        (CostQuery(start=date(2026, 1, 1), end=date(2026, 1, 15), group_by=("service", "sub_account")), "rollup_daily"),
        (
            CostQuery(start=date(2026, 1, 1), end=date(2026, 3, 1), group_by=("region",), granularity="monthly"),
            "rollup_monthly",
        ),
        (CostQuery(start=date(2026, 1, 1), end=date(2026, 1, 15), group_by=("region",)), "line_items"),
        (
            CostQuery(start=date(2026, 1, 1), end=date(2026, 3, 1), group_by=("region",), granularity="weekly"),
            "line_items",
        ),
        (CostQuery(start=date(2026, 1, 1), end=date(2026, 2, 1), tag_key="team"), "line_items"),
        (CostQuery(start=date(2026, 1, 1), end=date(2026, 2, 1), group_by=("resource",)), "line_items"),
    ],
)
def test_each_question_reads_the_coarsest_table_that_can_answer_it(query: CostQuery, table: str) -> None:
    assert choose_table(query) == table


def test_rollups_and_line_items_give_the_same_answer(filled: Store) -> None:
    monthly = filled.query_costs(
        CostQuery(
            start=date(2026, 1, 1), end=date(2026, 3, 1), group_by=("region",), granularity="monthly", metric="billed"
        )
    )
    daily = filled.query_costs(
        CostQuery(
            start=date(2026, 1, 1),
            end=date(2026, 3, 1),
            group_by=("region",),
            granularity="daily",
            metric="billed",
            top_n=500,
        )
    )
    assert monthly.totals == daily.totals
    assert monthly.totals[0].amount == Decimal(2 * 2 * sum(range(1, 29))) + Decimal("0.000000112")


def test_grouping_by_a_tag_reports_untagged_costs_as_null(filled: Store) -> None:
    answer = filled.query_costs(CostQuery(start=date(2026, 1, 1), end=date(2026, 2, 1), tag_key="team"))
    by_value = {r.group["tag:team"]: r.cost for r in answer.rows}
    assert by_value == {"web": Decimal(sum(range(1, 29))), None: Decimal(sum(range(1, 29)))}


def test_a_tag_key_nobody_uses_puts_everything_under_null(filled: Store) -> None:
    answer = filled.query_costs(CostQuery(start=date(2026, 1, 1), end=date(2026, 2, 1), tag_key="nope"))
    assert [r.group["tag:nope"] for r in answer.rows] == [None]


def test_filters_keep_only_the_asked_values(filled: Store) -> None:
    answer = filled.query_costs(
        CostQuery(start=date(2026, 1, 1), end=date(2026, 2, 1), group_by=("service",), filters={"service": ("S3",)})
    )
    assert [r.group["service"] for r in answer.rows] == ["S3"]


def test_a_filter_on_an_unknown_value_returns_nothing_and_says_what_the_store_holds(filled: Store) -> None:
    answer = filled.query_costs(CostQuery(start=date(2026, 1, 1), end=date(2026, 2, 1), filters={"service": ("Nope",)}))
    assert answer.rows == []
    assert answer.note is not None
    assert "2026-01-01 to 2026-02-28" in answer.note
    assert "Nope" in answer.note


def test_an_empty_store_says_to_load_data_first(store: Store) -> None:
    answer = store.query_costs(CostQuery(start=date(2026, 1, 1), end=date(2026, 2, 1)))
    assert answer.note is not None
    assert "finops sync" in answer.note


def test_monthly_trends_label_a_cut_month_by_its_real_first_day_and_list_it_as_partial(filled: Store) -> None:
    answer = filled.query_costs(CostQuery(start=date(2026, 1, 10), end=date(2026, 2, 10), granularity="monthly"))
    assert [r.period_start for r in answer.rows] == [date(2026, 1, 10), date(2026, 2, 1)]
    assert answer.rows[0].cost == Decimal(2 * sum(range(10, 29)))
    assert [(p.start, p.end) for p in answer.partial_periods] == [
        (date(2026, 1, 10), date(2026, 2, 1)),
        (date(2026, 2, 1), date(2026, 2, 10)),
    ]


def test_whole_months_are_not_listed_as_partial(filled: Store) -> None:
    answer = filled.query_costs(CostQuery(start=date(2026, 1, 1), end=date(2026, 3, 1), granularity="monthly"))
    assert [r.period_start for r in answer.rows] == [date(2026, 1, 1), date(2026, 2, 1)]
    assert answer.partial_periods == []


@pytest.mark.parametrize("dimension", ["service", "region"])  # rollup_daily and line_items
def test_weekly_trends_sum_each_iso_week_from_monday_clipped_to_the_range(filled: Store, dimension: str) -> None:
    start, end = date(2026, 1, 7), date(2026, 2, 4)  # a Wednesday to a Wednesday
    answer = filled.query_costs(
        CostQuery(start=start, end=end, granularity="weekly", group_by=(dimension,), metric="effective")  # type: ignore[arg-type]
    )
    expected: dict[date, Decimal] = {}
    day = start
    while day < end:
        if day.day <= 28:  # the fixture has days 1-28 of each month, two rows a day costing the day number each
            monday = max(day - timedelta(days=day.weekday()), start)
            expected[monday] = expected.get(monday, Decimal(0)) + 2 * day.day
        day += timedelta(days=1)
    got: dict[date, Decimal] = {}
    for row in answer.rows:
        assert row.period_start is not None
        got[row.period_start] = got.get(row.period_start, Decimal(0)) + row.cost
    assert got == expected
    assert min(got) == start
    assert [(p.start, p.end) for p in answer.partial_periods] == [
        (date(2026, 1, 7), date(2026, 1, 12)),
        (date(2026, 2, 2), date(2026, 2, 4)),
    ]

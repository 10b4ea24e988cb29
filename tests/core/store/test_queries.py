"""Cost questions are answered from the coarsest table that can, with the same numbers."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal
from typing import get_args

import pytest
from finops_core.models import DIMENSION_COLUMN, CostQuery, Dimension
from finops_core.store import Store, split_by_partition
from finops_core.store.queries import choose_table, cost_cells, line_item_cells
from finops_core.store.schema import MONTHLY_DIMENSIONS
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.core.store.varied import varied_columns
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
            CostQuery(start=date(2026, 1, 10), end=date(2026, 3, 5), group_by=("service", "sub_account")),
            "rollup_month_service_sub_account+rollup_daily",
        ),
        (
            CostQuery(start=date(2026, 1, 1), end=date(2026, 3, 1), group_by=("region",), granularity="monthly"),
            "rollup_day_region",
        ),
        (CostQuery(start=date(2026, 1, 1), end=date(2026, 1, 15), group_by=("region",)), "rollup_day_region"),
        (CostQuery(start=date(2026, 1, 1), end=date(2026, 1, 15), group_by=("provider",)), "rollup_day_base"),
        (
            CostQuery(
                start=date(2026, 1, 1),
                end=date(2026, 3, 1),
                group_by=("region", "service"),
                filters={"sub_account": ("1",)},
            ),
            "rollup_monthly",
        ),
        (
            CostQuery(
                start=date(2026, 1, 1),
                end=date(2026, 1, 15),
                group_by=("region", "service"),
                filters={"sub_account": ("1",)},
            ),
            "line_items",
        ),
        (
            CostQuery(start=date(2026, 1, 1), end=date(2026, 2, 1), tag_key="team"),
            "rollup_month_tag_service+rollup_day_service",
        ),
        (
            CostQuery(start=date(2026, 1, 1), end=date(2026, 2, 1), tag_key="team", group_by=("sub_account",)),
            "rollup_month_tag_sub_account+rollup_day_sub_account",
        ),
        (CostQuery(start=date(2026, 1, 1), end=date(2026, 2, 1), tag_key="team", group_by=("region",)), "line_items"),
        (
            CostQuery(start=date(2026, 1, 1), end=date(2026, 3, 1), group_by=("region",), granularity="weekly"),
            "rollup_day_region",
        ),
        (CostQuery(start=date(2026, 1, 1), end=date(2026, 2, 1), group_by=("resource",)), "line_items"),
        (
            CostQuery(start=date(2026, 1, 3), end=date(2026, 1, 17), group_by=("region", "service")),
            "rollup_day_service_region",
        ),
        (
            CostQuery(start=date(2026, 1, 3), end=date(2026, 1, 17), group_by=("sub_account", "region")),
            "rollup_day_sub_account_region",
        ),
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


@pytest.mark.parametrize("dimension", ["service", "region"])  # two different daily rollups
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


# The dimensions a rollup holds (all but resource and sku): the questions a rollup can answer.
_DIMENSIONS: tuple[Dimension, ...] = tuple(d for d in get_args(Dimension) if DIMENSION_COLUMN[d] in MONTHLY_DIMENSIONS)


@pytest.fixture(scope="module")
def varied(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """Three months of two providers with every rollup dimension varying, nulls, two currencies and tags."""
    tags = ({"team": "web", "env": "prod"}, {"team": "data"}, {}, {"env": "dev"}, {"team": ""})
    rows = [
        line_item(
            date(2026, m, 1 + n % 28),
            **varied_columns(n),
            provider_name=("AWS", "Microsoft")[n % 17 == 0],
            billing_account_id=("111", "999")[n % 19 == 0],
            effective_cost=Decimal(n % 23 - 5) / 3,
            tags=tags[n % 9 % 5],
        )
        for m in (1, 2, 3)
        for n in range(28 * 8)
    ]
    with Store(tmp_path_factory.mktemp("varied") / "store.sqlite") as store:
        for key, part in split_by_partition(rows).items():
            store.replace_partition(key, part, lineage(), kind="export")
        yield store


_DAYS = st.dates(min_value=date(2025, 12, 20), max_value=date(2026, 4, 10))
_VALUES = st.sampled_from(["AWS", "Microsoft", "111", "999", "A", "B", "222", "333", "eu-west-1", "Compute", "Credit"])


@st.composite
def _queries(draw: st.DrawFn) -> CostQuery:
    start, end = sorted(draw(st.lists(_DAYS, min_size=2, max_size=2, unique=True)))
    group_by = draw(st.lists(st.sampled_from(_DIMENSIONS), max_size=2, unique=True))
    filtered = draw(st.lists(st.sampled_from(_DIMENSIONS), max_size=2, unique=True))
    filters = {d: tuple(draw(st.lists(_VALUES, min_size=1, max_size=3, unique=True))) for d in filtered}
    return CostQuery(
        start=start,
        end=end,
        metric=draw(st.sampled_from(["billed", "effective", "list", "contracted"])),
        granularity=draw(st.sampled_from(["daily", "weekly", "monthly", "total"])),
        group_by=tuple(group_by),
        tag_key=draw(st.sampled_from([None, None, "team", "env", "nope"])),
        filters=filters,
    )


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture], database=None)
@given(query=_queries())
def test_every_question_a_rollup_answers_equals_the_same_question_over_line_items_to_the_nano(
    varied: Store, query: CostQuery
) -> None:
    with varied.reader() as conn:
        from_rollups = cost_cells(conn, query)
        reference = line_item_cells(conn, query)
    assert sorted(from_rollups, key=repr) == sorted(reference, key=repr)

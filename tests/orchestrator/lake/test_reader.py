"""The same questions asked of the SQLite store, a DuckDB lake and Spark (local mode) over the same line items give
identical answers: every amount to the nano, every group, every currency, every period."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from finops_core.breakdown import Cell
from finops_core.models import CostQuery
from finops_core.reading import CostReader
from finops_core.settings import LakeSettings
from finops_core.store import Store
from finops_orchestrator.analysis.anomalies import find_anomalies
from finops_orchestrator.analysis.changes import explain_change
from finops_orchestrator.analysis.commitments import commitments
from finops_orchestrator.analysis.tags import tag_coverage
from finops_orchestrator.lake.engines import SparkEngine
from finops_orchestrator.lake.reader import LakeReader

QUESTIONS = {
    "last month by service": CostQuery(start=date(2026, 10, 1), end=date(2026, 11, 1), group_by=("service",)),
    "months cut at both ends by provider and service, billed": CostQuery(
        start=date(2025, 12, 15),
        end=date(2026, 3, 10),
        granularity="monthly",
        group_by=("provider", "service"),
        metric="billed",
    ),
    "weeks by provider and team tag": CostQuery(
        start=date(2026, 9, 3), end=date(2026, 11, 10), granularity="weekly", group_by=("provider",), tag_key="team"
    ),
    "days by region of two providers, list": CostQuery(
        start=date(2026, 10, 20),
        end=date(2026, 11, 3),
        granularity="daily",
        group_by=("region",),
        metric="list",
        filters={"provider": ("Microsoft", "AWS")},
    ),
    "the sample's top resources folded into other": CostQuery(
        start=date(2024, 9, 1), end=date(2024, 10, 1), group_by=("resource",), top_n=5
    ),
    "skus by charge category, contracted": CostQuery(
        start=date(2024, 8, 1),
        end=date(2024, 11, 1),
        granularity="monthly",
        group_by=("sku", "charge_category"),
        metric="contracted",
    ),
    "accounts by a tag key with an underscore": CostQuery(
        start=date(2024, 9, 1),
        end=date(2024, 10, 1),
        group_by=("sub_account", "billing_account"),
        tag_key="business_unit",
    ),
    "everything by service category": CostQuery(
        start=date(2024, 1, 1), end=date(2026, 12, 1), group_by=("service_category",), granularity="monthly"
    ),
    "a filter value with a quote matches nothing": CostQuery(
        start=date(2024, 1, 1), end=date(2026, 12, 1), filters={"service": ("O'Neil'); DROP TABLE x; --",)}
    ),
}
# Spark takes a second or more per query even on small data: a handful of the questions.
SPARK_QUESTIONS = (
    "months cut at both ends by provider and service, billed",
    "weeks by provider and team tag",
    "the sample's top resources folded into other",
    "accounts by a tag key with an underscore",
)


def _cells(cells: list[Cell]) -> list[tuple[Any, ...]]:
    """Cells in a fixed order, amounts as exact strings (Decimal('1.5') and Decimal('1.50') would compare equal)."""
    return sorted(
        (c.period_start or date.min, c.currency, tuple(v or "" for v in c.group), str(c.amount)) for c in cells
    )


def _answer(reader: CostReader, query: CostQuery) -> dict[str, Any]:
    return reader.query_costs(query, source="-", is_demo=False).model_dump(exclude={"source", "note"})


@pytest.fixture(scope="module")
def duck(lake_path: Path) -> LakeReader:
    return LakeReader(LakeSettings(engine="duckdb", path=str(lake_path)))


@pytest.mark.parametrize("name", list(QUESTIONS))
def test_duckdb_answers_every_question_exactly_as_the_store_does(
    name: str, lake_store: Store, duck: LakeReader
) -> None:
    query = QUESTIONS[name]
    expected = lake_store.cost_cells(query)
    assert _cells(duck.cost_cells(query)) == _cells(expected)
    assert _answer(duck, query) == _answer(lake_store, query)
    if name != "a filter value with a quote matches nothing":
        assert expected, "each question but the last must hit data, or it proves nothing"


def test_the_questions_cover_both_currencies_and_every_cloud(lake_store: Store) -> None:
    cells = [c for q in QUESTIONS.values() for c in lake_store.cost_cells(q)]
    assert {c.currency for c in cells} == {"EUR", "USD"}
    provider = [lake_store.cost_cells(QUESTIONS["months cut at both ends by provider and service, billed"])]
    assert {c.group[0] for c in provider[0]} == {"AWS", "Microsoft", "Google Cloud"}


def test_an_empty_lake_answer_says_which_days_the_lake_holds(duck: LakeReader) -> None:
    answer = duck.query_costs(QUESTIONS["a filter value with a quote matches nothing"], source="-", is_demo=False)
    assert answer.rows == []
    assert answer.totals == []
    assert "holds costs from 2024-09-01 to 2026-11-25" in str(answer.note)


def test_daily_series_and_commitment_sums_match_the_store_to_the_nano(lake_store: Store, duck: LakeReader) -> None:
    for by in (("provider_name", "service_name", "sub_account_id"), (), ("region_id",)):
        mine = duck.daily_series(date(2026, 8, 1), date(2026, 11, 20), by=by, metric="effective")
        theirs = lake_store.daily_series(date(2026, 8, 1), date(2026, 11, 20), by=by, metric="effective")
        assert mine.keys() == theirs.keys()
        assert all((mine[k] == theirs[k]).all() for k in theirs)
    only_aws = duck.daily_series(
        date(2026, 8, 1), date(2026, 9, 1), by=("service_name",), metric="billed", providers=("AWS",)
    )
    assert (
        only_aws.keys()
        == lake_store.daily_series(
            date(2026, 8, 1), date(2026, 9, 1), by=("service_name",), metric="billed", providers=("AWS",)
        ).keys()
    )
    for period in ((date(2024, 9, 1), date(2024, 10, 1)), (date(2026, 1, 1), date(2026, 11, 26))):
        assert sorted(map(repr, duck.commitment_sums(*period))) == sorted(
            map(repr, lake_store.commitment_sums(*period))
        )


def test_the_analyses_answer_the_same_from_the_lake(lake_store: Store, duck: LakeReader) -> None:
    def same(run: Any) -> None:
        assert run(duck).model_dump(exclude={"source"}) == run(lake_store).model_dump(exclude={"source"})

    current, baseline = (date(2026, 10, 1), date(2026, 11, 1)), (date(2026, 9, 1), date(2026, 10, 1))
    same(lambda r: explain_change(r, current=current, baseline=baseline, dimension="service", drill_down="provider"))
    same(lambda r: tag_coverage(r, tag_key="team", start=date(2026, 9, 1), end=date(2026, 11, 1)))
    same(lambda r: commitments(r, start=date(2026, 9, 1), end=date(2026, 11, 1), source="-", is_demo=False))
    same(lambda r: find_anomalies(r, start=date(2026, 10, 1), end=date(2026, 11, 26)))


@pytest.mark.slow
def test_spark_answers_a_handful_of_questions_exactly_as_the_store_does(
    lake_store: Store, lake_path: Path, spark: Any
) -> None:
    settings = LakeSettings(engine="spark", path=str(lake_path))
    reader = LakeReader(settings, SparkEngine(settings, session=spark))
    for name in SPARK_QUESTIONS:
        assert _cells(reader.cost_cells(QUESTIONS[name])) == _cells(lake_store.cost_cells(QUESTIONS[name])), name
    for name in ("the sample's top resources folded into other", "weeks by provider and team tag"):  # folded by Spark
        assert _answer(reader, QUESTIONS[name]) == _answer(lake_store, QUESTIONS[name]), name
    by = ("provider_name", "service_name", "sub_account_id")
    mine = reader.daily_series(date(2026, 9, 1), date(2026, 11, 1), by=by, metric="effective")
    theirs = lake_store.daily_series(date(2026, 9, 1), date(2026, 11, 1), by=by, metric="effective")
    assert mine.keys() == theirs.keys()
    assert all((mine[k] == theirs[k]).all() for k in theirs)
    period = (date(2024, 9, 1), date(2026, 11, 26))
    assert sorted(map(repr, reader.commitment_sums(*period))) == sorted(map(repr, lake_store.commitment_sums(*period)))

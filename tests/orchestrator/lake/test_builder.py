"""One builder writes every question in every engine's dialect: the SQL parses in Athena, BigQuery, Trino and
Snowflake (no accounts here to run it), sums exact decimals, groups by currency, and never splices a value."""

from __future__ import annotations

from datetime import date

import pytest
import sqlglot
from finops_core.errors import InvalidInput
from finops_core.models import CostQuery
from finops_orchestrator.lake.builder import (
    Dialect,
    Target,
    commitments_sql,
    cost_cells_sql,
    daily_series_sql,
    extent_sql,
    rollups_sql,
)
from sqlglot import exp

from tests.orchestrator.lake.test_reader import QUESTIONS

DIALECTS: tuple[Dialect, ...] = ("duckdb", "spark", "athena", "bigquery", "trino", "snowflake")
TABLES = {
    "duckdb": "focus_lake",
    "spark": "billing.focus",
    "athena": "cur.focus_export",
    "bigquery": "my-project.billing.focus_v1",
    "trino": "hive.billing.focus",
    "snowflake": "FINOPS.BILLING.FOCUS",
}


def _every_sql(dialect: Dialect, tags: str = "json") -> list[str]:
    target = Target(TABLES[dialect], dialect, tags)  # type: ignore[arg-type]
    window = (date(2026, 9, 1), date(2026, 10, 1))
    return [
        *(cost_cells_sql(q, target) for q in QUESTIONS.values()),
        daily_series_sql(*window, ("provider_name", "service_name"), "billed", ("AWS",), target),
        commitments_sql(*window, target),
        extent_sql(target),
        rollups_sql(*window, target),
    ]


@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize("tags", ["json", "map"])
def test_every_question_parses_in_its_dialect_and_reads_the_named_table(dialect: Dialect, tags: str) -> None:
    for sql in _every_sql(dialect, tags):
        tree = sqlglot.parse_one(sql, read=dialect, error_level=sqlglot.ErrorLevel.RAISE)
        tables = {t.sql(dialect=dialect) for t in tree.find_all(exp.Table)}
        assert tables == {exp.to_table(TABLES[dialect], dialect=dialect).sql(dialect=dialect)}


@pytest.mark.parametrize("dialect", DIALECTS)
def test_every_amount_is_summed_as_an_exact_decimal_and_grouped_by_currency(dialect: Dialect) -> None:
    target = Target(TABLES[dialect], dialect)
    for query in QUESTIONS.values():
        tree = sqlglot.parse_one(cost_cells_sql(query, target), read=dialect)
        sums = list(tree.find_all(exp.Sum))
        assert len(sums) == 1
        cast = sums[0].this
        assert isinstance(cast, exp.Cast)
        # DECIMAL(38, 9) everywhere; BigQuery's NUMERIC is exactly that (38 digits, 9 after the point).
        assert cast.to.sql(dialect=dialect) == ("NUMERIC" if dialect == "bigquery" else "DECIMAL(38, 9)")
        assert "BillingCurrency".lower() in [c.name.lower() for c in tree.find_all(exp.Column)]
        assert not any(isinstance(node, exp.DataType) and node.is_type("double", "float") for node in tree.walk())


def test_bigquery_weeks_start_on_monday_like_every_other_engines() -> None:
    weekly = QUESTIONS["weeks by provider and team tag"]
    assert "ISOWEEK" in cost_cells_sql(weekly, Target(TABLES["bigquery"], "bigquery"))
    for dialect in ("duckdb", "athena", "trino", "snowflake"):
        assert "'WEEK'" in cost_cells_sql(weekly, Target(TABLES[dialect], dialect))  # ISO weeks there


def test_periods_are_utc_with_exclusive_ends() -> None:
    sql = cost_cells_sql(QUESTIONS["last month by service"], Target("t", "athena"))
    assert "ChargePeriodStart >= CAST('2026-10-01 00:00:00+00:00' AS TIMESTAMP WITH TIME ZONE)" in sql
    assert "ChargePeriodStart < CAST('2026-11-01 00:00:00+00:00' AS TIMESTAMP WITH TIME ZONE)" in sql


@pytest.mark.parametrize("dialect", DIALECTS)
def test_a_hostile_filter_value_stays_one_string_literal(dialect: Dialect) -> None:
    hostile = "x'); DROP TABLE focus; --\\'"
    query = CostQuery(start=date(2026, 1, 1), end=date(2026, 2, 1), filters={"service": (hostile,)})
    tree = sqlglot.parse_one(cost_cells_sql(query, Target(TABLES[dialect], dialect)), read=dialect)
    assert isinstance(tree, exp.Select)
    (condition,) = tree.find_all(exp.In)
    assert [value.this for value in condition.expressions] == [hostile]


def test_a_tag_key_that_could_break_a_json_path_is_refused_naming_it() -> None:
    query = CostQuery(start=date(2026, 1, 1), end=date(2026, 2, 1), tag_key="team']")
    with pytest.raises(InvalidInput, match=r"tag_key \"team'\]\" cannot be asked of the lake"):
        cost_cells_sql(query, Target("t", "duckdb"))

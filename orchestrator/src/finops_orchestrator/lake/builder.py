"""One query builder for every lake engine: the cross-cloud questions as SQL over a FOCUS table, in any dialect.

Built on sqlglot, not ibis. sqlglot is one pure-Python package without dependencies that builds a query once as an
expression tree and writes it in each engine's dialect (DuckDB, Spark, Athena/Trino, BigQuery, Snowflake), and
parses SQL back in a dialect, which is how the Athena and BigQuery SQL is checked here without accounts. We
execute the SQL ourselves with each engine's own client. ibis would bring a second dependency stack (its backends
pull pandas/pyarrow versions and per-engine extras) and its own execution layer between us and the engines, while
we need only four query shapes and exact control over casts and grouping.

Every query reads the spec's column names (BilledCost, EffectiveCost, ChargePeriodStart, ProviderName, ...). Money
is exact: each amount is cast to DECIMAL(38, 9) (the store's nano precision; BigQuery's NUMERIC) before it is
summed, never a float. Rows are always grouped by BillingCurrency, so currencies never mix. Charge periods are
compared as UTC timestamps with exclusive ends (``>= start AND < end``); days, ISO weeks (Monday) and months are
the UTC date's. Values are literals escaped by sqlglot per dialect, never spliced text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal

from finops_core.errors import InvalidInput
from finops_core.focus import FOCUS_COLUMNS
from finops_core.models import DIMENSION_COLUMN, METRIC_COLUMN, CostMetric, CostQuery, Dimension
from finops_core.reading import SERIES_COLUMNS
from sqlglot import exp

Dialect = Literal["duckdb", "spark", "athena", "bigquery", "trino", "snowflake"]
TagsFormat = Literal["json", "map"]

# The spec's names of the store's columns: what a dimension groups by, a metric sums, a daily series is split by.
_FOCUS_NAME = {c.name: c.focus_name for c in FOCUS_COLUMNS}
FOCUS_DIMENSION: dict[Dimension, str] = {d: _FOCUS_NAME[column] for d, column in DIMENSION_COLUMN.items()}
FOCUS_METRIC: dict[CostMetric, str] = {m: _FOCUS_NAME[column] for m, column in METRIC_COLUMN.items()}
FOCUS_SERIES: dict[str, str] = {column: _FOCUS_NAME[column] for column in SERIES_COLUMNS}
# The dimensions synced rollups keep (day x these x currency x commitment columns x tags).
ROLLUP_COLUMNS = (
    "BillingPeriodStart",
    "BillingPeriodEnd",
    "ProviderName",
    "BillingAccountId",
    "SubAccountId",
    "ServiceName",
    "ServiceCategory",
    "RegionId",
    "ChargeCategory",
    "BillingCurrency",
    "CommitmentDiscountId",
    "CommitmentDiscountType",
    "CommitmentDiscountCategory",
    "CommitmentDiscountStatus",
)
ROLLUP_SUMS = tuple(FOCUS_METRIC.values())
# Tag keys as the clouds allow them; no quote, bracket or backslash can reach a JSON path.
_TAG_KEY = re.compile(r"[\w .:/=+\-@]{1,128}")
_AMOUNT = exp.DataType.build("DECIMAL(38, 9)")


@dataclass(frozen=True)
class Target:
    """What the SQL reads: a table (name or engine view) in a dialect, with its Tags column's format."""

    table: str
    dialect: Dialect
    tags: TagsFormat = "json"

    def source(self) -> exp.Table:
        return exp.to_table(self.table, dialect=self.dialect)


def _col(name: str) -> exp.Column:
    # Unquoted: engines resolve plain names case-insensitively (Snowflake's upper-case, Glue's lower-case columns).
    return exp.column(name)


def _amount(column: str) -> exp.Expr:
    return exp.Sum(this=exp.cast(_col(column), _AMOUNT.copy()))


def _nanos(column: str) -> exp.Expr:
    """The exact sum as a whole number of nanos (a 64-bit integer, as the store keeps them): a series of a million
    cells then crosses the wire as integers, not decimals each converted in Python. The sum has 9 decimals, so
    times 10^9 it is whole and the cast loses nothing; a sum past 64 bits is an engine error, never a wrong one."""
    scaled = exp.Mul(this=_amount(column), expression=exp.Literal.number(1_000_000_000))
    return exp.cast(scaled, exp.DataType.build("BIGINT"))


def _instant(day: date) -> exp.Expr:
    """Midnight UTC of ``day`` as a timestamp with time zone (comparable with naive-UTC and zoned columns alike)."""
    return exp.cast(exp.Literal.string(f"{day.isoformat()} 00:00:00+00:00"), exp.DataType.build("TIMESTAMPTZ"))


def _day(target: Target) -> exp.Expr:
    return exp.cast(_col("ChargePeriodStart"), exp.DataType.build("DATE"))


def _period(granularity: str, target: Target) -> exp.Expr:
    day = _day(target)
    if granularity == "daily":
        return day
    if granularity == "total":
        return exp.cast(exp.Null(), exp.DataType.build("DATE"))
    unit = "WEEK" if granularity == "weekly" else "MONTH"
    if unit == "WEEK" and target.dialect == "bigquery":
        unit = "ISOWEEK"  # BigQuery's WEEK starts on Sunday; ISOWEEK on Monday, like every other engine's WEEK
    return exp.cast(exp.DateTrunc(this=day, unit=exp.var(unit)), exp.DataType.build("DATE"))


def tag_value(key: str, target: Target) -> exp.Expr:
    """The value of tag ``key`` on a row, null when the row does not carry it."""
    if not _TAG_KEY.fullmatch(key):
        raise InvalidInput(
            f"tag_key {key!r} cannot be asked of the lake: use 1-128 letters, digits, spaces or _ . : / = + - @."
        )
    if target.tags == "map":
        return exp.Bracket(this=_col("Tags"), expressions=[exp.Literal.string(key)])
    path = exp.JSONPath(expressions=[exp.JSONPathRoot(), exp.JSONPathKey(this=key)])
    return exp.JSONExtractScalar(this=_col("Tags"), expression=path)


def _within(select: exp.Select, start: date, end: date) -> exp.Select:
    return select.where(_col("ChargePeriodStart") >= _instant(start)).where(_col("ChargePeriodStart") < _instant(end))


def _grouped(select: exp.Select, count: int) -> exp.Select:
    return select.group_by(*(exp.Literal.number(i + 1) for i in range(count)))


def cost_cells_sql(query: CostQuery, target: Target) -> str:
    """``(period, currency, group values..., [tag value], amount)`` rows answering ``query``, unfolded."""
    columns: list[exp.Expr] = [
        _period(query.granularity, target).as_("period"),
        _col("BillingCurrency").as_("currency"),
    ]
    columns += [_col(FOCUS_DIMENSION[d]).as_(f"g{i}") for i, d in enumerate(query.group_by)]
    if query.tag_key is not None:
        columns.append(tag_value(query.tag_key, target).as_("tag_value"))
    select = _within(exp.select(*columns, _amount(FOCUS_METRIC[query.metric]).as_("amount")), query.start, query.end)
    select = select.from_(target.source())
    for dimension, values in query.filters.items():
        # An empty filter matches nothing, as in the store.
        condition = (
            _col(FOCUS_DIMENSION[dimension]).isin(*(exp.Literal.string(v) for v in values)) if values else exp.false()
        )
        select = select.where(condition)
    return _grouped(select, len(columns)).sql(dialect=target.dialect)


def daily_series_sql(
    start: date, end: date, by: Sequence[str], metric: CostMetric, providers: Sequence[str], target: Target
) -> str:
    """``(day, by values..., currency, nanos)`` rows over ``[start, end)``."""
    unknown = [c for c in by if c not in FOCUS_SERIES]
    if unknown:
        raise InvalidInput(f"A daily series cannot be split by {unknown}; use {sorted(FOCUS_SERIES)}.")
    columns: list[exp.Expr] = [_day(target).as_("day")]
    columns += [_col(FOCUS_SERIES[c]).as_(f"g{i}") for i, c in enumerate(by)]
    columns.append(_col("BillingCurrency").as_("currency"))
    select = _within(exp.select(*columns, _nanos(FOCUS_METRIC[metric]).as_("nanos")), start, end)
    select = select.from_(target.source())
    if providers:
        select = select.where(_col("ProviderName").isin(*(exp.Literal.string(p) for p in providers)))
    return _grouped(select, len(columns)).sql(dialect=target.dialect)


COMMITMENT_COLUMNS = (
    "ProviderName",
    "BillingCurrency",
    "CommitmentDiscountId",
    "CommitmentDiscountType",
    "CommitmentDiscountCategory",
    "ChargeCategory",
    "CommitmentDiscountStatus",
)


def commitments_sql(start: date, end: date, target: Target) -> str:
    """The commitment analysis' sums (``COMMITMENT_COLUMNS``, then billed, effective, list) over ``[start, end)``."""
    columns = [_col(c) for c in COMMITMENT_COLUMNS]
    sums = [_amount(c) for c in ("BilledCost", "EffectiveCost", "ListCost")]
    select = _within(exp.select(*columns, *sums), start, end).from_(target.source())
    return _grouped(select, len(columns)).sql(dialect=target.dialect)


def extent_sql(target: Target) -> str:
    """The first and last charge day and the row count: what the lake covers (and a cheap version of its data)."""
    select = exp.select(
        exp.Min(this=_day(target)).as_("first_day"),
        exp.Max(this=_day(target)).as_("last_day"),
        exp.Count(this=exp.Star()).as_("line_items"),
    ).from_(target.source())
    return select.sql(dialect=target.dialect)


def _tags_text(target: Target) -> exp.Expr:
    """The whole Tags column as JSON text (a map is written as JSON)."""
    if target.tags == "json":
        return _col("Tags")
    return exp.JSONFormat(this=_col("Tags"))


def rollups_sql(start: date, end: date, target: Target) -> str:
    """Daily rollups for the local store of the billing periods starting in ``[start, end)`` (whole periods, as the
    store replaces them; corrections charged in other months included): (day, ``ROLLUP_COLUMNS``..., tags JSON,
    the four cost sums). Resource and SKU are left out: they are what makes line items many."""
    columns: list[exp.Expr] = [_day(target).as_("day")]
    columns += [_col(c) for c in ROLLUP_COLUMNS]
    columns.append(_tags_text(target).as_("tags"))
    select = exp.select(*columns, *(_amount(c) for c in ROLLUP_SUMS)).from_(target.source())
    select = select.where(_col("BillingPeriodStart") >= _instant(start)).where(
        _col("BillingPeriodStart") < _instant(end)
    )
    return _grouped(select, len(columns)).sql(dialect=target.dialect)


def folded_cells_sql(query: CostQuery, target: Target) -> str:
    """``query`` answered with its top-N folding done by the engine, so a breakdown by resource returns its top
    groups, not a million rows: ``(period, currency, group values..., amount, rank, groups)`` rows of the top
    ``query.top_n`` groups, then per period and currency one row summing the rest (null groups, rank and count).

    Groups are ranked as ``finops_core.breakdown.assemble`` ranks them: by the sum of their cells' absolute
    amounts over every period and currency, largest first, then by their values (null as empty text)."""
    width = len(query.group_by) + (query.tag_key is not None)
    groups = [exp.column(f"g{i}") for i in range(width)]
    if query.tag_key is not None:
        groups[-1] = exp.column("tag_value")
    cells = sqlglot_parse_select(cost_cells_sql(query, target), target.dialect)
    weight = exp.Window(this=exp.Sum(this=exp.Abs(this=exp.column("amount"))), partition_by=[g.copy() for g in groups])
    weighed = exp.select(exp.Star(), weight.as_("w")).from_(exp.to_table("cells"))
    order: list[exp.Expr] = [exp.Ordered(this=exp.column("w"), desc=True)]
    for g in groups:
        empty = exp.Coalesce(this=g.copy(), expressions=[exp.Literal.string("")])
        order += [exp.Ordered(this=empty), exp.Ordered(this=g.copy().is_(exp.Null()))]
    rank = exp.Window(this=exp.Anonymous(this="DENSE_RANK"), order=exp.Order(expressions=order))
    ranked = exp.select(exp.Star(), rank.as_("rk")).from_(weighed.subquery("c"))
    period, currency, amount, rk = (exp.column(n) for n in ("period", "currency", "amount", "rk"))
    count = exp.select(exp.Max(this=rk.copy())).from_(exp.to_table("ranked")).subquery()
    top = (
        exp.select(period.copy(), currency.copy(), *[g.copy() for g in groups], amount.copy(), rk.copy())
        .select(count.as_("n"))
        .from_(exp.to_table("ranked"))
        .where(rk.copy() <= exp.Literal.number(query.top_n))
    )
    text, number = exp.DataType.build("VARCHAR"), exp.DataType.build("BIGINT")
    rest = (
        exp.select(
            period.copy(),
            currency.copy(),
            *[exp.cast(exp.Null(), text.copy()) for _ in groups],
            exp.Sum(this=amount.copy()),
            exp.cast(exp.Null(), number.copy()),
            exp.cast(exp.Null(), number.copy()),
        )
        .from_(exp.to_table("ranked"))
        .where(rk.copy() > exp.Literal.number(query.top_n))
        .group_by(period.copy(), currency.copy())
    )
    union = exp.union(top, rest, distinct=False)
    union = union.with_("cells", as_=cells).with_("ranked", as_=ranked)
    return union.sql(dialect=target.dialect)


def sqlglot_parse_select(sql: str, dialect: Dialect) -> exp.Select:
    """Our own SQL back as a tree (to nest it)."""
    import sqlglot

    tree = sqlglot.parse_one(sql, read=dialect)
    assert isinstance(tree, exp.Select)
    return tree

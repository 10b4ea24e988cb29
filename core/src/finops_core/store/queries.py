"""Cost questions answered in SQL, from the coarsest table that can answer them.

The rollup lattice (``schema.ROLLUP_SHAPES``) answers anything grouped or filtered by provider, billing account,
service category, charge category, currency and up to two of service, sub-account and region: the shape with
the fewest dimensions that holds the question's is read, its monthly table for the whole months of a monthly or
total question and its daily table for the days around them. Tag questions by those dimensions (but region) read
the tag rollups: the tagged cost per value, and untagged = the plain rollup's total minus the tagged cost.
Everything else (resources, SKUs, all three wide dimensions over part of a month) reads ``line_items``.
Sums are integer nanos, so totals are exact.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from finops_core.breakdown import Cell, assemble
from finops_core.dates import epoch_seconds
from finops_core.models import DIMENSION_COLUMN, METRIC_COLUMN, CostBreakdown, CostMetric, CostQuery
from finops_core.money import from_nanos
from finops_core.reading import CommitmentSums, SeriesKey
from finops_core.store.schema import ROLLUP_SHAPES, TAG_SHAPES, RollupShape

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

# Back six days, then forward to the next Monday (or stay on one): the Monday that starts the day's ISO week.
# The period is clipped to the query's start in ``assemble``.
_MONDAY = "'-6 days', 'weekday 1'"


def _sid(conn: sqlite3.Connection, value: str) -> int | None:
    row = conn.execute("SELECT id FROM strings WHERE value = ?", (value,)).fetchone()
    return None if row is None else int(row[0])


@dataclass(frozen=True)
class _Read:
    """One table read over ``[start, end)`` of a plan: its rows added (sign 1) or subtracted (-1); ``tagged``
    reads keep the tag value and only rows of the asked key, the others put everything under a null value."""

    table: str
    period: str  # its period column: day or month
    start: date
    end: date
    sign: int = 1
    tagged: bool = False


def _month_reads(shape: RollupShape, start: date, end: date, granularity: str) -> list[_Read] | None:
    """Reads of ``shape``'s tables covering ``[start, end)``, or None if its tables cannot."""
    first = start if start.day == 1 else _next_month(start)
    last = end.replace(day=1)
    if shape.month is not None and granularity in ("monthly", "total") and first < last:
        around = [(a, b) for a, b in ((start, first), (last, end)) if a < b]
        if around and shape.day is None:
            return None
        reads = [_Read(shape.month, "month", first, last)]
        return reads + [_Read(shape.day, "day", a, b) for a, b in around if shape.day is not None]
    return None if shape.day is None else [_Read(shape.day, "day", start, end)]


def _next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def plan(query: CostQuery) -> list[_Read] | None:
    """The rollup reads that answer ``query`` exactly, or None when only line items can."""
    needed = {DIMENSION_COLUMN[d] for d in (*query.group_by, *query.filters)}
    if query.tag_key is None:
        for shape in ROLLUP_SHAPES:
            if needed <= set(shape.dimensions):
                reads = _month_reads(shape, query.start, query.end, query.granularity)
                if reads is not None:
                    return reads
        return None
    for tags in TAG_SHAPES:
        if not needed <= set(tags.dimensions):
            continue
        plain = next(s for s in ROLLUP_SHAPES if set(s.dimensions) == set(tags.dimensions))
        tagged = _month_reads(tags, query.start, query.end, query.granularity)
        totals = _month_reads(plain, query.start, query.end, query.granularity)
        if tagged is None or totals is None:
            continue
        return (
            [_Read(r.table, r.period, r.start, r.end, tagged=True) for r in tagged]
            + totals
            + [_Read(r.table, r.period, r.start, r.end, sign=-1, tagged=True) for r in tagged]
        )
    return None


def daily_rollup(columns: set[str]) -> str:
    """The smallest daily rollup holding ``columns`` (line item column names) as dimensions."""
    for shape in ROLLUP_SHAPES:
        if shape.day is not None and columns <= set(shape.dimensions):
            return shape.day
    raise ValueError(f"no daily rollup holds {sorted(columns)}")


def choose_table(query: CostQuery) -> str:
    """The tables that will answer ``query``, joined by '+' (exposed for tests and benchmarks)."""
    reads = plan(query)
    return "line_items" if reads is None else "+".join(dict.fromkeys(r.table for r in reads))


def query_costs(conn: sqlite3.Connection, query: CostQuery, *, source: str, is_demo: bool) -> CostBreakdown:
    cells = cost_cells(conn, query)
    note = None if cells else _empty_note(conn, query)  # only an empty answer needs it
    return assemble(query, cells, source=source, is_demo=is_demo, empty_note=note)


def cost_cells(conn: sqlite3.Connection, query: CostQuery) -> list[Cell]:
    """Every group's exact amount for ``query`` (per period and currency), before any top-N folding."""
    reads = plan(query)
    return _cells(conn, _line_item_rows(conn, query) if reads is None else _rollup_rows(conn, query, reads))


def line_item_cells(conn: sqlite3.Connection, query: CostQuery) -> list[Cell]:
    """``cost_cells`` summed from line items whatever rollup could answer (the reference the rollups must equal)."""
    return _cells(conn, _line_item_rows(conn, query))


def _cells(conn: sqlite3.Connection, raw: list[Any]) -> list[Cell]:
    sids_needed = {v for row in raw for v in row[1:-1] if v is not None}
    names = decode_sids(conn, sids_needed)
    return [
        Cell(
            period_start=date.fromisoformat(row[0]) if row[0] else None,
            group=tuple(None if v is None else names[v] for v in row[2:-1]),
            currency=names[row[1]],
            amount=from_nanos(int(row[-1] or 0)),
        )
        for row in raw
    ]


# Period bucketing per table kind (granularity -> SQL over the table's period column).
_DAY_PERIOD = {
    "daily": "t.day",
    "weekly": f"date(t.day, {_MONDAY})",
    "monthly": "substr(t.day, 1, 7) || '-01'",
    "total": "NULL",
}
_MONTH_PERIOD = {"monthly": "t.month", "total": "NULL"}


def _filter_sids(conn: sqlite3.Connection, query: CostQuery) -> list[tuple[str, list[int]]]:
    """Per filtered dimension, its column and the sids of the asked values that exist (maybe none)."""
    out: list[tuple[str, list[int]]] = []
    for dim, values in query.filters.items():
        out.append((DIMENSION_COLUMN[dim], [s for s in (_sid(conn, v) for v in values) if s is not None]))
    return out


def _rollup_rows(conn: sqlite3.Connection, query: CostQuery, reads: list[_Read]) -> list[Any]:
    """(period, currency sid, group sids..., [tag value sid], nanos) rows from the rollup ``reads``."""
    metric = METRIC_COLUMN[query.metric]
    filters = _filter_sids(conn, query)
    key_sid = None if query.tag_key is None else (_sid(conn, query.tag_key) or -1)
    groups = [f"t.{DIMENSION_COLUMN[d]}" for d in query.group_by]
    parts: list[str] = []
    params: list[Any] = []
    for read in reads:
        period = (_DAY_PERIOD if read.period == "day" else _MONTH_PERIOD)[query.granularity]
        where = [f"t.{read.period} >= ?", f"t.{read.period} < ?"]
        params += [read.start.isoformat(), read.end.isoformat()]
        if read.tagged:
            where.append("t.tag_key = ?")
            params.append(key_sid)
        for column, sids in filters:
            where.append(f"t.{column} IN ({', '.join('?' * len(sids))})" if sids else "0")
            params += sids
        select = [period, "t.billing_currency", *groups]
        if key_sid is not None:
            select.append("t.tag_value" if read.tagged and read.sign > 0 else "NULL")
        sign = "-" if read.sign < 0 else ""
        select += [f"{sign}t.{metric}", f"{sign}t.row_count"]
        parts.append(f"SELECT {', '.join(select)} FROM {read.table} t WHERE {' AND '.join(where)}")
    width = 2 + len(groups) + (key_sid is not None)
    columns = [f"c{i}" for i in range(width)]
    names = ", ".join([*columns, "amount", "n"])
    # Untagged groups are totals minus tagged sums: keep those that still have line items (as line items would).
    having = " HAVING SUM(n) > 0" if key_sid is not None else ""
    sql = (
        f"WITH parts({names}) AS ({' UNION ALL '.join(parts)}) SELECT {', '.join(columns)}, SUM(amount) FROM parts "
        f"GROUP BY {', '.join(columns)}{having}"
    )
    return conn.execute(sql, params).fetchall()


def _line_item_rows(conn: sqlite3.Connection, query: CostQuery) -> list[Any]:
    """(period, currency sid, group sids..., [tag value sid], nanos) rows from ``line_items``."""
    metric = METRIC_COLUMN[query.metric]
    params: list[Any] = []
    joins = ""
    period = {
        "daily": "date(t.charge_period_start, 'unixepoch')",
        "weekly": f"date(t.charge_period_start, 'unixepoch', {_MONDAY})",
        "monthly": "strftime('%Y-%m-01', t.charge_period_start, 'unixepoch')",
        "total": "NULL",
    }
    # The partition_id term lets SQLite walk the (partition_id, charge_period_start) index partition by partition.
    where = [
        "t.partition_id IN (SELECT id FROM partitions)",
        "t.charge_period_start >= ?",
        "t.charge_period_start < ?",
    ]
    params += [epoch_seconds(query.start), epoch_seconds(query.end)]

    group_exprs = [f"t.{DIMENSION_COLUMN[d]}" for d in query.group_by]
    if query.tag_key is not None:
        key_sid = _sid(conn, query.tag_key)
        joins = " LEFT JOIN tag_pairs tp ON tp.tagset = t.tags AND tp.key = ?"
        params.insert(0, -1 if key_sid is None else key_sid)
        group_exprs.append("tp.value")

    for dim, values in query.filters.items():
        sids = [s for s in (_sid(conn, v) for v in values) if s is not None]
        if not sids:
            where.append("0")  # none of the asked values exist in the store
            continue
        where.append(f"t.{DIMENSION_COLUMN[dim]} IN ({', '.join('?' * len(sids))})")
        params += sids

    select = [f"{period[query.granularity]} AS period", "t.billing_currency", *group_exprs]
    sql = (
        f"SELECT {', '.join(select)}, SUM(t.{metric}) FROM line_items t{joins} "
        f"WHERE {' AND '.join(where)} GROUP BY {', '.join(str(i + 1) for i in range(len(select)))}"
    )
    return conn.execute(sql, params).fetchall()


def decode_sids(conn: sqlite3.Connection, sids: set[int]) -> dict[int, str]:
    """The strings behind dictionary ids (read in batches: SQLite bounds the parameters of one statement)."""
    names: dict[int, str] = {}
    ordered = sorted(sids)
    for i in range(0, len(ordered), 500):
        chunk = ordered[i : i + 500]
        rows = conn.execute(f"SELECT id, value FROM strings WHERE id IN ({', '.join('?' * len(chunk))})", chunk)
        names.update((int(r[0]), str(r[1])) for r in rows)
    return names


def held_days(conn: sqlite3.Connection) -> tuple[str | None, str | None]:
    """The first and last day the store holds costs for. Two subqueries: SQLite reads MIN or MAX alone from the
    index, but MIN and MAX in one SELECT scan the whole table (~0.1 s on 5M line items, on every query)."""
    first, last = conn.execute(
        "SELECT (SELECT MIN(day) FROM rollup_day_base), (SELECT MAX(day) FROM rollup_day_base)"
    ).fetchone()
    return first, last


def _empty_note(conn: sqlite3.Connection, query: CostQuery) -> str:
    first, last = held_days(conn)
    asked = f"No cost data from {query.start} to {query.end} (end exclusive)"
    if query.filters:
        asked += " matching " + "; ".join(f"{k} in {list(v)}" for k, v in query.filters.items())
    if first is None:
        return asked + ". The store is empty: run `finops sync` or `finops ingest PATH` first."
    return asked + f". The store holds costs from {first} to {last}; widen the period or drop a filter."


def daily_series(
    conn: sqlite3.Connection,
    start: date,
    end: date,
    *,
    by: tuple[str, ...],
    metric: CostMetric,
    providers: tuple[str, ...] = (),
) -> dict[SeriesKey, npt.NDArray[np.int64]]:
    """Per (``by`` rollup columns..., currency), the daily cost in nanos from ``start`` to ``end`` (exclusive),
    one entry per day; a day without cost is 0. ``by`` names rollup dimension columns (line item column names);
    the smallest daily rollup holding them is read."""
    import numpy as np  # the servers import this module at start-up; numpy only when a series is read

    table = daily_rollup({*by, "provider_name"} if providers else set(by))
    where, params = "r.day >= ? AND r.day < ?", [start.isoformat(), end.isoformat()]
    if providers:
        marks = ", ".join("?" * len(providers))
        sids = [int(r[0]) for r in conn.execute(f"SELECT id FROM strings WHERE value IN ({marks})", providers)]
        where += f" AND r.provider_name IN ({', '.join('?' * len(sids)) or 'NULL'})"
        params += sids
    # Grouped by dictionary ids, decoded once afterwards: decoding every row in SQL cost more than the sums.
    columns = [f"r.{c}" for c in (*by, "billing_currency")]
    groups = ", ".join(str(i) for i in range(1, len(columns) + 2))
    sql = (
        f"SELECT r.day, {', '.join(columns)}, SUM(r.{METRIC_COLUMN[metric]}) FROM {table} r "
        f"WHERE {where} GROUP BY {groups}"
    )
    rows = conn.execute(sql, params).fetchall()
    names = decode_sids(conn, {v for row in rows for v in row[1:-1] if v is not None})
    days = (end - start).days
    series: dict[SeriesKey, npt.NDArray[np.int64]] = {}
    for day, *key, total in rows:
        decoded = tuple(None if v is None else names[v] for v in key)
        if decoded not in series:
            series[decoded] = np.zeros(days, dtype=np.int64)
        series[decoded][(date.fromisoformat(day) - start).days] += int(total or 0)
    return series


_COMMITMENT_SQL = """
SELECT t.provider_name, t.billing_currency, t.commitment_discount_id, t.commitment_discount_type,
       t.commitment_discount_category, t.charge_category, t.commitment_discount_status,
       SUM(t.billed_cost), SUM(t.effective_cost), SUM(t.list_cost)
FROM line_items t
WHERE t.partition_id IN (SELECT id FROM partitions) AND t.charge_period_start >= ? AND t.charge_period_start < ?
GROUP BY 1, 2, 3, 4, 5, 6, 7
"""


def commitment_sums(conn: sqlite3.Connection, start: date, end: date) -> list[CommitmentSums]:
    """Sums of line items charged in ``[start, end)`` per provider, currency, commitment and status."""
    rows = conn.execute(_COMMITMENT_SQL, (epoch_seconds(start), epoch_seconds(end))).fetchall()
    names = decode_sids(conn, {int(v) for row in rows for v in row[:7] if v is not None})
    out: list[CommitmentSums] = []
    for row in rows:
        keys = [None if v is None else names[v] for v in row[:7]]
        billed, effective, listed = (from_nanos(int(x or 0)) for x in row[7:])
        out.append(CommitmentSums(*keys, billed=billed, effective=effective, listed=listed))
    return out

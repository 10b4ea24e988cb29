"""Cost questions answered in SQL, from the coarsest table that can answer them.

``rollup_daily`` answers anything grouped or filtered by its dimensions; ``rollup_monthly`` adds region
for whole months; everything else (tags, resources, SKUs, partial months by region) reads ``line_items``.
Sums are integer nanos, so totals are exact.
"""

from __future__ import annotations

import sqlite3
from datetime import date
from typing import Any

from finops_core.breakdown import Cell, assemble
from finops_core.dates import epoch_seconds
from finops_core.models import DIMENSION_COLUMN, METRIC_COLUMN, CostBreakdown, CostQuery
from finops_core.money import from_nanos
from finops_core.store.schema import DAILY_DIMENSIONS, MONTHLY_DIMENSIONS

# Back six days, then forward to the next Monday (or stay on one): the Monday that starts the day's ISO week.
# The period is clipped to the query's start in ``assemble``.
_MONDAY = "'-6 days', 'weekday 1'"


def _sid(conn: sqlite3.Connection, value: str) -> int | None:
    row = conn.execute("SELECT id FROM strings WHERE value = ?", (value,)).fetchone()
    return None if row is None else int(row[0])


def choose_table(query: CostQuery) -> str:
    """The name of the table that will answer ``query`` (exposed for tests and benchmarks)."""
    needed = {DIMENSION_COLUMN[d] for d in (*query.group_by, *query.filters)}
    if query.tag_key is None and needed <= set(DAILY_DIMENSIONS):
        return "rollup_daily"
    whole_months = query.start.day == 1 and query.end.day == 1
    if (
        query.tag_key is None
        and needed <= set(MONTHLY_DIMENSIONS)
        and query.granularity in ("monthly", "total")
        and whole_months
    ):
        return "rollup_monthly"
    return "line_items"


def query_costs(conn: sqlite3.Connection, query: CostQuery, *, source: str, is_demo: bool) -> CostBreakdown:
    cells = cost_cells(conn, query)
    return assemble(query, cells, source=source, is_demo=is_demo, empty_note=_empty_note(conn, query))


def cost_cells(conn: sqlite3.Connection, query: CostQuery) -> list[Cell]:
    """Every group's exact amount for ``query`` (per period and currency), before any top-N folding."""
    table = choose_table(query)
    metric = METRIC_COLUMN[query.metric]
    params: list[Any] = []
    joins = ""
    if table == "rollup_daily":
        period = {
            "daily": "t.day",
            "weekly": f"date(t.day, {_MONDAY})",
            "monthly": "substr(t.day, 1, 7) || '-01'",
            "total": "NULL",
        }
        where = ["t.day >= ?", "t.day < ?"]
        params += [query.start.isoformat(), query.end.isoformat()]
    elif table == "rollup_monthly":
        period = {"daily": "NULL", "weekly": "NULL", "monthly": "t.month", "total": "NULL"}
        where = ["t.month >= ?", "t.month < ?"]
        params += [query.start.isoformat(), query.end.isoformat()]
    else:
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
        f"SELECT {', '.join(select)}, SUM(t.{metric}) FROM {table} t{joins} "
        f"WHERE {' AND '.join(where)} GROUP BY {', '.join(str(i + 1) for i in range(len(select)))}"
    )
    raw = conn.execute(sql, params).fetchall()

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


def decode_sids(conn: sqlite3.Connection, sids: set[int]) -> dict[int, str]:
    """The strings behind dictionary ids (read in batches: SQLite bounds the parameters of one statement)."""
    names: dict[int, str] = {}
    ordered = sorted(sids)
    for i in range(0, len(ordered), 500):
        chunk = ordered[i : i + 500]
        rows = conn.execute(f"SELECT id, value FROM strings WHERE id IN ({', '.join('?' * len(chunk))})", chunk)
        names.update((int(r[0]), str(r[1])) for r in rows)
    return names


def _empty_note(conn: sqlite3.Connection, query: CostQuery) -> str:
    first, last = conn.execute("SELECT MIN(day), MAX(day) FROM rollup_daily").fetchone()
    asked = f"No cost data from {query.start} to {query.end} (end exclusive)"
    if query.filters:
        asked += " matching " + "; ".join(f"{k} in {list(v)}" for k, v in query.filters.items())
    if first is None:
        return asked + ". The store is empty: run `finops sync` or `finops ingest PATH` first."
    return asked + f". The store holds costs from {first} to {last}; widen the period or drop a filter."

"""``LakeReader``: the cross-cloud questions (``finops_core.reading.CostReader``) answered by a lake engine.

The builder writes the SQL, the engine runs it where the data lives, and the rows come back as the same cells the
store produces, assembled by the same code (top-N, '(other)', totals per currency, partial periods): an answer from
the lake has the store's shape and exactness. Amounts arrive as exact decimals (DECIMAL(38, 9) sums) and become
integer nanos only where the store uses nanos too (daily series).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from finops_core.breakdown import Cell, assemble, partial_periods
from finops_core.errors import LakeError
from finops_core.models import CostBreakdown, CostMetric, CostQuery
from finops_core.money import Money, from_nanos, normalize_amount, to_nanos
from finops_core.reading import CommitmentSums, SeriesKey
from finops_core.settings import LakeSettings

from finops_orchestrator.lake.builder import (
    commitments_sql,
    cost_cells_sql,
    daily_series_sql,
    extent_sql,
    folded_cells_sql,
)
from finops_orchestrator.lake.engines import Engine, describe, open_engine

OTHER = "(other)"

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt


def exact(value: Any, settings: LakeSettings) -> Decimal:
    """An engine's sum as an exact ``Decimal`` (null: no amount); a float would mean the SQL lost exactness."""
    if value is None:
        return Decimal(0)
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int | str):
        return Decimal(value)
    raise LakeError(
        f"The {describe(settings)} returned an amount as {type(value).__name__}, not an exact decimal; check that "
        "its cost columns are numeric."
    )


def as_day(value: Any) -> date | None:
    if value is None or (isinstance(value, date) and not isinstance(value, datetime)):
        return value
    if isinstance(value, datetime):
        return value.date()
    return date.fromisoformat(str(value)[:10])


def _offset(value: Any, start: date) -> int | None:
    day = as_day(value)
    return None if day is None else (day - start).days


def _whole_nanos(value: Any, settings: LakeSettings) -> int:
    """A daily series' cell, summed to whole nanos by the engine (``daily_series_sql``)."""
    if value is None:
        return 0
    if isinstance(value, int):
        return value
    return to_nanos(exact(value, settings))  # an engine that answers BIGINT as a decimal or text


def text_or_none(value: Any) -> str | None:
    """A lake's value as text (engines give ids as numbers or strings), or None."""
    return None if value is None else str(value)


class LakeReader:
    """Answers from the lake ``settings`` names, through ``engine`` (default: the one it names)."""

    def __init__(self, settings: LakeSettings, engine: Engine | None = None) -> None:
        self.settings = settings
        self.engine = engine if engine is not None else open_engine(settings)

    def _currency(self, value: Any) -> str:
        if value is None:
            raise LakeError(
                f"The {describe(self.settings)} has rows without BillingCurrency (FOCUS requires it), so their "
                "amounts cannot be added up without mixing currencies. Fill BillingCurrency in those rows."
            )
        return str(value)

    def query_costs(self, query: CostQuery, *, source: str, is_demo: bool) -> CostBreakdown:
        """The breakdown, folded to ``top_n`` groups by the engine (a breakdown by resource stays small on the
        wire), then assembled as the store's: rows in rank order, '(other)' per period and currency, totals."""
        rows = self.engine.run(folded_cells_sql(query, self.engine.target))
        top: list[Cell] = []
        rest: list[Cell] = []
        groups = 0
        for row in rows:
            rank, count = row[-2], row[-1]
            cell = Cell(
                period_start=as_day(row[0]),
                group=tuple(text_or_none(v) for v in row[2:-3]) if rank is not None else (),
                currency=self._currency(row[1]),
                amount=from_nanos(to_nanos(exact(row[-3], self.settings))),
            )
            (top if rank is not None else rest).append(cell)
            groups = max(groups, int(count or 0))
        if not top and not rest:
            return assemble(query, [], source=source, is_demo=is_demo, empty_note=self._empty_note(query))
        shown = assemble(query, top, source=source, is_demo=is_demo)
        if not rest:
            return shown
        # The folded rest, clipped and merged per period and currency as assemble does for its own '(other)'.
        folded = assemble(
            query.model_copy(update={"group_by": (), "tag_key": None}), rest, source=source, is_demo=is_demo
        )
        labels = shown.group_by
        other = [r.model_copy(update={"group": dict.fromkeys(labels, OTHER)}) for r in folded.rows]
        totals: dict[str, Decimal] = {}
        for money in (*shown.totals, *folded.totals):
            totals[money.currency] = totals.get(money.currency, Decimal(0)) + money.amount
        starts = [r.period_start for r in (*shown.rows, *other) if r.period_start is not None]
        return shown.model_copy(
            update={
                "other": other,
                "totals": [Money(amount=normalize_amount(a), currency=c) for c, a in sorted(totals.items())],
                "truncated": groups > query.top_n,
                "partial_periods": partial_periods(query, starts),
            }
        )

    def cost_cells(self, query: CostQuery) -> list[Cell]:
        rows = self.engine.run(cost_cells_sql(query, self.engine.target))
        return [
            Cell(
                period_start=as_day(row[0]),
                group=tuple(text_or_none(v) for v in row[2:-1]),
                currency=self._currency(row[1]),
                amount=from_nanos(to_nanos(exact(row[-1], self.settings))),
            )
            for row in rows
        ]

    def daily_series(
        self, start: date, end: date, *, by: tuple[str, ...], metric: CostMetric, providers: tuple[str, ...] = ()
    ) -> dict[SeriesKey, npt.NDArray[np.int64]]:
        import numpy as np

        rows = self.engine.run(daily_series_sql(start, end, by, metric, providers, self.engine.target))
        # Column-wise (a 90-day series by provider, service and account is a million rows at 100M line items):
        # each distinct day and group is checked once, and the cells are added into one array in numpy.
        columns = list(zip(*rows, strict=True)) if rows else [()] * (len(by) + 3)
        offsets = {value: _offset(value, start) for value in set(columns[0])}
        groups: dict[tuple[Any, ...], int] = {}
        keys = list(zip(*columns[1:-1], strict=True))
        at = [groups.setdefault(key, len(groups)) for key in keys]
        days = [offsets[value] for value in columns[0]]
        nanos = [_whole_nanos(value, self.settings) for value in columns[-1]]
        sums = np.zeros((len(groups), max((end - start).days, 0)), dtype=np.int64)
        inside = [(at[i], day, nanos[i]) for i, day in enumerate(days) if day is not None]  # no charge period: no day
        if inside:
            rows_at, days_at, amounts = zip(*inside, strict=True)
            np.add.at(sums, (np.array(rows_at), np.array(days_at)), np.array(amounts, dtype=np.int64))
        series: dict[SeriesKey, npt.NDArray[np.int64]] = {}
        for key, row in groups.items():
            series_key = (*(text_or_none(v) for v in key[:-1]), self._currency(key[-1]))
            series[series_key] = series[series_key] + sums[row] if series_key in series else sums[row]
        return series

    def commitment_sums(self, start: date, end: date) -> list[CommitmentSums]:
        rows = self.engine.run(commitments_sql(start, end, self.engine.target))
        return [
            CommitmentSums(
                *(text_or_none(v) for v in row[:7]),
                billed=from_nanos(to_nanos(exact(row[7], self.settings))),
                effective=from_nanos(to_nanos(exact(row[8], self.settings))),
                listed=from_nanos(to_nanos(exact(row[9], self.settings))),
            )
            for row in rows
        ]

    def extent(self) -> tuple[date | None, date | None, int]:
        """The first and last charge day in the lake, and its line items."""
        first, last, count = self.engine.run(extent_sql(self.engine.target))[0]
        return as_day(first), as_day(last), int(count or 0)

    def source_label(self) -> str:
        return describe(self.settings)

    def _empty_note(self, query: CostQuery) -> str:
        asked = f"No cost data from {query.start} to {query.end} (end exclusive)"
        if query.filters:
            asked += " matching " + "; ".join(f"{k} in {list(v)}" for k, v in query.filters.items())
        first, last, _ = self.extent()
        if first is None:
            return asked + f". The {describe(self.settings)} holds no line items: check [lake] path or table."
        return (
            asked
            + f". The {describe(self.settings)} holds costs from {first} to {last}; widen the period or drop a filter."
        )

    def close(self) -> None:
        self.engine.close()

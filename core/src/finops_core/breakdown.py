"""Turning grouped sums into a compact ``CostBreakdown``: top-N groups, an 'other' row, totals per currency.

Every cost source (the store, the sandbox, a cloud API) produces cells and hands them here, so ranking and
folding live in one place.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from finops_core.models import METRIC_MEANING, CostBreakdown, CostQuery, CostRow, DateRange, Granularity
from finops_core.money import Money, normalize_amount


@dataclass(frozen=True, slots=True)
class Cell:
    """The cost of one group in one period and currency."""

    period_start: date | None
    group: tuple[str | None, ...]
    currency: str
    amount: Decimal


def period_start(day: date, granularity: Granularity) -> date | None:
    """The natural start of ``day``'s period: the day, its ISO week's Monday, its month's first; None for a total.
    ``assemble`` clips it to the query's start."""
    if granularity == "daily":
        return day
    if granularity == "weekly":
        return day - timedelta(days=day.weekday())
    if granularity == "monthly":
        return day.replace(day=1)
    return None


def natural_end(start: date, granularity: Granularity) -> date:
    """The exclusive end of the whole day, week or month that ``start`` (a natural period start) begins."""
    if granularity == "weekly":
        return start + timedelta(days=7)
    if granularity == "monthly":
        return date(start.year + start.month // 12, start.month % 12 + 1, 1)
    return start + timedelta(days=1)


def partial_periods(query: CostQuery, starts: Iterable[date]) -> list[DateRange]:
    """The weeks or months among ``starts`` (clipped period starts) that the query's range cuts short."""
    if query.granularity not in ("weekly", "monthly"):
        return []
    cut: list[DateRange] = []
    for start in sorted(set(starts)):
        natural = period_start(start, query.granularity) or start
        end = min(natural_end(natural, query.granularity), query.end)
        if natural != start or end != natural_end(natural, query.granularity):
            cut.append(DateRange(start=start, end=end))
    return cut


def _clipped(cells: list[Cell], query: CostQuery) -> list[Cell]:
    """Cells with each period labelled by its real first day inside the query (a week or month that began
    before the query's start begins at the start), merged where a source sent one group twice."""
    sums: dict[tuple[date | None, str, tuple[str | None, ...]], Decimal] = defaultdict(Decimal)
    for cell in cells:
        start = cell.period_start
        if start is not None and start < query.start:
            start = query.start
        sums[(start, cell.currency, cell.group)] += cell.amount
    return [Cell(p, g, c, a) for (p, c, g), a in sums.items()]


def group_labels(query: CostQuery) -> list[str]:
    labels: list[str] = list(query.group_by)
    if query.tag_key is not None:
        labels.append(f"tag:{query.tag_key}")
    return labels


def assemble(
    query: CostQuery, cells: Iterable[Cell], *, source: str, is_demo: bool, empty_note: str | None = None
) -> CostBreakdown:
    labels = group_labels(query)
    cells = _clipped(list(cells), query)
    weight: dict[tuple[str | None, ...], Decimal] = defaultdict(Decimal)
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for cell in cells:
        weight[cell.group] += abs(cell.amount)
        totals[cell.currency] += cell.amount
    ranked = sorted(weight, key=lambda g: (-weight[g], tuple("" if v is None else v for v in g)))
    rank = {g: i for i, g in enumerate(ranked[: query.top_n])}
    rows: list[CostRow] = []
    other: dict[tuple[date | None, str], Decimal] = defaultdict(Decimal)
    for cell in cells:
        if cell.group in rank:
            rows.append(
                CostRow(
                    period_start=cell.period_start,
                    group=dict(zip(labels, cell.group, strict=True)),
                    cost=normalize_amount(cell.amount),
                    currency=cell.currency,
                )
            )
        else:
            other[(cell.period_start, cell.currency)] += cell.amount
    rows.sort(key=lambda r: (r.period_start or date.min, r.currency, rank[tuple(r.group.values())]))
    other_rows = [
        CostRow(period_start=p, group=dict.fromkeys(labels, "(other)"), cost=normalize_amount(a), currency=c)
        for (p, c), a in sorted(other.items(), key=lambda kv: (kv[0][0] or date.min, kv[0][1]))
    ]
    return CostBreakdown(
        start=query.start,
        end=query.end,
        metric=query.metric,
        metric_meaning=METRIC_MEANING[query.metric],
        granularity=query.granularity,
        group_by=labels,
        rows=rows,
        other=other_rows,
        totals=[Money(amount=normalize_amount(a), currency=c) for c, a in sorted(totals.items())],
        truncated=len(ranked) > query.top_n,
        partial_periods=partial_periods(query, (c.period_start for c in cells if c.period_start is not None)),
        source=source,
        is_demo=is_demo,
        note=empty_note if not cells else None,
    )

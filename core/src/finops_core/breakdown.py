"""Turning grouped sums into a compact ``CostBreakdown``: top-N groups, an 'other' row, totals per currency.

Every cost source (the store, the sandbox, a cloud API) produces cells and hands them here, so ranking and
folding live in one place.
"""

from __future__ import annotations

import operator
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, Generic, TypeVar

from finops_core.errors import InvalidQuery
from finops_core.models import METRIC_MEANING, CostBreakdown, CostQuery, CostRow, DateRange, Granularity
from finops_core.money import Money, normalize_amount


@dataclass(frozen=True, slots=True)
class Cell:
    """The cost of one group in one period and currency."""

    period_start: date | None
    group: tuple[str | None, ...]
    currency: str
    amount: Decimal


Group = tuple[str | None, ...]
V = TypeVar("V")


@dataclass(frozen=True, slots=True)
class TopGroups(Generic[V]):
    """Sums per (period, group, currency) cut to the top groups, the rest folded per period and currency."""

    kept: list[tuple[date | None, Group, str, V]]
    other: list[tuple[date | None, str, V]]  # by period, then currency
    totals: list[tuple[str, V]]  # by currency
    truncated: bool

    def fields(
        self,
        labels: list[str],
        row: Callable[[date | None, dict[str, str | None], str, V], object],
        total: Callable[[str, V], object],
    ) -> dict[str, Any]:
        """The grouped part of an answer model: ``group_by`` (``labels``), ``rows`` (the kept cells) and ``other``
        (the folded sums, each label '(other)') as ``row(period, {label: value}, currency, value)``, ``totals`` as
        ``total(currency, value)``, and ``truncated``."""
        return {
            "group_by": labels,
            "rows": [row(p, dict(zip(labels, g, strict=True)), c, v) for p, g, c, v in self.kept],
            "other": [row(p, dict.fromkeys(labels, "(other)"), c, v) for p, c, v in self.other],
            "totals": [total(c, v) for c, v in self.totals],
            "truncated": self.truncated,
        }


def money_total(currency: str, amount: Decimal) -> Money:
    """A total of plain amounts, for ``TopGroups.fields``."""
    return Money(amount=normalize_amount(amount), currency=currency)


def by_weight(weights: Mapping[Group, Decimal]) -> list[Group]:
    """The groups of ``weights``, heaviest first, ties by name (an absent label as ""): how every answer ranks."""
    return sorted(weights, key=lambda g: (-weights[g], tuple("" if v is None else v for v in g)))


def top_groups(
    sums: Mapping[tuple[date | None, Group, str], V],
    top_n: int,
    *,
    weight: Callable[[V], Decimal],
    zero: Callable[[], V],
    add: Callable[[V, V], V],
    by_rank: bool = True,
) -> TopGroups[V]:
    """The ``top_n`` groups of ``sums`` by ``weight`` summed over periods and currencies (ties by name); the other
    groups summed per period and currency, and the totals per currency, with ``add(total, value)`` (a running total
    that began as ``zero()``; it may be changed in place and returned). The kept cells are listed by period,
    currency and rank, or (``by_rank=False``) in the order of ``sums``. Every cost source ranks and folds here, so
    the same question ranks alike everywhere."""
    weights: dict[Group, Decimal] = defaultdict(Decimal)
    totals: dict[str, V] = defaultdict(zero)
    for (_, group, currency), value in sums.items():
        weights[group] += weight(value)
        totals[currency] = add(totals[currency], value)
    ranked = by_weight(weights)
    rank = {g: i for i, g in enumerate(ranked[:top_n])}
    kept: list[tuple[date | None, Group, str, V]] = []
    rest: dict[tuple[date | None, str], V] = defaultdict(zero)
    for (period, group, currency), value in sums.items():
        if group in rank:
            kept.append((period, group, currency, value))
        else:
            rest[(period, currency)] = add(rest[(period, currency)], value)
    if by_rank:
        kept.sort(key=lambda k: (k[0] or date.min, k[2], rank[k[1]]))
    other = [(p, c, v) for (p, c), v in sorted(rest.items(), key=lambda kv: (kv[0][0] or date.min, kv[0][1]))]
    return TopGroups(kept, other, sorted(totals.items(), key=lambda kv: kv[0]), len(ranked) > top_n)


def top_costs(
    sums: Mapping[tuple[date | None, Group, str], Decimal], top_n: int, *, by_rank: bool = True
) -> TopGroups[Decimal]:
    """``top_groups`` of plain amounts, weighed by their absolute value."""
    return top_groups(sums, top_n, weight=abs, zero=Decimal, add=operator.add, by_rank=by_rank)


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


def _clipped(cells: Iterable[Cell], query: CostQuery) -> dict[tuple[date | None, Group, str], Decimal]:
    """Sums per (period, group, currency), each period labelled by its real first day inside the query (a week or
    month that began before the query's start begins at the start), merged where a source sent one group twice."""
    sums: dict[tuple[date | None, Group, str], Decimal] = defaultdict(Decimal)
    for cell in cells:
        start = cell.period_start
        if start is not None and start < query.start:
            start = query.start
        sums[(start, cell.group, cell.currency)] += cell.amount
    return sums


def group_labels(query: CostQuery) -> list[str]:
    labels: list[str] = list(query.group_by)
    if query.tag_key is not None:
        labels.append(f"tag:{query.tag_key}")
    return labels


def at_most_two_groups(api: str, names: list[str], *, advice: str, provider: str) -> None:
    """Refuse a question that ``api`` would have to group by more than two things (dimensions and tag keys)."""
    if len(names) > 2:
        raise InvalidQuery(
            f"{api} groups by at most two things at once; this question needs {len(names)} ({', '.join(names)}). "
            + advice,
            provider=provider,
        )


def assemble(
    query: CostQuery, cells: Iterable[Cell], *, source: str, is_demo: bool, empty_note: str | None = None
) -> CostBreakdown:
    labels = group_labels(query)
    sums = _clipped(cells, query)
    top = top_costs(sums, query.top_n)

    def row(period: date | None, group: dict[str, str | None], currency: str, amount: Decimal) -> CostRow:
        return CostRow(period_start=period, group=group, cost=normalize_amount(amount), currency=currency)

    return CostBreakdown(
        start=query.start,
        end=query.end,
        metric=query.metric,
        metric_meaning=METRIC_MEANING[query.metric],
        granularity=query.granularity,
        **top.fields(labels, row, money_total),
        partial_periods=partial_periods(query, (p for p, _, _ in sums if p is not None)),
        source=source,
        is_demo=is_demo,
        note=empty_note if not sums else None,
    )

"""The table every cost answer is written as: ``columns`` plus ``rows`` of cells, amounts exact as strings.

A total (no periods) is one row per group and currency: ``[*group, currency, cost]``. A trend is pivoted, one row
per group and currency with one column per period (its first day): ``[*group, currency, day1, day2, ...]``, a
cell null where the group had no cost that period. Keys and dates are written once, not once per cell: daily by
service over 30 days is 16 rows of 30 amounts, not 480 objects.

An answer has a byte ceiling (``ANSWER_BYTES``, text and structured content together, as sent). Past it,
``fit`` folds the smallest groups into '(other)' until it fits, so rows and '(other)' still add up to the
totals exactly, and says so; only a trend too long even for '(other)' alone loses its last periods.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from mcp.types import CallToolResult

from finops_core.breakdown import Cell, by_weight
from finops_core.money import normalize_amount

# Text and structured content of one answer, as JSON on the wire: well inside what a model should read per call
# (a daily trend of 15 services over 30 days and its text table fit).
ANSWER_BYTES = 16_000
OTHER = "(other)"
NARROW = "a coarser granularity (weekly or monthly), a shorter period, a filter or a smaller top_n"


# A line of a cost table is one group's cost in one period (None: the whole period) and currency.
Line = Cell


@dataclass(frozen=True)
class Cut:
    """What ``fit`` left out to stay under the ceiling: groups folded into '(other)', periods not listed."""

    groups_listed: int
    groups: int
    periods_listed: int | None = None
    periods: int | None = None
    last_period: date | None = None

    def structured(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "ceiling_bytes": ANSWER_BYTES,
            "groups_listed": self.groups_listed,
            "groups": self.groups,
        }
        if self.periods is not None:
            out |= {"periods_listed": self.periods_listed, "periods": self.periods}
        out["narrow"] = f"ask {NARROW}"
        return out

    def text(self) -> str:
        folded = (
            f"the top {self.groups_listed} of {self.groups} groups are listed, the rest summed in {OTHER}"
            if self.groups_listed < self.groups
            else f"all {self.groups} groups are listed"
        )
        periods = (
            f"; only the first {self.periods_listed} of {self.periods} periods are listed (through "
            f"{self.last_period}), the totals cover them all"
            if self.periods is not None
            else ""
        )
        return f"Cut to fit {ANSWER_BYTES:,} bytes: {folded}{periods}. For more, ask {NARROW}."


@dataclass(frozen=True)
class Table:
    columns: list[str]
    rows: list[list[str | None]]
    other: list[list[str | None]]
    amounts_from: int = field(default=0)  # columns from this index on hold amounts


def amount_text(amount: Decimal) -> str:
    return format(normalize_amount(amount), "f")


def ranked_groups(lines: Sequence[Line]) -> list[tuple[str | None, ...]]:
    """Groups by absolute cost over all periods and currencies, largest first (ties by name): as ``assemble``."""
    weight: dict[tuple[str | None, ...], Decimal] = defaultdict(Decimal)
    for line in lines:
        weight[line.group] += abs(line.amount)
    return by_weight(weight)


def tabulate(group_by: Sequence[str], lines: Sequence[Line], other: Sequence[Line], *, periodic: bool) -> Table:
    """``lines`` (ranked groups) and ``other`` (per period and currency) as one table, long for a total and
    pivoted by period for a trend."""
    keys = len(group_by)
    if not periodic:
        return Table(
            [*group_by, "currency", "cost"],
            [[*ln.group, ln.currency, amount_text(ln.amount)] for ln in lines],
            [[*ln.group, ln.currency, amount_text(ln.amount)] for ln in other],
            keys + 1,
        )
    periods = sorted({ln.period_start for ln in [*lines, *other] if ln.period_start is not None})
    position = {p: i for i, p in enumerate(periods)}
    rank = {g: i for i, g in enumerate(ranked_groups(lines))}

    def pivot(part: Sequence[Line]) -> list[list[str | None]]:
        cells: dict[tuple[tuple[str | None, ...], str], list[str | None]] = {}
        for ln in part:
            if ln.period_start is None:
                continue
            row = cells.setdefault((ln.group, ln.currency), [None] * len(periods))
            row[position[ln.period_start]] = amount_text(ln.amount)
        order = sorted(cells, key=lambda k: (rank.get(k[0], len(rank)), k[1]))
        return [[*group, currency, *cells[(group, currency)]] for group, currency in order]

    return Table([*group_by, "currency", *(p.isoformat() for p in periods)], pivot(lines), pivot(other), keys + 1)


def fold(lines: Sequence[Line], other: Sequence[Line], keep: int, labels: int) -> tuple[list[Line], list[Line]]:
    """The top ``keep`` groups of ``lines``; the rest added to ``other`` per period and currency (exact sums)."""
    return _fold(lines, other, set(ranked_groups(lines)[:keep]), labels)


def _fold(
    lines: Sequence[Line], other: Sequence[Line], kept: set[tuple[str | None, ...]], labels: int
) -> tuple[list[Line], list[Line]]:
    sums: dict[tuple[date | None, str], Decimal] = defaultdict(Decimal)
    for ln in other:
        sums[(ln.period_start, ln.currency)] += ln.amount
    for ln in lines:
        if ln.group not in kept:
            sums[(ln.period_start, ln.currency)] += ln.amount
    order = sorted(sums.items(), key=lambda kv: (kv[0][0] or date.min, kv[0][1]))
    folded = [Line(p, (OTHER,) * labels, c, a) for (p, c), a in order]
    return [ln for ln in lines if ln.group in kept], folded


def answer_bytes(result: CallToolResult) -> int:
    """The size of ``result`` as it is sent (JSON)."""
    return len(result.model_dump_json(by_alias=True, exclude_none=True).encode())


def largest(fits: Callable[[int], bool], low: int, high: int) -> int:
    """The largest n in [low, high] with ``fits(n)``, given ``fits`` holds for n <= some bound (low if none)."""
    while low < high:
        middle = (low + high + 1) // 2
        if fits(middle):
            low = middle
        else:
            high = middle - 1
    return low


# A listed group costs at least this many bytes per period: its cell in the rows and again in the text table.
_CELL_BYTES_AT_LEAST = 4


def fit(
    render: Callable[[list[Line], list[Line], Cut | None], CallToolResult],
    lines: Sequence[Line],
    other: Sequence[Line],
    labels: int,
) -> CallToolResult:
    """``render(lines, other, cut)`` at most ``ANSWER_BYTES`` long: as it is if it fits, else with the fewest groups
    folded into '(other)' that make it fit, else (a trend too long even then) with its first periods only.

    Only answers that could fit are rendered (a group costs bytes in every period), so a question of 500 groups over
    a year costs a few small renders, not a year-wide table: this runs on the event loop."""
    ranked = ranked_groups(lines)
    groups = len(ranked)
    spans = len({ln.period_start for ln in [*lines, *other]}) or 1
    most = min(groups, ANSWER_BYTES // (_CELL_BYTES_AT_LEAST * spans))
    if most == groups:
        whole = render(list(lines), list(other), None)
        if answer_bytes(whole) <= ANSWER_BYTES or groups == 0:
            return whole
        most = groups - 1
    # The groups past ``most`` are folded once; each try below folds only the few listed ones.
    lines, other = _fold(lines, other, set(ranked[:most]), labels)

    def folded(keep: int) -> CallToolResult:
        kept, rest = fold(lines, other, keep, labels)
        return render(kept, rest, Cut(keep, groups))

    keep = largest(lambda k: answer_bytes(folded(k)) <= ANSWER_BYTES, 0, most)
    best = folded(keep)
    if answer_bytes(best) <= ANSWER_BYTES:
        return best
    # Even '(other)' alone is too long: list the first periods, which the totals still cover.
    _, rest = fold(lines, other, 0, labels)
    periods = sorted({ln.period_start for ln in rest if ln.period_start is not None})
    if not periods:
        return best

    def first(count: int) -> CallToolResult:
        shown = [ln for ln in rest if ln.period_start is not None and ln.period_start <= periods[count - 1]]
        return render([], shown, Cut(0, groups, count, len(periods), periods[count - 1]))

    return first(largest(lambda n: answer_bytes(first(n)) <= ANSWER_BYTES, 1, len(periods)))


def text_rows(table: Table, money: Callable[[str], str]) -> list[str]:
    """The table as ``a | b | c`` lines, amounts through ``money`` (e.g. rounded to cents), nulls as set out."""
    lines = [" | ".join(table.columns)]
    for row in [*table.rows, *table.other]:
        cells: list[str] = []
        for i, value in enumerate(row):
            if i >= table.amounts_from:
                cells.append("" if value is None else money(value))
            else:
                cells.append("(not set)" if value is None else value)
        lines.append(" | ".join(cells))
    return lines

"""What changed between two periods, and why: ranked drivers along a dimension, and one level down.

Each driver's change is its exact current amount minus its exact baseline amount, and whatever is not
listed is folded into ``(other)``, so for every currency the drivers' changes add up exactly to the
total change. Currencies are never added together.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from finops_core.errors import InvalidInput
from finops_core.models import METRIC_MEANING, CostMetric, CostQuery, Dimension
from finops_core.money import Amount
from finops_core.reading import CostReader
from pydantic import BaseModel, Field

OTHER = "(other)"
_ZERO = Decimal(0)


class Driver(BaseModel):
    """One value of the dimension: its cost in each period and the change."""

    value: str | None = Field(description="The dimension's value; null = not set; '(other)' = the rest, folded.")
    baseline: Amount
    current: Amount
    change: Amount = Field(description="current - baseline.")
    share_of_change: float | None = Field(
        description="Percent of the currency's total change (null when the total did not change)."
    )
    breakdown: list[Driver] = Field(
        default_factory=lambda: list[Driver](), description="The same split one level down (drill_down)."
    )


class CurrencyChange(BaseModel):
    currency: str
    baseline: Amount
    current: Amount
    change: Amount
    change_percent: float | None = Field(description="change / baseline in percent; null when baseline is 0.")
    drivers: list[Driver] = Field(description="Largest changes first; they add up exactly to change.")


class Span(BaseModel):
    start: date
    end: date = Field(description="Exclusive.")
    days: int


class ChangeExplanation(BaseModel):
    metric: CostMetric
    metric_meaning: str
    dimension: Dimension
    drill_down: Dimension | None
    baseline: Span
    current: Span
    currencies: list[CurrencyChange]
    source: str
    is_demo: bool
    note: str


def _span(start: date, end: date) -> Span:
    return Span(start=start, end=end, days=(end - start).days)


def explain_change(
    reader: CostReader,
    *,
    current: tuple[date, date],
    baseline: tuple[date, date],
    dimension: Dimension,
    drill_down: Dimension | None = None,
    metric: CostMetric = "effective",
    filters: dict[Dimension, tuple[str, ...]] | None = None,
    top_n: int = 8,
    children: int = 3,
    source: str = "local store",
    is_demo: bool = False,
) -> ChangeExplanation:
    if drill_down == dimension:
        raise InvalidInput(f"drill_down must differ from dimension (both are {dimension}); pick another, or omit it.")
    if baseline[0] < current[1] and current[0] < baseline[1]:
        raise InvalidInput(
            f"The periods overlap (baseline {baseline[0]}..{baseline[1]}, current {current[0]}..{current[1]}, ends "
            "exclusive): a cost in both would cancel out. Give periods that do not overlap."
        )
    group_by = (dimension,) if drill_down is None else (dimension, drill_down)
    # amounts[currency][(value, sub_value)] = [baseline, current]
    amounts: dict[str, dict[tuple[str | None, ...], list[Decimal]]] = defaultdict(dict)
    for index, (start, end) in enumerate((baseline, current)):
        query = CostQuery(start=start, end=end, metric=metric, group_by=group_by, filters=filters or {})
        for cell in reader.cost_cells(query):
            pair = amounts[cell.currency].setdefault(cell.group, [_ZERO, _ZERO])
            pair[index] += cell.amount
    currencies: list[CurrencyChange] = []
    for currency in sorted(amounts):
        groups = amounts[currency]
        base_total = sum((b for b, _ in groups.values()), _ZERO)
        cur_total = sum((c for _, c in groups.values()), _ZERO)
        total_change = cur_total - base_total
        top: dict[str | None, list[Decimal]] = {}
        for (value, *_), (b, c) in groups.items():
            pair = top.setdefault(value, [_ZERO, _ZERO])
            pair[0] += b
            pair[1] += c
        drivers = _ranked(top.items(), top_n, total_change)
        if drill_down is not None:
            for driver in drivers:
                if driver.value == OTHER:
                    continue
                below = [(key[1], pair) for key, pair in groups.items() if key[0] == driver.value]
                driver.breakdown = _ranked([(v, (b, c)) for v, (b, c) in below], children, driver.change)
        currencies.append(
            CurrencyChange(
                currency=currency,
                baseline=base_total,
                current=cur_total,
                change=total_change,
                change_percent=_percent(total_change, base_total),
                drivers=drivers,
            )
        )
    base_span, cur_span = _span(*baseline), _span(*current)
    note = (
        "change = current - baseline, per currency; each list of drivers (and each breakdown) adds up exactly to "
        "its total change, the rest folded into '(other)'."
    )
    if base_span.days != cur_span.days:
        note += f" The periods differ in length ({base_span.days} vs {cur_span.days} days): totals, not daily rates."
    if not currencies:
        note = f"No cost data in either period ({baseline[0]}..{current[1]}); widen the periods or drop a filter."
    return ChangeExplanation(
        metric=metric,
        metric_meaning=METRIC_MEANING[metric],
        dimension=dimension,
        drill_down=drill_down,
        baseline=base_span,
        current=cur_span,
        currencies=currencies,
        source=source,
        is_demo=is_demo,
        note=note,
    )


def _ranked(
    items: Iterable[tuple[str | None, tuple[Decimal, Decimal] | list[Decimal]]], keep: int, total_change: Decimal
) -> list[Driver]:
    """Drivers by the size of their change (ties by name), the ones past ``keep`` folded into ``(other)``."""
    ordered = sorted(items, key=lambda kv: (-abs(kv[1][1] - kv[1][0]), kv[0] or ""))
    shown = [_driver(value, b, c, total_change) for value, (b, c) in ordered[:keep]]
    rest = ordered[keep:]
    if rest:
        b = sum((pair[0] for _, pair in rest), _ZERO)
        c = sum((pair[1] for _, pair in rest), _ZERO)
        shown.append(_driver(OTHER, b, c, total_change))
    return shown


def _driver(value: str | None, baseline: Decimal, current: Decimal, total_change: Decimal) -> Driver:
    change = current - baseline
    share = None if total_change == 0 else float(round(change / total_change * 100, 1))
    return Driver(value=value, baseline=baseline, current=current, change=change, share_of_change=share)


def _percent(change: Decimal, base: Decimal) -> float | None:
    return None if base == 0 else float(round(change / base * 100, 1))

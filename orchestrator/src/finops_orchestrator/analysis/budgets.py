"""Budget status: period-to-date cost against the amount, burn rate, projection and the day it is exceeded.

A budget counts only costs in its own currency (costs in another currency are named, never converted or
added). The projection is linear at the period-to-date daily average, and says so.
"""

from __future__ import annotations

import math
from datetime import date, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Literal

from finops_core.models import Budget, CostQuery
from finops_core.money import Amount
from finops_core.reading import CostReader
from pydantic import BaseModel, Field

_CENT = Decimal("0.01")


class BudgetStatus(BaseModel):
    budget: Budget
    period_start: date
    period_end: date = Field(description="Exclusive.")
    days_elapsed: int
    days_total: int
    actual: Amount = Field(description="Period-to-date cost in the budget's currency and metric.")
    used_percent: float
    burn_rate: Amount | None = Field(description="Average cost per day so far (null before the first full day).")
    projected: Amount | None = Field(description="actual + burn_rate x remaining days (linear).")
    exceeded_on: date | None = Field(description="The day the cost passed the amount, if it did.")
    forecast_exceed_date: date | None = Field(description="The day it is projected to pass the amount, if it will.")
    thresholds_reached: list[Decimal] = Field(description="Alert thresholds (fractions) the actual cost passed.")
    thresholds_projected: list[Decimal] = Field(description="Alert thresholds the projection passes.")
    state: Literal["ok", "at risk", "over"]
    other_currencies: list[str] = Field(description="Currencies with costs under this filter, not counted here.")


class BudgetReport(BaseModel):
    as_of: date = Field(description="Costs through the day before this one.")
    budgets: list[BudgetStatus]
    source: str
    is_demo: bool
    note: str


def budget_period(budget: Budget, today: date) -> tuple[date, date]:
    """The budget period that contains the last complete day (``today`` is not counted)."""
    day = today - timedelta(days=1)
    months = {"monthly": 1, "quarterly": 3, "yearly": 12}[budget.period]
    first_month = (day.month - 1) // months * months + 1
    start = date(day.year, first_month, 1)
    end_month = first_month + months
    end = date(day.year + (end_month - 1) // 12, (end_month - 1) % 12 + 1, 1)
    return start, end


def budget_status(budget: Budget, reader: CostReader, today: date) -> BudgetStatus:
    start, end = budget_period(budget, today)
    through = min(today, end)  # exclusive: costs of complete days only
    daily: dict[date, Decimal] = {}
    others: set[str] = set()
    if through > start:
        query = CostQuery(
            start=start, end=through, metric=budget.metric, granularity="daily", filters=dict(budget.filters)
        )
        for cell in reader.cost_cells(query):
            if cell.currency != budget.amount.currency:
                others.add(cell.currency)
            elif cell.period_start is not None:
                daily[cell.period_start] = daily.get(cell.period_start, Decimal(0)) + cell.amount
    amount = budget.amount.amount
    actual = sum(daily.values(), Decimal(0))
    elapsed, total = (through - start).days, (end - start).days
    exceeded_on = None
    running = Decimal(0)
    for day in sorted(daily):
        running += daily[day]
        if running > amount:
            exceeded_on = day
            break
    burn = actual / elapsed if elapsed > 0 else None
    projected = actual + burn * (total - elapsed) if burn is not None else None
    forecast = None
    if exceeded_on is None and burn is not None and burn > 0 and projected is not None and projected > amount:
        days_more = math.floor((amount - actual) / burn)  # still under after this many more days
        forecast = through + timedelta(days=days_more)
    thresholds = sorted(budget.alert_thresholds)
    reached = [t for t in thresholds if amount > 0 and actual >= amount * t]
    projected_reached = [t for t in thresholds if amount > 0 and projected is not None and projected >= amount * t]
    state: Literal["ok", "at risk", "over"] = (
        "over" if actual > amount else "at risk" if projected is not None and projected > amount else "ok"
    )
    return BudgetStatus(
        budget=budget,
        period_start=start,
        period_end=end,
        days_elapsed=elapsed,
        days_total=total,
        actual=actual,
        used_percent=float(round(actual / amount * 100, 1)) if amount > 0 else 0.0,
        burn_rate=None if burn is None else burn.quantize(_CENT, rounding=ROUND_HALF_EVEN),
        projected=None if projected is None else projected.quantize(_CENT, rounding=ROUND_HALF_EVEN),
        exceeded_on=exceeded_on,
        forecast_exceed_date=forecast,
        thresholds_reached=reached,
        thresholds_projected=projected_reached,
        state=state,
        other_currencies=sorted(others),
    )

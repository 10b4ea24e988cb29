"""The figures of a monthly report, gathered from the analyses (nothing is recomputed here).

Totals and movers are ``explain_change`` against the month before (so they add up exactly, per currency),
the trend is the store's monthly totals, the forecast is ``forecast`` of the month after (only when that
month is the current one), savings are ``savings`` across the connected clouds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from finops_core.breakdown import Cell
from finops_core.errors import InvalidInput
from finops_core.models import CostMetric, CostQuery, Dimension
from finops_core.store import Store

from finops_orchestrator.analysis.changes import ChangeExplanation, explain_change
from finops_orchestrator.analysis.forecast import ForecastReport, forecast
from finops_orchestrator.analysis.savings import SavingsReport

TREND_MONTHS = 12
TOP_MOVERS = 5
_MONTH = re.compile(r"\d{4}-\d{2}")


@dataclass(frozen=True)
class MonthlyReport:
    month: date  # the first day
    as_of: date
    metric: CostMetric
    by_provider: ChangeExplanation  # against the month before, every provider listed
    movers: ChangeExplanation  # by service, the largest changes
    trend: list[Cell]  # monthly totals per currency, TREND_MONTHS months ending with ``month``
    forecast: ForecastReport | None  # of the month after ``month``, when that is the current month
    savings: SavingsReport
    source: str
    is_demo: bool


def add_months(day: date, months: int) -> date:
    """The first of the month ``months`` after (or before) ``day``'s."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def report_month(text: str | None, today: date) -> date:
    """The month asked for (YYYY-MM; default the last complete month), or an ``InvalidInput`` saying why not."""
    current = today.replace(day=1)
    last = add_months(current, -1)
    if text is None or not text.strip():
        return last
    text = text.strip()
    if not _MONTH.fullmatch(text) or not 1 <= int(text[5:]) <= 12:
        raise InvalidInput(f"month={text!r} is not a month; use YYYY-MM, e.g. {last:%Y-%m}.")
    month = date(int(text[:4]), int(text[5:]), 1)
    if month.year < 2000:  # also keeps add_months clear of year 0
        raise InvalidInput(f"{text} is before any cloud bill; use a month the store holds, e.g. {last:%Y-%m}.")
    if month > current:
        raise InvalidInput(
            f"{month:%Y-%m} is in the future (today is {today}); the last complete month is {last:%Y-%m}."
        )
    if month == current:
        raise InvalidInput(
            f"{month:%Y-%m} is not over yet (today is {today}); a report covers a complete month, the last one is "
            f"{last:%Y-%m}. For this month so far, ask for a forecast or a cost query instead."
        )
    return month


def require_data(store: Store, month: date, metric: CostMetric = "effective") -> None:
    """Refuse a month the store holds no cost for, saying what it does hold."""
    if not store.cost_cells(CostQuery(start=month, end=add_months(month, 1), metric=metric)):
        info = store.info()
        if info.first_day is None:
            raise InvalidInput("The store is empty: load data with `finops ingest` (or report on the demo company).")
        raise InvalidInput(
            f"No cost data for {month:%Y-%m} in the store (it holds {info.first_day} to {info.last_day}); pick a "
            "month in that range, or load that month's data with `finops ingest`."
        )


def gather(
    store: Store,
    month: date,
    *,
    today: date,
    savings: SavingsReport,
    metric: CostMetric = "effective",
    source: str = "local store",
    is_demo: bool = False,
) -> MonthlyReport:
    """The report's figures for ``month`` (checked with ``require_data`` first)."""
    end = add_months(month, 1)
    previous = add_months(month, -1)

    def change(dimension: Dimension, top_n: int) -> ChangeExplanation:
        return explain_change(
            store,
            current=(month, end),
            baseline=(previous, month),
            dimension=dimension,
            metric=metric,
            top_n=top_n,
            source=source,
            is_demo=is_demo,
        )

    trend = store.cost_cells(
        CostQuery(start=add_months(month, 1 - TREND_MONTHS), end=end, metric=metric, granularity="monthly")
    )
    ahead = None
    if end == today.replace(day=1):
        ahead = forecast(store, today=today, by="total", metric=metric, source=source, is_demo=is_demo)
    return MonthlyReport(
        month=month,
        as_of=today,
        metric=metric,
        by_provider=change("provider", 50),
        movers=change("service", TOP_MOVERS),
        trend=sorted(trend, key=lambda c: (c.currency, c.period_start or month)),
        forecast=ahead,
        savings=savings,
        source=source,
        is_demo=is_demo,
    )

"""The report's charts as small PNGs (800x400): cost trend with the forecast band, top movers, savings by cloud.

One panel per currency, so amounts in different currencies never share an axis. matplotlib is imported
when a chart is drawn (the server starts without it), and drawn through ``Figure`` rather than pyplot:
no global state or GUI backend, safe in a worker thread.
"""

from __future__ import annotations

import io
from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from finops_core.models import CLOUD_NAMES

from finops_orchestrator.analysis.changes import OTHER
from finops_orchestrator.report.build import MonthlyReport, add_months

if TYPE_CHECKING:
    from matplotlib.axes import Axes

SIZE, DPI = (8, 4), 100
UP, DOWN, ACTUAL, FORECAST = "#c0392b", "#27ae60", "#2c6fbb", "#e67e22"


def _png(currencies: Sequence[str], draw: Callable[[Axes, str], None], title: str) -> bytes:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=SIZE, dpi=DPI, layout="constrained")
    canvas = FigureCanvasAgg(figure)  # Agg directly: no backend selection, no GUI
    figure.suptitle(title, fontsize=11)
    axes = figure.subplots(1, len(currencies), squeeze=False)[0]
    for ax, currency in zip(axes, currencies, strict=True):
        draw(ax, currency)
        ax.set_title(currency, fontsize=10)
        ax.tick_params(labelsize=8)
        ax.grid(alpha=0.3)
    buffer = io.BytesIO()
    canvas.print_png(buffer)
    return buffer.getvalue()


def _thousands(axis: Any) -> None:
    from matplotlib.ticker import FuncFormatter

    axis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}"))


def trend(report: MonthlyReport) -> bytes:
    from matplotlib.dates import DateFormatter, MonthLocator, date2num

    series: dict[str, dict[date, float]] = defaultdict(dict)
    for cell in report.trend:
        if cell.period_start is not None:
            series[cell.currency][cell.period_start] = float(cell.amount)
    first = min(m for values in series.values() for m in values)
    count = (report.month.year - first.year) * 12 + report.month.month - first.month + 1
    months = [add_months(first, i) for i in range(count)]
    x = date2num(months)
    ahead = {s.currency: s for s in report.forecast.series} if report.forecast else {}

    def draw(ax: Axes, currency: str) -> None:
        values = [series[currency].get(m, 0.0) for m in months]
        ax.plot(x, values, marker="o", markersize=3, color=ACTUAL, label="actual")
        if (s := ahead.get(currency)) is not None:  # a cone from the last actual month to the forecast's interval
            xs = date2num([months[-1], add_months(report.month, 1)])
            ax.plot(xs, [values[-1], float(s.month_end)], "--o", markersize=3, color=FORECAST, label="forecast")
            low, high = [values[-1], float(s.month_end_low)], [values[-1], float(s.month_end_high)]
            ax.fill_between(xs, low, high, color=FORECAST, alpha=0.25, label="80% interval")
            spread = [[float(s.month_end - s.month_end_low)], [float(s.month_end_high - s.month_end)]]
            ax.errorbar(xs[-1:], [float(s.month_end)], yerr=spread, color=FORECAST, capsize=3)  # a narrow band shows
            ax.legend(fontsize=7, loc="lower left")
        ax.xaxis.set_major_locator(MonthLocator(interval=max(1, (count + 1) // 6)))  # ticks on the 1st of months
        ax.xaxis.set_major_formatter(DateFormatter("%b %y"))
        ax.tick_params(axis="x", labelrotation=45)
        _thousands(ax.yaxis)
        ax.set_ylim(bottom=0)

    title = f"Monthly {report.metric} cost" + (", and this month's forecast" if ahead else "")
    return _png(sorted(series), draw, title)


def movers(report: MonthlyReport) -> bytes | None:
    shown = {c.currency: [d for d in c.drivers if d.value != OTHER] for c in report.movers.currencies}
    shown = {c: d for c, d in shown.items() if d}
    if not shown:
        return None

    def draw(ax: Axes, currency: str) -> None:
        drivers = list(reversed(shown[currency]))  # largest at the top
        names = [_short(d.value or "(not set)") for d in drivers]
        changes = [float(d.change) for d in drivers]
        ax.barh(names, changes, color=[UP if c > 0 else DOWN for c in changes])
        ax.axvline(0, color="black", linewidth=0.8)
        _thousands(ax.xaxis)

    return _png(sorted(shown), draw, f"Top movers: {report.month:%B %Y} against the month before")


def savings(report: MonthlyReport) -> bytes | None:
    rows = report.savings.by_provider
    if not rows:
        return None

    def draw(ax: Axes, currency: str) -> None:
        mine = [r for r in rows if r.currency == currency]
        names, amounts = [CLOUD_NAMES[r.provider] for r in mine], [float(r.monthly_savings.amount) for r in mine]
        ax.bar(names, amounts, color=DOWN, width=0.6)
        _thousands(ax.yaxis)

    return _png(sorted({r.currency for r in rows}), draw, "Savings opportunities by cloud (per month)")


def _short(name: str, width: int = 28) -> str:
    return name if len(name) <= width else name[: width - 1] + "…"


def draw_all(report: MonthlyReport) -> dict[str, bytes]:
    """File name -> PNG, for the charts that have something to show."""
    drawn = {"trend.png": trend(report), "movers.png": movers(report), "savings.png": savings(report)}
    return {name: png for name, png in drawn.items() if png is not None}

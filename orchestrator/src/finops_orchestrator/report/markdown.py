"""A monthly report as Markdown: tables a person can read and an assistant can quote, amounts to the cent."""

from __future__ import annotations

from collections.abc import Collection
from decimal import Decimal

from finops_core.models import CLOUD_NAMES

from finops_orchestrator.analysis.changes import ChangeExplanation
from finops_orchestrator.report.build import TOP_MOVERS, MonthlyReport, add_months

# Chart files and their captions, in the order the sections show them.
CHARTS = {"trend.png": "Cost trend", "movers.png": "Top movers", "savings.png": "Savings by cloud"}


def money(amount: Decimal) -> str:
    return f"{amount:,.2f}"  # Decimal formatting rounds half-even, exactly


def _signed(amount: Decimal) -> str:
    return f"{amount:+,.2f}"


def _percent(value: float | None) -> str:
    return "n/a" if value is None else f"{value:+.1f}%"


def _row(*cells: str) -> str:
    return "| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |"


def _chart(name: str, charts: Collection[str]) -> list[str]:
    return [f"![{CHARTS[name]}]({name})", ""] if name in charts else []


def _change_table(change: ChangeExplanation, label: str, before: str, now: str, *, totals: bool) -> list[str]:
    lines = [
        _row(label, "Currency", before, now, "Change", "Change %" if totals else "Share of change"),
        "|:--|:--|--:|--:|--:|--:|",
    ]
    for currency in change.currencies:
        for d in currency.drivers:
            pct = _percent(None if d.baseline == 0 else float(round(d.change / d.baseline * 100, 1)))
            share = "n/a" if d.share_of_change is None else f"{d.share_of_change:.1f}%"
            cells = (money(d.baseline), money(d.current), _signed(d.change), pct if totals else share)
            lines.append(_row(d.value or "(not set)", currency.currency, *cells))
        if totals:
            cells = (money(currency.baseline), money(currency.current), _signed(currency.change))
            lines.append(_row("**Total**", f"**{currency.currency}**", *cells, _percent(currency.change_percent)))
    return lines


def render(report: MonthlyReport, charts: Collection[str] = ()) -> str:
    month, before = f"{report.month:%B %Y}", f"{add_months(report.month, -1):%B %Y}"
    end = add_months(report.month, 1)
    empty_before = all(c.baseline == 0 for c in report.by_provider.currencies)
    lines = [f"# Cloud cost report: {month}", ""]
    if report.is_demo:
        lines += [f"> {report.source}", ""]
    lines += [
        f"Metric: {report.by_provider.metric_meaning}. Period {report.month} to {end} (end exclusive), compared "
        f"with {before}. Source: {report.source}. Amounts in different currencies are never added together.",
        "",
        "## Totals by provider",
        "",
        *_change_table(report.by_provider, "Provider", before, month, totals=True),
        "",
        *([f"No cost in {before} (before the data starts?): changes are against zero.", ""] if empty_before else []),
        *_chart("trend.png", charts),
        "## Top movers by service",
        "",
        f"The {TOP_MOVERS} largest changes per currency against {before}; '(other)' is the rest, so each "
        "currency's rows add up to its change.",
        "",
        *_change_table(report.movers, "Service", before, month, totals=False),
        "",
        *_chart("movers.png", charts),
    ]
    if report.forecast is not None:
        f = report.forecast
        lines += [f"## Forecast for {f.as_of:%B %Y}", ""]
        if f.series:
            lines += [
                _row("Currency", "Month to date", "Month end (forecast)", "80% interval", "Backtest error"),
                "|:--|--:|--:|--:|--:|",
            ]
            for s in f.series:
                interval = f"{money(s.month_end_low)} to {money(s.month_end_high)}"
                error = "n/a" if s.backtest_error_percent is None else f"{s.backtest_error_percent}% ({s.model})"
                lines.append(_row(s.currency, money(s.month_to_date), money(s.month_end), interval, error))
            lines.append("")
        lines += [f"Month to date runs through the day before {f.as_of}. {f.note}", ""]
    lines += ["## Savings by cloud", ""]
    found = report.savings
    if found.by_provider:
        lines += [_row("Cloud", "Currency", "Monthly savings", "Opportunities"), "|:--|:--|--:|--:|"]
        for p in found.by_provider:
            lines.append(
                _row(CLOUD_NAMES[p.provider], p.currency, money(p.monthly_savings.amount), str(p.opportunities))
            )
        for total in found.total_monthly_savings:
            lines.append(_row("**Total**", f"**{total.currency}**", money(total.amount), ""))
        lines += ["", found.note, ""]
    else:
        lines += [found.note, ""]
    if found.by_provider and found.missing:
        lines += ["Not included: " + "; ".join(f"{CLOUD_NAMES[m.provider]}: {m.reason}" for m in found.missing), ""]
    lines += _chart("savings.png", charts)
    return "\n".join(lines).rstrip() + "\n"

"""The cost query's answer (``finops_cost_query``, ``<cloud>_cost_query``), compact, and read back.

Structured content carries the data once, as a cost table (``finops_core.cost_tables``: ``columns`` plus ``rows``,
exact amounts as strings, no keys repeated per row, no nulls that say nothing); the text is that table rounded to
cents with a few lines around it, not a second copy of the JSON. Both say the metric and what it means, the period,
the totals per currency, whether groups were folded into '(other)', and whether the answer came from the cache of
paid calls and how old it is.

Asked to convert (``rates``), it adds amounts in the report currency and names the rate table (rates used, as-of
day, source); the per-currency totals stay. Conversion multiplies exact amounts and rounds to cents (half-even)
once, at the end.

``breakdown_of`` reads an answer back into a ``CostBreakdown`` (``RemoteProvider``): rows and '(other)' still add
up to the totals exactly, however much was folded to fit.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from mcp.types import CallToolResult, TextContent
from pydantic import BaseModel, Field

from finops_core.cached import cache_fields, cache_text
from finops_core.cost_tables import Cut, Line, Table, fit, ranked_groups, tabulate, text_rows
from finops_core.currency import CurrencySettings, cents
from finops_core.errors import InvalidInput
from finops_core.models import METRIC_MEANING, CostBreakdown, CostMetric, CostRow, DateRange, Granularity
from finops_core.money import Money


class CostAnswer(BaseModel):
    """The structured content of a cost query's answer (``cost_answer``), as its tool's ``outputSchema``."""

    metric: CostMetric
    metric_meaning: str
    start: date
    end_exclusive: date
    granularity: Granularity
    columns: list[str] = Field(description="The group columns, then currency and cost, or one column per period.")
    rows: list[list[str | None]] = Field(description="Cells in column order; amounts exact, as strings.")
    other: list[list[str | None]] | None = Field(default=None, description="Groups beyond top_n, summed.")
    totals: dict[str, str] = Field(description="Currency -> exact total; currencies are never added together.")
    converted: dict[str, Any] | None = Field(
        default=None, description="Amounts in the report currency (convert=true), with the rates used."
    )
    truncated: bool
    partial_periods: list[list[date]] | None = Field(default=None, description="Periods cut by start or end.")
    source: str
    is_demo: bool
    paid_calls: int | None = None
    cached: bool | None = None
    cached_at: datetime | None = None
    cached_age_minutes: int | None = None
    cut: dict[str, Any] | None = Field(default=None, description="How the answer was folded to fit, and what to ask.")
    note: str | None = None


# Per-row converted amounts add a column to every row: worth it for a breakdown, not for a long trend.
ROWS_CONVERTED_AT_MOST = 40


def cost_lines(breakdown: CostBreakdown) -> tuple[list[Line], list[Line]]:
    def line(row: CostRow) -> Line:
        return Line(row.period_start, tuple(row.group.values()), row.currency, row.cost)

    return [line(r) for r in breakdown.rows], [line(r) for r in breakdown.other]


def cost_answer(
    breakdown: CostBreakdown,
    rates: CurrencySettings | None = None,
    *,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> CallToolResult:
    """The compact answer for ``breakdown``; with ``rates``, plus amounts converted into the report currency."""
    converted = _converted(breakdown, rates) if rates is not None else None
    periodic = breakdown.granularity != "total"
    cache = cache_fields(breakdown.cached, breakdown.cached_at, now())

    def render(lines: list[Line], other: list[Line], cut: Cut | None) -> CallToolResult:
        table = tabulate(breakdown.group_by, lines, other, periodic=periodic)
        per_row = None
        if rates is not None and not periodic and len(lines) + len(other) <= ROWS_CONVERTED_AT_MOST:
            per_row = rates.report_currency
            convert = rates  # narrowed for the closure below

            def amount(ln: Line) -> str:
                return format(cents(convert.convert([(ln.currency, ln.amount)])), "f")

            table = Table(
                [*table.columns, f"cost_{per_row}"],
                [[*r, amount(ln)] for r, ln in zip(table.rows, lines, strict=True)],
                [[*r, amount(ln)] for r, ln in zip(table.other, other, strict=True)],
                table.amounts_from,
            )
        extra = dict(converted or {})
        if converted is not None and per_row is None:
            extra["rows_not_converted"] = (
                f"{len(lines) + len(other)} rows: per-row amounts are left out to keep the answer small; ask a "
                "total (granularity total) over fewer groups (top_n) for them."
                if not periodic
                else "a trend gives converted amounts per period (by_period); per-row amounts come with granularity "
                "total."
            )
        data: dict[str, Any] = {
            "metric": breakdown.metric,
            "metric_meaning": breakdown.metric_meaning,
            "start": breakdown.start.isoformat(),
            "end_exclusive": breakdown.end.isoformat(),
            "granularity": breakdown.granularity,
            "columns": table.columns,
            "rows": table.rows,
        }
        if table.other:
            data["other"] = table.other
        data["totals"] = {t.currency: format(t.amount, "f") for t in breakdown.totals}
        if converted is not None:
            data["converted"] = extra
        data["truncated"] = breakdown.truncated or cut is not None
        if breakdown.partial_periods:
            data["partial_periods"] = [[p.start.isoformat(), p.end.isoformat()] for p in breakdown.partial_periods]
        data["source"] = breakdown.source
        data["is_demo"] = breakdown.is_demo
        if breakdown.paid_calls is not None:
            data["paid_calls"] = breakdown.paid_calls
        data |= cache
        if cut is not None:
            data["cut"] = cut.structured()
        if breakdown.note:
            data["note"] = breakdown.note
        text = _text(breakdown, table, extra if converted is not None else None, len(ranked_groups(lines)), cut, cache)
        return CallToolResult(content=[TextContent(type="text", text=text)], structured_content=data)

    lines, other = cost_lines(breakdown)
    return fit(render, lines, other, len(breakdown.group_by))


def _converted(breakdown: CostBreakdown, rates: CurrencySettings) -> dict[str, Any]:
    """Converted amounts (strings, cents): the grand total, and per period for a trend."""
    total = rates.convert((t.currency, t.amount) for t in breakdown.totals)  # a missing rate fails here
    by_period: dict[date | None, list[tuple[str, Decimal]]] = defaultdict(list)
    for row in [*breakdown.rows, *breakdown.other]:
        by_period[row.period_start].append((row.currency, row.cost))
    used = sorted({t.currency for t in breakdown.totals} - {rates.report_currency})
    out: dict[str, Any] = {
        "currency": rates.report_currency,
        "total": format(cents(total), "f"),
        "rates": {c: format(rates.rate(c), "f") for c in used},
        "rates_as_of": rates.rates_as_of.isoformat() if rates.rates_as_of else None,
        "rates_source": rates.source,
        "rounding": "exact amounts converted, then rounded to cents half-even",
    }
    if breakdown.granularity != "total":
        out["by_period"] = {
            p.isoformat(): format(cents(rates.convert(pairs)), "f") for p, pairs in sorted(by_period.items()) if p
        }
    return out


def money(amount: str | Decimal) -> str:
    return f"{Decimal(amount):,.2f}"


def _last_day(end: str | date) -> str:
    day = date.fromisoformat(end) if isinstance(end, str) else end
    return (day - timedelta(days=1)).isoformat()


def _text(
    breakdown: CostBreakdown,
    table: Table,
    converted: dict[str, Any] | None,
    listed: int,
    cut: Cut | None,
    cache: dict[str, Any],
) -> str:
    """The answer as a short table for reading; amounts rounded to cents."""
    name, _, meaning = breakdown.metric_meaning.partition(": ")
    grouped = f", by {' and '.join(breakdown.group_by)}" if breakdown.group_by else ""
    trend = "" if breakdown.granularity == "total" else f", {breakdown.granularity} (one column per period)"
    lines = [
        f"{name} ({meaning}), {breakdown.start} through {_last_day(breakdown.end)}{grouped}{trend}.",
        f"Source: {breakdown.source}.",
    ]
    cached = cache_text(cache)
    if cached:
        lines.append(cached)
    if breakdown.note:
        lines.append(f"Note: {breakdown.note}")
    if table.rows or table.other:
        lines += text_rows(table, money)
    if breakdown.totals:
        totals = "; ".join(f"{money(t.amount)} {t.currency}" for t in breakdown.totals)
        lines.append(
            f"Totals: {totals}" + (" (currencies are not added together)." if len(breakdown.totals) > 1 else ".")
        )
    if breakdown.partial_periods:
        unit = "week" if breakdown.granularity == "weekly" else "month"
        cut_periods = "; ".join(f"{p.start} through {_last_day(p.end)}" for p in breakdown.partial_periods)
        whole = "Monday through Sunday" if unit == "week" else "a whole calendar month"
        lines.append(f"Partial {unit}s (cut by the period): {cut_periods}. Every other {unit} is {whole}.")
    if converted is not None:
        rates = ", ".join(f"1 {c} = {r} {converted['currency']}" for c, r in converted["rates"].items())
        table_of = f"at {rates}" if rates else "(all amounts already in it)"
        dated = f" as of {converted['rates_as_of']}" if converted["rates_as_of"] else " (no as-of date configured)"
        origin = f", source {converted['rates_source']}" if converted["rates_source"] else ""
        lines.append(
            f"Converted to {converted['currency']} {table_of}{dated}{origin}: total "
            f"{money(converted['total'])} {converted['currency']} (exact amounts converted, then rounded to cents)."
        )
        if "by_period" in converted:
            periods = "; ".join(f"{p} {money(a)}" for p, a in converted["by_period"].items())
            lines.append(f"{converted['currency']} per period: {periods}.")
        if "rows_not_converted" in converted:
            lines.append(f"Not converted per row: {converted['rows_not_converted']}")
    if breakdown.paid_calls:
        lines.append(f"Billed API requests made for this answer: {breakdown.paid_calls}.")
    if cut is not None:
        lines.append(cut.text())
    elif breakdown.truncated:
        lines.append(f"Truncated: the top {listed} groups are listed and the rest summed in (other); raise top_n.")
    return "\n".join(lines)


def breakdown_of(data: dict[str, Any]) -> CostBreakdown:
    """The ``CostBreakdown`` a ``cost_answer``'s structured content holds (its rows as the answer lists them: groups
    folded to fit are in '(other)'). ``InvalidQuery`` for an answer that had to leave periods out."""
    cut: dict[str, Any] = data.get("cut") or {}
    if cut.get("periods") is not None:
        raise InvalidInput(
            f"The answer lists only {cut['periods_listed']} of its {cut['periods']} periods (too long for one answer); "
            f"{cut['narrow']}."
        )
    columns: list[str] = list(data["columns"])
    keys = columns.index("currency")
    group_by = columns[:keys]
    periodic = data["granularity"] != "total"

    def rows(cells: list[list[Any]]) -> list[CostRow]:
        out: list[tuple[date | None, int, CostRow]] = []
        for order, row in enumerate(cells):
            group = dict(zip(group_by, row[:keys], strict=True))
            currency = str(row[keys])
            if not periodic:
                out.append(
                    (None, order, CostRow(period_start=None, group=group, cost=row[keys + 1], currency=currency))
                )
                continue
            for label, cost in zip(columns[keys + 1 :], row[keys + 1 :], strict=True):
                if cost is not None:
                    day = date.fromisoformat(label)
                    out.append((day, order, CostRow(period_start=day, group=group, cost=cost, currency=currency)))
        out.sort(key=lambda t: (t[0] or date.min, t[2].currency, t[1]))  # as ``assemble`` orders them
        return [r for _, _, r in out]

    notes = [n for n in (data.get("note"), _cut_note(cut)) if n]
    cached_at = data.get("cached_at")
    return CostBreakdown(
        start=date.fromisoformat(data["start"]),
        end=date.fromisoformat(data["end_exclusive"]),
        metric=data["metric"],
        metric_meaning=data.get("metric_meaning") or METRIC_MEANING[data["metric"]],
        granularity=data["granularity"],
        group_by=group_by,
        rows=rows(data["rows"]),
        other=rows(data.get("other") or []),
        totals=[Money(amount=Decimal(a), currency=c) for c, a in data["totals"].items()],
        truncated=bool(data["truncated"]),
        partial_periods=[
            DateRange(start=date.fromisoformat(s), end=date.fromisoformat(e))
            for s, e in data.get("partial_periods", [])
        ],
        source=data["source"],
        is_demo=bool(data.get("is_demo")),
        note=" ".join(notes) or None,
        paid_calls=data.get("paid_calls"),
        cached=data.get("cached"),
        cached_at=datetime.fromisoformat(cached_at) if cached_at else None,
    )


def _cut_note(cut: dict[str, Any]) -> str | None:
    """The note a folded answer carries once read back: how many groups it lists and how to see more."""
    if not cut:
        return None
    listed = f"the top {cut['groups_listed']} of {cut['groups']} groups are listed"
    return f"Folded to fit one answer: {listed}; {cut['narrow']}."

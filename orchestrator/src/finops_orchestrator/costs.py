"""``finops_cost_query``: where the money goes, across every loaded cloud, in a compact answer.

The answer is built for a model's context: structured content carries the data once, as ``columns`` plus
``rows`` arrays (no keys repeated per row, no nulls that say nothing), and the text is a short table a
person or a text-only client can read, not a second copy of the JSON. Both say the metric and what it
means, the period, the totals per currency, and whether groups were folded into '(other)'.

Asked to ``convert``, it adds amounts in the report currency at the rate table from finops.toml
``[currency]`` and names that table (rates used, as-of day, source); the per-currency totals stay.
Conversion multiplies exact amounts and rounds to cents (half-even) once, at the end.

No ``from __future__ import annotations``: the SDK reads the tool's annotations at registration.
"""

from collections import defaultdict
from collections.abc import Awaitable, Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import Annotated, Any

from finops_core.access import require_scope
from finops_core.currency import CurrencySettings, cents, no_rate_table
from finops_core.models import CostBreakdown, CostQuery, CostRow
from finops_core.server import (
    READ,
    AccountsParam,
    EndParam,
    GranularityParam,
    GroupByParam,
    MetricParam,
    ProvidersParam,
    RegionsParam,
    ServicesParam,
    StartParam,
    TagKeyParam,
    TopNParam,
    cost_query_of,
)
from mcp.server import MCPServer
from mcp.types import CallToolResult, TextContent
from pydantic import Field

ConvertParam = Annotated[
    bool,
    Field(
        description="Also convert amounts into the report currency at the finops.toml [currency] rates (named in "
        "the answer with their date and source); totals per currency stay."
    ),
]

# Per-row converted amounts add a column to every row: worth it for a breakdown, not for a long trend.
ROWS_CONVERTED_AT_MOST = 40

DESCRIPTION = (
    "Costs across every loaded cloud for a period, grouped by up to two dimensions (and a tag key), as a total or "
    "a daily/weekly/monthly trend: top groups plus '(other)', totals per currency, the metric used (default "
    "effective = amortized); convert=true adds amounts in one report currency at the configured rates. Structured "
    "content holds columns and rows; the text is that table rounded to cents."
)


def register_finops_cost_query(
    server: MCPServer,
    *,
    answer: Callable[[CostQuery], Awaitable[CostBreakdown]],
    today: Callable[[], date],
    currency: CurrencySettings | None,
) -> None:
    """Register ``finops_cost_query`` answered by ``answer`` (the store); ``currency`` is the rate table, if any."""

    @server.tool(name="finops_cost_query", annotations=READ, description=DESCRIPTION, structured_output=False)
    async def finops_cost_query(
        start: StartParam = None,
        end: EndParam = None,
        group_by: GroupByParam = None,
        tag_key: TagKeyParam = None,
        granularity: GranularityParam = "total",
        metric: MetricParam = "effective",
        providers: ProvidersParam = None,
        services: ServicesParam = None,
        accounts: AccountsParam = None,
        regions: RegionsParam = None,
        top_n: TopNParam = 15,
        convert: ConvertParam = False,
    ) -> CallToolResult:
        require_scope("read", "finops_cost_query")
        query = cost_query_of(
            start=start,
            end=end,
            group_by=group_by,
            tag_key=tag_key,
            granularity=granularity,
            metric=metric,
            providers=providers,
            services=services,
            accounts=accounts,
            regions=regions,
            top_n=top_n,
            today=today(),
        )
        if convert and currency is None:
            raise no_rate_table()
        breakdown = await answer(query)
        return cost_answer(breakdown, currency if convert else None, top_n=top_n)


def cost_answer(breakdown: CostBreakdown, rates: CurrencySettings | None, *, top_n: int) -> CallToolResult:
    """The compact answer for ``breakdown``; with ``rates``, plus amounts converted into the report currency."""
    converted = _converted(breakdown, rates) if rates is not None else None
    row_amounts: list[str] | None = converted.get("row_amounts") if converted else None
    periodic = breakdown.granularity != "total"
    columns = [*(["period"] if periodic else []), *breakdown.group_by, "currency", "cost"]
    if converted is not None and row_amounts is not None:
        columns.append(f"cost_{converted['currency']}")

    def cells(row: CostRow, index: int) -> list[Any]:
        out: list[Any] = [row.period_start.isoformat()] if periodic and row.period_start else []
        out += [*row.group.values(), row.currency, format(row.cost, "f")]
        if row_amounts is not None:
            out.append(row_amounts[index])
        return out

    shown = [*breakdown.rows, *breakdown.other]
    data: dict[str, Any] = {
        "metric": breakdown.metric,
        "metric_meaning": breakdown.metric_meaning,
        "start": breakdown.start.isoformat(),
        "end_exclusive": breakdown.end.isoformat(),
        "granularity": breakdown.granularity,
        "columns": columns,
        "rows": [cells(r, i) for i, r in enumerate(breakdown.rows)],
    }
    if breakdown.other:
        data["other"] = [cells(r, len(breakdown.rows) + i) for i, r in enumerate(breakdown.other)]
    data["totals"] = {t.currency: format(t.amount, "f") for t in breakdown.totals}
    if converted is not None:
        data["converted"] = {k: v for k, v in converted.items() if k != "row_amounts"}
    data["truncated"] = breakdown.truncated
    if breakdown.partial_periods:
        data["partial_periods"] = [[p.start.isoformat(), p.end.isoformat()] for p in breakdown.partial_periods]
    data["source"] = breakdown.source
    data["is_demo"] = breakdown.is_demo
    if breakdown.note:
        data["note"] = breakdown.note
    text = _text(breakdown, columns, [cells(r, i) for i, r in enumerate(shown)], converted, top_n)
    return CallToolResult(content=[TextContent(type="text", text=text)], structured_content=data)


def _converted(breakdown: CostBreakdown, rates: CurrencySettings) -> dict[str, Any]:
    """Converted amounts (strings, cents): the grand total, per period for a trend, and per row."""
    shown = [*breakdown.rows, *breakdown.other]
    total = rates.convert((t.currency, t.amount) for t in breakdown.totals)  # a missing rate fails here
    by_period: dict[date | None, list[tuple[str, Decimal]]] = defaultdict(list)
    for row in shown:
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
    if len(shown) <= ROWS_CONVERTED_AT_MOST:
        out["row_amounts"] = [format(cents(rates.convert([(r.currency, r.cost)])), "f") for r in shown]
    else:
        out["rows_not_converted"] = (
            f"{len(shown)} rows: per-row amounts are left out to keep the answer small; ask a shorter period, a "
            "coarser granularity or a smaller top_n for them."
        )
    return out


def _money(amount: str | Decimal) -> str:
    return f"{Decimal(amount):,.2f}"


def _last_day(end: str | date) -> str:
    day = date.fromisoformat(end) if isinstance(end, str) else end
    return (day - timedelta(days=1)).isoformat()


def _text(
    breakdown: CostBreakdown,
    columns: list[str],
    rows: list[list[Any]],
    converted: dict[str, Any] | None,
    top_n: int,
) -> str:
    """The answer as a short table for reading; amounts rounded to cents."""
    name, _, meaning = breakdown.metric_meaning.partition(": ")
    grouped = f", by {' and '.join(breakdown.group_by)}" if breakdown.group_by else ""
    trend = "" if breakdown.granularity == "total" else f", {breakdown.granularity}"
    lines = [
        f"{name} ({meaning}), {breakdown.start} through {_last_day(breakdown.end)}{grouped}{trend}.",
        f"Source: {breakdown.source}.",
    ]
    if breakdown.note:
        lines.append(f"Note: {breakdown.note}")
    if rows:
        amounts = {i for i, c in enumerate(columns) if c == "cost" or c.startswith("cost_")}
        lines.append(" | ".join(columns))
        lines += [
            " | ".join(_money(v) if i in amounts else "(not set)" if v is None else str(v) for i, v in enumerate(row))
            for row in rows
        ]
    if breakdown.totals:
        totals = "; ".join(f"{_money(t.amount)} {t.currency}" for t in breakdown.totals)
        lines.append(
            f"Totals: {totals}" + (" (currencies are not added together)." if len(breakdown.totals) > 1 else ".")
        )
    if breakdown.partial_periods:
        unit = "week" if breakdown.granularity == "weekly" else "month"
        cut = "; ".join(f"{p.start} through {_last_day(p.end)}" for p in breakdown.partial_periods)
        whole = "Monday through Sunday" if unit == "week" else "a whole calendar month"
        lines.append(f"Partial {unit}s (cut by the period): {cut}. Every other {unit} is {whole}.")
    if converted is not None:
        rates = ", ".join(f"1 {c} = {r} {converted['currency']}" for c, r in converted["rates"].items())
        table = f"at {rates}" if rates else "(all amounts already in it)"
        dated = f" as of {converted['rates_as_of']}" if converted["rates_as_of"] else " (no as-of date configured)"
        origin = f", source {converted['rates_source']}" if converted["rates_source"] else ""
        lines.append(
            f"Converted to {converted['currency']} {table}{dated}{origin}: total "
            f"{_money(converted['total'])} {converted['currency']} (exact amounts converted, then rounded to cents)."
        )
        if "by_period" in converted:
            periods = "; ".join(f"{p} {_money(a)}" for p, a in converted["by_period"].items())
            lines.append(f"{converted['currency']} per period: {periods}.")
        if "rows_not_converted" in converted:
            lines.append(f"Not converted per row: {converted['rows_not_converted']}")
    if breakdown.truncated:
        lines.append(f"Truncated: the top {top_n} groups are listed and the rest summed in (other); raise top_n.")
    return "\n".join(lines)

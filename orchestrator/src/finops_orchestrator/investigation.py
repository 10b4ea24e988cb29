"""The demo's scripted investigation: the questions an assistant would ask, sent through a real (in-memory)
MCP client to the ``finops`` server, and the answers printed for a person."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from finops_core.provider import CloudProvider
from finops_core.store import Store
from mcp import Client
from rich.console import Console

from finops_orchestrator.server import build_orchestrator
from finops_orchestrator.state import OrchestratorState


async def investigate(store: Store, as_of: date, providers: Sequence[CloudProvider] = ()) -> dict[str, Any]:
    """Ask the demo questions; tool name -> the structured answer (or ``{"error": text}``)."""
    month_end = as_of.replace(day=1)
    month_start = (month_end - timedelta(days=1)).replace(day=1)
    last_month = {"start": month_start.isoformat(), "end": month_end.isoformat()}
    questions: list[tuple[str, dict[str, Any]]] = [
        ("finops_explain_change", {"top_n": 3, "drill_down": "sub_account"}),
        ("finops_anomalies", {"days": 60}),
        ("finops_forecast", {"by": "provider"}),
        ("finops_tag_coverage", {"tag_key": "team", **last_month, "top_n": 4}),
        ("finops_commitments", last_month),
        ("finops_savings", {"top_n": 3}),
    ]
    answers: dict[str, Any] = {}
    server = build_orchestrator(OrchestratorState(store=store, is_demo=True, today=lambda: as_of, providers=providers))
    async with Client(server) as client:
        for tool, arguments in questions:
            result = await client.call_tool(tool, arguments)
            text = "".join(getattr(c, "text", "") for c in result.content)
            answers[tool] = {"error": text} if result.is_error else result.structured_content
    return answers


def _money(amount: str | Decimal, currency: str) -> str:
    return f"{Decimal(amount):,.2f} {currency}"


def render(out: Console, answers: dict[str, Any]) -> None:
    """Print the answers as short paragraphs (what an assistant would say from them)."""
    for tool, answer in answers.items():
        if "error" in answer:
            out.print(f"[red]{tool} failed:[/] {answer['error']}")
    change = answers["finops_explain_change"]
    if "error" not in change:
        span = (
            f"{change['current']['start']}..{change['current']['end']} vs the {change['baseline']['days']} days before"
        )
        out.print(f"\n[bold]What changed[/] ({span}, {change['metric']} cost):")
        for c in change["currencies"]:
            pct = f" ({c['change_percent']:+.1f}%)" if c["change_percent"] is not None else ""
            out.print(f"  {c['currency']}: {_money(c['change'], c['currency'])}{pct}; top drivers:")
            for d in c["drivers"][:3]:
                below = d["breakdown"][0]["value"] if d["breakdown"] else None
                where = f", mostly {below}" if below else ""
                out.print(f"    {d['value']}: {_money(d['change'], c['currency'])}{where}")
    anomalies = answers["finops_anomalies"]
    if "error" not in anomalies:
        out.print(f"\n[bold]Anomalies[/] ({anomalies['method']}):")
        for a in anomalies["anomalies"][:5]:
            out.print(
                f"  {a['start']} for {a['days']} day(s): {a['provider']} {a['service']} in {a['account']}: "
                f"{_money(a['impact'], a['currency'])} over the expected {_money(a['expected'], a['currency'])}"
            )
        if not anomalies["anomalies"]:
            out.print("  none")
    forecast = answers["finops_forecast"]
    if "error" not in forecast:
        covered = forecast["interval_coverage_percent"]
        coverage = "n/a" if covered is None else f"{covered}%"
        out.print(
            "\n[bold]Forecast[/] (month-to-date actual + forecast, 80% interval; each series' model chosen by a "
            f"backtest of {forecast['backtest_days']}-day windows, where the intervals covered {coverage}):"
        )
        for s in forecast["series"]:
            low, high = _money(s["month_end_low"], s["currency"]), _money(s["month_end_high"], s["currency"])
            out.print(
                f"  {s['series']}: month end {_money(s['month_end'], s['currency'])} ({low} to {high}); {s['model']}, "
                f"backtest error {s['backtest_error_percent']}% (seasonal naive {s['seasonal_naive_error_percent']}%)"
            )
    tags = answers["finops_tag_coverage"]
    if "error" not in tags:
        out.print(f"\n[bold]Tag coverage[/] of '{tags['tag_key']}' ({tags['start']}..{tags['end']}):")
        for c in tags["coverage"]:
            out.print(
                f"  {c['provider']}: {c['untagged_percent']}% untagged ({_money(c['untagged'], c['currency'])} of "
                f"{_money(c['total'], c['currency'])})"
            )
        worst = [s for s in tags["untagged_by_service"] if s["value"] != "(other)"][:2]
        if worst:
            names = ", ".join(f"{s['value']} ({_money(s['cost'], s['currency'])})" for s in worst)
            out.print(f"  most untagged: {names}")
    commitments = answers["finops_commitments"]
    if "error" not in commitments:
        out.print("\n[bold]Commitments[/]:")
        for c in commitments["commitments"]:
            out.print(
                f"  {c['provider']} {c['type']}: utilization {c['utilization_percent']}%, saved "
                f"{_money(c['savings_vs_list'], c['currency'])} against list"
            )
        for c in commitments["coverage"]:
            out.print(f"  {c['provider']}: {c['coverage_percent']}% of usage covered")
    found = answers["finops_savings"]
    if "error" not in found:
        totals = ", ".join(_money(m["amount"], m["currency"]) for m in found["total_monthly_savings"]) or "none"
        out.print(f"\n[bold]Savings[/]: {found['count']} opportunities, {totals} a month; the largest:")
        for o in found["opportunities"]:
            r = o["recommendation"]
            saving = _money(r["monthly_savings"]["amount"], r["monthly_savings"]["currency"])
            out.print(f"  {r['provider']}: {r['title']} ({saving}/month, effort {r['effort']}, risk {r['risk']})")

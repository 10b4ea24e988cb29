"""The analysis tools of the ``finops`` server (registration only; the work is in the sibling modules).

No ``from __future__ import annotations`` here: the MCP SDK reads the tool signatures' annotations at runtime.
"""

import functools
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, Literal, TypeVar

import anyio
import anyio.to_thread
from finops_core.bounds import AmountText, Day, Id, Sql
from finops_core.currency import currency_code
from finops_core.dates import check_period, parse_day, period
from finops_core.errors import InvalidInput
from finops_core.models import Budget, Dimension
from finops_core.money import Money, parse_amount
from finops_core.parameters import AccountsParam, EndParam, MetricParam, ProvidersParam, ServicesParam, StartParam
from finops_core.server import READ, compact_tool
from mcp.server import MCPServer
from mcp.types import ToolAnnotations
from pydantic import Field

from finops_orchestrator.analysis.anomalies import AnomalyReport, find_anomalies
from finops_orchestrator.analysis.budgets import BudgetReport, BudgetStatus, budget_status
from finops_orchestrator.analysis.changes import ChangeExplanation, explain_change
from finops_orchestrator.analysis.commitments import CommitmentReport, commitments
from finops_orchestrator.analysis.forecast import ForecastBy, ForecastReport, forecast
from finops_orchestrator.analysis.savings import SavingsReport, store_savings
from finops_orchestrator.analysis.sql import SLOT_WAIT_S, SQL_SLOTS, TIME_LIMIT_S, SqlAnswer, run_sql
from finops_orchestrator.analysis.tag_policy import TagPolicyReport, store_tag_findings
from finops_orchestrator.analysis.tags import TagCoverage, tag_coverage
from finops_orchestrator.state import OrchestratorState

Answer = TypeVar("Answer")


def register_analysis_tools(server: MCPServer, state: OrchestratorState) -> None:
    """The analysis tools. Costs are read from ``state.costs`` (the store, or a lake when one is configured), named
    in answers by ``state.labels()``; budgets, snapshots and SQL stay on ``state.store``."""
    store, costs, today = state.store, state.costs, state.today

    async def from_costs(analysis: Callable[..., Answer], /, **arguments: Any) -> Answer:
        """``analysis`` of the costs, its answer labelled with where they come from, in a worker thread: a lake may
        take a second, a forecast fits for seconds, and the loop serves the other clients meanwhile."""
        return await anyio.to_thread.run_sync(lambda: analysis(costs, **arguments, **state.labels()))

    @compact_tool(
        server,
        name="finops_explain_change",
        annotations=READ,
        description="Why costs changed between two periods: the change per currency split into ranked drivers "
        "along a dimension (and one level down with drill_down). Drivers add up exactly to the total change. "
        "Default: the last 30 days against the 30 before, by service. Unusual days with no period to compare: "
        "finops_anomalies.",
    )
    async def finops_explain_change(
        start: Annotated[Day | None, Field(description="Current period's first day, YYYY-MM-DD.")] = None,
        end: Annotated[Day | None, Field(description="Current period's end (exclusive). Default: today.")] = None,
        baseline_start: Annotated[
            Day | None, Field(description="Baseline's first day. Default: as long as the current period, just before.")
        ] = None,
        baseline_end: Annotated[
            Day | None, Field(description="Baseline's end (exclusive). Default: the current period's start.")
        ] = None,
        dimension: Annotated[Dimension, Field(description="Split the change along this.")] = "service",
        drill_down: Annotated[Dimension | None, Field(description="Split each driver again along this.")] = None,
        metric: MetricParam = "effective",
        providers: ProvidersParam = None,
        top_n: Annotated[int, Field(description="Drivers to list before '(other)'.", ge=1, le=50)] = 8,
    ) -> ChangeExplanation:
        current = period(start, end, today())
        length = current[1] - current[0]
        base_end = parse_day(baseline_end, "baseline_end") if baseline_end else current[0]
        base_start = parse_day(baseline_start, "baseline_start") if baseline_start else base_end - length
        check_period(base_start, base_end, ("baseline_start", "baseline_end"))
        return await from_costs(
            explain_change,
            current=current,
            baseline=(base_start, base_end),
            dimension=dimension,
            drill_down=drill_down,
            metric=metric,
            filters={"provider": tuple(providers)} if providers else None,
            top_n=top_n,
        )

    @compact_tool(
        server,
        name="finops_anomalies",
        annotations=READ,
        description="Unusual daily costs per provider x service x account: each day is compared with the same "
        "weekday of previous weeks (median and MAD), so weekly cycles and monthly fees are not flagged. Each "
        "anomaly: its series, start, days, shape (spike or lasting shift), impact over expected, largest first. Finds "
        "what to look at; a change between two chosen periods: finops_explain_change.",
    )
    async def finops_anomalies(
        days: Annotated[int, Field(description="How many recent days to check.", ge=1, le=180)] = 30,
        end: Annotated[Day | None, Field(description="Day after the last day checked. Default: today.")] = None,
        metric: MetricParam = "effective",
        providers: ProvidersParam = None,
        sensitivity: Annotated[
            float, Field(description="Robust z-score a day must pass (higher: fewer anomalies).", ge=2, le=20)
        ] = 4.0,
        min_impact: Annotated[
            AmountText, Field(description="Ignore anomalies whose impact is below this amount (in their currency).")
        ] = "10",
        drops: Annotated[
            bool, Field(description="Also report unusual drops (credits, outages, moved workloads).")
        ] = False,
        top_n: Annotated[int, Field(description="Anomalies to list, largest impact first.", ge=1, le=200)] = 20,
    ) -> AnomalyReport:
        last = parse_day(end, "end") if end else today()
        return await from_costs(
            find_anomalies,
            start=last - timedelta(days=days),
            end=last,
            metric=metric,
            providers=tuple(providers or ()),
            sensitivity=sensitivity,
            min_impact=min_impact,
            drops=drops,
            top_n=top_n,
        )

    @compact_tool(
        server,
        name="finops_tag_coverage",
        annotations=READ,
        description="Tag coverage and showback for one tag key: per provider the cost with and without the tag "
        "(untagged share), cost per tag value, and the services and accounts with the most untagged cost. "
        "Default: the last 30 days. Resources breaking a tag policy: finops_tag_policy.",
    )
    async def finops_tag_coverage(
        tag_key: Annotated[Id, Field(description="The tag (label) key, e.g. team or cost-center. Case-sensitive.")],
        start: StartParam = None,
        end: EndParam = None,
        metric: MetricParam = "effective",
        providers: ProvidersParam = None,
        top_n: Annotated[int, Field(description="Values to list per currency before '(other)'.", ge=1, le=50)] = 10,
    ) -> TagCoverage:
        first, last = period(start, end, today())
        return await from_costs(
            tag_coverage,
            tag_key=tag_key,
            start=first,
            end=last,
            metric=metric,
            providers=tuple(providers or ()),
            top_n=top_n,
        )

    @compact_tool(
        server,
        name="finops_budget_set",
        annotations=ToolAnnotations(read_only_hint=False, destructive_hint=False, idempotent_hint=True),
        description="Create a budget, or replace the one with that name: an amount per month, quarter or year in "
        "one currency, over a filter of providers, services and accounts (across clouds). Kept in the local "
        "store; changes nothing in any cloud. Returns its status.",
    )
    async def finops_budget_set(
        name: Annotated[str, Field(description="Unique name, e.g. 'data platform'.", min_length=1, max_length=100)],
        amount: Annotated[AmountText, Field(description="The limit per period, e.g. 25000.")],
        currency: Annotated[
            str, Field(description="ISO 4217 code; only costs in it count.", min_length=3, max_length=3)
        ] = "USD",
        period: Annotated[Literal["monthly", "quarterly", "yearly"], Field(description="Budget period.")] = "monthly",
        metric: MetricParam = "effective",
        providers: ProvidersParam = None,
        services: ServicesParam = None,
        accounts: AccountsParam = None,
    ) -> BudgetStatus:
        value = parse_amount(amount, "amount", positive=True)
        chosen: dict[Dimension, list[str] | None] = {
            "provider": providers,
            "service": services,
            "sub_account": accounts,
        }
        filters: dict[Dimension, tuple[str, ...]] = {d: tuple(values) for d, values in chosen.items() if values}
        budget = Budget(
            name=name.strip(),
            amount=Money(amount=value, currency=currency_code(currency, "currency")),
            period=period,
            metric=metric,
            filters=filters,
        )
        await anyio.to_thread.run_sync(store.save_budget, budget, datetime.now(UTC))  # never write on the loop
        return await anyio.to_thread.run_sync(budget_status, budget, costs, today())  # a lake may take seconds

    @compact_tool(
        server,
        name="finops_budget_status",
        annotations=READ,
        description="Every budget (or one by name) against its period-to-date cost: used %, daily burn rate, "
        "linear projection to the period's end, the day it was or is projected to be exceeded, and alert "
        "thresholds reached. Where spend heads without a budget: finops_forecast.",
    )
    async def finops_budget_status(
        name: Annotated[Id | None, Field(description="Only this budget.")] = None,
    ) -> BudgetReport:
        def report() -> BudgetReport:  # in a worker thread: the store's budgets, then each one's costs (a lake)
            saved = store.budgets()
            budgets = [b for b in saved if name is None or b.name == name]
            if name is not None and not budgets:
                known = ", ".join(b.name for b in saved) or "none yet"
                raise InvalidInput(f"No budget named {name!r} (budgets: {known}). Create one with finops_budget_set.")
            as_of = today()
            note = "Projections are linear at the period-to-date daily average."
            if not budgets:
                note = "No budgets yet: create one with finops_budget_set."
            return BudgetReport(
                as_of=as_of,
                budgets=[budget_status(b, costs, as_of) for b in budgets],
                **state.labels(),
                note=note,
            )

        return await anyio.to_thread.run_sync(report)

    @compact_tool(
        server,
        name="finops_commitments",
        annotations=READ,
        description="Commitment discounts (savings plans, reservations, committed use) from the FOCUS columns: "
        "per commitment the usage it covered, its unused share (waste), utilization and savings against list; "
        "per provider the share of usage cost covered. Default: the last 30 days. New commitments to buy and other "
        "savings: finops_savings.",
    )
    async def finops_commitments(
        start: StartParam = None,
        end: EndParam = None,
        providers: ProvidersParam = None,
    ) -> CommitmentReport:
        first, last = period(start, end, today())
        return await from_costs(commitments, start=first, end=last, providers=tuple(providers or ()))

    @compact_tool(
        server,
        name="finops_savings",
        annotations=READ,
        description="Savings opportunities from every connected cloud (its recommendations and waste findings), "
        "de-duplicated per resource and ranked by monthly savings, with effort, risk, the action that realizes "
        "each, and totals per currency and cloud. Clouds not connected or failing are named. Acting on them: "
        "finops_plan_remediation, when remediation is on.",
    )
    async def finops_savings(
        top_n: Annotated[int, Field(description="Opportunities to list.", ge=1, le=200)] = 20,
        min_monthly_savings: Annotated[
            AmountText, Field(description="Ignore opportunities saving less than this a month.")
        ] = "0",
    ) -> SavingsReport:
        floor = parse_amount(min_monthly_savings, "min_monthly_savings")
        return await store_savings(
            store, state.providers, state.clouds, top_n=top_n, min_monthly_savings=floor, is_demo=state.is_demo
        )

    @compact_tool(
        server,
        name="finops_tag_policy",
        annotations=READ,
        description="Resources breaking the policy file's tag policies (required tag missing, value not allowed), "
        "costliest first, with counts per cloud and tag key and the non-compliant monthly cost per currency. The cost "
        "share missing a tag: finops_tag_coverage.",
    )
    async def finops_tag_policy(
        top_n: Annotated[int, Field(description="Findings to list.", ge=1, le=200)] = 20,
    ) -> TagPolicyReport:
        return await store_tag_findings(
            store, state.providers, state.clouds, state.policy, top_n=top_n, is_demo=state.is_demo
        )

    @compact_tool(
        server,
        name="finops_forecast",
        annotations=READ,
        description="Forecast cost per provider, service or in total (per currency): this month's end "
        "(month-to-date actual + forecast) and the next N days, with 80% intervals. Per series the model with "
        "the lowest backtest error (never worse than seasonal naive), named with both errors. Fits take seconds. "
        "Against a set limit: finops_budget_status.",
    )
    async def finops_forecast(
        horizon_days: Annotated[int, Field(description="Days ahead to forecast from today.", ge=1, le=90)] = 30,
        by: Annotated[ForecastBy, Field(description="total, provider or service.")] = "provider",
        metric: MetricParam = "effective",
        providers: ProvidersParam = None,
        top_n: Annotated[int, Field(description="Series per currency before '(other)'.", ge=1, le=10)] = 5,
    ) -> ForecastReport:
        return await from_costs(
            forecast,
            today=today(),
            horizon_days=horizon_days,
            by=by,
            metric=metric,
            providers=tuple(providers or ()),
            top_n=top_n,
        )

    sql_slots = anyio.CapacityLimiter(SQL_SLOTS)

    @compact_tool(
        server,
        name="finops_sql",
        annotations=READ,
        description="For what the other tools cannot ask (line-item detail, custom joins): read-only SQL (SQLite) "
        "over the store. Query the view focus_line_items (FOCUS "
        "columns, decoded; costs in nanos: divide by 1e9), rollup_daily / rollup_monthly (string ids: join "
        "strings), partitions. Only SELECT; rows and time are bounded.",
    )
    async def finops_sql(
        query: Annotated[Sql, Field(description="One SELECT statement.")],
        max_rows: Annotated[int, Field(description="Rows to return at most.", ge=1, le=1000)] = 100,
    ) -> SqlAnswer:
        acquired = False
        with anyio.move_on_after(SLOT_WAIT_S):
            await sql_slots.acquire()
            acquired = True
        if not acquired:
            raise InvalidInput(
                f"finops_sql is busy: {SQL_SLOTS} queries are running. Try again in ~{TIME_LIMIT_S:g} s, or use "
                "finops_cost_query."
            )
        try:  # in a worker thread: a query may run up to its time limit, and other calls must not wait on it
            return await anyio.to_thread.run_sync(functools.partial(run_sql, store.path, query, max_rows=max_rows))
        finally:
            sql_slots.release()

"""The analysis tools of the ``finops`` server (registration only; the work is in the sibling modules).

No ``from __future__ import annotations`` here: the MCP SDK reads the tool signatures' annotations at runtime.
"""

from collections.abc import Callable
from datetime import date, timedelta
from typing import Annotated

from finops_core.dates import parse_day, period
from finops_core.errors import InvalidInput
from finops_core.models import CostMetric, Dimension
from finops_core.server import READ
from finops_core.store import Store
from mcp.server import MCPServer
from pydantic import Field

from finops_orchestrator.analysis.anomalies import AnomalyReport, find_anomalies
from finops_orchestrator.analysis.changes import ChangeExplanation, explain_change
from finops_orchestrator.analysis.sql import SqlAnswer, run_sql
from finops_orchestrator.analysis.tags import TagCoverage, tag_coverage

Metric = Annotated[
    CostMetric, Field(description="effective (amortized, default), billed (invoice cash), list or contracted.")
]
Providers = Annotated[
    list[str] | None, Field(description="Only these providers (FOCUS ProviderName: AWS, Microsoft, Google Cloud).")
]


def register_analysis_tools(
    server: MCPServer, store: Store, *, source: str, is_demo: bool, today: Callable[[], date]
) -> None:
    @server.tool(
        name="finops_explain_change",
        annotations=READ,
        description="Why costs changed between two periods: the change per currency split into ranked drivers "
        "along a dimension (and one level down with drill_down). Drivers add up exactly to the total change. "
        "Default: the last 30 days against the 30 before, by service.",
    )
    async def finops_explain_change(
        start: Annotated[str | None, Field(description="Current period's first day, YYYY-MM-DD.")] = None,
        end: Annotated[str | None, Field(description="Current period's end (exclusive). Default: today.")] = None,
        baseline_start: Annotated[
            str | None, Field(description="Baseline's first day. Default: as long as the current period, just before.")
        ] = None,
        baseline_end: Annotated[
            str | None, Field(description="Baseline's end (exclusive). Default: the current period's start.")
        ] = None,
        dimension: Annotated[Dimension, Field(description="Split the change along this.")] = "service",
        drill_down: Annotated[Dimension | None, Field(description="Split each driver again along this.")] = None,
        metric: Metric = "effective",
        providers: Providers = None,
        top_n: Annotated[int, Field(description="Drivers to list before '(other)'.", ge=1, le=50)] = 8,
    ) -> ChangeExplanation:
        current = period(start, end, today())
        length = current[1] - current[0]
        base_end = parse_day(baseline_end, "baseline_end") if baseline_end else current[0]
        base_start = parse_day(baseline_start, "baseline_start") if baseline_start else base_end - length
        if base_end <= base_start:
            raise InvalidInput(f"baseline_end ({base_end}) must be after baseline_start ({base_start}).")
        return explain_change(
            store,
            current=current,
            baseline=(base_start, base_end),
            dimension=dimension,
            drill_down=drill_down,
            metric=metric,
            filters={"provider": tuple(providers)} if providers else None,
            top_n=top_n,
            source=source,
            is_demo=is_demo,
        )

    @server.tool(
        name="finops_anomalies",
        annotations=READ,
        description="Unusual daily costs per provider x service x account: each day is compared with the same "
        "weekday of the previous weeks (median and median absolute deviation), so weekly cycles are not flagged. "
        "Returns each anomaly's start, days, dollar impact over the expected cost and the series it is in, "
        "largest impact first.",
    )
    async def finops_anomalies(
        days: Annotated[int, Field(description="How many recent days to check.", ge=1, le=180)] = 30,
        end: Annotated[str | None, Field(description="Day after the last day checked. Default: today.")] = None,
        metric: Metric = "effective",
        providers: Providers = None,
        sensitivity: Annotated[
            float, Field(description="Robust z-score a day must pass (higher: fewer anomalies).", ge=2, le=20)
        ] = 4.0,
        min_impact: Annotated[
            str, Field(description="Ignore anomalies whose impact is below this amount (in their currency).")
        ] = "10",
        drops: Annotated[
            bool, Field(description="Also report unusual drops (credits, outages, moved workloads).")
        ] = False,
    ) -> AnomalyReport:
        last = parse_day(end, "end") if end else today()
        return find_anomalies(
            store,
            start=last - timedelta(days=days),
            end=last,
            metric=metric,
            providers=tuple(providers or ()),
            sensitivity=sensitivity,
            min_impact=min_impact,
            drops=drops,
            source=source,
            is_demo=is_demo,
        )

    @server.tool(
        name="finops_tag_coverage",
        annotations=READ,
        description="Tag coverage and showback for one tag key: per provider the cost with and without the tag "
        "(untagged share), cost per tag value, and the services and accounts with the most untagged cost. "
        "Default: the last 30 days.",
    )
    async def finops_tag_coverage(
        tag_key: Annotated[str, Field(description="The tag (label) key, e.g. team or cost-center. Case-sensitive.")],
        start: Annotated[str | None, Field(description="First day, YYYY-MM-DD. Default: 30 days before end.")] = None,
        end: Annotated[str | None, Field(description="Day after the last day (exclusive). Default: today.")] = None,
        metric: Metric = "effective",
        providers: Providers = None,
        top_n: Annotated[int, Field(description="Values to list per currency before '(other)'.", ge=1, le=50)] = 10,
    ) -> TagCoverage:
        first, last = period(start, end, today())
        return tag_coverage(
            store,
            tag_key=tag_key,
            start=first,
            end=last,
            metric=metric,
            providers=tuple(providers or ()),
            top_n=top_n,
            source=source,
            is_demo=is_demo,
        )

    @server.tool(
        name="finops_sql",
        annotations=READ,
        description="Read-only SQL (SQLite) over the store for analysts. Query the view focus_line_items (FOCUS "
        "columns, decoded; costs in nanos: divide by 1e9), rollup_daily / rollup_monthly (string ids: join "
        "strings), partitions. Only SELECT; rows and time are bounded.",
    )
    async def finops_sql(
        query: Annotated[str, Field(description="One SELECT statement.", max_length=20_000)],
        max_rows: Annotated[int, Field(description="Rows to return at most.", ge=1, le=1000)] = 100,
    ) -> SqlAnswer:
        return run_sql(store.path, query, max_rows=max_rows)

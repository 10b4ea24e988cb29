"""The AWS-native cost tools: Cost Explorer by AWS's own dimensions, forecast, anomalies, commitments, budgets.

No ``from __future__ import annotations``: the SDK evaluates the tools' annotations at registration.
"""

from typing import Annotated, Literal

from finops_core.dates import next_month_start, parse_day, period
from finops_core.server import READ, compact_tool
from mcp.server import MCPServer
from pydantic import Field

from finops_aws.costs.answers import BudgetList, Commitments, CostAnomalies, CostForecast, NativeCosts
from finops_aws.costs.explorer import AwsMetric, CostExplorer, NativeGranularity

Start = Annotated[str | None, Field(description="First day, YYYY-MM-DD. Default: 30 days before end.")]
End = Annotated[str | None, Field(description="Exclusive end, YYYY-MM-DD. Default: today.")]
Metric = Annotated[AwsMetric, Field(description="Cost Explorer metric.")]
PAID = " Each uncached Cost Explorer request costs $0.01; answers say paid_calls."


def register_cost_tools(server: MCPServer, explorer: CostExplorer) -> None:
    """Register ``aws_cost_explorer``, ``aws_cost_forecast``, ``aws_cost_anomalies``, ``aws_commitments`` and
    ``aws_budgets`` on ``server``, answered by ``explorer``."""
    today = explorer.ctx.today

    @compact_tool(
        server,
        name="aws_cost_explorer",
        annotations=READ,
        description="AWS costs by up to two AWS dimensions, tag keys or cost categories, in a Cost Explorer "
        "metric: top groups, other, totals." + PAID,
    )
    async def aws_cost_explorer(
        start: Start = None,
        end: End = None,
        group_by: Annotated[
            list[str] | None,
            Field(
                max_length=2,
                description="Up to 2 of SERVICE, LINKED_ACCOUNT, REGION, USAGE_TYPE, INSTANCE_TYPE, RECORD_TYPE, "
                "TAG:<key>, COST_CATEGORY:<name>.",
            ),
        ] = None,
        metric: Metric = "UnblendedCost",
        granularity: NativeGranularity = "monthly",
        top_n: Annotated[int, Field(ge=1, le=100)] = 10,
    ) -> NativeCosts:
        first, last = period(start, end, today())
        return await explorer.costs_by(
            first, last, group_by=group_by or [], metric=metric, granularity=granularity, top_n=top_n
        )

    @compact_tool(
        server,
        name="aws_cost_forecast",
        annotations=READ,
        description="AWS's forecast of spend from today, with lower/upper bounds per period (an estimate)." + PAID,
    )
    async def aws_cost_forecast(
        end: Annotated[str | None, Field(description="Exclusive end, YYYY-MM-DD. Default: next month's 1st.")] = None,
        metric: Metric = "UnblendedCost",
        granularity: Literal["daily", "monthly"] = "monthly",
        level: Annotated[int, Field(ge=51, le=99, description="Prediction interval, percent.")] = 80,
    ) -> CostForecast:
        first = today()
        last = parse_day(end, "end") if end else next_month_start(first).date()
        return await explorer.forecast(first, last, metric=metric, granularity=granularity, level=level)

    @compact_tool(
        server,
        name="aws_cost_anomalies",
        annotations=READ,
        description="Cost anomalies AWS detected (impact, dates, root causes by service, account, region, "
        "usage type), largest first." + PAID,
    )
    async def aws_cost_anomalies(
        start: Start = None,
        end: End = None,
        min_impact: Annotated[float, Field(ge=0, description="Skip smaller impacts (USD).")] = 0.0,
        limit: Annotated[int, Field(ge=1, le=100)] = 20,
    ) -> CostAnomalies:
        first, last = period(start, end, today())
        return await explorer.anomalies(first, last, min_impact=min_impact, limit=limit)

    @compact_tool(
        server,
        name="aws_commitments",
        annotations=READ,
        description="Savings Plans and Reserved Instances coverage and utilization for a period (4 requests)." + PAID,
    )
    async def aws_commitments(start: Start = None, end: End = None) -> Commitments:
        first, last = period(start, end, today())
        return await explorer.commitments(first, last)

    @compact_tool(
        server,
        name="aws_budgets",
        annotations=READ,
        description="AWS Budgets with limit, actual and forecast spend and percent used (free).",
    )
    async def aws_budgets() -> BudgetList:
        return await explorer.budgets()

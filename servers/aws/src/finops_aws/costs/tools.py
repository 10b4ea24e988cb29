"""The AWS-native cost tools: Cost Explorer by AWS's own dimensions, forecast, anomalies, commitments, budgets.

No ``from __future__ import annotations``: the SDK evaluates the tools' annotations at registration.
"""

from datetime import date, timedelta
from typing import Annotated

from finops_core.bounds import Id
from finops_core.cost_tools import cost_table_tool
from finops_core.dates import next_month_start, period
from finops_core.parameters import EndDay, StartDay, TopN
from mcp.server import MCPServer
from pydantic import Field

from finops_aws.costs.answers import BudgetList, Commitments, CostAnomalies, CostForecast, NativeCosts
from finops_aws.costs.explorer import AwsMetric, CostExplorer, NativeGranularity

PAID = " $0.01 per uncached request (paid_calls)."


def _back(today: date, days: int) -> tuple[date, date]:
    return today - timedelta(days=days), today


def register_cost_tools(server: MCPServer, explorer: CostExplorer) -> None:
    """Register ``aws_cost_explorer``, ``aws_cost_forecast``, ``aws_cost_anomalies``, ``aws_commitments`` and
    ``aws_budgets`` on ``server``, answered by ``explorer``."""
    today = explorer.ctx.today

    @cost_table_tool(
        server,
        name="aws_cost_explorer",
        description="AWS costs by AWS's own dimensions (usage type, instance type, record type), tags or cost "
        "categories, which aws_cost_query does not group by: top groups, other, totals." + PAID,
    )
    async def aws_cost_explorer(
        start: StartDay,
        end: EndDay,
        group_by: Annotated[
            list[Id],
            Field(
                max_length=2,
                description="SERVICE LINKED_ACCOUNT REGION USAGE_TYPE INSTANCE_TYPE RECORD_TYPE TAG:k COST_CATEGORY:k",
            ),
        ] = [],  # noqa: B006 - the SDK copies arguments; a default list shows as [] in the schema
        metric: AwsMetric = "UnblendedCost",
        granularity: NativeGranularity = "monthly",
        top_n: TopN = 10,
    ) -> NativeCosts:
        first, last = period(start, end, today())
        return await explorer.costs_by(
            first, last, group_by=group_by, metric=metric, granularity=granularity, top_n=top_n
        )

    @cost_table_tool(
        server,
        name="aws_cost_forecast",
        description="AWS's spend forecast from today per month, with 80% bounds (an estimate)." + PAID,
    )
    async def aws_cost_forecast(
        months: Annotated[int, Field(ge=1, le=12, description="1: to the end of this month")] = 1,
        metric: AwsMetric = "UnblendedCost",
    ) -> CostForecast:
        first = today()
        last = first.replace(day=1)
        for _ in range(months):
            last = next_month_start(last).date()
        return await explorer.forecast(first, last, metric=metric)

    @cost_table_tool(
        server,
        name="aws_cost_anomalies",
        description="Cost anomalies AWS detected: impact, dates, root causes (service, account, region, usage "
        "type)." + PAID,
    )
    async def aws_cost_anomalies(
        days: Annotated[int, Field(ge=1, le=365)] = 30,
        min_impact: Annotated[float, Field(ge=0, description="USD")] = 0.0,
        limit: Annotated[int, Field(ge=1, le=100)] = 20,
    ) -> CostAnomalies:
        first, last = _back(today(), days)
        return await explorer.anomalies(first, last, min_impact=min_impact, limit=limit)

    @cost_table_tool(
        server,
        name="aws_commitments",
        description="Savings Plans and Reserved Instances coverage and utilization over the last days (4 "
        "requests)." + PAID,
    )
    async def aws_commitments(days: Annotated[int, Field(ge=1, le=365)] = 30) -> Commitments:
        return await explorer.commitments(*_back(today(), days))

    @cost_table_tool(
        server,
        name="aws_budgets",
        description="AWS Budgets: limit, actual and forecast spend, percent used (free).",
    )
    async def aws_budgets() -> BudgetList:
        return await explorer.budgets()

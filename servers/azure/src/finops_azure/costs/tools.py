"""The Azure-native cost tools: Cost Management by Azure's own dimensions, forecast, budgets, benefits.

No ``from __future__ import annotations``: the SDK evaluates the tools' annotations at registration.
"""

from datetime import date
from typing import Annotated, Literal

from finops_core.bounds import Id
from finops_core.cost_tools import cost_table_tool
from finops_core.dates import next_month_start, period
from finops_core.parameters import EndDay, StartDay, TopN
from mcp.server import MCPServer
from pydantic import Field

from finops_azure.costs.answers import Benefits, BudgetList, CostForecast, NativeCosts
from finops_azure.costs.management import AzureDimension, CostManagement, CostType

FREE = " Free but rate-limited (requests)."


def register_cost_tools(server: MCPServer, costs: CostManagement) -> None:
    """Register ``azure_cost_by``, ``azure_cost_forecast``, ``azure_budgets`` and ``azure_benefits`` on ``server``,
    answered by ``costs`` (``azure_cost_query`` comes from the server factory, over ``query_costs``)."""
    today = costs.ctx.today

    @cost_table_tool(
        server,
        name="azure_cost_by",
        description="Azure costs by up to two of Azure's own dimensions (as listed) or a tag key, for groupings "
        "azure_cost_query lacks: top groups, other, totals." + FREE,
    )
    async def azure_cost_by(
        start: StartDay,
        end: EndDay,
        group_by: Annotated[list[AzureDimension], Field(max_length=2)] = [],  # noqa: B006 - shows as [] in the schema
        tag_key: Annotated[Id, Field(description="a tag to group by; untagged = null")] = "",
        metric: CostType = "ActualCost",
        granularity: Literal["daily", "monthly", "total"] = "total",
        top_n: TopN = 10,
    ) -> NativeCosts:
        first, last = period(start, end, today())
        return await costs.costs_by(
            first, last, group_by=group_by, tag_key=tag_key or None, metric=metric, granularity=granularity, top_n=top_n
        )

    @cost_table_tool(
        server,
        name="azure_cost_forecast",
        description="Azure's forecast to a month end: actual so far, forecast, total per currency (an "
        "estimate)." + FREE,
    )
    async def azure_cost_forecast(
        months: Annotated[int, Field(ge=1, le=12, description="1: to the end of this month")] = 1,
        metric: CostType = "ActualCost",
        days: bool = False,
    ) -> CostForecast:
        first: date = today().replace(day=1)
        last = first
        for _ in range(months):
            last = next_month_start(last).date()
        answer = await costs.forecast(first, last, metric=metric)
        return answer if days else answer.model_copy(update={"days": []})

    @cost_table_tool(
        server,
        name="azure_budgets",
        description="Cost Management budgets: amount, spend, forecast, percent used." + FREE,
    )
    async def azure_budgets() -> BudgetList:
        return await costs.budgets()

    @cost_table_tool(
        server,
        name="azure_benefits",
        description="Savings plan purchase recommendations (savings, hourly commitment) and reservation / savings "
        "plan utilization (needs billing_scope)." + FREE,
    )
    async def azure_benefits(
        look_back: Literal["Last7Days", "Last30Days", "Last60Days"] = "Last30Days",
        term: Literal["P1Y", "P3Y"] = "P3Y",
    ) -> Benefits:
        return await costs.benefits(look_back=look_back, term=term)

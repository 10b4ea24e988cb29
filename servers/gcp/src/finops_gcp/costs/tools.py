"""The Google-native cost tools: gross, credits and net from the billing export, and budgets.

No ``from __future__ import annotations``: the SDK evaluates the tools' annotations at registration.
"""

from typing import Annotated, Literal

from finops_core.bounds import Id, Ids
from finops_core.cost_tools import cost_table_tool
from finops_core.dates import period
from finops_core.parameters import EndDay, StartDay, TopN
from mcp.server import MCPServer
from pydantic import Field

from finops_gcp.costs.answers import GcpBudgets, GcpCosts
from finops_gcp.costs.bigquery_costs import BillingExport
from finops_gcp.costs.budgets import budgets

JOB = " 1 BigQuery job if uncached (paid_calls)."


def register_cost_tools(server: MCPServer, export: BillingExport) -> None:
    """Register ``gcp_costs_by`` and ``gcp_budgets`` on ``server``, answered by ``export``."""
    today = export.ctx.today

    @cost_table_tool(
        server,
        name="gcp_costs_by",
        description="GCP costs from the billing export with credits split by type, which gcp_cost_query nets: "
        "gross, credits by type, net per group; top, other, totals." + JOB,
    )
    async def gcp_costs_by(
        start: StartDay,
        end: EndDay,
        group_by: Annotated[
            list[Id],
            Field(max_length=2, description="service sku project location credit_type label:<key>"),
        ] = [],  # noqa: B006 - the SDK copies arguments; a default list shows as [] in the schema
        granularity: Literal["daily", "monthly", "total"] = "monthly",
        services: Annotated[Ids, Field(description="only these")] = [],  # noqa: B006
        projects: Annotated[Ids, Field(description="only these ids")] = [],  # noqa: B006
        top_n: TopN = 10,
    ) -> GcpCosts:
        first, last = period(start, end, today())
        filters = {k: v for k, v in (("service", services), ("project", projects)) if v}
        return await export.costs_by(
            first, last, group_by=group_by, granularity=granularity, filters=filters, top_n=top_n
        )

    @cost_table_tool(
        server,
        name="gcp_budgets",
        description="Cloud Billing budgets: amount, thresholds, filter, spend so far, percent used." + JOB,
    )
    async def gcp_budgets() -> GcpBudgets:
        return await budgets(export.ctx, export)

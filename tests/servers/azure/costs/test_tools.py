"""The Azure-native cost tools through an in-memory MCP client."""

from __future__ import annotations

import json
from typing import Any

import pytest
from finops_azure.costs import CostManagement
from finops_azure.costs.tools import register_cost_tools
from finops_core.settings import Settings
from mcp import Client
from mcp.server import MCPServer
from mcp.types import CallToolResult

from tests.fakes.azure.cost_management import CostManagementFake
from tests.servers.azure.conftest import TOKEN
from tests.servers.cost_tools import assert_small_and_within_budget
from tests.tables import records

pytestmark = pytest.mark.anyio
TOOLS = ("azure_cost_by", "azure_cost_forecast", "azure_budgets", "azure_benefits")


def _body(result: CallToolResult) -> dict[str, Any]:
    assert not result.is_error, result.content
    assert result.structured_content is not None
    return result.structured_content


def _server(costs: CostManagement) -> MCPServer:
    server = MCPServer("t")
    register_cost_tools(server, costs)
    return server


async def test_each_tool_is_small_and_the_server_stays_within_its_budget(
    costs: CostManagement, settings: Settings
) -> None:
    # The grouping tool carries the Azure dimension list.
    await assert_small_and_within_budget(
        "azure", settings, lambda s: register_cost_tools(s, costs), TOOLS, largest=1_200
    )


async def test_top_meter_categories_asked_twice_makes_requests_only_once(
    costs: CostManagement, cm: CostManagementFake
) -> None:
    requests: list[int] = []
    async with Client(_server(costs)) as client:
        for _ in range(2):
            body = _body(
                await client.call_tool(
                    "azure_cost_by",
                    {
                        "start": "2026-09-01",
                        "end": "2026-11-01",
                        "group_by": ["MeterCategory"],
                        "granularity": "monthly",
                    },
                )
            )
            requests.append(body["requests"])
            assert body["columns"] == ["MeterCategory", "currency", "2026-09-01", "2026-10-01"]  # pivoted by month
            assert set(body["totals"]) == {"EUR", "USD"}
    assert requests[1] == 0
    assert requests[0] == len(cm.arm.calls("query")) > 0


async def test_forecast_budgets_and_benefits_answer_compactly(costs: CostManagement) -> None:
    async with Client(_server(costs)) as client:
        forecast = _body(await client.call_tool("azure_cost_forecast", {}))
        with_days = _body(await client.call_tool("azure_cost_forecast", {"days": True}))
        budgets = _body(await client.call_tool("azure_budgets", {}))
        benefits = _body(await client.call_tool("azure_benefits", {"term": "P3Y"}))
    assert forecast["start"] == "2026-11-01"
    assert forecast["end"] == "2026-12-01"
    assert "days" not in forecast or forecast["days"] == []
    assert with_days["days"]
    assert {t["currency"] for t in records(forecast["totals"])} == {"EUR", "USD"}
    assert records(budgets["budgets"])[0]["percent_used"] == 82.5
    savings = records(benefits["recommendations"])[0]
    assert (savings["savings.amount"], savings["savings.currency"]) == ("310.75", "USD")
    assert TOKEN not in json.dumps([forecast, budgets, benefits])


async def test_an_unknown_dimension_is_refused_by_the_schema_and_three_groupings_with_a_way_out(
    costs: CostManagement,
) -> None:
    async with Client(_server(costs)) as client:
        bad = await client.call_tool(
            "azure_cost_by", {"start": "2026-10-01", "end": "2026-11-01", "group_by": ["Color"]}
        )
        three = await client.call_tool(
            "azure_cost_by",
            {"start": "2026-10-01", "end": "2026-11-01", "group_by": ["ServiceName", "ChargeType"], "tag_key": "team"},
        )
    assert bad.is_error
    assert three.is_error
    assert "at most two" in three.content[0].text  # type: ignore[union-attr]

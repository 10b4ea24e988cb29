"""The Azure-native cost tools through an in-memory MCP client."""

from __future__ import annotations

import json
from typing import Any

import pytest
from finops_azure.costs import CostManagement
from finops_azure.costs.tools import register_cost_tools
from finops_core.sandbox.provider import SandboxProvider
from finops_core.server import build_server
from finops_core.settings import Settings
from mcp import Client
from mcp.server import MCPServer
from mcp.types import CallToolResult

from tests.conftest import AS_OF
from tests.fakes.azure.cost_management import CostManagementFake
from tests.servers.azure.conftest import TOKEN
from tests.tables import records
from tests.tool_budget import hosted_bytes

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
    server = build_server(
        SandboxProvider("azure", as_of=AS_OF),
        settings,
        today=lambda: AS_OF,
        extend=lambda s: register_cost_tools(s, costs),
    )
    async with Client(server) as client:
        tools = (await client.list_tools()).tools
    sizes = {t.name: hosted_bytes([t], separators=(",", ":")) for t in tools}
    assert set(TOOLS) <= set(sizes)
    # ~700 bytes a tool on average; the grouping tool carries the Azure dimension list
    assert sum(sizes[name] for name in TOOLS) <= 4 * 700, {n: sizes[n] for n in TOOLS}
    assert max(sizes[name] for name in TOOLS) <= 1_200, {n: sizes[n] for n in TOOLS}
    assert sum(sizes.values()) <= 16_000
    assert all(t.annotations and t.annotations.read_only_hint for t in tools if t.name in TOOLS)


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

"""The wire contract: what a per-cloud server publishes is what the orchestrator's remote provider sends and reads."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from finops_core.sandbox import SandboxProvider
from finops_core.server import build_server
from finops_core.settings import Settings
from finops_core.wire import COST_FILTER_ARGUMENTS, DAILY_COSTS_MAX_DAYS, DailyCosts
from mcp import Client

from tests.conftest import AS_OF

pytestmark = pytest.mark.anyio


async def test_every_filter_the_wire_names_is_an_argument_of_a_cloud_servers_cost_query(
    settings: Settings,
) -> None:
    async with Client(build_server(SandboxProvider("aws", as_of=AS_OF), settings, today=lambda: AS_OF)) as client:
        (tool,) = [t for t in (await client.list_tools()).tools if t.name == "aws_cost_query"]
    properties = tool.input_schema["properties"]
    for argument in COST_FILTER_ARGUMENTS.values():
        assert argument in properties, argument


async def test_a_cloud_servers_longest_daily_costs_answer_reads_back_as_the_wire_model(settings: Settings) -> None:
    server = build_server(SandboxProvider("gcp", as_of=AS_OF), settings, today=lambda: AS_OF)
    start = date(2026, 9, 1)
    end = start + timedelta(days=DAILY_COSTS_MAX_DAYS)
    async with Client(server) as client:
        longest = await client.call_tool("gcp_daily_costs", {"start": f"{start}", "end": f"{end}"})
        too_long = await client.call_tool("gcp_daily_costs", {"start": f"{start}", "end": f"{end + timedelta(1)}"})
    page = DailyCosts.model_validate(longest.structured_content)
    assert (page.end - page.start).days == DAILY_COSTS_MAX_DAYS
    assert page.provider == "gcp"
    assert page.items
    assert too_long.is_error
    assert f"At most {DAILY_COSTS_MAX_DAYS} days" in str(too_long.content)

"""What only ``finops-aws`` has: the Athena tool, listed only when ``[aws.athena]`` names the export."""

from __future__ import annotations

from pathlib import Path

import pytest
from finops_aws.provider import create_provider
from finops_core.adapter import native_tools
from finops_core.server import build_server
from finops_core.settings import Settings
from mcp import Client

pytestmark = pytest.mark.anyio


async def _names(home: Path, aws: dict[str, object]) -> set[str]:
    settings = Settings.load({"FINOPS_HOME": str(home)}, overrides={"aws": aws})
    provider = create_provider(settings)
    async with Client(build_server(provider, settings, extend=native_tools(provider))) as client:
        return {t.name for t in (await client.list_tools()).tools}


async def test_the_athena_tool_is_listed_only_when_the_export_is_configured(home: Path) -> None:
    assert "aws_cur_query" not in await _names(home, {})
    assert "aws_cur_query" in await _names(home, {"athena": {"database": "cur", "table": "data"}})
    assert {"aws_cost_forecast", "aws_cost_anomalies", "aws_budgets"} <= await _names(home, {})

"""``finops-azure``'s cost tools on the Cost Management emulator: every tool answered through the paid-call cache says
whether its answer came from it and how old it is, in the compact shape of every cost tool."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from finops_core.adapter import native_tools
from finops_core.server import build_server
from finops_core.settings import Settings

from tests.fakes.azure.arm import ArmFake
from tests.servers.azure.test_provider import azure_provider
from tests.servers.conftest import Waits
from tests.servers.cost_tools import asked_twice, assert_says_cached

pytestmark = pytest.mark.anyio

OCTOBER = {"start": "2026-10-01", "end": "2026-11-01"}


@pytest.fixture
def server(arm: ArmFake, home: Path, waits: Waits, settings: Settings) -> Any:
    provider = azure_provider(arm, home, waits)[0]
    return build_server(provider, settings, extend=native_tools(provider))


@pytest.mark.parametrize(
    ("tool", "arguments"),
    [
        ("azure_cost_query", {**OCTOBER, "group_by": ["service"], "granularity": "daily"}),
        ("azure_cost_by", {**OCTOBER, "group_by": ["MeterCategory"], "granularity": "daily"}),
        ("azure_cost_forecast", {}),
        ("azure_daily_costs", {"start": "2026-11-20", "end": "2026-11-26"}),
    ],
)
async def test_every_tool_on_the_paid_cache_says_whether_its_answer_came_from_it(
    server: Any, tool: str, arguments: dict[str, Any]
) -> None:
    first, second = await asked_twice(server, tool, arguments)
    assert_says_cached(first, second)
    assert {k: v for k, v in first.items() if not k.startswith(("cached", "requests", "source"))} == {
        k: v for k, v in second.structured_content.items() if not k.startswith(("cached", "requests", "source"))
    }

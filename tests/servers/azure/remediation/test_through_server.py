"""Azure remediation through the MCP server: a plan changes nothing. (Apply asking a person first is
``RemediationWorkflow``'s, on every cloud.)"""

from __future__ import annotations

import pytest
from finops_azure.context import AzureContext
from finops_azure.remediation import apply_remediation, plan_remediation
from finops_core.server import build_server
from finops_core.settings import Settings
from mcp import Client

from tests.conftest import AS_OF
from tests.servers.azure.conftest import SUBSCRIPTIONS
from tests.servers.azure.remediation.conftest import World
from tests.servers.elicitation import RemediatingProvider

pytestmark = pytest.mark.anyio


async def test_a_plan_through_the_server_changes_nothing(world: World, ctx: AzureContext, settings: Settings) -> None:
    server = build_server(
        RemediatingProvider("azure", ctx, plan_remediation, apply_remediation, AS_OF),  # type: ignore[arg-type]
        settings.model_copy(update={"remediation_enabled": True}),
        today=lambda: AS_OF,
    )
    disk = world.compute.add_disk(SUBSCRIPTIONS[0], "RG-Data", "old-data")
    state = world.state()
    async with Client(server) as client:
        tools = {t.name for t in (await client.list_tools()).tools}
        plan_tool = next(n for n in tools if n.startswith("azure_") and "plan" in n)
        result = await client.call_tool(plan_tool, {"kind": "delete_volume", "resource_id": disk})
    assert result.structured_content is not None, result.content
    assert "after taking snapshot old-data-finops-20261126" in result.structured_content["summary"]
    assert world.state() == state

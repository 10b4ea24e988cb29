"""Azure remediation through the MCP server: apply asks a person first (elicitation, both client modes); a
declined change does nothing, a confirmed one is made and reported."""

from __future__ import annotations

import pytest
from finops_azure.context import AzureContext
from finops_azure.remediation import apply_remediation, plan_remediation
from finops_core.server import build_server
from finops_core.settings import Settings
from mcp import Client

from tests.conftest import AS_OF
from tests.servers.azure.conftest import SUBSCRIPTIONS, TOKEN
from tests.servers.azure.remediation.conftest import World
from tests.servers.elicitation import Person, RemediatingProvider

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize("mode", ["auto", "legacy"])
async def test_a_confirmed_deallocation_is_applied_and_a_declined_one_changes_nothing(
    world: World, ctx: AzureContext, settings: Settings, mode: str
) -> None:
    server = build_server(
        RemediatingProvider("azure", ctx, plan_remediation, apply_remediation, AS_OF),  # type: ignore[arg-type]
        settings.model_copy(update={"remediation_enabled": True}),
        today=lambda: AS_OF,
    )
    declined = world.compute.add_vm(SUBSCRIPTIONS[0], "RG-Web", "web-1")
    confirmed = world.compute.add_vm(SUBSCRIPTIONS[0], "RG-Web", "web-2")
    no = Person("decline", None)
    async with Client(server, mode=mode, elicitation_callback=no) as client:
        result = await client.call_tool("azure_apply_remediation", {"kind": "stop_instance", "resource_id": declined})
    assert result.structured_content is not None, result.content
    assert result.structured_content["applied"] is False
    assert "web-1" in no.asked[0]
    assert world.compute.power[declined.lower()] == "running"
    yes = Person("accept", {"confirm": True})
    async with Client(server, mode=mode, elicitation_callback=yes) as client:
        result = await client.call_tool("azure_apply_remediation", {"kind": "stop_instance", "resource_id": confirmed})
    assert result.structured_content is not None, result.content
    assert result.structured_content["applied"] is True
    assert result.structured_content["after"]["power_state"] == "deallocated"
    assert "Undo: start_instance" in yes.asked[0]
    assert world.compute.power[confirmed.lower()] == "deallocated"
    assert world.compute.power[declined.lower()] == "running"
    assert TOKEN not in str(result.content)


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

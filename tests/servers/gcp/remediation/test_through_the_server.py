"""Google Cloud remediation through the MCP server: the person confirms (MCP elicitation) before anything changes."""

from __future__ import annotations

import pytest
from finops_core.server import build_server
from finops_core.settings import Settings
from finops_gcp.context import GcpContext
from finops_gcp.remediation import apply_remediation, plan_remediation
from mcp import Client

from tests.conftest import AS_OF
from tests.fakes.gcp.compute_ops import ComputeOps
from tests.servers.elicitation import Person, RemediatingProvider
from tests.servers.gcp.remediation.conftest import ZONE, P, instance_id

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize("mode", ["auto", "legacy"])
async def test_a_confirmed_stop_is_applied_and_a_declined_one_changes_nothing(
    ops: ComputeOps, ctx: GcpContext, settings: Settings, mode: str
) -> None:
    ops.add_instance(P, ZONE, "declined")
    ops.add_instance(P, ZONE, "confirmed")
    server = build_server(
        RemediatingProvider("gcp", ctx, plan_remediation, apply_remediation, AS_OF),  # type: ignore[arg-type]
        settings.model_copy(update={"remediation_enabled": True}),
        today=lambda: AS_OF,
    )
    no = Person("decline", None)
    async with Client(server, mode=mode, elicitation_callback=no) as client:
        result = await client.call_tool(
            "gcp_apply_remediation", {"kind": "stop_instance", "resource_id": instance_id("declined")}
        )
    assert result.structured_content is not None, result.content
    assert result.structured_content["applied"] is False
    assert "declined" in no.asked[0]
    assert ops.instances[(P, ZONE, "declined")]["status"] == "RUNNING"

    yes = Person("accept", {"confirm": True})
    async with Client(server, mode=mode, elicitation_callback=yes) as client:
        result = await client.call_tool(
            "gcp_apply_remediation", {"kind": "stop_instance", "resource_id": instance_id("confirmed")}
        )
    assert result.structured_content is not None, result.content
    assert result.structured_content["applied"] is True
    assert result.structured_content["after"]["status"] == "TERMINATED"
    assert "Undo: start_instance" in yes.asked[0]
    assert ops.instances[(P, ZONE, "confirmed")]["status"] == "TERMINATED"
    assert ops.instances[(P, ZONE, "declined")]["status"] == "RUNNING"


async def test_a_protected_instance_is_refused_before_the_person_is_asked(
    ops: ComputeOps, ctx: GcpContext, settings: Settings
) -> None:
    ops.add_instance(P, ZONE, "db-1", labels={"finops-protect": "true"})
    server = build_server(
        RemediatingProvider("gcp", ctx, plan_remediation, apply_remediation, AS_OF),  # type: ignore[arg-type]
        settings.model_copy(update={"remediation_enabled": True}),
        today=lambda: AS_OF,
    )
    yes = Person("accept", {"confirm": True})
    async with Client(server, elicitation_callback=yes) as client:
        result = await client.call_tool(
            "gcp_apply_remediation", {"kind": "stop_instance", "resource_id": instance_id("db-1")}
        )
    assert result.is_error
    assert "finops-protect=true" in str(result.content)
    assert yes.asked == []
    assert ops.instances[(P, ZONE, "db-1")]["status"] == "RUNNING"

"""Google Cloud remediation through the MCP server: a protected instance is refused before anyone is asked. (Apply
asking a person first is ``RemediationWorkflow``'s, on every cloud.)"""

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

"""What the orchestrator's plan / approve / execute tests on each emulated cloud share: the orchestrator with
remediation on over one cloud's provider, at a fixed time, and a tool result's text."""

from __future__ import annotations

from datetime import UTC, datetime

from finops_core.provider import CloudProvider
from finops_core.store import Store
from finops_orchestrator.remediation.policy import Policy
from finops_orchestrator.server import build_orchestrator
from mcp.server import MCPServer
from mcp.types import CallToolResult, TextContent

from tests.conftest import AS_OF

NOW = datetime(2026, 11, 26, 10, tzinfo=UTC)


def remediating_orchestrator(store: Store, provider: CloudProvider) -> MCPServer:
    """The finops server with remediation on, the default guardrails, over ``provider``, at ``NOW``."""
    return build_orchestrator(
        store,
        is_demo=False,
        today=lambda: AS_OF,
        providers=[provider],
        remediation=True,
        policy=Policy(),
        now=lambda: NOW,
    )


def text(result: CallToolResult) -> str:
    return " ".join(c.text for c in result.content if isinstance(c, TextContent))

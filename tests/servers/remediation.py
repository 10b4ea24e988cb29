"""What the orchestrator's plan / approve / execute tests on each emulated cloud share: the orchestrator with
remediation on over one cloud's provider, at a fixed time, a policy with a legal-hold tag and environments, the
cloud's own server checking a signed approval, and a tool result's text."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from finops_core.models import RemediationAction
from finops_core.proof import ApprovalClaims, sign_approval
from finops_core.provider import CloudProvider
from finops_core.server import build_server
from finops_core.settings import Settings
from finops_core.store import Store
from finops_orchestrator.remediation.ledger import Ledger
from finops_orchestrator.remediation.policy import Policy
from finops_orchestrator.server import build_orchestrator
from mcp.server import MCPServer
from mcp.types import CallToolResult, TextContent
from pydantic import SecretStr

from tests.conftest import AS_OF
from tests.credentials import APPROVAL_KEY

NOW = datetime(2026, 11, 26, 10, tzinfo=UTC)
# Resources tagged legal-hold=true are never touched, and changes are allowed only in dev or untagged resources.
GUARDED = Policy.model_validate(
    {
        "guardrails": {
            "protected_tags": ["finops:protect=true", "finops-protect=true", "legal-hold=true"],
            "allow": [{"environment": "dev"}, {"environment": "none"}],
        }
    }
)


def remediating_orchestrator(store: Store, provider: CloudProvider, policy: Policy | None = None) -> MCPServer:
    """The finops server with remediation on, ``policy`` (default: the default guardrails), over ``provider``, at
    ``NOW``."""
    return build_orchestrator(
        store,
        is_demo=False,
        today=lambda: AS_OF,
        providers=[provider],
        remediation=True,
        policy=policy or Policy(),
        now=lambda: NOW,
    )


def approve(store: Store, plan_id: str) -> None:
    """A person's approval of the plan from a terminal, valid at ``NOW``."""
    ledger = Ledger(store)
    ledger.approve(ledger.plan(plan_id), approved_by="ana", channel="terminal", now=NOW, ttl=timedelta(hours=1))


def approving_server(provider: CloudProvider, home: Path) -> MCPServer:
    """The cloud's own server with remediation on, accepting approvals signed with the test approval key."""
    settings = Settings.load({"FINOPS_HOME": str(home)}).model_copy(
        update={"remediation_enabled": True, "approval_key": SecretStr(APPROVAL_KEY)}
    )
    return build_server(provider, settings, today=lambda: AS_OF)


def signed_apply(action: dict[str, Any], policy: Policy, approval_id: str) -> dict[str, Any]:
    """The arguments of ``<cloud>_apply_remediation`` for ``action`` (as in a plan) with an approval the orchestrator
    would sign for it under ``policy``, valid for five minutes of the real clock (the server checks it on that)."""
    approved = RemediationAction.model_validate(action)
    claims = ApprovalClaims(
        plan_id="plan-guarded",
        plan_hash="0" * 64,
        step=1,
        approval_id=approval_id,
        approved_by="ana",
        expires_at=int((datetime.now(UTC) + timedelta(minutes=5)).timestamp()),
        action=approved,
        guardrails=policy.guardrails_for(approved.provider, approved.kind),
    )
    return {
        "kind": approved.kind,
        "resource_id": approved.resource_id,
        "parameters": approved.parameters or None,
        "approval": sign_approval(APPROVAL_KEY.encode(), claims),
    }


def text(result: CallToolResult) -> str:
    return " ".join(c.text for c in result.content if isinstance(c, TextContent))

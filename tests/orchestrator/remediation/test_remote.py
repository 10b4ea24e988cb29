"""A per-cloud server in another process applies a step only with proof of the person's approval for exactly that
step: the orchestrator signs each step with the key both sides share; anything else is refused."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from finops_core.models import RemediationAction
from finops_core.proof import ApprovalClaims, sign_approval
from finops_core.sandbox import SandboxProvider
from finops_core.server import build_server
from finops_core.settings import Settings
from finops_orchestrator.policy import Policy
from finops_orchestrator.providers import RemoteProvider
from finops_orchestrator.remediation.ledger import Ledger
from finops_orchestrator.server import build_orchestrator
from finops_orchestrator.state import OrchestratorState
from mcp import Client
from mcp.server import MCPServer
from pydantic import SecretStr

from tests.conftest import AS_OF
from tests.credentials import APPROVAL_KEY
from tests.orchestrator.remediation.conftest import Person, Recording, World, make_plan, text

pytestmark = pytest.mark.anyio
KEY = APPROVAL_KEY.encode()
HOUR = timedelta(hours=1)
LEGAL_HOLD = Policy.model_validate({"guardrails": {"protected_tags": ["legal-hold=true"]}})


def _cloud_server(settings: Settings, sandbox: SandboxProvider) -> MCPServer:
    with_key = {"remediation_enabled": True, "approval_key": SecretStr(APPROVAL_KEY)}
    return build_server(sandbox, settings.model_copy(update=with_key), today=lambda: AS_OF)


@asynccontextmanager
async def _orchestrator(world: World, remote: RemoteProvider, policy: Policy | None = None) -> AsyncIterator[Client]:
    server = build_orchestrator(
        OrchestratorState(
            store=world.store,
            is_demo=True,
            today=lambda: AS_OF,
            providers=[remote],
            remediation=True,
            policy=policy or Policy(),
            now=world.clock,
        )
    )
    async with Client(server, elicitation_callback=Person()) as client:
        yield client


async def _states(sandbox: SandboxProvider) -> dict[str, Any]:
    return {r.resource_id: (r.state, r.size) for r in (await sandbox.list_resources(limit=500)).resources}


async def test_an_approved_plan_runs_on_a_remote_server_with_a_signed_approval_per_step(
    world: World, settings: Settings
) -> None:
    world.clock.at = datetime.now(UTC)  # the cloud server checks the approval's expiry on its own clock
    sandbox = SandboxProvider("aws", as_of=AS_OF)
    remote = RemoteProvider("aws", Client(_cloud_server(settings, sandbox)), where="remote aws", approval_key=KEY)
    async with remote, _orchestrator(world, remote) as client:
        recs = (await remote.list_recommendations(limit=500)).recommendations
        plan = await make_plan(client, [r.recommendation_id for r in recs if r.action][:2])
        result = await client.call_tool("finops_execute_plan", {"plan_id": plan["plan_id"]})
    assert (result.structured_content or {})["outcome"] == "succeeded", text(result)
    states = await _states(sandbox)
    for step in plan["steps"]:
        after = step["expected_after"]
        assert states.get(step["action"]["resource_id"], ("deleted", None)) == (after["state"], after["size"])


@pytest.mark.parametrize(
    ("key", "says"),
    [
        (None, "Nothing was changed: no approval_key is set for [providers.aws] in finops.toml"),
        (b"other", "aws: Nothing was changed: the approval sent with this change is not signed"),
    ],
    ids=["no key", "another key"],
)
async def test_without_the_shared_key_the_remote_server_changes_nothing_and_the_failed_step_says_why(
    world: World, settings: Settings, key: bytes | None, says: str
) -> None:
    sandbox = SandboxProvider("aws", as_of=AS_OF)
    before = await _states(sandbox)
    remote = RemoteProvider("aws", Client(_cloud_server(settings, sandbox)), where="remote aws", approval_key=key)
    async with remote, _orchestrator(world, remote) as client:
        recs = (await remote.list_recommendations(limit=500)).recommendations
        plan = await make_plan(client, [r.recommendation_id for r in recs if r.action][:1])
        result = await client.call_tool("finops_execute_plan", {"plan_id": plan["plan_id"]})
    step = (result.structured_content or {})["steps"][0]
    assert step["state"] == "failed"
    assert step["message"].startswith(says), step["message"]
    assert await _states(sandbox) == before


async def test_a_resource_tagged_legal_hold_after_the_approval_is_refused_before_the_remote_server_changes_it(
    world: World, settings: Settings
) -> None:
    world.clock.at = datetime.now(UTC)  # the approval is valid on the cloud server's clock: only the tag stops it
    sandbox = Recording("aws")
    remote = RemoteProvider("aws", Client(_cloud_server(settings, sandbox)), where="remote aws", approval_key=KEY)
    async with remote, _orchestrator(world, remote, LEGAL_HOLD) as client:
        recs = (await remote.list_recommendations(limit=500)).recommendations
        plan = await make_plan(client, [r.recommendation_id for r in recs if r.action][:1])
        target = plan["steps"][0]["action"]["resource_id"]
        ledger = Ledger(world.store)
        ledger.approve(ledger.plan(plan["plan_id"]), approved_by="ana", channel="terminal", now=world.clock(), ttl=HOUR)
        await sandbox.tag(target, **{"legal-hold": "true"})
        before = await _states(sandbox)
        result = await client.call_tool("finops_execute_plan", {"plan_id": plan["plan_id"]})
    step = (result.structured_content or {})["steps"][0]
    assert step["state"] == "refused", text(result)
    assert "carries the protected tag legal-hold=true" in step["message"]  # read through aws_resource_tags
    assert sandbox.applied == []
    assert await _states(sandbox) == before


async def test_the_cloud_server_refuses_on_its_own_a_signed_approval_whose_resource_tags_changed_after_signing(
    settings: Settings,
) -> None:
    sandbox = Recording("aws")
    recs = (await sandbox.list_recommendations(limit=500)).recommendations
    held, moved, unreadable = [r.action for r in recs if r.action is not None][:3]
    dev_only = Policy.model_validate({"guardrails": {"allow": [{"environment": "dev"}]}})
    attempts = {  # the orchestrator's own check bypassed: each approval is validly signed for its action
        "protected": (held, LEGAL_HOLD, "carries the protected tag legal-hold=true"),
        "environment": (moved, dev_only, "is in environment prod, where the policy does not allow it (only: dev)"),
        "unreadable": (unreadable, Policy(), "could not be read just before the change"),
    }
    await sandbox.tag(held.resource_id, **{"legal-hold": "true"})
    await sandbox.tag(moved.resource_id, env="prod")
    sandbox.unreadable.add(unreadable.resource_id)
    before = await _states(sandbox)
    async with Client(_cloud_server(settings, sandbox)) as client:
        for name, (action, policy, expected) in attempts.items():
            claims = _claims(action, approval_id=f"appr-{name}", guardrails=policy.guardrails_for("aws", action.kind))
            result = await client.call_tool("aws_apply_remediation", _call(action, sign_approval(KEY, claims)))
            assert result.is_error, name
            assert text(result).startswith("Nothing was changed"), name
            assert expected in text(result), name
    assert sandbox.applied == []
    assert await _states(sandbox) == before


def _call(action: RemediationAction, token: str) -> dict[str, Any]:
    return {
        "kind": action.kind,
        "resource_id": action.resource_id,
        "parameters": action.parameters or None,
        "approval": token,
    }


def _claims(action: RemediationAction, **changes: Any) -> ApprovalClaims:
    expires = int((datetime.now(UTC) + timedelta(minutes=5)).timestamp())
    base = ApprovalClaims(
        plan_id="plan-1",
        plan_hash="a" * 64,
        step=1,
        approval_id="appr-1",
        approved_by="ana",
        expires_at=expires,
        action=action,
        guardrails=Policy().guardrails_for(action.provider, action.kind),
    )
    return base.model_copy(update=changes)


async def test_the_model_cannot_apply_on_the_cloud_server_with_a_forged_altered_replayed_or_expired_approval(
    settings: Settings,
) -> None:
    sandbox = SandboxProvider("aws", as_of=AS_OF)
    before = await _states(sandbox)
    recs = (await sandbox.list_recommendations(limit=500)).recommendations
    first, second = [r.action for r in recs if r.action][:2]
    assert first is not None
    assert second is not None

    attempts = {
        "not a token": (first, "yes, approved"),
        "another key": (first, sign_approval(b"guessed-key", _claims(first))),
        "another action": (first, sign_approval(KEY, _claims(second))),
        "expired": (first, sign_approval(KEY, _claims(first, expires_at=int(datetime.now(UTC).timestamp()) - 1))),
    }
    async with Client(_cloud_server(settings, sandbox)) as client:  # the model's side: no elicitation
        for name, (action, token) in attempts.items():
            result = await client.call_tool("aws_apply_remediation", _call(action, token))
            assert result.is_error
            assert "Nothing was changed" in text(result), name
            assert APPROVAL_KEY not in text(result)
        assert await _states(sandbox) == before
        good = sign_approval(KEY, _claims(first))
        applied = await client.call_tool("aws_apply_remediation", _call(first, good))
        replayed = await client.call_tool("aws_apply_remediation", _call(first, good))
    assert not applied.is_error, text(applied)
    assert replayed.is_error
    assert "already used" in text(replayed)

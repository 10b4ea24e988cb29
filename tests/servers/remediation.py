"""The orchestrator's plan / approve / execute loop, one scenario for every emulated cloud (``RemediationWorkflow``),
and what it is made of: the orchestrator with remediation on over one cloud's provider, at a fixed time, a policy
with a legal-hold tag and environments, the cloud's own server checking a signed approval, and a tool result's text.

Each cloud's ``test_remediation_workflow.py`` subclasses ``RemediationWorkflow`` with one fixture, ``emulated``: its
provider over its emulators and how to make, tag, stop and look at an instance there (``EmulatedCloud``)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, ClassVar, Literal

import pytest
from finops_core.clouds import CLOUD_NAMES
from finops_core.models import RemediationAction
from finops_core.proof import ApprovalClaims, sign_approval
from finops_core.provider import CloudProvider
from finops_core.server import build_server
from finops_core.settings import Settings
from finops_core.store import Store
from finops_orchestrator.policy import Policy
from finops_orchestrator.remediation.ledger import Ledger
from finops_orchestrator.server import build_orchestrator
from finops_orchestrator.state import OrchestratorState
from mcp import Client
from mcp.server import MCPServer
from mcp.types import CallToolResult, TextContent
from pydantic import SecretStr

from tests.conftest import AS_OF
from tests.credentials import APPROVAL_KEY, CREDENTIALS
from tests.fakes.rest import RestFake
from tests.servers.elicitation import Person

NOW = datetime(2026, 11, 26, 10, tzinfo=UTC)
HOUR = timedelta(hours=1)
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
        OrchestratorState(
            store=store,
            is_demo=False,
            today=lambda: AS_OF,
            providers=[provider],
            remediation=True,
            policy=policy or Policy(),
            now=lambda: NOW,
        )
    )


def approve(store: Store, plan_id: str) -> None:
    """A person's approval of the plan from a terminal, valid at ``NOW``."""
    ledger = Ledger(store)
    ledger.approve(ledger.plan(plan_id), approved_by="ana", channel="terminal", now=NOW, ttl=HOUR)


def approving_server(provider: CloudProvider, home: Path) -> MCPServer:
    """The cloud's own server with remediation on: it asks a person to confirm, or takes an approval signed with
    the test approval key."""
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


def unsigned_apply(action: dict[str, Any]) -> dict[str, Any]:
    """The arguments of ``<cloud>_apply_remediation`` for ``action`` (as in a plan), with no approval: the server
    asks a person."""
    return {"kind": action["kind"], "resource_id": action["resource_id"], "parameters": action.get("parameters")}


def text(result: CallToolResult) -> str:
    return " ".join(c.text for c in result.content if isinstance(c, TextContent))


class EmulatedCloud(ABC):
    """One cloud's provider over its emulators, and its instances there as the scenario needs them."""

    cloud: str
    provider: CloudProvider
    protect: tuple[str, str]  # the cloud's protection tag (key, value), as its resources carry it
    running: str  # an instance's state before, and after a stop
    stopped: tuple[str, ...]
    read_back: tuple[str, str]  # what apply reads back after a stop: (field, value)
    legal_hold: tuple[str, str] = ("legal-hold", "true")  # as a person writes it in the cloud's console
    fake: RestFake | None = None  # the REST emulator that counts the calls below, if any
    routes: ClassVar[Mapping[str, str]] = {}  # its route of each counted call: "stop", "read"

    @abstractmethod
    def add_instance(self, name: str, tags: dict[str, str] | None = None) -> str:
        """A running instance ``name`` with ``tags``; its resource id."""

    @abstractmethod
    def stop(self, resource_id: str) -> dict[str, Any]:
        """The action that stops it, as a plan takes it."""

    @abstractmethod
    def tag(self, resource_id: str, **tags: str) -> None:
        """Tag it in the cloud, as someone might in the console after a plan was approved."""

    @abstractmethod
    def state(self, resource_id: str) -> str: ...

    @abstractmethod
    def snapshot(self) -> object:
        """Everything the emulators hold of the instances, to tell that nothing changed."""

    def calls(self, what: str) -> int | None:
        """How often the cloud was asked to ``stop`` or ``read`` an instance; None where its emulator does not
        count (moto)."""
        if self.fake is None:
            return None
        return len(self.fake.calls(self.routes[what]))


class RemediationWorkflow:
    """Refusals change nothing in the cloud, an approved plan stops the instance for real and only once, a protected
    instance never gets into a plan, and an instance tagged legal-hold or moved to prod after the approval is not
    stopped: by the orchestrator, or by the cloud's own server on its own, which also asks a person before a change
    nobody approved (a protected instance is refused before anyone is asked)."""

    pytestmark = pytest.mark.anyio

    @pytest.mark.parametrize("mode", ["auto", "legacy"])
    async def test_through_the_cloud_s_server_a_confirmed_stop_is_applied_and_a_declined_one_changes_nothing(
        self, emulated: EmulatedCloud, home: Path, mode: Literal["auto", "legacy"]
    ) -> None:
        declined, confirmed = emulated.add_instance("declined"), emulated.add_instance("confirmed")
        server, tool = approving_server(emulated.provider, home), f"{emulated.cloud}_apply_remediation"

        async def apply(person: Person, instance: str) -> dict[str, Any]:
            async with Client(server, mode=mode, elicitation_callback=person) as client:
                result = await client.call_tool(tool, unsigned_apply(emulated.stop(instance)))
            assert result.structured_content is not None, result.content
            assert not any(secret in str(result.content) for secret in CREDENTIALS.values())
            return result.structured_content

        no = Person("decline", None)
        assert (await apply(no, declined))["applied"] is False
        assert declined in no.asked[0]
        assert emulated.state(declined) == emulated.running
        yes = Person("accept", {"confirm": True})
        result = await apply(yes, confirmed)
        assert result["applied"] is True
        field, value = emulated.read_back
        assert result["after"][field] == value
        assert "Undo: start_instance" in yes.asked[0]
        assert emulated.state(confirmed) in emulated.stopped
        assert emulated.state(declined) == emulated.running

    async def test_through_the_cloud_s_server_a_protected_instance_is_refused_before_anyone_is_asked(
        self, emulated: EmulatedCloud, home: Path
    ) -> None:
        protected = emulated.add_instance("db-1", dict([emulated.protect]))
        yes = Person("accept", {"confirm": True})
        async with Client(approving_server(emulated.provider, home), elicitation_callback=yes) as client:
            result = await client.call_tool(
                f"{emulated.cloud}_apply_remediation", unsigned_apply(emulated.stop(protected))
            )
        assert result.is_error
        assert "=".join(emulated.protect) in text(result)
        assert yes.asked == []
        assert emulated.state(protected) == emulated.running

    async def test_only_an_approved_plan_stops_the_instance_and_only_once(
        self, emulated: EmulatedCloud, home: Path
    ) -> None:
        instance = emulated.add_instance("web-1", {"team": "web"})
        store = Store(home / "finops.sqlite")
        async with Client(remediating_orchestrator(store, emulated.provider)) as client:  # cannot ask a person
            made = await client.call_tool("finops_plan_remediation", {"actions": [emulated.stop(instance)]})
            assert not made.is_error, text(made)
            plan = made.structured_content or {}
            assert plan["steps"][0]["resource_tags"] == {"team": "web"}
            refused = await client.call_tool("finops_execute_plan", {"plan_id": plan["plan_id"]})
            assert refused.is_error
            assert "no approval" in text(refused)
            assert emulated.state(instance) == emulated.running
            ledger = Ledger(store)
            stale = NOW - timedelta(hours=2)
            ledger.approve(ledger.plan(plan["plan_id"]), approved_by="ana", channel="terminal", now=stale, ttl=HOUR)
            expired = await client.call_tool("finops_execute_plan", {"plan_id": plan["plan_id"]})
            assert expired.is_error
            assert "expired" in text(expired)
            assert emulated.state(instance) == emulated.running
            assert emulated.calls("stop") in (0, None)
            approve(store, plan["plan_id"])
            ran = await client.call_tool("finops_execute_plan", {"plan_id": plan["plan_id"]})
            assert (ran.structured_content or {})["outcome"] == "succeeded", text(ran)
            assert emulated.state(instance) in emulated.stopped
            reads = emulated.calls("read")
            again = await client.call_tool("finops_execute_plan", {"plan_id": plan["plan_id"]})
        assert (again.structured_content or {})["outcome"] == "already_done", text(again)
        assert emulated.calls("stop") in (1, None)  # the cloud was not asked again, not even to read the instance
        assert emulated.calls("read") == reads
        assert emulated.state(instance) in emulated.stopped

    async def test_a_protected_instance_never_gets_into_a_plan(self, emulated: EmulatedCloud, home: Path) -> None:
        free, protected = emulated.add_instance("web-1"), emulated.add_instance("db-1", dict([emulated.protect]))
        before = emulated.snapshot()
        store = Store(home / "finops.sqlite")
        async with Client(remediating_orchestrator(store, emulated.provider)) as client:
            actions = [emulated.stop(free), emulated.stop(protected)]
            result = await client.call_tool("finops_plan_remediation", {"actions": actions})
        assert result.is_error
        assert protected in text(result)
        assert emulated.protect[0] in text(result)
        assert Ledger(store).plans() == []
        assert emulated.snapshot() == before
        assert emulated.calls("stop") in (0, None)

    async def test_instances_tagged_legal_hold_or_moved_to_prod_after_the_approval_are_not_stopped(
        self, emulated: EmulatedCloud, home: Path
    ) -> None:
        held = emulated.add_instance("web-1")
        moved, free = emulated.add_instance("web-2", {"env": "dev"}), emulated.add_instance("web-3", {"env": "dev"})
        store = Store(home / "finops.sqlite")
        async with Client(remediating_orchestrator(store, emulated.provider, GUARDED)) as client:
            actions = [emulated.stop(held), emulated.stop(moved), emulated.stop(free)]
            made = await client.call_tool("finops_plan_remediation", {"actions": actions, "on_failure": "continue"})
            assert not made.is_error, text(made)
            plan = made.structured_content or {}
            approve(store, plan["plan_id"])
            emulated.tag(held, **dict([emulated.legal_hold]))
            emulated.tag(moved, env="prod")
            ran = await client.call_tool("finops_execute_plan", {"plan_id": plan["plan_id"]})
        steps = (ran.structured_content or {})["steps"]
        assert [s["state"] for s in steps] == ["refused", "refused", "done"], text(ran)
        name = CLOUD_NAMES[emulated.cloud]
        assert f"{name} {held} carries the protected tag legal-hold=true" in steps[0]["message"]
        assert f"stop_instance on {name} {moved} (environment prod) is not allowed" in steps[1]["message"]
        assert emulated.state(held) == emulated.state(moved) == emulated.running
        assert emulated.state(free) in emulated.stopped
        assert emulated.calls("stop") in (1, None)

    async def test_the_cloud_s_server_alone_refuses_a_signed_stop_of_an_instance_tagged_legal_hold_or_moved_to_prod(
        self, emulated: EmulatedCloud, home: Path
    ) -> None:
        held, moved = emulated.add_instance("web-1"), emulated.add_instance("web-2", {"env": "dev"})
        signed = {name: signed_apply(emulated.stop(i), GUARDED, name) for name, i in (("held", held), ("moved", moved))}
        # After the orchestrator signed: its own check is bypassed here.
        emulated.tag(held, **dict([emulated.legal_hold]))
        emulated.tag(moved, env="prod")
        tool = f"{emulated.cloud}_apply_remediation"
        async with Client(approving_server(emulated.provider, home)) as client:
            refused = {name: await client.call_tool(tool, args) for name, args in signed.items()}
        assert all(r.is_error for r in refused.values())
        assert f"Nothing was changed: {held} carries the protected tag legal-hold=true" in text(refused["held"])
        assert f"{moved} is in environment prod, where the policy does not allow it" in text(refused["moved"])
        assert emulated.state(held) == emulated.state(moved) == emulated.running
        assert emulated.calls("stop") in (0, None)

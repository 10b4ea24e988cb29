"""The demo's remediation loop: plan the top idle resources, a (simulated) person approves in the client's prompt,
the plan runs, and the audit trail shows what happened; all through a real in-memory MCP client."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any

from finops_core.provider import CloudProvider
from finops_core.store import Store
from mcp import Client
from mcp.client import ClientRequestContext
from mcp.types import ElicitRequestParams, ElicitResult, TextContent
from rich.console import Console
from rich.markup import escape

from finops_orchestrator.policy import Policy
from finops_orchestrator.remediation import audit
from finops_orchestrator.server import build_orchestrator
from finops_orchestrator.state import OrchestratorState

IDLE_KINDS = ("idle", "unattached")
STEPS = 3


@dataclass
class Walkthrough:
    """What each step of the loop answered (structured content, or the error text)."""

    plan: dict[str, Any] | None = None
    question: str | None = None
    execution: dict[str, Any] | None = None
    trail: list[audit.AuditEntry] = field(default_factory=lambda: list[audit.AuditEntry]())
    chain: audit.AuditCheck | None = None
    error: str | None = None


async def walk_through(store: Store, as_of: date, providers: Sequence[CloudProvider]) -> Walkthrough:
    """Plan the largest idle-resource savings, approve through elicitation as a scripted person, execute, audit."""
    seen = Walkthrough()

    async def person(context: ClientRequestContext, params: ElicitRequestParams) -> ElicitResult:
        seen.question = params.message
        return ElicitResult(action="accept", content={"approve": True})

    # The demo's clock: noon of its last day, so approvals and windows read the demo's time, not the machine's.
    noon = datetime.combine(as_of, time(12), UTC)
    server = build_orchestrator(
        OrchestratorState(
            store=store,
            is_demo=True,
            today=lambda: as_of,
            providers=providers,
            remediation=True,
            policy=Policy(),
            now=lambda: noon,
        )
    )
    async with Client(server, elicitation_callback=person) as client:
        found = await client.call_tool("finops_savings", {"top_n": 50})
        if found.is_error:
            seen.error = _text(found.content)
            return seen
        opportunities = (found.structured_content or {}).get("opportunities", [])
        chosen = [
            o["recommendation"]["recommendation_id"]
            for o in opportunities
            if o["recommendation"]["kind"] in IDLE_KINDS and o["recommendation"].get("action")
        ][:STEPS]
        made = await client.call_tool(
            "finops_plan_remediation", {"recommendation_ids": chosen, "title": "Top idle resources"}
        )
        if made.is_error:
            seen.error = _text(made.content)
            return seen
        seen.plan = made.structured_content
        plan_id = (seen.plan or {})["plan_id"]
        ran = await client.call_tool("finops_execute_plan", {"plan_id": plan_id})
        if ran.is_error:
            seen.error = _text(ran.content)
            return seen
        seen.execution = ran.structured_content
    seen.trail = audit.entries(store, plan_id=plan_id)
    seen.chain = audit.verify(store)
    return seen


def _text(content: Sequence[object]) -> str:
    return " ".join(c.text for c in content if isinstance(c, TextContent))


def render_walkthrough(out: Console, seen: Walkthrough) -> None:
    out.print("\n[bold]Remediation[/] (plan, a person's approval, execution, audit; demo sandbox):")
    if seen.error is not None:
        out.print(f"[red]stopped:[/] {escape(seen.error)}")
        return
    plan = seen.plan or {}
    savings = ", ".join(f"{float(m['amount']):,.2f} {m['currency']}" for m in plan.get("monthly_savings", []))
    out.print(f"  Plan {plan.get('plan_id')}: {len(plan.get('steps', []))} steps, about {savings} a month.")
    if seen.question:
        first = seen.question.splitlines()[0]
        out.print(f"  The client asked the person: {first}", highlight=False, markup=False)
        out.print("  [italic]Simulated person:[/] approve = yes", highlight=False)
    execution = seen.execution or {}
    done = f"  Executed ({execution.get('outcome')}), approved by {execution.get('approved_by')}:"
    out.print(done, highlight=False, markup=False)
    for s in execution.get("steps", []):
        out.print(f"    {s['step']}. {s['state']}: {s['message']}", highlight=False, markup=False)
    out.print("  Audit trail:")
    for e in seen.trail:
        out.print(f"    #{e.seq} {e.at:%Y-%m-%d %H:%M} {e.event} by {e.actor}", highlight=False, markup=False)
    if seen.chain is not None:
        state = "intact" if seen.chain.intact else f"BROKEN: {seen.chain.problem}"
        out.print(f"  Hash chain {state} ({seen.chain.entries} entries); `finops audit --demo` shows it again.")

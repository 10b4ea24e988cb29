"""The remediation tools of the ``finops`` server, registered only when remediation is switched on.

``finops_plan_remediation`` makes a plan (dry runs, guardrails; changes nothing), ``finops_plan_status`` shows plans,
their approvals and results, ``finops_execute_plan`` runs an approved plan. No tool approves: a person does, in the
client's approval prompt (MCP elicitation) or with ``finops approve PLAN_ID`` in a terminal.

No ``from __future__ import annotations``: the SDK evaluates tool annotations, and ``Resolve(ask)`` must name a
local function.
"""

from collections.abc import Mapping, Sequence
from datetime import datetime
from functools import partial
from typing import Annotated, Any, Literal

import anyio.to_thread
from finops_core.access import require_scope
from finops_core.bounds import ITEMS, Id, Ids
from finops_core.errors import InvalidInput, RemediationRefused
from finops_core.models import Cloud, Recommendation, RemediationAction
from finops_core.money import Money
from finops_core.provider import CloudProvider
from finops_core.server import CHANGE, READ, compact_tool
from mcp.server import MCPServer
from mcp.server.auth.middleware.auth_context import get_access_token
from mcp.server.mcpserver import AcceptedElicitation, Context, Elicit, ElicitationResult, Resolve
from mcp.types import ToolAnnotations
from pydantic import BaseModel, Field, StrictBool

from finops_orchestrator.policy import Policy
from finops_orchestrator.providers.asking import ask_every_cloud
from finops_orchestrator.remediation import audit
from finops_orchestrator.remediation.execution import (
    ExecutionReport,
    already_done,
    check_guardrails,
    live_problems,
    run_plan,
)
from finops_orchestrator.remediation.ledger import Ledger, new_owner
from finops_orchestrator.remediation.plans import ActionRequest, OnFailure, Plan, approval_text, make_plan
from finops_orchestrator.state import OrchestratorState

PLAN = ToolAnnotations(read_only_hint=False, destructive_hint=False, idempotent_hint=False, open_world_hint=True)
PlanIdParam = Annotated[Id, Field(description="The plan's id, from finops_plan_remediation.")]
RECOMMENDATIONS_ASKED = 500


class Approve(BaseModel):
    """The question a person answers before a plan runs. Only the boolean ``true`` approves (pydantic's lax mode
    would take "yes", "y", "1", "t", 1 or 1.0 for it)."""

    approve: StrictBool = Field(description="Approve this plan and run it now?")


class NoQuestion(BaseModel):
    """Nothing to ask the person: the plan is approved already, resumes, is done, or the client cannot ask."""


class ApprovalView(BaseModel):
    approval_id: str
    approved_by: str
    channel: str
    approved_at: datetime
    expires_at: datetime
    state: Literal["valid", "used", "expired"]


class StepView(BaseModel):
    step: int
    summary: str
    state: Literal["pending", "running", "done", "failed"]
    message: str | None = None


class PlanLine(BaseModel):
    plan_id: str
    title: str
    created_at: datetime
    steps: int
    state: str
    monthly_savings: list[Money]


class PlanStatus(BaseModel):
    plans: list[PlanLine] = Field(description="Recent plans, newest first (when no plan_id was given).")
    plan: Plan | None = None
    approvals: list[ApprovalView] = Field(default_factory=lambda: list[ApprovalView]())
    steps: list[StepView] = Field(default_factory=lambda: list[StepView]())
    audit: list[str] = Field(default_factory=lambda: list[str](), description="The plan's audit entries.")
    next: str


def actor_of(ctx: Context[Any] | None) -> str:
    """Who is asking: the authenticated client (HTTP) and the client's name, as the audit log records them."""
    token = get_access_token()
    who = f"client {token.client_id}" if token is not None else "local client"
    params = ctx.session.client_params if ctx is not None else None
    if params is not None and params.client_info is not None:
        who += f" ({params.client_info.name})"
    return who


def register_remediation_tools(server: MCPServer, state: OrchestratorState) -> None:
    """The plan / approve / execute tools over ``state``'s store, providers, policy and clock."""
    store, providers, policy, now = state.store, state.providers, state.policy, state.now
    ledger = Ledger(store)
    by_cloud: dict[Cloud, CloudProvider] = {p.cloud: p for p in providers}

    @compact_tool(
        server,
        name="finops_plan_remediation",
        annotations=PLAN,
        scope="plan",
        description="Make a remediation plan from finops_savings recommendation ids or explicit actions: each "
        "change is dry-run by its cloud and checked against the guardrails; the plan shows savings, risk and undo. "
        "Changes nothing. A person approves it before finops_execute_plan runs it.",
    )
    async def plan_remediation(
        ctx: Context,
        recommendation_ids: Annotated[
            Ids | None, Field(description="recommendation_id values from finops_savings.")
        ] = None,
        actions: Annotated[
            list[ActionRequest] | None, Field(description="Changes not from a recommendation.", max_length=ITEMS)
        ] = None,
        on_failure: Annotated[OnFailure, Field(description="When a step fails: stop, or continue.")] = "stop",
        title: Annotated[str | None, Field(description="A short name for the plan.", max_length=120)] = None,
    ) -> Plan:
        chosen = await _chosen(recommendation_ids or [], actions or [], providers)
        actor = actor_of(ctx)
        plan = await make_plan(
            title=title or f"{len(chosen)} change(s)",
            actions=chosen,
            providers=by_cloud,
            policy=policy,
            now=now(),
            created_by=actor,
            on_failure=on_failure,
        )
        await anyio.to_thread.run_sync(partial(ledger.save_plan, plan, actor=actor))  # store writes: never on the loop
        return plan

    @compact_tool(
        server,
        name="finops_plan_status",
        annotations=READ,
        description="A remediation plan with its approvals, step results and audit entries, and what to do next; "
        "without plan_id, the recent plans.",
    )
    async def plan_status(plan_id: Annotated[Id | None, Field(description="The plan's id.")] = None) -> PlanStatus:
        if plan_id is None:
            lines = [_line(p, ledger) for p in ledger.plans()]
            return PlanStatus(plans=lines, next="Ask for one plan_id for its steps and approvals.")
        return _status(ledger.plan(plan_id), ledger, now())

    async def ask(plan_id: str, ctx: Context) -> Elicit[Approve] | NoQuestion:
        require_scope("execute", "finops_execute_plan")  # resolvers run before the tool's own scope check
        plan = ledger.plan(plan_id)
        if ledger.ready(plan, now()):
            return NoQuestion()
        await _checked(ledger, plan, policy, now(), actor_of(ctx))  # never ask a person to approve what is refused
        capabilities = ctx.client_capabilities
        if capabilities is None or capabilities.elicitation is None:
            return NoQuestion()  # refused below, with the terminal's approval path
        await _checked_live(ledger, plan, by_cloud, policy, now(), actor_of(ctx))
        return Elicit(approval_text(plan, int(policy.approval_ttl.total_seconds() // 60)), Approve)

    @compact_tool(
        server,
        name="finops_execute_plan",
        annotations=CHANGE,
        scope="execute",
        description="Run an approved remediation plan. Asks the person to approve it in the client first (or uses "
        "their `finops approve` from a terminal); re-checks guardrails; never repeats finished steps.",
    )
    async def execute_plan(
        plan_id: PlanIdParam,
        ctx: Context,
        answer: Annotated[ElicitationResult[Approve | NoQuestion], Resolve(ask)],
    ) -> ExecutionReport:
        plan = ledger.plan(plan_id)
        actor = actor_of(ctx)
        approval_id: str | None = None
        match answer:
            case AcceptedElicitation(data=Approve(approve=True)):
                approve = partial(
                    ledger.approve,
                    plan,
                    approved_by=f"{actor}: a person, in the client's approval prompt",
                    channel="elicitation",
                    now=now(),
                    ttl=policy.approval_ttl,
                )
                approval_id = (await anyio.to_thread.run_sync(approve)).approval_id
            case AcceptedElicitation(data=NoQuestion()):
                pass
            case _:
                refused = partial(
                    ledger.record_refusal, plan.plan_id, actor=actor, now=now(), reason="the person did not approve"
                )
                await anyio.to_thread.run_sync(refused)
                return ExecutionReport(
                    plan_id=plan.plan_id,
                    plan_hash=plan.plan_hash,
                    outcome="not_approved",
                    note="The person did not approve this plan: nothing was changed.",
                )
        await _checked(ledger, plan, policy, now(), actor)
        claim = await anyio.to_thread.run_sync(
            partial(ledger.claim, plan, owner=new_owner(), actor=actor, now=now(), approval_id=approval_id)
        )
        if claim is None:
            return already_done(plan, ledger)
        return await run_plan(ledger, plan, claim, providers=by_cloud, policy=policy, now=now, actor=actor)


async def _checked(ledger: Ledger, plan: Plan, policy: Policy, now: datetime, actor: str) -> None:
    try:
        check_guardrails(plan, policy, now)
    except RemediationRefused as exc:
        refused = partial(ledger.record_refusal, plan.plan_id, actor=actor, now=now, reason=str(exc))
        await anyio.to_thread.run_sync(refused)
        raise


async def _checked_live(
    ledger: Ledger, plan: Plan, providers: Mapping[Cloud, CloudProvider], policy: Policy, now: datetime, actor: str
) -> None:
    """Refuse (and audit) before a person is asked to approve a plan whose unfinished steps the policy forbids on
    their resources' tags as the clouds report them now. Each step is checked again just before it runs."""
    done = {n for n, r in ledger.steps(plan.plan_id).items() if r.state == "done"}
    problems = [p for s in plan.steps if s.step not in done for p in await live_problems(s, providers, policy)]
    if problems:
        reason = f"Nothing was changed: plan {plan.plan_id} is not allowed now, by the tags read from the clouds: "
        reason += "; ".join(problems)
        ledger.record_refusal(plan.plan_id, actor=actor, now=now, reason=reason)
        raise RemediationRefused(reason)


async def _chosen(
    ids: list[str], actions: list[ActionRequest], providers: Sequence[CloudProvider]
) -> list[tuple[RemediationAction, Recommendation | None]]:
    """The actions asked for: each recommendation's own action (it may carry what marks it done in its cloud)."""
    chosen: list[tuple[RemediationAction, Recommendation | None]] = []
    if ids:

        async def recommendations(provider: CloudProvider) -> list[Recommendation]:
            return (await provider.list_recommendations(limit=RECOMMENDATIONS_ASKED)).recommendations

        answers = await ask_every_cloud(providers, recommendations)
        # An id is only its cloud's: two clouds may use the same one (the demo's commitments do).
        clouds_of: dict[str, list[Recommendation]] = {}
        for recs in answers.found.values():
            for r in recs:
                clouds_of.setdefault(r.recommendation_id, []).append(r)
        failed = [f"{m.provider}: {m.reason}" for m in answers.missing if m.provider in {p.cloud for p in providers}]
        unknown = [i for i in ids if i not in clouds_of]
        if unknown:
            why = f" ({'; '.join(failed)})" if failed else ""
            raise InvalidInput(
                f"Not among the current recommendations{why}: {', '.join(unknown)}. finops_savings lists them."
            )
        shared = [f"{i} ({', '.join(r.provider for r in clouds_of[i])})" for i in ids if len(clouds_of[i]) > 1]
        if shared:
            raise InvalidInput(
                f"More than one cloud has the recommendation id {'; '.join(shared)}: give that change as an "
                "action instead (provider, kind, resource_id, as finops_savings shows it)."
            )
        found = {i: clouds_of[i][0] for i in ids}
        for i in ids:
            action = found[i].action
            if action is None:
                raise InvalidInput(f"Recommendation {i} ({found[i].title}) has no automatic change; act on it by hand.")
            chosen.append((action, found[i]))
    chosen += [
        (RemediationAction(provider=a.provider, kind=a.kind, resource_id=a.resource_id, parameters=a.parameters), None)
        for a in actions
    ]
    return chosen


def _line(plan: Plan, ledger: Ledger) -> PlanLine:
    return PlanLine(
        plan_id=plan.plan_id,
        title=plan.title,
        created_at=plan.created_at,
        steps=len(plan.steps),
        state=_state(plan, ledger),
        monthly_savings=plan.monthly_savings,
    )


def _state(plan: Plan, ledger: Ledger) -> str:
    records = ledger.steps(plan.plan_id)
    runs = ledger.runs(plan.plan_id)
    if records and all(r.state == "done" for r in records.values()) and len(records) == len(plan.steps):
        return "done"
    if any(r.finished_at is None for r in runs):
        return "running or interrupted"
    if runs:
        return f"{runs[-1].outcome}: not every step is done"
    return "approved, not executed" if ledger.approvals(plan.plan_id) else "awaiting approval"


def _status(plan: Plan, ledger: Ledger, now: datetime) -> PlanStatus:
    used = {r.approval_id for r in ledger.runs(plan.plan_id)}
    approvals = [
        ApprovalView(
            approval_id=a.approval_id,
            approved_by=a.approved_by,
            channel=a.channel,
            approved_at=a.approved_at,
            expires_at=a.expires_at,
            state="used" if a.approval_id in used else "expired" if a.expires_at <= now else "valid",
        )
        for a in ledger.approvals(plan.plan_id)
    ]
    records = ledger.steps(plan.plan_id)
    steps = [
        StepView(
            step=s.step,
            summary=s.summary,
            state=records[s.step].state if s.step in records else "pending",
            message=(records[s.step].result or {}).get("message") if s.step in records else None,
        )
        for s in plan.steps
    ]
    state = _state(plan, ledger)
    advice = {
        "done": "Nothing left to do.",
        "awaiting approval": f"Call finops_execute_plan (the client asks the person), or ask them to run "
        f"`finops approve {plan.plan_id}`.",
    }
    trail = [
        f"{e.at:%Y-%m-%d %H:%M:%S} {e.event} by {e.actor}" for e in audit.entries(ledger.store, plan_id=plan.plan_id)
    ]
    return PlanStatus(
        plans=[],
        plan=plan,
        approvals=approvals,
        steps=steps,
        audit=trail[-20:],
        next=advice.get(state, "Call finops_execute_plan to run or resume it."),
    )

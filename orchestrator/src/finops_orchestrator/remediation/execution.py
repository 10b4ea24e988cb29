"""Executing an approved plan: re-check, then run the steps through the providers, recording each.

Just before each step its resource's tags are read from the cloud and the policy's protected tags and environment
rules are checked on them, not on the tags saved in the plan: a resource tagged ``legal-hold`` after the approval
is refused (and so is one whose tags cannot be read), the refusal audited, and nothing changed.

A step is recorded as running before its provider is called and as done or failed after, so an execution
killed between the two is resumed by running that step again; providers make a repeated change harmless (a
stopped instance is reported already stopped). Finished steps are never repeated. A step on a provider in
another process goes with a proof of the approval for exactly that step (``finops_core.proof``), carrying the
policy's tag guardrails, which that server checks again on the tags it reads.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from functools import partial
from typing import Literal

import anyio
import anyio.to_thread
from finops_core.errors import FinOpsError, RemediationRefused, StoreBusy
from finops_core.logs import get_logger
from finops_core.models import CLOUD_NAMES, Cloud, RemediationResult
from finops_core.money import Money
from finops_core.proof import ApprovalClaims
from finops_core.provider import ApprovedRemediator, CloudProvider
from pydantic import BaseModel, Field

from finops_orchestrator.policy import Policy
from finops_orchestrator.remediation.ledger import LEASE, Claim, Ledger, StepRecord
from finops_orchestrator.remediation.plans import Plan, PlanStep, facts_of

StepOutcomeState = Literal["done", "done_earlier", "failed", "refused", "not_run"]
Outcome = Literal["succeeded", "failed", "stopped", "already_done", "not_approved"]


class StepOutcome(BaseModel):
    step: int
    summary: str
    state: StepOutcomeState
    message: str
    after: dict[str, object] | None = None
    undo: str | None = None


class ExecutionReport(BaseModel):
    plan_id: str
    plan_hash: str
    outcome: Outcome
    run_id: str | None = None
    approved_by: str | None = None
    resumed: bool = False
    steps: list[StepOutcome] = Field(default_factory=lambda: list[StepOutcome]())
    monthly_savings_done: list[Money] = Field(
        default_factory=lambda: list[Money](),
        description="Estimated monthly savings of the steps done so far (any run), per currency.",
    )
    is_demo: bool = False
    note: str


def check_guardrails(plan: Plan, policy: Policy, now: datetime) -> None:
    """``RemediationRefused`` when the policy in force now forbids ``plan`` (it may have changed since it was made)
    or ``now`` is outside the execution windows."""
    problems = policy.plan_violations([facts_of(s) for s in plan.steps])
    window = policy.outside_window(now)
    if window is not None:
        problems.append(window)
    if problems:
        raise RemediationRefused(f"Nothing was changed: plan {plan.plan_id} is not allowed now: " + "; ".join(problems))


@dataclass(frozen=True)
class _Execution:
    """One execution of a plan: what each of its steps is run, checked and recorded with."""

    ledger: Ledger
    plan: Plan
    claim: Claim
    providers: Mapping[Cloud, CloudProvider]
    policy: Policy
    now: Callable[[], datetime]
    actor: str


async def run_plan(
    ledger: Ledger,
    plan: Plan,
    claim: Claim,
    *,
    providers: Mapping[Cloud, CloudProvider],
    policy: Policy,
    now: Callable[[], datetime],
    actor: str,
) -> ExecutionReport:
    """Run ``plan``'s unfinished steps under ``claim``; the per-step report. The lease is renewed while it runs."""
    run = claim.run
    outcomes: list[StepOutcome] = []
    busy: StoreBusy | None = None
    try:
        async with anyio.create_task_group() as group:
            group.start_soon(_keep_lease, ledger, claim, now)
            try:
                outcomes = await _run_steps(_Execution(ledger, plan, claim, providers, policy, now, actor))
            except StoreBusy as exc:  # raised below as itself, not inside the task group's ExceptionGroup
                busy = exc
            group.cancel_scope.cancel()
    except anyio.get_cancelled_exc_class():
        with anyio.CancelScope(shield=True):  # runs even while cancelled
            await anyio.to_thread.run_sync(ledger.release, run)
        raise
    if busy is not None:
        raise busy
    failed = any(o.state in ("failed", "refused") for o in outcomes)
    not_run = any(o.state == "not_run" for o in outcomes)
    result: Outcome = "stopped" if not_run else "failed" if failed else "succeeded"
    await anyio.to_thread.run_sync(partial(ledger.finish, run, result, actor=actor, now=now()))
    return ExecutionReport(
        plan_id=plan.plan_id,
        plan_hash=plan.plan_hash,
        outcome=result,
        run_id=run.run_id,
        approved_by=claim.approval.approved_by,
        resumed=claim.resumed,
        steps=outcomes,
        monthly_savings_done=savings_done(plan, ledger),
        is_demo=any(s.is_demo for s in plan.steps),
        note=_note(result, plan),
    )


async def _run_steps(execution: _Execution) -> list[StepOutcome]:
    ledger, plan, now, actor = execution.ledger, execution.plan, execution.now, execution.actor
    run = execution.claim.run
    outcomes: list[StepOutcome] = []
    stopped = False
    records = ledger.steps(plan.plan_id)
    for step in plan.steps:
        record = records.get(step.step)
        if record is not None and record.state == "done":
            outcomes.append(_done_earlier(step, record))
            continue
        if stopped:
            outcomes.append(
                StepOutcome(
                    step=step.step,
                    summary=step.summary,
                    state="not_run",
                    message="Not run: an earlier step failed and the plan stops on failure.",
                )
            )
            continue
        closed = execution.policy.outside_window(now())
        if closed is not None:
            stopped = True
            outcomes.append(StepOutcome(step=step.step, summary=step.summary, state="not_run", message=closed))
            continue
        problems = await live_problems(step, execution.providers, execution.policy)
        if problems:
            refusal = "Refused on the tags read from the cloud just before the step, nothing was changed: "
            refusal += "; ".join(problems)
            # Recorded as failed, so a later approval of the plan tries the step again (checking again).
            await anyio.to_thread.run_sync(
                partial(ledger.record_refusal, plan.plan_id, actor=actor, now=now(), reason=refusal)
            )
            await anyio.to_thread.run_sync(
                partial(
                    ledger.record_step, run, step.step, "failed", actor=actor, now=now(), result={"message": refusal}
                ),
            )
            outcomes.append(StepOutcome(step=step.step, summary=step.summary, state="refused", message=refusal))
            if plan.on_failure == "stop":
                stopped = True
            continue
        # Store writes run in worker threads: a wait for the store must not freeze the loop.
        await anyio.to_thread.run_sync(partial(ledger.record_step, run, step.step, "running", actor=actor, now=now()))
        outcome = await _apply(step, execution)
        recorded = outcome.model_dump(mode="json", include={"message", "after", "undo"})
        state = "done" if outcome.state == "done" else "failed"
        try:
            await anyio.to_thread.run_sync(
                partial(ledger.record_step, run, step.step, state, actor=actor, now=now(), result=recorded)
            )
        except StoreBusy as exc:
            raise StoreBusy(
                f"{exc} Step {step.step} ({step.summary}) ran in its cloud ({outcome.state}) but is not recorded yet: "
                "execute the plan again once the store is free; it resumes at that step, which its cloud then "
                "reports as already done.",
                retry_after=exc.retry_after,
            ) from exc
        outcomes.append(outcome)
        if outcome.state == "failed" and plan.on_failure == "stop":
            stopped = True
    return outcomes


def already_done(plan: Plan, ledger: Ledger) -> ExecutionReport:
    """The report of a plan whose every step is done: nothing runs again."""
    records = ledger.steps(plan.plan_id)
    return ExecutionReport(
        plan_id=plan.plan_id,
        plan_hash=plan.plan_hash,
        outcome="already_done",
        steps=[_done_earlier(s, records[s.step]) for s in plan.steps],
        monthly_savings_done=savings_done(plan, ledger),
        is_demo=any(s.is_demo for s in plan.steps),
        note="Every step of this plan was already done; nothing was run again.",
    )


def _done_earlier(step: PlanStep, record: StepRecord) -> StepOutcome:
    message = f"Done by {record.run_id} at {record.updated_at:%Y-%m-%d %H:%M:%S}."
    return StepOutcome(step=step.step, summary=step.summary, state="done_earlier", message=message)


def savings_done(plan: Plan, ledger: Ledger) -> list[Money]:
    records = ledger.steps(plan.plan_id)
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for s in plan.steps:
        record = records.get(s.step)
        if record is not None and record.state == "done" and s.monthly_savings is not None:
            totals[s.monthly_savings.currency] += s.monthly_savings.amount
    return [Money(amount=v, currency=c) for c, v in sorted(totals.items())]


async def live_problems(step: PlanStep, providers: Mapping[Cloud, CloudProvider], policy: Policy) -> list[str]:
    """Every reason ``policy`` forbids ``step`` on the tags its resource carries now, read from its cloud (also when
    they cannot be read: whether it is protected cannot be told then); empty when the step may run."""
    action = step.action
    provider = providers.get(action.provider)
    if provider is None:
        return []  # the step fails in _apply, saying the cloud is not connected
    try:
        tags = await provider.resource_tags(action.resource_id, action.parameters)
    except FinOpsError as exc:
        return [
            f"the tags of {CLOUD_NAMES[action.provider]} {action.resource_id} could not be read just now ({exc}), "
            "so whether the policy protects it cannot be told. Try again once they can be read (the credentials "
            "need permission to read tags)"
        ]
    return policy.step_violations(replace(facts_of(step), tags=tags))


async def _apply(step: PlanStep, execution: _Execution) -> StepOutcome:
    action, plan, approval = step.action, execution.plan, execution.claim.approval
    provider = execution.providers.get(action.provider)
    if provider is None:
        return StepOutcome(
            step=step.step,
            summary=step.summary,
            state="failed",
            message=f"{CLOUD_NAMES[action.provider]} is not connected to this server; nothing changed there.",
        )
    try:
        if isinstance(provider, ApprovedRemediator):
            claims = ApprovalClaims(
                plan_id=plan.plan_id,
                plan_hash=plan.plan_hash,
                step=step.step,
                approval_id=approval.approval_id,
                approved_by=approval.approved_by,
                expires_at=int(approval.expires_at.timestamp()),
                action=action,
                guardrails=execution.policy.guardrails_for(action.provider, action.kind),
            )
            result: RemediationResult = await provider.apply_approved(action, claims)
        else:
            result = await provider.apply_remediation(action)
    except FinOpsError as exc:
        return StepOutcome(step=step.step, summary=step.summary, state="failed", message=str(exc))
    return StepOutcome(
        step=step.step,
        summary=step.summary,
        state="done",
        message=result.message,
        after=result.after or None,
        undo=result.undo,
    )


async def _keep_lease(ledger: Ledger, claim: Claim, now: Callable[[], datetime]) -> None:
    """Renew the run's lease while a long step runs, so nobody takes it over as interrupted."""
    while True:
        await anyio.sleep(LEASE.total_seconds() / 3)
        try:
            await anyio.to_thread.run_sync(ledger.renew, claim.run, now())
        except StoreBusy as exc:  # the lease lasts three renewals: the next one may find the store free
            get_logger("finops.remediation").warning("lease not renewed", run_id=claim.run.run_id, reason=str(exc))


def _note(outcome: Outcome, plan: Plan) -> str:
    if outcome == "succeeded":
        return "Every step ran. Each step's undo says how to reverse it; the audit log (finops audit) has the record."
    if outcome == "stopped":
        return (
            "Stopped before the end. Finished steps will not run again: after fixing the cause, approve the plan "
            f"again (finops approve {plan.plan_id}) and execute it to run the rest."
        )
    return (
        "Some steps failed or were refused (see each message); the others ran. They can be retried with a new "
        "approval, which checks the guardrails again."
    )

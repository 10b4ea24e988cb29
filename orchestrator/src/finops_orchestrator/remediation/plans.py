"""Remediation plans: chosen changes, each dry-run by its cloud, with savings, risk and how to undo it.

A plan is made once and never changes: its content hash covers every step, so an approval given for it cannot be
used for anything else. Making a plan changes nothing in any cloud. A plan is only made when every step passes its
dry run and the guardrails; otherwise the answer lists every problem, and nothing is stored.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Literal

from finops_core.bounds import Id, IdMap
from finops_core.errors import FinOpsError, InvalidInput, RemediationRefused
from finops_core.models import CLOUD_NAMES, Cloud, Recommendation, RemediationAction, Risk
from finops_core.money import Money
from finops_core.proof import content_hash
from finops_core.provider import CloudProvider
from pydantic import BaseModel, ConfigDict, Field

from finops_orchestrator.policy import Policy, StepFacts

OnFailure = Literal["stop", "continue"]

# How risky a change is when no recommendation says: deletions cannot always be undone, resizes restart.
ACTION_RISK: dict[str, Risk] = {
    "stop_instance": "medium",
    "start_instance": "low",
    "resize_instance": "medium",
    "delete_volume": "high",
    "delete_snapshot": "high",
    "release_ip": "high",
    "set_tags": "low",
    "add_lifecycle_rule": "medium",
}


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class PlanStep(_Frozen):
    step: int = Field(description="1, 2, ... in the order they run.")
    action: RemediationAction
    summary: str
    dry_run: str = Field(description="What the cloud's dry run / validation said.")
    before: dict[str, object]
    expected_after: dict[str, object]
    undo: str
    monthly_savings: Money | None
    risk: Risk
    recommendation_id: str | None = None
    resource_tags: dict[str, str] | None = None
    is_demo: bool = False


class Plan(_Frozen):
    """A stored plan. ``plan_hash`` is the SHA-256 of everything else; ``plan_id`` starts with it."""

    plan_id: str
    plan_hash: str
    title: str
    created_at: datetime
    created_by: str
    on_failure: OnFailure
    steps: list[PlanStep]
    monthly_savings: list[Money] = Field(description="Estimated, per currency, if every step runs.")

    def content(self) -> dict[str, object]:
        """What the hash covers: everything but the hash and the id made from it."""
        return self.model_dump(mode="json", exclude={"plan_id", "plan_hash"})

    @property
    def intact(self) -> bool:
        return content_hash(self.content()) == self.plan_hash and self.plan_id.startswith(f"plan-{self.plan_hash[:8]}")

    def summary(self) -> str:
        """One line a person reads before approving: what, how many, savings, the hash."""
        savings = ", ".join(f"{m.amount:,.2f} {m.currency}" for m in self.monthly_savings) or "no savings estimate"
        clouds = sorted({CLOUD_NAMES[s.action.provider] for s in self.steps})
        return (
            f"Plan {self.plan_id} '{self.title}': {len(self.steps)} change(s) on {', '.join(clouds)}, saving about "
            f"{savings} a month; on failure: {self.on_failure}. Hash {self.plan_hash}."
        )


class ActionRequest(_Frozen):
    """One change asked for directly (rather than through a recommendation)."""

    provider: Cloud
    kind: Id = Field(description="stop_instance, resize_instance, delete_volume, delete_snapshot, release_ip, ...")
    resource_id: Id
    parameters: IdMap = Field(default_factory=lambda: dict[str, str]())


def seal(title: str, created_at: datetime, created_by: str, on_failure: OnFailure, steps: Sequence[PlanStep]) -> Plan:
    """The plan with its hash and id filled in."""
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for s in steps:
        if s.monthly_savings is not None:
            totals[s.monthly_savings.currency] += s.monthly_savings.amount
    draft = Plan(
        plan_id="",
        plan_hash="",
        title=title,
        created_at=created_at,
        created_by=created_by,
        on_failure=on_failure,
        steps=list(steps),
        monthly_savings=[Money(amount=v, currency=c) for c, v in sorted(totals.items())],
    )
    digest = content_hash(draft.content())
    # The id is not derived from the hash alone: two identical plans made at the same second stay two plans.
    plan_id = f"plan-{digest[:8]}-{uuid.uuid4().hex[:4]}"
    return draft.model_copy(update={"plan_hash": digest, "plan_id": plan_id})


async def make_plan(
    *,
    title: str,
    actions: Sequence[tuple[RemediationAction, Recommendation | None]],
    providers: Mapping[Cloud, CloudProvider],
    policy: Policy,
    now: datetime,
    created_by: str,
    on_failure: OnFailure,
) -> Plan:
    """Dry-run every action through its cloud and check the guardrails; the sealed plan, or ``RemediationRefused``
    listing every step that failed and every guardrail broken (nothing is stored then)."""
    if not actions:
        raise InvalidInput("A plan needs at least one change: give recommendation_ids or actions.")
    seen: set[tuple[str, str, str]] = set()
    problems: list[str] = []
    steps: list[PlanStep] = []
    for number, (action, recommendation) in enumerate(actions, start=1):
        key = (action.provider, action.kind, action.resource_id)
        if key in seen:
            problems.append(f"step {number}: {action.kind} on {action.resource_id} is already in this plan")
            continue
        seen.add(key)
        provider = providers.get(action.provider)
        if provider is None:
            problems.append(f"step {number}: {CLOUD_NAMES[action.provider]} is not connected to this server")
            continue
        try:
            dry = await provider.plan_remediation(action)
        except FinOpsError as exc:
            problems.append(f"step {number} ({action.kind} on {action.resource_id}): {exc}")
            continue
        risk = recommendation.risk if recommendation is not None else ACTION_RISK.get(action.kind, "high")
        steps.append(
            PlanStep(
                step=len(steps) + 1,
                action=action,
                summary=dry.summary,
                dry_run="passed" if dry.dry_run_ok else "not checked by the cloud",
                before=dry.before,
                expected_after=dry.expected_after,
                undo=dry.undo,
                monthly_savings=dry.monthly_savings,
                risk=risk,
                recommendation_id=recommendation.recommendation_id if recommendation is not None else None,
                resource_tags=dry.resource_tags,
                is_demo=dry.is_demo,
            )
        )
    if not problems:
        problems = policy.plan_violations([facts_of(s) for s in steps])
    if problems:
        raise RemediationRefused(
            "No plan was made, and nothing was changed: " + "; ".join(problems) + ". Leave those changes out, or "
            "change the policy file if the guardrail is wrong."
        )
    return seal(title, now, created_by, on_failure, steps)


def facts_of(step: PlanStep) -> StepFacts:
    """What the guardrails check about ``step``."""
    a = step.action
    return StepFacts(
        provider=a.provider,
        kind=a.kind,
        resource_id=a.resource_id,
        tags=step.resource_tags,
        monthly_savings=step.monthly_savings,
    )


def approval_text(plan: Plan, ttl_minutes: int) -> str:
    """What a person reads before approving ``plan``: every step, savings, risk, undo, and the plan's hash."""
    lines = [plan.summary(), ""]
    for s in plan.steps:
        saving = (
            f", saves {s.monthly_savings.amount:,.2f} {s.monthly_savings.currency}/month" if s.monthly_savings else ""
        )
        demo = " (demo sandbox)" if s.is_demo else ""
        lines.append(f"{s.step}. {s.summary}{demo} [{CLOUD_NAMES[s.action.provider]}, risk {s.risk}{saving}]")
        lines.append(f"   undo: {s.undo}")
    lines += [
        "",
        f"An approval is valid for {ttl_minutes} minutes and runs this exact plan "
        f"(hash {plan.plan_hash[:16]}...) once.",
    ]
    return "\n".join(lines)

"""What checking a remediation action yields, for every cloud: the description a plan shows, and the step apply
performs.

Every action is prepared the same way for a plan and for apply (apply re-reads and re-checks everything, because the
resource may have changed since the plan), so the two cannot disagree about what is allowed. ``perform`` and
``read_after`` are blocking calls (run in a worker thread) for AWS and Azure, coroutines for Google Cloud.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from finops_core.errors import InvalidInput
from finops_core.models import RemediationAction, RemediationPlan, RemediationResult
from finops_core.money import Money

D = TypeVar("D")  # what perform returns: Done, or an awaitable of it
A = TypeVar("A")  # what read_after returns: the state, or an awaitable of it


@dataclass(frozen=True)
class Done:
    """What performing the step did: a message, and how to undo it when that is only known afterwards."""

    message: str
    undo: str | None = None


@dataclass(frozen=True)
class Prepared(Generic[D, A]):
    """A checked action. ``perform`` is None when the resource is already as asked (nothing to do)."""

    summary: str
    before: dict[str, Any]
    expected_after: dict[str, Any]
    undo: str
    perform: Callable[[], D] | None
    read_after: Callable[[], A]
    monthly_savings: Money | None = None
    tags: dict[str, str] | None = None  # the resource's tags as read, for the orchestrator's guardrails


def plan_of(action: RemediationAction, prepared: Prepared[Any, Any]) -> RemediationPlan:
    return RemediationPlan(
        action=action,
        dry_run_ok=True,
        summary=prepared.summary,
        before=prepared.before,
        expected_after=prepared.expected_after,
        undo=prepared.undo,
        monthly_savings=prepared.monthly_savings,
        resource_tags=prepared.tags,
    )


def unchanged(action: RemediationAction, prepared: Prepared[Any, Any]) -> RemediationResult:
    """Applying an action whose resource is already as asked: nothing changed, nothing to undo."""
    return RemediationResult(
        action=action, applied=False, message=f"{prepared.summary}.", before=prepared.before, after=prepared.before
    )


def result_of(
    action: RemediationAction, prepared: Prepared[Any, Any], done: Done, after: dict[str, Any]
) -> RemediationResult:
    return RemediationResult(
        action=action,
        applied=True,
        message=done.message,
        before=prepared.before,
        after=after,
        undo=done.undo or prepared.undo,
    )


TRUE = ("true", "yes", "1")  # how a yes is written in an action parameter or a protection tag
FALSE = ("false", "no", "0")


def flag(parameters: dict[str, str], name: str, *, default: bool) -> bool:
    """A 'true'/'false' action parameter (``snapshot_first``...), or ``InvalidInput`` naming it."""
    text = parameters.get(name, "").strip().lower()
    if not text:
        return default
    if text in TRUE:
        return True
    if text in FALSE:
        return False
    raise InvalidInput(f"parameters.{name} must be 'true' or 'false', not {parameters[name]!r}.")

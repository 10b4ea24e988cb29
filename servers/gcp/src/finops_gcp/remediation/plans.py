"""What checking an action yields: the description a plan shows, and the step apply performs.

Plan and apply prepare an action the same way (apply re-reads and re-checks everything, since the resource may
have changed since the plan), so the two cannot disagree about what is allowed.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from finops_core.models import RemediationAction, RemediationPlan, RemediationResult


@dataclass(frozen=True)
class Done:
    """What performing the step did: a message, and how to undo it when that is only known afterwards."""

    message: str
    undo: str | None = None


@dataclass(frozen=True)
class Prepared:
    """A checked action. ``perform`` is None when the resource is already as asked (nothing to do)."""

    summary: str
    before: dict[str, Any]
    expected_after: dict[str, Any]
    undo: str
    perform: Callable[[], Awaitable[Done]] | None
    read_after: Callable[[], Awaitable[dict[str, Any]]]


def plan_of(action: RemediationAction, prepared: Prepared) -> RemediationPlan:
    return RemediationPlan(
        action=action,
        dry_run_ok=True,
        summary=prepared.summary,
        before=prepared.before,
        expected_after=prepared.expected_after,
        undo=prepared.undo,
    )


def unchanged(action: RemediationAction, prepared: Prepared) -> RemediationResult:
    """Applying an action whose resource is already as asked: nothing changed, nothing to undo."""
    return RemediationResult(
        action=action, applied=False, message=f"{prepared.summary}.", before=prepared.before, after=prepared.before
    )


def result_of(action: RemediationAction, prepared: Prepared, done: Done, after: dict[str, Any]) -> RemediationResult:
    return RemediationResult(
        action=action,
        applied=True,
        message=done.message,
        before=prepared.before,
        after=after,
        undo=done.undo or prepared.undo,
    )


def flag(parameters: dict[str, str], name: str, *, default: bool) -> bool:
    """A 'true'/'false' parameter."""
    from finops_core.errors import InvalidInput

    text = parameters.get(name, "").strip().lower()
    if not text:
        return default
    if text in ("true", "yes", "1"):
        return True
    if text in ("false", "no", "0"):
        return False
    raise InvalidInput(f"parameters.{name} must be 'true' or 'false', not {parameters[name]!r}.")

"""The remediation action table: which resources each action kind applies to and how a cloud prepares it, and the
one way every cloud plans, applies and reads the tags of an action from its table.

A cloud supplies only what is its own: how a resource id names a kind of target, how to read the target as it is
now, and per action a ``prepare(ctx, target, parameters)`` that checks it and yields a ``Prepared``
(``finops_core.prepared``), run like the change itself through the table's ``run``: in a worker thread for a cloud
whose SDK blocks (``in_worker_thread``), awaited for one whose calls are coroutines (``awaited``). The order is
the same everywhere: the action is for this cloud and of a kind the table has, the id names a target it applies to,
the action's own parameters are sound, the target is read, a protected target is refused (the cloud's protection tag
from its registry entry), then the action is prepared. Apply prepares again (the resource may have changed since the
plan), makes the change, and reads the resource back.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any, Generic, Protocol, TypeVar, cast

from finops_core.clouds import entry
from finops_core.errors import FinOpsError, InvalidInput, RemediationRefused, Unavailable
from finops_core.guardrails import tag_value
from finops_core.models import RemediationAction, RemediationPlan, RemediationResult
from finops_core.prepared import TRUE, Prepared, plan_of, result_of, unchanged
from finops_core.workers import BlockingCalls


class Target(Protocol):
    """What the table reads of a cloud's target, a resource as read just now."""

    @property
    def tags(self) -> dict[str, str]: ...  # its tags (Google Cloud's labels)

    @property
    def where(self) -> str: ...  # "in us-east-1, account 123456789012"

    def label(self) -> str: ...  # "i-0abc (web-1)"


C = TypeVar("C")  # the cloud's context
T = TypeVar("T", bound=Target)

Checked = Prepared[Any, Any]


@dataclass(frozen=True)
class Action(Generic[C, T]):
    """One action kind: the target kinds it applies to, and how it is checked and described: ``prepare`` returns the
    ``Prepared`` (a blocking call) or a coroutine of it, as the table's ``run`` expects."""

    applies_to: tuple[str, ...]
    prepare: Callable[[C, T, dict[str, str]], Any]


def already(subject: str, before: dict[str, Any], undo: str, read_after: Callable[[], Any]) -> Checked:
    """The resource is already as asked (``subject`` says how): a plan that says so, and nothing to perform."""
    return Prepared(f"{subject}: applying this changes nothing", before, before, undo, None, read_after)


async def in_worker_thread(ctx: BlockingCalls, call: Callable[[], Any]) -> Any:
    """``run`` for a cloud whose SDK blocks (boto3, Azure's clients): the call in a worker thread."""
    return await ctx.run(call)


async def awaited(ctx: object, call: Callable[[], Awaitable[Any]]) -> Any:
    """``run`` for a cloud whose calls are coroutines already (Google Cloud's REST client)."""
    return await call()


async def _no_follow_up(ctx: Any, action: RemediationAction, failure: FinOpsError | None) -> str:
    return ""


def _not_one(action: RemediationAction, kind: str, wanted: str) -> FinOpsError:
    return InvalidInput(f"{action.kind} applies to {wanted}; {action.resource_id!r} is not one.")


@dataclass(frozen=True)
class ActionTable(Generic[C, T]):
    """A cloud's actions, and how its resources are read; ``plan``, ``apply`` and ``tags`` are the provider's."""

    cloud: str
    actions: Mapping[str, Action[C, T]]
    kind_names: Mapping[Any, str]  # a target kind for people: "a VM instance"
    kind_of: Callable[[str], str]  # the target kind an id names; InvalidInput for an id the cloud cannot change
    read: Callable[[C, str, dict[str, str]], Awaitable[T]]  # the target as it is now; NotFound when it is gone
    run: Callable[[C, Callable[[], Any]], Awaitable[Any]]  # runs prepare, perform and read_after
    wrong_kind: Callable[[RemediationAction, str, str], FinOpsError] = _not_one
    check: Callable[[RemediationAction], object] = lambda action: None  # the action's own parameters, before reading
    # After apply: a note for the result (e.g. the recommendation it realizes, marked done), or, when the change failed
    # (``failure``), what to record of it. Not called when the cloud did not answer in time: the outcome is unknown.
    follow_up: Callable[[C, RemediationAction, FinOpsError | None], Awaitable[str]] = _no_follow_up
    labels: bool = False  # the cloud calls its tags labels (Google Cloud)

    def refuse_if_protected(self, target: T) -> None:
        """A resource carrying its cloud's protection tag (``finops:protect=true``) is never changed."""
        known = entry(self.cloud)
        key, _, _ = known.protect_tag.partition("=")
        value = tag_value(target.tags, key, exact=known.tag_keys != "any-case") or ""
        if value.strip().lower() in TRUE:
            tagged, tag = ("labelled", "label") if self.labels else ("tagged", "tag")
            raise RemediationRefused(
                f"{target.label()} {target.where} is {tagged} {known.protect_tag}, so this server will not change it. "
                f"Nothing was changed. Remove the {tag} (outside this server) if the change is really wanted."
            )

    async def prepare(self, ctx: C, action: RemediationAction) -> Checked:
        known = entry(self.cloud)
        if action.provider != self.cloud:
            raise InvalidInput(f"This is the {known.name} provider; the action is for {action.provider}.")
        found = self.actions.get(action.kind)
        if found is None:
            raise InvalidInput(
                f"Unknown or unsupported action kind {action.kind!r} on {known.name}; use one of "
                f"{', '.join(self.actions)}."
            )
        kind = self.kind_of(action.resource_id)
        if kind not in found.applies_to:
            raise self.wrong_kind(action, kind, " or ".join(self.kind_names[k] for k in found.applies_to))
        self.check(action)
        parameters = dict(action.parameters)
        target = await self.read(ctx, action.resource_id, parameters)
        self.refuse_if_protected(target)
        prepared: object = await self.run(ctx, functools.partial(found.prepare, ctx, target, parameters))
        if not isinstance(prepared, Prepared):  # e.g. an async prepare in a table whose run calls it in a thread
            if inspect.iscoroutine(prepared):
                prepared.close()
            raise TypeError(
                f"{self.cloud} action {action.kind!r}: prepare gave {type(prepared).__name__}, not a Prepared; "
                "a table that runs prepare in a worker thread needs a plain function, one that awaits it a coroutine"
            )
        return replace(cast("Checked", prepared), tags=target.tags)

    async def plan(self, ctx: C, action: RemediationAction) -> RemediationPlan:
        """Check ``action`` against the resource as it is now and describe it (before, expected after, undo).
        Changes nothing."""
        return plan_of(action, await self.prepare(ctx, action))

    async def apply(self, ctx: C, action: RemediationAction) -> RemediationResult:
        """Check ``action`` again, make the change, and read the resource back. The caller has a person's
        confirmation; this does not ask."""
        prepared = await self.prepare(ctx, action)
        if prepared.perform is None:
            result = unchanged(action, prepared)
        else:
            try:
                done = await self.run(ctx, prepared.perform)
            except Unavailable:
                raise  # the change may still finish: its outcome is unknown
            except FinOpsError as exc:
                await self.follow_up(ctx, action, exc)
                raise
            result = result_of(action, prepared, done, await self.run(ctx, prepared.read_after))
        note = await self.follow_up(ctx, action, None)
        return result.model_copy(update={"message": result.message + note}) if note else result

    async def tags(self, ctx: C, resource_id: str, parameters: Mapping[str, str]) -> dict[str, str]:
        """The tags ``resource_id`` carries now, read afresh from the cloud."""
        return (await self.read(ctx, resource_id, dict(parameters))).tags

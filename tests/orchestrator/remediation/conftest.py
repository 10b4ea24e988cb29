"""An orchestrator with remediation switched on over the demo sandbox clouds, a store of its own, a clock the
tests move, and the people and providers the tests drive it with."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

import anyio
import pytest
from finops_core.errors import PermissionDenied, Unavailable
from finops_core.models import CLOUDS, RemediationAction, RemediationResult
from finops_core.provider import CloudProvider, RecommendationSet
from finops_core.sandbox import SandboxProvider
from finops_core.store import Store
from finops_orchestrator.policy import Policy
from finops_orchestrator.server import build_orchestrator
from finops_orchestrator.state import OrchestratorState
from mcp import Client
from mcp.client import ClientRequestContext
from mcp.types import CallToolResult, ElicitRequestParams, ElicitResult, TextContent

from tests.conftest import AS_OF


class Clock:
    """The time the orchestrator reads; tests move it instead of waiting."""

    def __init__(self) -> None:
        self.at = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.at

    def advance(self, **delta: float) -> None:
        self.at += timedelta(**delta)


class Person:
    """The person behind the client's approval prompt: one answer, and the questions asked. ``approve`` may be any
    value a client could send; ``answered=False`` accepts the prompt with no content at all."""

    def __init__(
        self, action: Literal["accept", "decline", "cancel"] = "accept", approve: Any = True, *, answered: bool = True
    ) -> None:
        self.action: Literal["accept", "decline", "cancel"] = action
        self.approve = approve
        self.answered = answered
        self.asked: list[str] = []

    async def __call__(self, context: ClientRequestContext, params: ElicitRequestParams) -> ElicitResult:
        self.asked.append(params.message)
        content = {"approve": self.approve} if self.action == "accept" and self.answered else None
        return ElicitResult(action=self.action, content=content)


class Recording(SandboxProvider):
    """A sandbox cloud that counts the changes applied, can fail one resource or the reading of its tags, and can
    hold a change until released (to catch an execution in the middle)."""

    def __init__(self, cloud: Any) -> None:
        super().__init__(cloud, as_of=AS_OF)
        self.applied: list[str] = []
        self.fail: set[str] = set()
        self.unreadable: set[str] = set()
        self.hold: str | None = None
        self.holding = anyio.Event()
        self.release = anyio.Event()
        self.rename: tuple[str, str] | None = None  # (id, new id): one recommendation answered under another id

    async def list_recommendations(self, min_monthly_savings: float = 0.0, limit: int = 50) -> RecommendationSet:
        found = await super().list_recommendations(min_monthly_savings, limit)
        if self.rename is None:
            return found
        old, new = self.rename
        recs = [
            r.model_copy(update={"recommendation_id": new}) if r.recommendation_id == old else r
            for r in found.recommendations
        ]
        return found.model_copy(update={"recommendations": recs})

    async def apply_remediation(self, action: RemediationAction) -> RemediationResult:
        if action.resource_id in self.fail:
            raise Unavailable("the cloud did not answer", provider=self.cloud)
        if action.resource_id == self.hold:
            self.holding.set()
            await self.release.wait()
        self.applied.append(action.resource_id)
        return await super().apply_remediation(action)

    async def resource_tags(self, resource_id: str, parameters: Mapping[str, str]) -> dict[str, str]:
        if resource_id in self.unreadable:
            raise PermissionDenied("not authorized to read the tags of " + resource_id, provider=self.cloud)
        return await super().resource_tags(resource_id, parameters)

    async def tag(self, resource_id: str, **tags: str) -> None:
        """Tag ``resource_id`` as someone would in the cloud's console (not counted as a change a plan made)."""
        await super().apply_remediation(
            RemediationAction(provider=self.cloud, kind="set_tags", resource_id=resource_id, parameters=tags)
        )


@dataclass
class World:
    store: Store
    clock: Clock
    providers: dict[str, Recording]
    policy: Policy = field(default_factory=Policy)

    @asynccontextmanager
    async def client(self, person: Person | None = None, *, mode: str = "auto") -> AsyncIterator[Client]:
        server = build_orchestrator(
            OrchestratorState(
                store=self.store,
                is_demo=True,
                today=lambda: AS_OF,
                providers=list[CloudProvider](self.providers.values()),
                remediation=True,
                policy=self.policy,
                now=self.clock,
            )
        )
        async with Client(server, mode=mode, elicitation_callback=person) as client:  # type: ignore[arg-type]
            yield client

    async def actionable(self, cloud: str = "aws", count: int = 2) -> list[str]:
        """The ids of ``cloud``'s largest recommendations that come with a change (resize, stop, delete...)."""
        recs = await self.providers[cloud].list_recommendations(limit=500)
        return [r.recommendation_id for r in recs.recommendations if r.action][:count]

    def count(self, table: str) -> int:
        with self.store.reader() as conn:
            return conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]


@pytest.fixture
def world(tmp_path: Path) -> World:
    return World(store=Store(tmp_path / "finops.sqlite"), clock=Clock(), providers={c: Recording(c) for c in CLOUDS})


def text(result: CallToolResult) -> str:
    return " ".join(c.text for c in result.content if isinstance(c, TextContent))


async def make_plan(client: Client, ids: Sequence[str], **extra: Any) -> dict[str, Any]:
    result = await client.call_tool("finops_plan_remediation", {"recommendation_ids": list(ids), **extra})
    assert not result.is_error, text(result)
    assert result.structured_content is not None
    return result.structured_content

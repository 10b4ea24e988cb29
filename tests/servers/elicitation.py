"""What the per-cloud remediation tests drive the MCP server with: a person answering the confirmation question, and
a provider whose changes go to a cloud's emulator while its costs and inventory come from the demo sandbox."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from datetime import date
from typing import Any, Literal

from finops_core.models import Cloud, RemediationAction, RemediationPlan, RemediationResult
from finops_core.sandbox import SandboxProvider
from mcp.client import ClientRequestContext
from mcp.types import ElicitRequestParams, ElicitResult, ErrorData

Answer = Literal["accept", "decline", "cancel"]


class Person:
    """An elicitation callback that gives one answer and keeps the questions it was asked."""

    def __init__(self, action: Answer, content: dict[str, Any] | None) -> None:
        self.action: Answer = action
        self.content = content
        self.asked: list[str] = []

    async def __call__(self, context: ClientRequestContext, params: ElicitRequestParams) -> ElicitResult | ErrorData:
        self.asked.append(params.message)
        return ElicitResult(action=self.action, content=self.content)


class RemediatingProvider:
    """The sandbox's ``cloud`` with remediation through ``plan`` and ``apply`` (a cloud adapter over its emulator)."""

    def __init__(
        self,
        cloud: Cloud,
        ctx: Any,
        plan: Callable[[Any, RemediationAction], Awaitable[RemediationPlan]],
        apply: Callable[[Any, RemediationAction], Awaitable[RemediationResult]],
        as_of: date,
    ) -> None:
        self.cloud = cloud
        self._ctx, self._plan, self._apply = ctx, plan, apply
        self._sandbox = SandboxProvider(cloud, as_of=as_of)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._sandbox, name)

    async def resource_tags(self, resource_id: str, parameters: Mapping[str, str]) -> dict[str, str]:
        # Not the sandbox's: these tests drive the confirmation path, which reads no tags; fail loudly if one does.
        raise AssertionError(f"RemediatingProvider reads no tags ({resource_id}): use the cloud's own provider")

    async def plan_remediation(self, action: RemediationAction) -> RemediationPlan:
        return await self._plan(self._ctx, action)

    async def apply_remediation(self, action: RemediationAction) -> RemediationResult:
        return await self._apply(self._ctx, action)

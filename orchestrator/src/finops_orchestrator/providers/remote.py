"""A cloud provider on the other side of an MCP connection: a per-cloud server (``finops-aws`` ...) started as a
stdio command or reached over streamable HTTP.

``RemoteProvider`` implements the same protocols as an in-process provider by calling that server's tools and
validating their structured results back into core models, so the orchestrator cannot tell the difference
(and the core contract suite runs against it). Errors come back as the class the server raised, which it names
in the result's ``_meta``; a server that cannot be reached or answers late is ``Unavailable``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from contextlib import AsyncExitStack
from datetime import date, timedelta
from typing import Any, TypeVar, cast

import anyio
from finops_core.cost_answers import breakdown_of
from finops_core.errors import (
    ERROR_META_KEY,
    InvalidInput,
    ProviderError,
    RemediationRefused,
    Unavailable,
    rebuild_error,
)
from finops_core.focus import CostLineItem
from finops_core.models import (
    Cloud,
    CostBreakdown,
    CostQuery,
    ProviderInfo,
    RemediationAction,
    RemediationPlan,
    RemediationResult,
)
from finops_core.proof import ApprovalClaims, sign_approval
from finops_core.provider import RecommendationSet, ResourceInventory, ResourceTags, ResourceType
from finops_core.redact import redact_text
from finops_core.wire import COST_FILTER_ARGUMENTS, DAILY_COSTS_MAX_DAYS, DailyCosts
from mcp import Client
from mcp.shared.exceptions import MCPError
from mcp.types import TextContent
from pydantic import BaseModel, ValidationError

M = TypeVar("M", bound=BaseModel)


class RemoteProvider:
    """A ``CloudProvider`` answered by a per-cloud MCP server. Use as ``async with RemoteProvider(...) as p``.

    ``client`` is an unentered ``mcp.Client`` (stdio parameters, an HTTP transport, or a server in tests);
    ``where`` names the server in messages (never a token); ``approval_key`` signs the approvals it sends with each
    change (the server's own ``approval_key``).
    """

    def __init__(
        self,
        cloud: Cloud,
        client: Client,
        *,
        where: str,
        timeout: float = 120.0,
        explain: Callable[[], str | None] = lambda: None,
        approval_key: bytes | None = None,
    ) -> None:
        self._cloud: Cloud = cloud
        self._where = where
        self._explain = explain
        self._timeout = timeout
        self._approval_key = approval_key
        client.read_timeout_seconds = timeout  # bounds the handshake; calls get their own deadline below
        self._client = client
        self._stack = AsyncExitStack()
        self._tools: set[str] = set()

    @property
    def cloud(self) -> Cloud:
        return self._cloud

    async def __aenter__(self) -> RemoteProvider:
        try:
            # No cancel scope around entering: the client's task group outlives this method.
            await self._stack.enter_async_context(self._client)
            self._tools = {t.name for t in (await self._client.list_tools()).tools}
        except BaseException as exc:
            await self._stack.aclose()
            if isinstance(exc, Exception):
                raise self._unreachable(exc) from exc
            raise
        if f"{self._cloud}_cost_query" not in self._tools:
            await self._stack.aclose()
            raise ProviderError(
                f"{self._where} is not a finops-{self._cloud} server (it has no {self._cloud}_cost_query tool).",
                provider=self._cloud,
            )
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._stack.aclose()

    def _unreachable(self, exc: BaseException) -> Unavailable:
        while isinstance(exc, BaseExceptionGroup) and exc.exceptions:  # the transport's task group wraps the cause
            exc = exc.exceptions[0]
        detail = self._explain() or redact_text(str(exc)) or type(exc).__name__
        return Unavailable(
            f"cannot reach the server at {self._where} ({detail}). Check that it runs and that "
            "[providers] in finops.toml points at it.",
            provider=self._cloud,
        )

    async def _call(self, tool: str, arguments: Mapping[str, Any], model: type[M]) -> M:
        return await self._answer(tool, arguments, model.model_validate)

    async def _answer(self, tool: str, arguments: Mapping[str, Any], read: Callable[[Any], M]) -> M:
        """``tool``'s structured answer to ``arguments``, read by ``read`` (a model's validation)."""
        name = f"{self._cloud}_{tool}"
        try:
            with anyio.fail_after(self._timeout):
                result = await self._client.call_tool(name, dict(arguments))
        except TimeoutError as exc:
            raise Unavailable(
                f"{self._where} did not answer {name} within {self._timeout:g} s; try again, or raise "
                "timeout_seconds for this provider in finops.toml.",
                provider=self._cloud,
            ) from exc
        except MCPError as exc:
            raise ProviderError(f"{self._where} refused {name}: {exc}", provider=self._cloud) from exc
        except (OSError, anyio.ClosedResourceError, anyio.BrokenResourceError, anyio.EndOfStream) as exc:
            raise self._unreachable(exc) from exc
        if result.is_error:
            text = " ".join(c.text for c in result.content if isinstance(c, TextContent))
            # An error raised before the tool body (in its approval resolver) comes wrapped by the SDK.
            text = text.removeprefix(f"Error executing tool {name}: ")
            kind = (result.meta or {}).get(ERROR_META_KEY)
            raise rebuild_error(kind if isinstance(kind, str) else None, text, provider=self._cloud)
        try:
            return read(result.structured_content)
        except (ValidationError, KeyError, TypeError, ValueError) as exc:
            raise ProviderError(
                f"{self._where} answered {name} in a shape this version does not know ({_problems(exc)}); install "
                "the same finops-mcp version on both sides.",
                provider=self._cloud,
            ) from exc

    async def info(self) -> ProviderInfo:
        return await self._call("provider_info", {}, ProviderInfo)

    async def query_costs(self, query: CostQuery) -> CostBreakdown:
        arguments: dict[str, Any] = {
            "start": query.start.isoformat(),
            "end": query.end.isoformat(),
            "group_by": list(query.group_by),
            "tag_key": query.tag_key,
            "granularity": query.granularity,
            "metric": query.metric,
            "top_n": query.top_n,
        }
        for dimension, values in query.filters.items():
            if dimension not in COST_FILTER_ARGUMENTS:
                known = ", ".join(COST_FILTER_ARGUMENTS)
                raise InvalidInput(f"A remote {self._cloud} server filters on {known} only, not {dimension}.")
            arguments[COST_FILTER_ARGUMENTS[dimension]] = list(values)
        return await self._answer("cost_query", arguments, _cost_breakdown)

    async def daily_costs(self, start: date, end: date) -> list[CostLineItem]:
        """The rows for ``[start, end)``, asked for in pieces the server accepts (a month at most each)."""
        items: list[CostLineItem] = []
        first = start
        while True:  # at least one call, so an empty range gets the server's own error
            last = min(end, first + timedelta(days=DAILY_COSTS_MAX_DAYS))
            page = await self._call("daily_costs", {"start": first.isoformat(), "end": last.isoformat()}, DailyCosts)
            items += page.items
            first = last
            if first >= end:
                return items

    async def list_resources(
        self, resource_type: ResourceType | None = None, region: str | None = None, limit: int = 100
    ) -> ResourceInventory:
        arguments = {"resource_type": resource_type, "region": region, "limit": limit}
        return await self._call("list_resources", arguments, ResourceInventory)

    async def list_recommendations(self, min_monthly_savings: float = 0.0, limit: int = 50) -> RecommendationSet:
        arguments = {"min_monthly_savings": min_monthly_savings, "limit": limit}
        return await self._call("list_recommendations", arguments, RecommendationSet)

    async def plan_remediation(self, action: RemediationAction) -> RemediationPlan:
        return await self._call("plan_remediation", _action_arguments(action), RemediationPlan)

    async def apply_remediation(self, action: RemediationAction) -> RemediationResult:
        """Refused: a remote server applies only a change a person approved, with proof (``apply_approved``)."""
        raise RemediationRefused(
            f"Nothing was changed: the {self._cloud} server at {self._where} applies only changes a person approved. "
            "Make a plan (finops_plan_remediation) and execute it once approved."
        )

    async def resource_tags(self, resource_id: str, parameters: Mapping[str, str]) -> dict[str, str]:
        """The tags the remote server reads from its cloud now (its ``<cloud>_resource_tags`` tool)."""
        if f"{self._cloud}_resource_tags" not in self._tools:
            raise RemediationRefused(
                f"the {self._cloud} server at {self._where} cannot read a resource's tags now (it has remediation "
                "switched off, or is an older version), so the guardrails cannot be checked. Start it with "
                "--allow-remediation, and install the same finops-mcp version on both sides."
            )
        arguments = {"resource_id": resource_id, "parameters": dict(parameters) or None}
        return (await self._call("resource_tags", arguments, ResourceTags)).tags

    async def apply_approved(self, action: RemediationAction, approval: ApprovalClaims) -> RemediationResult:
        """Apply ``action`` on the remote server with ``approval`` signed by the key both sides share; the server
        checks it approves exactly this action before changing anything."""
        if f"{self._cloud}_apply_remediation" not in self._tools:
            raise RemediationRefused(
                f"Nothing was changed: the {self._cloud} server at {self._where} has remediation switched off. "
                f"Start it with --allow-remediation (or FINOPS_REMEDIATION_ENABLED=true) to allow changes."
            )
        if self._approval_key is None:
            raise RemediationRefused(
                f"Nothing was changed: no approval_key is set for [providers.{self._cloud}] in finops.toml, so the "
                f"server at {self._where} cannot verify the person's approval. Give both sides the same key."
            )
        token = sign_approval(self._approval_key, approval)
        return await self._call(
            "apply_remediation", {**_action_arguments(action), "approval": token}, RemediationResult
        )


def _cost_breakdown(structured: Any) -> CostBreakdown:
    """The cost query's compact answer (columns and rows) read back into a ``CostBreakdown``."""
    if not isinstance(structured, dict):
        raise TypeError("no structured content")
    return breakdown_of(cast("dict[str, Any]", structured))


def _problems(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return f"{exc.error_count()} problems"
    return f"{type(exc).__name__}: {redact_text(str(exc))[:200]}"


def _action_arguments(action: RemediationAction) -> dict[str, Any]:
    return {"kind": action.kind, "resource_id": action.resource_id, "parameters": dict(action.parameters) or None}

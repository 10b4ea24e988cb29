"""A cloud adapter's parts composed into a ``CloudProvider``: each cloud supplies its cost source, inventory,
recommendation sources (the cloud's own and our waste rules), de-duplication and remediation, as functions of its
context; this class answers the provider protocol from them the same way for every cloud."""

from __future__ import annotations

import functools
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from finops_core.cloud_context import CloudContext
from finops_core.focus import CostLineItem
from finops_core.models import (
    Cloud,
    CostBreakdown,
    CostQuery,
    ProviderInfo,
    Recommendation,
    RemediationAction,
    RemediationPlan,
    RemediationResult,
)
from finops_core.provider import CostSource, RecommendationSet, ResourceInventory, ResourceType
from finops_core.ranking import gather_recommendations, recommendation_set

if TYPE_CHECKING:
    from mcp.server import MCPServer

C = TypeVar("C")
X = TypeVar("X", bound=CloudContext[Any, Any])
CS = TypeVar("CS", bound=CostSource)
Found = tuple[list[Recommendation], list[str]]  # recommendations, and what could not be asked
CAPABILITIES = ("costs", "inventory", "recommendations", "remediation")  # the provider protocol's parts


@dataclass(frozen=True)
class Parts(Generic[C, CS]):
    """What one cloud's adapter provides: its cost source ``CS`` and the other parts, each a function of its context
    ``C``."""

    costs: CS
    list_resources: Callable[[C, ResourceType | None, str | None, int], Awaitable[ResourceInventory]]
    recommendations: tuple[Callable[[C], Awaitable[Found]], ...]
    merge: Callable[[list[Recommendation]], list[Recommendation]]
    plan: Callable[[C, RemediationAction], Awaitable[RemediationPlan]]
    apply: Callable[[C, RemediationAction], Awaitable[RemediationResult]]
    tags: Callable[[C, str, Mapping[str, str]], Awaitable[dict[str, str]]]  # a resource's tags, read now
    sources: str  # who recommends, for answers ("Azure Advisor and finops waste rules")


class AdapterProvider(ABC, Generic[X, CS]):
    """A ``CloudProvider`` over ``parts``, for the cloud whose settings section ``ctx`` holds; a cloud's subclass
    answers ``info`` and adds its own tools."""

    def __init__(self, ctx: X, parts: Parts[X, CS]) -> None:
        self._cloud: Cloud = ctx.settings.cloud_id
        self.ctx = ctx
        self.parts = parts
        self.costs: CS = parts.costs

    @property
    def cloud(self) -> Cloud:
        return self._cloud

    @abstractmethod
    async def info(self) -> ProviderInfo:
        """Which accounts and currencies the cloud's credentials see (each cloud asks its own API)."""

    def live_info(self, display_name: str, accounts: list[str], currencies: list[str], *own: str) -> ProviderInfo:
        """What ``info`` answers for a cloud's own accounts (live, never demo data): the protocol's capabilities,
        then the cloud's ``own`` (its native questions)."""
        return ProviderInfo(
            provider=self._cloud,
            display_name=display_name,
            is_demo=False,
            accounts=accounts,
            currencies=currencies,
            capabilities=[*CAPABILITIES, *own],
            read_only=True,
        )

    async def query_costs(self, query: CostQuery) -> CostBreakdown:
        return await self.parts.costs.query_costs(query)

    async def billed_currencies(self, today: date) -> list[str]:
        """The currencies of last month's and this month's billed costs (cached by the cost source): what a
        provider whose currencies are per account (an Azure subscription, a Google project) reports in ``info``."""
        start = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
        costs = await self.parts.costs.query_costs(CostQuery(start=start, end=today, metric="billed"))
        return [t.currency for t in costs.totals]

    async def daily_costs(self, start: date, end: date) -> list[CostLineItem]:
        return await self.parts.costs.daily_costs(start, end)

    async def list_resources(
        self, resource_type: ResourceType | None = None, region: str | None = None, limit: int = 100
    ) -> ResourceInventory:
        return await self.parts.list_resources(self.ctx, resource_type, region, limit)

    async def list_recommendations(self, min_monthly_savings: float = 0.0, limit: int = 50) -> RecommendationSet:
        asks = [functools.partial(source, self.ctx) for source in self.parts.recommendations]
        found, missing = await gather_recommendations(*asks)
        return recommendation_set(
            self._cloud,
            self.parts.merge(found),
            min_monthly_savings=min_monthly_savings,
            limit=limit,
            missing=missing,
            sources=self.parts.sources,
        )

    async def plan_remediation(self, action: RemediationAction) -> RemediationPlan:
        return await self.parts.plan(self.ctx, action)

    async def apply_remediation(self, action: RemediationAction) -> RemediationResult:
        return await self.parts.apply(self.ctx, action)

    async def resource_tags(self, resource_id: str, parameters: Mapping[str, str]) -> dict[str, str]:
        return await self.parts.tags(self.ctx, resource_id, parameters)

    def tools(self, server: MCPServer) -> None:
        """Register the cloud's own tools (beyond the common ones every server has) on its ``server``; none here."""

    def close(self) -> None:
        """Release the paid-call cache's store (the server's lifespan calls this when it stops)."""
        self.ctx.paid.close()


def native_tools(provider: object) -> Callable[[MCPServer], None] | None:
    """``provider``'s own tools for its server: a cloud adapter's (``AdapterProvider.tools``); none for the demo."""
    return provider.tools if isinstance(provider, AdapterProvider) else None

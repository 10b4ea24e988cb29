"""``AzureProvider``: the Azure ``CloudProvider`` (costs, inventory, recommendations, remediation) over the Azure SDKs.

``create_provider(settings)`` is the entry point the orchestrator imports for ``mode = "in-process"`` and the
``finops-azure`` server uses. It touches nothing on Azure: credentials are looked up on the first call, so the
server starts and lists its tools without any.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, timedelta
from typing import TYPE_CHECKING

import anyio
from finops_core.dates import today_utc
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
from finops_core.paid import PaidCalls
from finops_core.provider import RecommendationSet, ResourceInventory, ResourceType
from finops_core.ranking import gather_recommendations, recommendation_set
from finops_core.settings import Settings
from finops_core.store import Store

from finops_azure.clients import AzureClients
from finops_azure.context import AzureContext
from finops_azure.costs import CostManagement
from finops_azure.inventory.prices import PriceBook
from finops_azure.settings import AzureSettings

if TYPE_CHECKING:
    from azure.core.credentials import TokenCredential

RECOMMENDATION_SOURCES = "Azure Advisor, Cost Management benefit recommendations and finops waste rules"


class AzureProvider:
    """The Azure subscriptions (or management group, or billing scope) that ``[azure]`` names."""

    def __init__(self, ctx: AzureContext) -> None:
        self.ctx = ctx
        self.costs = CostManagement(ctx)
        self.prices = PriceBook()  # retail prices, fetched once per provider lifetime

    @property
    def cloud(self) -> Cloud:
        return "azure"

    async def info(self) -> ProviderInfo:
        subscriptions = await self.ctx.subscriptions()
        # Billing currencies are per subscription (EUR, USD...): read them from last month's costs (cached).
        today = self.ctx.today()
        start = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
        costs = await self.costs.query_costs(CostQuery(start=start, end=today, metric="billed"))
        return ProviderInfo(
            provider="azure",
            display_name="Azure" if self.ctx.settings.cloud == "public" else f"Azure ({self.ctx.settings.cloud})",
            is_demo=False,
            accounts=subscriptions,
            currencies=[t.currency for t in costs.totals],
            capabilities=["costs", "inventory", "recommendations", "remediation", "forecast", "budgets"],
            read_only=True,
        )

    # -- costs -----------------------------------------------------------------------------------

    async def query_costs(self, query: CostQuery) -> CostBreakdown:
        return await self.costs.query_costs(query)

    async def daily_costs(self, start: date, end: date) -> list[CostLineItem]:
        return await self.costs.daily_costs(start, end)

    # -- inventory and savings -------------------------------------------------------------------

    async def list_resources(
        self, resource_type: ResourceType | None = None, region: str | None = None, limit: int = 100
    ) -> ResourceInventory:
        from finops_azure.inventory.resources import list_resources

        return await list_resources(self.ctx, resource_type, region, limit, prices=self.prices)

    async def list_recommendations(self, min_monthly_savings: float = 0.0, limit: int = 50) -> RecommendationSet:
        from finops_azure.inventory.waste import waste_findings
        from finops_azure.recommendations import all_recommendations, merge

        recs, problems = await gather_recommendations(
            lambda: all_recommendations(self.ctx), lambda: waste_findings(self.ctx, prices=self.prices)
        )
        return recommendation_set(
            "azure",
            merge(recs),
            min_monthly_savings=min_monthly_savings,
            limit=limit,
            missing=problems,
            sources=RECOMMENDATION_SOURCES,
        )

    # -- remediation -----------------------------------------------------------------------------

    async def plan_remediation(self, action: RemediationAction) -> RemediationPlan:
        from finops_azure.remediation import plan_remediation

        return await plan_remediation(self.ctx, action)

    async def apply_remediation(self, action: RemediationAction) -> RemediationResult:
        from finops_azure.remediation import apply_remediation

        return await apply_remediation(self.ctx, action)

    def close(self) -> None:
        self.ctx.paid.close()


def create_provider(
    settings: Settings,
    *,
    credential_factory: Callable[[], TokenCredential] | None = None,
    today: Callable[[], date] = today_utc,
    sleep: Callable[[float], Awaitable[None]] = anyio.sleep,
) -> AzureProvider:
    """The Azure provider for ``settings`` (its ``[azure]`` section); ``credential_factory`` replaces
    ``DefaultAzureCredential`` and ``sleep`` the waits (tests). Raises ``ConfigError`` for a wrong ``[azure]``
    section; never calls Azure."""
    azure = AzureSettings.from_section(settings.azure)
    store_file = settings.store_file
    paid = PaidCalls(lambda: Store(store_file), ttl=timedelta(hours=azure.cache_hours), provider="azure")
    ctx = AzureContext(azure, AzureClients(azure, credential_factory), paid, today=today, sleep=sleep)
    return AzureProvider(ctx)

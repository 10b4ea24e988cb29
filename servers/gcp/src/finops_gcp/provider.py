"""``GcpProvider``: the Google Cloud ``CloudProvider`` (costs from the BigQuery billing export, inventory,
Recommender recommendations, remediation) over the Google Cloud client libraries.

``create_provider(settings)`` is the entry point the orchestrator imports for ``mode = "in-process"`` and the
``finops-gcp`` server uses. It touches nothing on Google Cloud: credentials are looked up on the first call, so the
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

from finops_gcp.clients import GcpClients
from finops_gcp.context import GcpContext
from finops_gcp.costs import BillingExport
from finops_gcp.inventory.prices import PriceBook
from finops_gcp.settings import GcpSettings

if TYPE_CHECKING:
    from google.auth.credentials import Credentials

RECOMMENDATION_SOURCES = "Google Cloud Recommender and finops waste rules"


class GcpProvider:
    """The Google Cloud projects (or billing account) that ``[gcp]`` names."""

    def __init__(self, ctx: GcpContext) -> None:
        self.ctx = ctx
        self.costs = BillingExport(ctx)
        self.prices = PriceBook()  # retail prices, fetched once per provider lifetime

    @property
    def cloud(self) -> Cloud:
        return "gcp"

    async def info(self) -> ProviderInfo:
        projects = await self.ctx.projects()
        # The billing account's currency: read it from last month's costs (cached).
        today = self.ctx.today()
        start = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
        costs = await self.costs.query_costs(CostQuery(start=start, end=today, metric="billed"))
        return ProviderInfo(
            provider="gcp",
            display_name="Google Cloud",
            is_demo=False,
            accounts=projects,
            currencies=[t.currency for t in costs.totals],
            capabilities=["costs", "inventory", "recommendations", "remediation", "budgets", "bigquery-export"],
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
        from finops_gcp.inventory.resources import list_resources

        return await list_resources(self.ctx, resource_type, region, limit, prices=self.prices)

    async def list_recommendations(self, min_monthly_savings: float = 0.0, limit: int = 50) -> RecommendationSet:
        from finops_gcp.inventory.waste import waste_findings
        from finops_gcp.recommendations import all_recommendations, merge

        recs, problems = await gather_recommendations(
            lambda: all_recommendations(self.ctx), lambda: waste_findings(self.ctx, prices=self.prices)
        )
        return recommendation_set(
            "gcp",
            merge(recs),
            min_monthly_savings=min_monthly_savings,
            limit=limit,
            missing=problems,
            sources=RECOMMENDATION_SOURCES,
        )

    # -- remediation -----------------------------------------------------------------------------

    async def plan_remediation(self, action: RemediationAction) -> RemediationPlan:
        from finops_gcp.remediation import plan_remediation

        return await plan_remediation(self.ctx, action)

    async def apply_remediation(self, action: RemediationAction) -> RemediationResult:
        from finops_gcp.remediation import apply_remediation

        return await apply_remediation(self.ctx, action)

    def close(self) -> None:
        self.ctx.paid.close()


def create_provider(
    settings: Settings,
    *,
    credentials_factory: Callable[[], Credentials] | None = None,
    today: Callable[[], date] = today_utc,
    sleep: Callable[[float], Awaitable[None]] = anyio.sleep,
) -> GcpProvider:
    """The Google Cloud provider for ``settings`` (its ``[gcp]`` section); ``credentials_factory`` replaces
    Application Default Credentials and ``sleep`` the waits (tests). Raises ``ConfigError`` for a wrong ``[gcp]``
    section; never calls Google."""
    gcp = GcpSettings.from_section(settings.gcp)
    store_file = settings.store_file
    paid = PaidCalls(lambda: Store(store_file), ttl=timedelta(hours=gcp.cache_hours), provider="gcp")
    ctx = GcpContext(gcp, GcpClients(gcp, credentials_factory), paid, today=today, sleep=sleep)
    return GcpProvider(ctx)

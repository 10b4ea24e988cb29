"""``AwsProvider``: the AWS ``CloudProvider`` (costs, inventory, recommendations, remediation) over boto3.

``create_provider(settings)`` is the entry point the orchestrator imports for ``mode = "in-process"`` and the
``finops-aws`` server uses. It touches nothing on AWS: credentials are looked up on the first call, so the
server starts and lists its tools without any.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import TYPE_CHECKING

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

from finops_aws.clients import AwsClients
from finops_aws.context import AwsContext
from finops_aws.costs.explorer import CostExplorer
from finops_aws.inventory.pricing import PriceBook
from finops_aws.settings import AwsSettings

if TYPE_CHECKING:
    import boto3

RECOMMENDATION_SOURCES = "AWS Cost Optimization Hub, Compute Optimizer, Cost Explorer and finops waste rules"


class AwsProvider:
    """One AWS organization or account, seen through the credentials' account and the roles in ``[aws]``."""

    def __init__(self, ctx: AwsContext) -> None:
        self.ctx = ctx
        self.explorer = CostExplorer(ctx)
        self.prices = PriceBook()  # list prices, fetched once per provider lifetime

    @property
    def cloud(self) -> Cloud:
        return "aws"

    async def info(self) -> ProviderInfo:
        accounts = await self.ctx.accounts()
        partition = accounts[0].partition if accounts else self.ctx.clients.partition()
        return ProviderInfo(
            provider="aws",
            display_name="AWS" if partition.name == "aws" else f"AWS ({partition.name})",
            is_demo=False,
            accounts=[a.account_id for a in accounts],
            currencies=["CNY" if partition.name == "aws-cn" else "USD"],
            capabilities=["costs", "inventory", "recommendations", "remediation", "cost-explorer", "athena"],
            read_only=True,
        )

    # -- costs -----------------------------------------------------------------------------------

    async def query_costs(self, query: CostQuery) -> CostBreakdown:
        return await self.explorer.query_costs(query)

    async def daily_costs(self, start: date, end: date) -> list[CostLineItem]:
        return await self.explorer.daily_costs(start, end)

    # -- inventory and savings -------------------------------------------------------------------

    async def list_resources(
        self, resource_type: ResourceType | None = None, region: str | None = None, limit: int = 100
    ) -> ResourceInventory:
        from finops_aws.inventory.resources import list_resources

        return await list_resources(self.ctx, resource_type, region, limit, prices=self.prices)

    async def list_recommendations(self, min_monthly_savings: float = 0.0, limit: int = 50) -> RecommendationSet:
        from finops_aws.inventory.waste import waste_findings
        from finops_aws.recommendations import all_recommendations, merge

        recs, problems = await gather_recommendations(
            lambda: all_recommendations(self.ctx), lambda: waste_findings(self.ctx, prices=self.prices)
        )
        return recommendation_set(
            "aws",
            merge(recs),
            min_monthly_savings=min_monthly_savings,
            limit=limit,
            missing=problems,
            sources=RECOMMENDATION_SOURCES,
        )

    # -- remediation -----------------------------------------------------------------------------

    async def plan_remediation(self, action: RemediationAction) -> RemediationPlan:
        from finops_aws.remediation import plan_remediation

        return await plan_remediation(self.ctx, action)

    async def apply_remediation(self, action: RemediationAction) -> RemediationResult:
        from finops_aws.remediation import apply_remediation

        return await apply_remediation(self.ctx, action)

    def close(self) -> None:
        self.ctx.paid.close()


def create_provider(
    settings: Settings,
    *,
    session_factory: Callable[[], boto3.Session] | None = None,
    today: Callable[[], date] = today_utc,
) -> AwsProvider:
    """The AWS provider for ``settings`` (its ``[aws]`` section); ``session_factory`` replaces the credential
    chain (tests). Raises ``ConfigError`` for a wrong ``[aws]`` section; never calls AWS."""
    aws = AwsSettings.from_section(settings.aws)
    store_file = settings.store_file
    paid = PaidCalls(lambda: Store(store_file), ttl=timedelta(hours=aws.cache_hours), provider="aws")
    return AwsProvider(AwsContext(aws, AwsClients(aws, session_factory), paid, today=today))

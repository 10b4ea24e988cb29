"""The provider protocols: what every cloud (and the demo sandbox) implements.

Per-cloud code only fetches, normalizes and maps errors; comparison, ranking, forecasting and the like
live once, over these normalized results. ``finops_core.testing.contract`` holds the reusable test
suite every implementation passes.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Literal, Protocol, runtime_checkable

from pydantic import BaseModel, ConfigDict, Field

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
    Resource,
)
from finops_core.money import Money
from finops_core.proof import ApprovalClaims

ResourceType = Literal[
    "instance", "volume", "snapshot", "ip", "nat_gateway", "load_balancer", "database", "bucket", "other"
]


class ResourceInventory(BaseModel):
    """A page of inventory, with how many matched in all."""

    model_config = ConfigDict(frozen=True)

    provider: Cloud
    resources: list[Resource]
    total: int = Field(description="How many resources matched before the limit.")
    truncated: bool
    is_demo: bool
    source: str
    note: str | None = None


class RecommendationSet(BaseModel):
    """Recommendations ranked by monthly savings, with their total per currency."""

    model_config = ConfigDict(frozen=True)

    provider: Cloud
    recommendations: list[Recommendation]
    total_monthly_savings: list[Money]
    total: int
    truncated: bool
    is_demo: bool
    source: str
    note: str | None = None
    cached: bool | None = Field(
        default=None, description="True when every paid call behind it came from the cache; null: none was made."
    )
    cached_at: datetime | None = Field(default=None, description="When the oldest cached part was fetched.")


class ResourceTags(BaseModel):
    """The tags (Google Cloud: labels) one resource carries, as its cloud answered just now."""

    model_config = ConfigDict(frozen=True)

    provider: Cloud
    resource_id: str
    tags: dict[str, str]


@runtime_checkable
class CostSource(Protocol):
    async def query_costs(self, query: CostQuery) -> CostBreakdown:
        """Costs for ``query`` at the provider's aggregate granularity."""
        ...

    async def daily_costs(self, start: date, end: date) -> list[CostLineItem]:
        """Daily FOCUS rows for ``[start, end)``, one per day and group the provider reports (for sync)."""
        ...


@runtime_checkable
class Inventory(Protocol):
    async def list_resources(
        self, resource_type: ResourceType | None = None, region: str | None = None, limit: int = 100
    ) -> ResourceInventory: ...


@runtime_checkable
class Recommender(Protocol):
    async def list_recommendations(self, min_monthly_savings: float = 0.0, limit: int = 50) -> RecommendationSet: ...


@runtime_checkable
class Remediator(Protocol):
    async def plan_remediation(self, action: RemediationAction) -> RemediationPlan:
        """Dry-run ``action``: check it would succeed and describe it. Changes nothing."""
        ...

    async def apply_remediation(self, action: RemediationAction) -> RemediationResult:
        """Carry out ``action``. Callers get a person's approval first; this method does not ask."""
        ...

    async def resource_tags(self, resource_id: str, parameters: Mapping[str, str]) -> dict[str, str]:
        """The tags (Google Cloud: labels) of ``resource_id`` as the cloud has them now, never from a cache: what
        the guardrails are checked on just before a change. ``parameters`` locate it as in an action (AWS:
        ``region``, ``account_id``). Raises a ``FinOpsError`` when they cannot be read; callers then refuse."""
        ...


@runtime_checkable
class ApprovedRemediator(Protocol):
    """A provider in another process (a remote per-cloud server), which applies a change only with proof that a
    person approved exactly that change; the orchestrator calls this instead of ``apply_remediation``."""

    async def apply_approved(self, action: RemediationAction, approval: ApprovalClaims) -> RemediationResult: ...


@runtime_checkable
class CloudProvider(CostSource, Inventory, Recommender, Remediator, Protocol):
    """One cloud: costs, inventory, recommendations and remediation."""

    @property
    def cloud(self) -> Cloud: ...

    async def info(self) -> ProviderInfo: ...

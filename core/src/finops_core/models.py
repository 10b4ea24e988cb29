"""The contract between every part of finops-mcp: queries, answers, resources, recommendations,
remediation and budgets. Pydantic v2 models; money is ``Decimal`` plus a currency.

Every answer says which cost metric it uses and whether it is demo data.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, model_validator

# The clouds are those of the registry (finops_core.clouds), named here too for the models' users.
from finops_core.clouds import CLOUD_NAMES as CLOUD_NAMES
from finops_core.clouds import CLOUDS as CLOUDS
from finops_core.clouds import FOCUS_PROVIDER_NAMES as FOCUS_PROVIDER_NAMES
from finops_core.clouds import Cloud as Cloud
from finops_core.money import Amount, Money

CostMetric = Literal["billed", "effective", "list", "contracted"]
# A metric's FOCUS column is named for it: billed_cost, effective_cost, list_cost, contracted_cost.
METRIC_COLUMN: dict[CostMetric, str] = {metric: f"{metric}_cost" for metric in get_args(CostMetric)}
METRIC_MEANING: dict[CostMetric, str] = {
    "billed": "billed cost: what the invoice charges (cash basis)",
    "effective": "effective cost: amortized, commitment purchases spread over the usage they cover",
    "list": "list cost: public on-demand prices before any discount",
    "contracted": "contracted cost: after negotiated discounts, before commitment discounts",
}

Dimension = Literal[
    "provider",
    "billing_account",
    "sub_account",
    "service",
    "service_category",
    "region",
    "charge_category",
    "resource",
    "sku",
]
DIMENSION_COLUMN: dict[Dimension, str] = {
    "provider": "provider_name",
    "billing_account": "billing_account_id",
    "sub_account": "sub_account_id",
    "service": "service_name",
    "service_category": "service_category",
    "region": "region_id",
    "charge_category": "charge_category",
    "resource": "resource_id",
    "sku": "sku_id",
}
Granularity = Literal["daily", "weekly", "monthly", "total"]
GRANULARITY_MEANING: dict[Granularity, str] = {
    "total": "one amount per group for the whole period",
    "daily": "one amount per group per UTC day",
    "weekly": "one amount per group per ISO week (Monday to Sunday); a week cut by the period is partial",
    "monthly": "one amount per group per calendar month; a month cut by the period is partial",
}


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class CostQuery(_Model):
    """A question about costs over ``[start, end)`` (end exclusive, UTC days)."""

    start: date
    end: date
    metric: CostMetric = "effective"
    granularity: Granularity = "total"
    group_by: tuple[Dimension, ...] = Field(default=(), max_length=2)
    tag_key: str | None = Field(default=None, description="Also group by this tag key.")
    filters: dict[Dimension, tuple[str, ...]] = Field(default_factory=lambda: dict[Dimension, tuple[str, ...]]())
    top_n: int = Field(default=20, ge=1, le=500)

    @model_validator(mode="after")
    def _check(self) -> CostQuery:
        if self.end <= self.start:
            raise ValueError(f"end ({self.end}) must be after start ({self.start}); the end date is exclusive")
        if len(set(self.group_by)) != len(self.group_by):
            raise ValueError("group_by lists a dimension twice")
        return self


class DateRange(_Model):
    """Days ``[start, end)``: the end is exclusive."""

    start: date
    end: date = Field(description="Exclusive end date.")


class CostRow(_Model):
    """One group of a breakdown: its period, its dimension values and its cost."""

    period_start: date | None = Field(
        description="First day of the day, week or month, clipped to the query's start; null for a total."
    )
    group: dict[str, str | None] = Field(description="Dimension (or 'tag:<key>') -> value; null = not set.")
    cost: Amount
    currency: str


class CostBreakdown(_Model):
    """Costs for a period, grouped, with totals per currency.

    Amounts in different currencies are never added together: ``totals`` has one entry per currency.
    """

    start: date
    end: date = Field(description="Exclusive end date.")
    metric: CostMetric
    metric_meaning: str
    granularity: Granularity
    group_by: list[str]
    rows: list[CostRow]
    other: list[CostRow] = Field(
        default_factory=lambda: list[CostRow](),
        description="Per period and currency, the sum of groups beyond top_n.",
    )
    totals: list[Money] = Field(description="Total per currency over the whole period (rows + other).")
    truncated: bool = Field(description="True when groups beyond top_n were folded into 'other'.")
    partial_periods: list[DateRange] = Field(
        default_factory=lambda: list[DateRange](),
        description="Weeks or months cut short by the query's start or end, with their real days. Every other "
        "weekly period is a whole ISO week (Monday to Sunday), every other monthly one a whole calendar month.",
    )
    source: str = Field(description="Where the numbers came from, e.g. 'demo sandbox (not real data)'.")
    is_demo: bool = False
    note: str | None = Field(default=None, description="Why a result is empty, and what to try next.")
    paid_calls: int | None = Field(
        default=None,
        description="Billed API requests this answer made (AWS Cost Explorer: $0.01 each); 0 when it came from "
        "the cache; null when the source is free.",
    )
    cached: bool | None = Field(
        default=None, description="True when the answer came from the cache of paid calls; null: no cache."
    )
    cached_at: datetime | None = Field(default=None, description="When a cached answer was fetched from the cloud.")


ResourceState = Literal["running", "stopped", "available", "in-use", "unattached", "deleted", "other"]


class Resource(_Model):
    """One cloud resource in the inventory."""

    provider: Cloud
    resource_id: str
    name: str | None = None
    resource_type: str = Field(description="Provider-neutral kind: instance, volume, snapshot, ip, ...")
    native_type: str | None = Field(default=None, description="The provider's own type name.")
    account_id: str
    region: str | None = None
    state: ResourceState = "other"
    size: str | None = Field(default=None, description="Instance type, disk size, SKU ...")
    tags: dict[str, str] = Field(default_factory=dict)
    created_at: datetime | None = None
    monthly_cost: Money | None = None
    monthly_cost_is_estimate: bool = True
    metrics: dict[str, float] = Field(default_factory=dict, description="e.g. avg_cpu_percent_14d")


Effort = Literal["low", "medium", "high"]
Risk = Literal["low", "medium", "high"]
RecommendationKind = Literal[
    "idle",
    "unattached",
    "rightsize",
    "commitment",
    "modernize",
    "storage-tier",
    "other",
]


ActionKind = Literal[
    "stop_instance",
    "start_instance",
    "resize_instance",
    "delete_volume",
    "delete_snapshot",
    "release_ip",
    "set_tags",
    "add_lifecycle_rule",
]
ACTION_KINDS: tuple[ActionKind, ...] = get_args(ActionKind)


class RemediationAction(_Model):
    """A concrete change a person can approve: a kind of action on one resource, with parameters."""

    provider: Cloud
    kind: str = Field(
        description="e.g. stop_instance, delete_volume, resize_instance, release_ip, set_tags, add_lifecycle_rule"
    )
    resource_id: str
    parameters: dict[str, str] = Field(default_factory=dict)


class Recommendation(_Model):
    """A savings opportunity, normalized across clouds and sources."""

    provider: Cloud
    recommendation_id: str
    source: str = Field(description="Who recommends it: 'aws-cost-optimization-hub', 'azure-advisor', ...")
    kind: RecommendationKind
    title: str
    resource_id: str | None = None
    account_id: str | None = None
    region: str | None = None
    monthly_savings: Money
    effort: Effort
    risk: Risk
    detail: str | None = None
    action: RemediationAction | None = Field(default=None, description="A change that realizes it, if any.")


class RemediationPlan(_Model):
    """What an action would do, checked by a dry run; nothing has changed."""

    action: RemediationAction
    dry_run_ok: bool
    summary: str
    before: dict[str, Any]
    expected_after: dict[str, Any]
    undo: str = Field(description="How to reverse the change once applied.")
    monthly_savings: Money | None = None
    resource_tags: dict[str, str] | None = Field(
        default=None, description="The resource's tags (labels) as the dry run read them; null when not read."
    )
    is_demo: bool = False


class RemediationResult(_Model):
    """What an applied (or refused) action did."""

    action: RemediationAction
    applied: bool
    message: str
    before: dict[str, Any] = Field(default_factory=dict)
    after: dict[str, Any] = Field(default_factory=dict)
    undo: str | None = None
    is_demo: bool = False


class Budget(_Model):
    """A spending limit over a filter of cost data (possibly across clouds)."""

    name: str = Field(min_length=1, max_length=100)
    amount: Money
    period: Literal["monthly", "quarterly", "yearly"] = "monthly"
    metric: CostMetric = "effective"
    filters: dict[Dimension, tuple[str, ...]] = Field(default_factory=lambda: dict[Dimension, tuple[str, ...]]())
    alert_thresholds: tuple[Decimal, ...] = Field(
        default=(Decimal("0.8"), Decimal("1.0")), description="Fractions of the amount."
    )


class ProviderInfo(_Model):
    """What a provider is and what it can see."""

    provider: Cloud
    display_name: str
    is_demo: bool
    accounts: list[str]
    currencies: list[str]
    capabilities: list[str]
    read_only: bool

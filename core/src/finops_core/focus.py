"""FOCUS 1.2 cost and usage columns, and the cost line item model built on them.

Column names follow the FinOps Open Cost and Usage Specification 1.2
(https://focus.finops.org/focus-specification/v1-2/), in snake_case. Provider-specific columns
(``x_*``) are kept apart in ``x_extras``; they are never mapped onto shared columns.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from finops_core.money import Amount

FOCUS_VERSION = "1.2"


class ColumnKind(enum.Enum):
    STRING = "string"
    COST = "cost"  # a cost metric in BillingCurrency: stored as exact integer nanos
    DECIMAL = "decimal"  # quantities and unit prices: stored as exact decimal text
    DATETIME = "datetime"
    JSON = "json"


@dataclass(frozen=True, slots=True)
class FocusColumn:
    focus_name: str
    name: str
    kind: ColumnKind
    nullable: bool


FOCUS_COLUMNS: tuple[FocusColumn, ...] = (
    FocusColumn("AvailabilityZone", "availability_zone", ColumnKind.STRING, nullable=True),
    FocusColumn("BilledCost", "billed_cost", ColumnKind.COST, nullable=False),
    FocusColumn("BillingAccountId", "billing_account_id", ColumnKind.STRING, nullable=False),
    FocusColumn("BillingAccountName", "billing_account_name", ColumnKind.STRING, nullable=True),
    FocusColumn("BillingAccountType", "billing_account_type", ColumnKind.STRING, nullable=False),
    FocusColumn("BillingCurrency", "billing_currency", ColumnKind.STRING, nullable=False),
    FocusColumn("BillingPeriodEnd", "billing_period_end", ColumnKind.DATETIME, nullable=False),
    FocusColumn("BillingPeriodStart", "billing_period_start", ColumnKind.DATETIME, nullable=False),
    FocusColumn("CapacityReservationId", "capacity_reservation_id", ColumnKind.STRING, nullable=True),
    FocusColumn("CapacityReservationStatus", "capacity_reservation_status", ColumnKind.STRING, nullable=True),
    FocusColumn("ChargeCategory", "charge_category", ColumnKind.STRING, nullable=False),
    FocusColumn("ChargeClass", "charge_class", ColumnKind.STRING, nullable=True),
    FocusColumn("ChargeDescription", "charge_description", ColumnKind.STRING, nullable=True),
    FocusColumn("ChargeFrequency", "charge_frequency", ColumnKind.STRING, nullable=False),
    FocusColumn("ChargePeriodEnd", "charge_period_end", ColumnKind.DATETIME, nullable=False),
    FocusColumn("ChargePeriodStart", "charge_period_start", ColumnKind.DATETIME, nullable=False),
    FocusColumn("CommitmentDiscountCategory", "commitment_discount_category", ColumnKind.STRING, nullable=True),
    FocusColumn("CommitmentDiscountId", "commitment_discount_id", ColumnKind.STRING, nullable=True),
    FocusColumn("CommitmentDiscountName", "commitment_discount_name", ColumnKind.STRING, nullable=True),
    FocusColumn("CommitmentDiscountQuantity", "commitment_discount_quantity", ColumnKind.DECIMAL, nullable=True),
    FocusColumn("CommitmentDiscountStatus", "commitment_discount_status", ColumnKind.STRING, nullable=True),
    FocusColumn("CommitmentDiscountType", "commitment_discount_type", ColumnKind.STRING, nullable=True),
    FocusColumn("CommitmentDiscountUnit", "commitment_discount_unit", ColumnKind.STRING, nullable=True),
    FocusColumn("ConsumedQuantity", "consumed_quantity", ColumnKind.DECIMAL, nullable=True),
    FocusColumn("ConsumedUnit", "consumed_unit", ColumnKind.STRING, nullable=True),
    FocusColumn("ContractedCost", "contracted_cost", ColumnKind.COST, nullable=False),
    FocusColumn("ContractedUnitPrice", "contracted_unit_price", ColumnKind.DECIMAL, nullable=True),
    FocusColumn("EffectiveCost", "effective_cost", ColumnKind.COST, nullable=False),
    FocusColumn("InvoiceId", "invoice_id", ColumnKind.STRING, nullable=True),
    FocusColumn("InvoiceIssuerName", "invoice_issuer_name", ColumnKind.STRING, nullable=False),
    FocusColumn("ListCost", "list_cost", ColumnKind.COST, nullable=False),
    FocusColumn("ListUnitPrice", "list_unit_price", ColumnKind.DECIMAL, nullable=True),
    FocusColumn("PricingCategory", "pricing_category", ColumnKind.STRING, nullable=True),
    FocusColumn("PricingCurrency", "pricing_currency", ColumnKind.STRING, nullable=True),
    FocusColumn(
        "PricingCurrencyContractedUnitPrice",
        "pricing_currency_contracted_unit_price",
        ColumnKind.DECIMAL,
        nullable=True,
    ),
    FocusColumn("PricingCurrencyEffectiveCost", "pricing_currency_effective_cost", ColumnKind.COST, nullable=True),
    FocusColumn("PricingCurrencyListUnitPrice", "pricing_currency_list_unit_price", ColumnKind.DECIMAL, nullable=True),
    FocusColumn("PricingQuantity", "pricing_quantity", ColumnKind.DECIMAL, nullable=True),
    FocusColumn("PricingUnit", "pricing_unit", ColumnKind.STRING, nullable=True),
    FocusColumn("ProviderName", "provider_name", ColumnKind.STRING, nullable=False),
    FocusColumn("PublisherName", "publisher_name", ColumnKind.STRING, nullable=False),
    FocusColumn("RegionId", "region_id", ColumnKind.STRING, nullable=True),
    FocusColumn("RegionName", "region_name", ColumnKind.STRING, nullable=True),
    FocusColumn("ResourceId", "resource_id", ColumnKind.STRING, nullable=True),
    FocusColumn("ResourceName", "resource_name", ColumnKind.STRING, nullable=True),
    FocusColumn("ResourceType", "resource_type", ColumnKind.STRING, nullable=True),
    FocusColumn("ServiceCategory", "service_category", ColumnKind.STRING, nullable=False),
    FocusColumn("ServiceName", "service_name", ColumnKind.STRING, nullable=False),
    FocusColumn("ServiceSubcategory", "service_subcategory", ColumnKind.STRING, nullable=False),
    FocusColumn("SkuId", "sku_id", ColumnKind.STRING, nullable=True),
    FocusColumn("SkuMeter", "sku_meter", ColumnKind.STRING, nullable=True),
    FocusColumn("SkuPriceDetails", "sku_price_details", ColumnKind.JSON, nullable=True),
    FocusColumn("SkuPriceId", "sku_price_id", ColumnKind.STRING, nullable=True),
    FocusColumn("SubAccountId", "sub_account_id", ColumnKind.STRING, nullable=True),
    FocusColumn("SubAccountName", "sub_account_name", ColumnKind.STRING, nullable=True),
    FocusColumn("SubAccountType", "sub_account_type", ColumnKind.STRING, nullable=True),
    FocusColumn("Tags", "tags", ColumnKind.JSON, nullable=True),
)
COLUMNS_BY_NAME: dict[str, FocusColumn] = {c.name: c for c in FOCUS_COLUMNS}
COST_METRICS = ("billed_cost", "effective_cost", "list_cost", "contracted_cost")

_SNAKE = re.compile(r"(?<!^)(?=[A-Z])")


def snake_case(focus_name: str) -> str:
    """``SubAccountId`` -> ``sub_account_id``; ``x_`` columns keep their name."""
    if focus_name.startswith("x_"):
        return focus_name
    return _SNAKE.sub("_", focus_name.replace("SubAccount", "Subaccount")).lower().replace("subaccount", "sub_account")


class Lineage(BaseModel):
    """Where a line item came from: one per store partition."""

    model_config = ConfigDict(frozen=True)

    source: str = Field(description="How it arrived, e.g. 'focus-export', 'aws-cur', 'sync:aws', 'demo'.")
    file: str | None = Field(default=None, description="File or object the rows were read from.")
    focus_version: str | None = Field(default=None, description="FOCUS version of the source, if FOCUS.")
    ingested_at: datetime


class CostLineItem(BaseModel):
    """One FOCUS 1.2 cost and usage row.

    Times are UTC; periods are ``[start, end)``. Cost columns are exact decimals in ``billing_currency``.
    ``publisher_name`` and ``invoice_issuer_name`` default to ``provider_name``.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    availability_zone: str | None = None
    billed_cost: Amount
    billing_account_id: str
    billing_account_name: str | None = None
    billing_account_type: str | None = None
    billing_currency: str
    billing_period_end: datetime
    billing_period_start: datetime
    capacity_reservation_id: str | None = None
    capacity_reservation_status: str | None = None
    charge_category: str
    charge_class: str | None = None
    charge_description: str | None = None
    charge_frequency: str | None = None
    charge_period_end: datetime
    charge_period_start: datetime
    commitment_discount_category: str | None = None
    commitment_discount_id: str | None = None
    commitment_discount_name: str | None = None
    commitment_discount_quantity: Decimal | None = None
    commitment_discount_status: str | None = None
    commitment_discount_type: str | None = None
    commitment_discount_unit: str | None = None
    consumed_quantity: Decimal | None = None
    consumed_unit: str | None = None
    contracted_cost: Amount | None = None  # mandatory in FOCUS, yet null in real files (Oracle rows)
    contracted_unit_price: Decimal | None = None
    effective_cost: Amount
    invoice_id: str | None = None
    invoice_issuer_name: str | None = None
    list_cost: Amount
    list_unit_price: Decimal | None = None
    pricing_category: str | None = None
    pricing_currency: str | None = None
    pricing_currency_contracted_unit_price: Decimal | None = None
    pricing_currency_effective_cost: Decimal | None = None
    pricing_currency_list_unit_price: Decimal | None = None
    pricing_quantity: Decimal | None = None
    pricing_unit: str | None = None
    provider_name: str
    publisher_name: str | None = None
    region_id: str | None = None
    region_name: str | None = None
    resource_id: str | None = None
    resource_name: str | None = None
    resource_type: str | None = None
    service_category: str | None = None
    service_name: str
    service_subcategory: str | None = None
    sku_id: str | None = None
    sku_meter: str | None = None
    sku_price_details: dict[str, Any] | None = None
    sku_price_id: str | None = None
    sub_account_id: str | None = None
    sub_account_name: str | None = None
    sub_account_type: str | None = None
    tags: dict[str, str] = Field(default_factory=dict)
    x_extras: dict[str, Any] = Field(default_factory=dict, description="Provider-specific x_ columns.")
    lineage: Lineage | None = None

    @field_validator("billing_period_start", "billing_period_end", "charge_period_start", "charge_period_end")
    @classmethod
    def _utc(cls, value: datetime) -> datetime:
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)

    @model_validator(mode="before")
    @classmethod
    def _defaults(cls, data: Any) -> Any:
        if isinstance(data, dict):
            values: dict[str, Any] = dict(data)  # pyright: ignore[reportUnknownArgumentType]
            provider = values.get("provider_name")
            for key in ("publisher_name", "invoice_issuer_name"):
                if values.get(key) is None:
                    values[key] = provider
            if values.get("service_category") is None:
                values["service_category"] = "Other"  # FOCUS's allowed value when nothing maps
            return values
        return data

    @model_validator(mode="after")
    def _periods(self) -> CostLineItem:
        if self.charge_period_end < self.charge_period_start:
            raise ValueError("charge_period_end is before charge_period_start")
        if self.billing_period_end < self.billing_period_start:
            raise ValueError("billing_period_end is before billing_period_start")
        return self

"""The answers of the Google-native cost tools: gross, credits and net from the billing export; budgets.

Money is exact ``Decimal`` (a string in JSON) with its currency. Every row carries all three of gross (``cost``,
before credits), credits (negative) and net (gross + credits, what the invoice charges): credits can hide how
much is really used, so the gross is never left out.
"""

from __future__ import annotations

from datetime import date, datetime

from finops_core.money import Amount, Money
from pydantic import BaseModel, ConfigDict, Field


class _Answer(BaseModel):
    model_config = ConfigDict(frozen=True)


class GcpCostRow(_Answer):
    period: date | None = Field(description="First day of the day or month (clipped to start); null for a total.")
    group: dict[str, str | None] = Field(description="Grouping -> value; null = none (no label, no credit).")
    gross: Amount = Field(description="cost before credits")
    credits: Amount = Field(description="sum of credits (negative)")
    net: Amount = Field(description="gross + credits: what the invoice charges")
    credits_by_type: dict[str, Amount] = Field(default_factory=lambda: dict[str, Amount]())
    currency: str


class GcpCostTotal(_Answer):
    currency: str
    gross: Amount
    credits: Amount
    net: Amount
    credits_by_type: dict[str, Amount] = Field(default_factory=lambda: dict[str, Amount]())


class GcpCosts(_Answer):
    """Google Cloud costs from the BigQuery billing export, grouped, with gross, credits and net."""

    start: date
    end: date = Field(description="Exclusive end date.")
    table: str = Field(description="The export table queried.")
    granularity: str
    group_by: list[str]
    rows: list[GcpCostRow]
    other: list[GcpCostRow] = Field(description="Per period and currency, the groups beyond top_n.")
    totals: list[GcpCostTotal] = Field(description="Per currency over the period (rows + other).")
    truncated: bool
    bytes_processed: int | None = Field(description="Bytes BigQuery scanned for this answer.")
    bytes_billed: int | None = Field(description="Bytes BigQuery billed (at least 10 MB per query).")
    paid_calls: int = Field(description="BigQuery jobs run (billed by bytes); 0 from the cache.")
    cached: bool
    cached_at: datetime | None = Field(default=None, description="When a cached answer was fetched.")
    note: str | None = None


class BudgetThreshold(_Answer):
    percent: float = Field(description="Alert at this percent of the amount.")
    basis: str = Field(description="CURRENT_SPEND or FORECASTED_SPEND")
    reached: bool | None = Field(description="Actual spend reached it (CURRENT_SPEND only); null otherwise.")


class GcpBudget(_Answer):
    name: str
    display_name: str | None
    amount: Money | None = Field(description="The budget amount; null when it is last period's spend.")
    amount_kind: str = Field(description="specified or last_period")
    period_start: date
    period_end: date = Field(description="Exclusive end of the budget's current period.")
    projects: list[str] = Field(description="Budget filter: project numbers; empty = every project.")
    services: list[str] = Field(description="Budget filter: service ids; empty = every service.")
    credits_treatment: str
    actual: Money | None = Field(description="Spend so far in the period from the export, as the budget counts it.")
    percent_used: float | None
    thresholds: list[BudgetThreshold]


class GcpBudgets(_Answer):
    """Cloud Billing budgets of the billing account with spend so far (from the export). Fullest first."""

    billing_account: str
    budgets: list[GcpBudget]
    over_limit: int
    paid_calls: int = Field(description="BigQuery jobs run for actual spend; 0 from the cache.")
    note: str | None = None
    cached: bool = Field(default=False, description="True when the spend came from the cache of earlier answers.")
    cached_at: datetime | None = Field(default=None, description="When a cached answer was fetched (the oldest).")

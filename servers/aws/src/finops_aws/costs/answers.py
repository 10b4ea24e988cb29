"""The answers of the AWS-native cost tools: Cost Explorer groupings, forecasts, anomalies, commitments, budgets.

Money is exact ``Decimal`` (a string in JSON) with its currency; every answer from Cost Explorer says how many
billed requests it made (``paid_calls``, $0.01 each; 0 from the cache) and whether it came from the cache.
"""

from __future__ import annotations

from datetime import date, datetime

from finops_core.cost_tables import Line
from finops_core.money import Amount, Money
from pydantic import BaseModel, ConfigDict, Field


class _Answer(BaseModel):
    model_config = ConfigDict(frozen=True)


class _Paid(_Answer):
    paid_calls: int = Field(description="Billed Cost Explorer requests made ($0.01 each); 0 from the cache.")
    cached: bool = Field(description="True when the answer came from the cache of earlier answers.")
    cached_at: datetime | None = Field(default=None, description="When a cached answer was fetched (the oldest part).")


class NativeRow(_Answer):
    period: date | None = Field(description="First day of the day or month (clipped to start); null for a total.")
    group: dict[str, str | None] = Field(description="Grouping -> value; null = no value (untagged).")
    amount: Amount
    currency: str


class NativeCosts(_Paid):
    """Costs grouped by AWS's own dimensions, tags or cost categories, in one Cost Explorer metric."""

    start: date
    end: date = Field(description="Exclusive end date.")
    metric: str = Field(description="The Cost Explorer metric, e.g. UnblendedCost.")
    granularity: str
    group_by: list[str]
    rows: list[NativeRow]
    other: list[NativeRow] = Field(description="Per period and currency, the groups beyond top_n.")
    totals: list[Money] = Field(description="Total per currency over the period.")
    truncated: bool
    estimated: bool = Field(description="True when AWS still estimates part of the period (an open month).")
    note: str | None = None

    def cost_lines(self) -> tuple[list[str], bool, list[Line], list[Line]]:
        def line(row: NativeRow) -> Line:
            return Line(row.period, tuple(row.group.values()), row.currency, row.amount)

        return self.group_by, self.granularity != "total", [line(r) for r in self.rows], [line(r) for r in self.other]


class ForecastPeriod(_Answer):
    start: date
    end: date = Field(description="Exclusive end date.")
    mean: Amount
    lower: Amount | None = None
    upper: Amount | None = None


class CostForecast(_Paid):
    """AWS's forecast of spend for a future period: an estimate, with a prediction interval per period."""

    start: date
    end: date = Field(description="Exclusive end date.")
    metric: str
    prediction_interval_level: int = Field(description="Percent chance the actual falls within lower..upper.")
    total: Money
    periods: list[ForecastPeriod]
    note: str = "An estimate from AWS Cost Explorer's forecasting model, not billed spend."


class AnomalyCause(_Answer):
    service: str | None = None
    account_id: str | None = None
    account_name: str | None = None
    region: str | None = None
    usage_type: str | None = None
    contribution: Amount | None = Field(default=None, description="This cause's share of the impact.")


class CostAnomaly(_Answer):
    anomaly_id: str
    start: date
    end: date | None = Field(description="Last day seen; null while it lasts.")
    impact: Amount = Field(description="Spend above what was expected over the anomaly.")
    actual: Amount | None = None
    expected: Amount | None = None
    impact_percent: float | None = None
    score: float | None = Field(default=None, description="AWS's maximum anomaly score (0-1).")
    dimension: str | None = Field(default=None, description="What the monitor watches that moved, e.g. a service.")
    root_causes: list[AnomalyCause]


class CostAnomalies(_Paid):
    """Anomalies AWS Cost Anomaly Detection found, largest impact first. Amounts are in USD."""

    start: date
    end: date = Field(description="Last day searched (inclusive).")
    anomalies: list[CostAnomaly]
    total_impact: Money
    count: int = Field(description="Anomalies found before the limit.")
    truncated: bool
    note: str | None = None


class SavingsPlansFigures(_Answer):
    coverage_percent: float | None = Field(description="Share of eligible spend covered by Savings Plans.")
    covered_spend: Amount
    on_demand_spend: Amount = Field(description="Eligible spend left at on-demand rates.")
    utilization_percent: float | None = None
    commitment: Amount | None = Field(default=None, description="Commitment over the period.")
    unused_commitment: Amount | None = None
    net_savings: Amount | None = Field(default=None, description="Saved versus on-demand, after the commitment.")


class ReservationFigures(_Answer):
    coverage_hours_percent: float | None = Field(description="Share of running hours covered by reservations.")
    reserved_hours: Amount
    on_demand_hours: Amount
    on_demand_cost: Amount | None = Field(default=None, description="Cost of the hours not covered.")
    utilization_percent: float | None = None
    purchased_hours: Amount | None = None
    unused_hours: Amount | None = None
    net_savings: Amount | None = None


class Commitments(_Paid):
    """Savings Plans and Reserved Instances coverage and utilization for a period. Amounts in USD."""

    start: date
    end: date = Field(description="Exclusive end date.")
    currency: str = "USD"
    savings_plans: SavingsPlansFigures
    reservations: ReservationFigures
    notes: list[str] = Field(default_factory=lambda: list[str]())


class BudgetStatus(_Answer):
    name: str
    budget_type: str
    time_unit: str
    limit: Money | None
    actual: Money | None
    forecast: Money | None = None
    percent_used: float | None = Field(description="Actual as a percent of the limit.")
    forecast_percent: float | None = None


class BudgetList(_Answer):
    """AWS Budgets of the account with spend so far (free calls). Over-limit budgets first."""

    account_id: str
    budgets: list[BudgetStatus]
    over_limit: int = Field(description="How many budgets are already above their limit.")
    note: str | None = None

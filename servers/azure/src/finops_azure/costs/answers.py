"""The answers of the Azure-native cost tools: costs by Azure dimensions, forecast, budgets, benefits."""

from __future__ import annotations

from datetime import date, datetime

from finops_core.cost_tables import Line
from finops_core.money import Amount, Money
from pydantic import BaseModel, ConfigDict, Field


class _Answer(BaseModel):
    model_config = ConfigDict(frozen=True)


class NativeRow(_Answer):
    period_start: date | None = Field(description="First day of the day or month; null for a total.")
    group: dict[str, str | None]
    cost: Amount
    currency: str


class NativeCosts(_Answer):
    """Costs by Azure's own dimensions, in one Cost Management cost type."""

    start: date
    end: date = Field(description="Exclusive end date.")
    metric: str = Field(description="ActualCost (as billed) or AmortizedCost (reservations spread over their term).")
    granularity: str
    group_by: list[str]
    rows: list[NativeRow]
    other: list[NativeRow] = Field(default_factory=lambda: list[NativeRow](), description="Groups beyond top_n.")
    totals: list[Money] = Field(description="One total per currency (never added together).")
    truncated: bool
    requests: int = Field(description="Cost Management requests made (free, but rate-limited); 0 = cached.")
    note: str | None = None
    cached: bool = Field(default=False, description="True when the answer came from the cache of earlier answers.")
    cached_at: datetime | None = Field(default=None, description="When a cached answer was fetched.")

    def cost_lines(self) -> tuple[list[str], bool, list[Line], list[Line]]:
        def line(row: NativeRow) -> Line:
            return Line(row.period_start, tuple(row.group.values()), row.currency, row.cost)

        return self.group_by, self.granularity != "total", [line(r) for r in self.rows], [line(r) for r in self.other]


class ForecastDay(_Answer):
    day: date
    cost: Amount
    currency: str
    status: str = Field(description="Actual or Forecast.")


class ForecastTotal(_Answer):
    currency: str
    actual: Amount = Field(description="Cost so far in the period.")
    forecast: Amount = Field(description="Azure's forecast for the rest of the period (an estimate).")
    total: Amount = Field(description="actual + forecast: the expected cost of the whole period.")


class CostForecast(_Answer):
    start: date
    end: date = Field(description="Exclusive end date.")
    metric: str
    totals: list[ForecastTotal]
    days: list[ForecastDay] = Field(default_factory=lambda: list[ForecastDay]())
    requests: int
    note: str | None = None
    cached: bool = Field(default=False, description="True when the answer came from the cache of earlier answers.")
    cached_at: datetime | None = Field(default=None, description="When a cached answer was fetched.")


class BudgetStatus(_Answer):
    name: str
    scope: str = Field(description="The budget's own scope (a subscription also lists its resource groups' budgets).")
    time_grain: str | None
    amount: Money
    current_spend: Money | None
    forecast_spend: Money | None = Field(description="Azure's forecast for the budget period (an estimate).")
    percent_used: float | None
    percent_forecast: float | None


class BudgetList(_Answer):
    budgets: list[BudgetStatus]
    note: str | None = None


class BenefitRecommendation(_Answer):
    scope: str = Field(description="Where Azure looked: the billing scope or subscription.")
    kind: str = Field(description="SavingsPlan (Azure's benefit recommendations cover savings plans).")
    benefit_scope: str | None = Field(description="Shared or Single.")
    term: str | None = Field(description="P1Y or P3Y.")
    look_back: str | None
    hourly_commitment: Money | None
    cost_without_benefit: Money | None
    cost_with_benefit: Money | None
    savings: Money | None = Field(description="Over the look-back period (an estimate).")
    savings_percent: float | None
    coverage_percent: float | None
    utilization_percent: float | None


class BenefitUtilization(_Answer):
    kind: str = Field(description="Reservation or SavingsPlan.")
    order_id: str | None
    benefit_id: str | None
    day: date | None
    average_percent: float | None
    min_percent: float | None
    max_percent: float | None


class Benefits(_Answer):
    recommendations: list[BenefitRecommendation]
    utilization: list[BenefitUtilization]
    note: str | None = None

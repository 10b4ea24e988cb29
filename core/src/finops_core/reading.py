"""What the cross-cloud tools read: ``CostReader``, the questions they ask of wherever the FOCUS data lives.

The local store answers them (``Store`` implements this protocol), and so does a lake (the orchestrator's
``lake`` package: DuckDB over Parquet, Spark, Athena, BigQuery, Trino, Snowflake). Every answer is exact: amounts
are ``Decimal`` or integer nanos, one currency each, never added across currencies. The store stays the only
writer and the place of budgets, plans and snapshots; a reader only answers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Protocol

from finops_core.breakdown import Cell
from finops_core.models import CostBreakdown, CostMetric, CostQuery

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

SeriesKey = tuple[str | None, ...]
"""A daily series' identity: the values of its ``by`` columns, then its currency."""

SERIES_COLUMNS = ("provider_name", "service_name", "sub_account_id", "region_id", "billing_account_id")
"""The columns (line item names) a daily series may be split by."""


@dataclass(frozen=True, slots=True)
class CommitmentSums:
    """Exact sums of one group of line items as the commitment analysis needs them: per provider, currency,
    commitment discount (id, type, category), charge category and commitment status."""

    provider: str | None
    currency: str | None
    commitment_id: str | None
    commitment_type: str | None
    commitment_category: str | None
    charge_category: str | None
    commitment_status: str | None
    billed: Decimal
    effective: Decimal
    listed: Decimal


class CostReader(Protocol):
    """The read side of the cross-cloud tools (``finops_cost_query``, ``finops_explain_change``,
    ``finops_tag_coverage``, ``finops_commitments`` and the series anomalies and forecasts read)."""

    def query_costs(self, query: CostQuery, *, source: str, is_demo: bool) -> CostBreakdown:
        """``query`` answered: top groups, '(other)', totals per currency, partial periods; a note when empty."""
        ...

    def cost_cells(self, query: CostQuery) -> list[Cell]:
        """Every group's exact amount for ``query`` (per period and currency), before any top-N folding."""
        ...

    def daily_series(
        self, start: date, end: date, *, by: tuple[str, ...], metric: CostMetric, providers: tuple[str, ...] = ()
    ) -> dict[SeriesKey, npt.NDArray[np.int64]]:
        """Per (``by`` columns..., currency) the daily cost in nanos over ``[start, end)``, one entry per day (0 on
        a day without cost). ``by`` names line item columns among ``SERIES_COLUMNS``."""
        ...

    def commitment_sums(self, start: date, end: date) -> list[CommitmentSums]:
        """The commitment analysis' sums over charge periods in ``[start, end)``."""
        ...

    def source_label(self) -> str:
        """Where answers come from, for the answer's ``source``: the store's path, a lake's engine and table, or
        local rollups synced from a lake with their age."""
        ...

"""Daily cost series, the input of the anomaly and forecast tools, from whichever reader holds the data."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from finops_core.models import CostMetric
from finops_core.reading import CostReader, SeriesKey

if TYPE_CHECKING:  # numpy is imported where used: the servers import this module at start-up
    import numpy as np
    import numpy.typing as npt


def daily_series(
    reader: CostReader,
    start: date,
    end: date,
    *,
    by: tuple[str, ...],
    metric: CostMetric,
    providers: tuple[str, ...] = (),
) -> dict[SeriesKey, npt.NDArray[np.int64]]:
    """Per (``by`` columns..., currency), the daily cost in nanos from ``start`` to ``end`` (exclusive), one
    entry per day; a day without cost is 0. ``by`` names line item columns (``finops_core.reading.SERIES_COLUMNS``)."""
    return reader.daily_series(start, end, by=by, metric=metric, providers=providers)

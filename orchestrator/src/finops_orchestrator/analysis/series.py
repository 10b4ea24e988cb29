"""Daily cost series from the store's daily rollup, the input of the anomaly and forecast tools."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import TYPE_CHECKING

from finops_core.models import METRIC_COLUMN, CostMetric
from finops_core.store import Store

if TYPE_CHECKING:  # numpy is imported where used: the servers import this module at start-up
    import numpy as np
    import numpy.typing as npt

SeriesKey = tuple[str | None, ...]  # the values of the ``by`` columns, then the currency


def daily_series(
    store: Store, start: date, end: date, *, by: tuple[str, ...], metric: CostMetric, providers: tuple[str, ...] = ()
) -> dict[SeriesKey, npt.NDArray[np.int64]]:
    """Per (``by`` rollup columns..., currency), the daily cost in nanos from ``start`` to ``end`` (exclusive),
    one entry per day; a day without cost is 0. ``by`` names ``rollup_daily`` dimension columns."""
    import numpy as np

    def text(column: str) -> str:
        return f"(SELECT value FROM strings WHERE id = r.{column})"

    where, params = "r.day >= ? AND r.day < ?", [start.isoformat(), end.isoformat()]
    if providers:
        where += f" AND {text('provider_name')} IN ({', '.join('?' * len(providers))})"
        params += providers
    columns = [text(c) for c in (*by, "billing_currency")]
    groups = ", ".join(str(i) for i in range(1, len(columns) + 2))
    sql = (
        f"SELECT r.day, {', '.join(columns)}, SUM(r.{METRIC_COLUMN[metric]}) FROM rollup_daily r "
        f"WHERE {where} GROUP BY {groups}"
    )
    with store.reader() as conn:
        rows = conn.execute(sql, params).fetchall()
    days = (end - start).days
    series: dict[SeriesKey, npt.NDArray[np.int64]] = defaultdict(lambda: np.zeros(days, dtype=np.int64))
    for day, *key, total in rows:
        series[tuple(key)][(date.fromisoformat(day) - start).days] += int(total or 0)
    return dict(series)

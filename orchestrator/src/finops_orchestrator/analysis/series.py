"""Daily cost series from the store's daily rollup, the input of the anomaly and forecast tools."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import TYPE_CHECKING

from finops_core.models import METRIC_COLUMN, CostMetric
from finops_core.store import Store
from finops_core.store.queries import daily_rollup, decode_sids

if TYPE_CHECKING:  # numpy is imported where used: the servers import this module at start-up
    import numpy as np
    import numpy.typing as npt

SeriesKey = tuple[str | None, ...]  # the values of the ``by`` columns, then the currency


def daily_series(
    store: Store, start: date, end: date, *, by: tuple[str, ...], metric: CostMetric, providers: tuple[str, ...] = ()
) -> dict[SeriesKey, npt.NDArray[np.int64]]:
    """Per (``by`` rollup columns..., currency), the daily cost in nanos from ``start`` to ``end`` (exclusive),
    one entry per day; a day without cost is 0. ``by`` names rollup dimension columns (line item column names);
    the smallest daily rollup holding them is read."""
    import numpy as np

    table = daily_rollup({*by, "provider_name"} if providers else set(by))
    where, params = "r.day >= ? AND r.day < ?", [start.isoformat(), end.isoformat()]
    with store.reader() as conn:
        if providers:
            marks = ", ".join("?" * len(providers))
            sids = [int(r[0]) for r in conn.execute(f"SELECT id FROM strings WHERE value IN ({marks})", providers)]
            where += f" AND r.provider_name IN ({', '.join('?' * len(sids)) or 'NULL'})"
            params += sids
        # Grouped by dictionary ids, decoded once afterwards: decoding every row in SQL cost more than the sums.
        columns = [f"r.{c}" for c in (*by, "billing_currency")]
        groups = ", ".join(str(i) for i in range(1, len(columns) + 2))
        sql = (
            f"SELECT r.day, {', '.join(columns)}, SUM(r.{METRIC_COLUMN[metric]}) FROM {table} r "
            f"WHERE {where} GROUP BY {groups}"
        )
        rows = conn.execute(sql, params).fetchall()
        names = decode_sids(conn, {v for row in rows for v in row[1:-1] if v is not None})
    days = (end - start).days
    series: dict[SeriesKey, npt.NDArray[np.int64]] = defaultdict(lambda: np.zeros(days, dtype=np.int64))
    for day, *key, total in rows:
        decoded = tuple(None if v is None else names[v] for v in key)
        series[decoded][(date.fromisoformat(day) - start).days] += int(total or 0)
    return dict(series)

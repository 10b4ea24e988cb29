"""Daily CloudWatch statistics for many resources at once: one ``GetMetricData`` call per region batches up
to 500 series (one datapoint per day, period 86400), paged by NextToken."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from finops_core.dates import midnight

from finops_aws.errors import aws_errors

MAX_QUERIES = 500  # GetMetricData's limit per request
DAY = 86400


@dataclass(frozen=True)
class Series:
    """One metric of one resource: ``key`` is ours (e.g. ``("i-0abc", "cpu")``), the rest CloudWatch's."""

    key: tuple[str, str]
    namespace: str
    metric: str
    dimensions: tuple[tuple[str, str], ...]
    stat: str  # Average, Sum, Maximum ...


def window(today: date, days: int) -> tuple[datetime, datetime]:
    """The last ``days`` whole UTC days before ``today``."""
    end = midnight(today)
    return end - timedelta(days=days), end


def daily_values(
    client: Any, series: Sequence[Series], start: datetime, end: datetime, what: str
) -> dict[tuple[str, str], list[float]]:
    """Each series' daily values between ``start`` and ``end`` (empty list: CloudWatch has no data)."""
    values: dict[tuple[str, str], list[float]] = {s.key: [] for s in series}
    for first in range(0, len(series), MAX_QUERIES):
        batch = series[first : first + MAX_QUERIES]
        ids = {f"m{i}": s.key for i, s in enumerate(batch)}
        queries = [
            {
                "Id": f"m{i}",
                "MetricStat": {
                    "Metric": {
                        "Namespace": s.namespace,
                        "MetricName": s.metric,
                        "Dimensions": [{"Name": n, "Value": v} for n, v in s.dimensions],
                    },
                    "Period": DAY,
                    "Stat": s.stat,
                },
                "ReturnData": True,
            }
            for i, s in enumerate(batch)
        ]
        with aws_errors(what):
            for page in client.get_paginator("get_metric_data").paginate(
                MetricDataQueries=queries, StartTime=start, EndTime=end
            ):
                for result in page.get("MetricDataResults") or []:
                    key = ids.get(str(result.get("Id")))
                    if key is not None:
                        values[key].extend(float(v) for v in result.get("Values") or [])
    return values

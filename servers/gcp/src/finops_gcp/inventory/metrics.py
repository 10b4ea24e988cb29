"""Daily mean CPU of every VM in a project from Cloud Monitoring (``projects.timeSeries.list``, one call per
project, aligned to one mean per day).

The Python Monitoring client speaks only gRPC, so the REST API is read through the authorized session, which
also lets ``endpoints.monitoring`` point anywhere. CPU utilization is a fraction (0..1); values here are percent.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from finops_core.dates import midnight

from finops_gcp.rest import get_pages

if TYPE_CHECKING:
    from finops_gcp.context import GcpContext

ENDPOINT = "https://monitoring.googleapis.com"
CPU = "compute.googleapis.com/instance/cpu/utilization"
DAY = "86400s"


def window(today: date, days: int) -> tuple[datetime, datetime]:
    """The last ``days`` whole UTC days before ``today``."""
    end = midnight(today)
    return end - timedelta(days=days), end


def _rfc3339(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _value(point: dict[str, Any]) -> float | None:
    value: dict[str, Any] = point.get("value") or {}
    for key in ("doubleValue", "int64Value"):
        if key in value:
            try:
                return float(value[key])
            except (TypeError, ValueError):
                return None
    return None


async def daily_cpu(ctx: GcpContext, project: str, start: datetime, end: datetime) -> dict[str, list[float]]:
    """Instance id -> its daily mean CPU utilization in percent between ``start`` and ``end`` (an instance absent
    or with few values: Monitoring has little data on it)."""
    base = (ctx.settings.endpoint("monitoring") or ENDPOINT).rstrip("/")
    params = {
        "filter": f'metric.type="{CPU}" AND resource.type="gce_instance"',
        "interval.startTime": _rfc3339(start),
        "interval.endTime": _rfc3339(end),
        "aggregation.alignmentPeriod": DAY,
        "aggregation.perSeriesAligner": "ALIGN_MEAN",
        "view": "FULL",
    }
    series = await get_pages(
        ctx,
        f"{base}/v3/projects/{project}/timeSeries",
        params,
        "timeSeries",
        f"reading VM CPU utilization from Cloud Monitoring in project {project}",
    )
    out: dict[str, list[float]] = {}
    for s in series:
        labels: dict[str, Any] = (s.get("resource") or {}).get("labels") or {}
        instance_id = str(labels.get("instance_id") or "")
        if not instance_id:
            continue
        values = [v for v in (_value(p) for p in s.get("points") or []) if v is not None]
        out.setdefault(instance_id, []).extend(v * 100 for v in values)
    return out

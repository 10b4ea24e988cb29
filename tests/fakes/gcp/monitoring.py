"""A local Cloud Monitoring: ``install(google, series)`` serves ``GET /v3/projects/{p}/timeSeries`` with the
series of each project, one ``ALIGN_MEAN`` point a day (``cpu_series`` builds one in the API's JSON shape). The
request must ask for the CPU utilization metric, daily alignment and an interval."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from typing import Any

from tests.fakes.gcp.google_api import GoogleError, GoogleFake, GoogleRequest, paged

CPU = "compute.googleapis.com/instance/cpu/utilization"


def cpu_series(
    project: str, zone: str, instance_id: str, name: str, fractions: Sequence[float], end: date
) -> dict[str, Any]:
    """Daily mean CPU utilization (fractions 0..1) of one VM, oldest first, the last for the day before ``end``."""
    points = []
    for n, value in enumerate(reversed(fractions)):
        day = end - timedelta(days=n + 1)
        points.append(
            {
                "interval": {"startTime": f"{day}T00:00:00Z", "endTime": f"{day + timedelta(days=1)}T00:00:00Z"},
                "value": {"doubleValue": value},
            }
        )
    return {
        "metric": {"type": CPU, "labels": {"instance_name": name}},
        "resource": {
            "type": "gce_instance",
            "labels": {"project_id": project, "instance_id": instance_id, "zone": zone},
        },
        "metricKind": "GAUGE",
        "valueType": "DOUBLE",
        "points": points,
    }


def install(google: GoogleFake, series: Mapping[str, list[dict[str, Any]]], page_size: int = 2) -> None:
    """Serve ``series[project]`` (route name ``monitoring.timeSeries``)."""

    def handle(request: GoogleRequest) -> dict[str, Any]:
        q = request.query
        if CPU not in q.get("filter", "") or q.get("aggregation.perSeriesAligner") != "ALIGN_MEAN":
            raise GoogleError(400, "INVALID_ARGUMENT", f"unexpected request {q}")
        if q.get("aggregation.alignmentPeriod") != "86400s" or not q.get("interval.endTime"):
            raise GoogleError(400, "INVALID_ARGUMENT", "alignment period and interval are required")
        project = request.path.split("/")[3]
        found = series.get(project, [])
        return paged(request, found, page_size, "timeSeries")

    google.route("monitoring.timeSeries", "GET", r"/v3/projects/[^/]+/timeSeries", handle)

"""``MonitorFake``: Azure Monitor's ``GET {resourceUri}/providers/Microsoft.Insights/metrics`` (api-version
2024-02-01) on an ``ArmFake``.

Tests set daily averages per resource and metric (``set_daily``); the fake answers the documented
``Response`` shape (``cost``, ``timespan``, ``interval``, ``namespace``, ``resourceregion``, ``value`` of
metrics with ``name``/``unit``/``timeseries[].data[]``) for ``interval=P1D`` and ``aggregation=Average``
only, with one datapoint per day of the requested ``timespan``; a day without data is a datapoint without
``average``, as Azure Monitor sends it. An unknown resource is 404 ``ResourceNotFound``.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from typing import Any

from tests.fakes.azure.arm import ArmError, ArmFake, ArmRequest

API_VERSION = "2024-02-01"
PATH = r"/*(/subscriptions/.+)/providers/Microsoft\.Insights/metrics"


class MonitorFake:
    def __init__(self, arm: ArmFake) -> None:
        self.arm = arm
        self.resources: set[str] = set()
        self.daily: dict[tuple[str, str], dict[date, float]] = {}
        arm.route("monitor-metrics", "GET", PATH, self._answer)

    def set_daily(self, resource_id: str, metric: str, values: dict[date, float]) -> None:
        self.resources.add(resource_id.lower())
        self.daily[(resource_id.lower(), metric.lower())] = dict(values)

    def add_resource(self, resource_id: str) -> None:
        """A resource Azure Monitor knows but has no data for."""
        self.resources.add(resource_id.lower())

    def _answer(self, request: ArmRequest) -> dict[str, Any]:
        q = request.query
        if q.get("api-version") != API_VERSION:
            raise ArmError(400, "InvalidApiVersionParameter", f"api-version must be {API_VERSION}")
        if q.get("interval") != "P1D" or (q.get("aggregation") or "").lower() != "average":
            raise ArmError(400, "BadRequest", "The fake answers interval=P1D and aggregation=Average only.")
        matched = re.fullmatch(PATH, request.path, re.IGNORECASE)
        resource_id = matched.group(1) if matched else request.path
        if resource_id.lower() not in self.resources:
            raise ArmError(404, "ResourceNotFound", f"The resource {resource_id} was not found.")
        try:
            start_text, end_text = (q.get("timespan") or "").split("/")
            start = datetime.fromisoformat(start_text.replace("Z", "+00:00")).date()
            end = datetime.fromisoformat(end_text.replace("Z", "+00:00")).date()
        except ValueError:
            raise ArmError(400, "BadRequest", "timespan must be start/end in ISO 8601.") from None
        metrics: list[dict[str, Any]] = []
        for name in (q.get("metricnames") or "").split(","):
            if name.lower() != "percentage cpu":
                raise ArmError(400, "BadRequest", f"Failed to find metric configuration for {name!r}.")
            values = self.daily.get((resource_id.lower(), name.lower()), {})
            points: list[dict[str, Any]] = []
            day = start
            while day < end:
                point: dict[str, Any] = {"timeStamp": f"{day.isoformat()}T00:00:00Z"}
                if day in values:
                    point["average"] = values[day]
                points.append(point)
                day += timedelta(days=1)
            metrics.append(
                {
                    "id": f"{resource_id}/providers/Microsoft.Insights/metrics/{name}",
                    "type": "Microsoft.Insights/metrics",
                    "name": {"value": name, "localizedValue": name},
                    "displayDescription": "The percentage of allocated compute units in use by the VM.",
                    "unit": "Percent",
                    "timeseries": [{"metadatavalues": [], "data": points}],
                    "errorCode": "Success",
                }
            )
        return {
            "cost": 0,
            "timespan": q.get("timespan"),
            "interval": "P1D",
            "namespace": "Microsoft.Compute/virtualMachines",
            "resourceregion": "westeurope",
            "value": metrics,
        }

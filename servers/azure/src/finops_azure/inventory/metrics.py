"""Daily averages of a VM metric from Azure Monitor (``metrics.list`` on the VM's resource id, one datapoint
a day), a few VMs at once (``ctx.run`` keeps to ``max_concurrency``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

import anyio
from finops_core.dates import midnight
from finops_core.errors import FinOpsError

from finops_azure.errors import azure_errors

if TYPE_CHECKING:
    from finops_azure.context import AzureContext

CPU = "Percentage CPU"


def window(today: date, days: int) -> tuple[datetime, datetime]:
    """The last ``days`` whole UTC days before ``today``."""
    end = midnight(today)
    return end - timedelta(days=days), end


def _daily_averages(
    ctx: AzureContext, resource_id: str, subscription: str, metric: str, start: datetime, end: datetime
) -> list[float]:
    from azure.mgmt.monitor import MonitorManagementClient

    client = ctx.clients.client(MonitorManagementClient, subscription)
    timespan = f"{start.strftime('%Y-%m-%dT%H:%M:%SZ')}/{end.strftime('%Y-%m-%dT%H:%M:%SZ')}"
    with azure_errors(f"reading Azure Monitor '{metric}' of {resource_id}"):
        answer = client.metrics.list(
            resource_id, timespan=timespan, interval="P1D", metricnames=metric, aggregation="Average"
        )
    values: list[float] = []
    for series in answer.value or []:
        for element in series.timeseries or []:
            # A day without data comes back as a datapoint without an average: it is not a zero.
            values.extend(float(p.average) for p in element.data or [] if p.average is not None)
    return values


async def daily_averages(
    ctx: AzureContext, resources: Sequence[tuple[str, str]], metric: str, start: datetime, end: datetime
) -> tuple[dict[str, list[float]], list[str]]:
    """``metric``'s daily averages for each ``(resource id, subscription)``, keyed by lower-case id, and a line
    for each resource whose metrics could not be read."""
    values: dict[str, list[float]] = {}
    missing: list[str] = []

    async def one(resource_id: str, subscription: str) -> None:
        try:
            values[resource_id.lower()] = await ctx.run(
                _daily_averages, ctx, resource_id, subscription, metric, start, end
            )
        except FinOpsError as exc:
            missing.append(f"Azure Monitor metrics of {resource_id}: {exc}")

    async with anyio.create_task_group() as tg:
        for resource_id, subscription in resources:
            tg.start_soon(one, resource_id, subscription)
    return values, sorted(missing)

"""Writing a provider's daily costs into the store, one partition (provider, account, month) at a time."""

from __future__ import annotations

from datetime import UTC, date, datetime

from finops_core.focus import Lineage
from finops_core.provider import CloudProvider
from finops_core.store import Store, WriteResult, split_by_partition

from finops_orchestrator.progress import ProgressSink


async def load_daily_costs(
    store: Store, provider: CloudProvider, start: date, end: date, *, source: str, progress: ProgressSink
) -> list[WriteResult]:
    """Replace the store's synced partitions for ``[start, end)`` with the provider's daily costs.

    Partitions already filled from an ingested export are left alone (the store refuses, and the result
    says so): the export is the detailed truth for that month.
    """
    items = await provider.daily_costs(start, end)
    results: list[WriteResult] = []
    lineage = Lineage(source=source, ingested_at=datetime.now(UTC))
    for key, rows in split_by_partition(items).items():
        results.append(store.replace_partition(key, rows, lineage, kind="sync"))
        progress.advance(1, f"{provider.cloud} {key.billing_period_start:%Y-%m}")
    return results

"""Writing a provider's daily costs into the store, one partition (provider, account, month) at a time."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from functools import partial

import anyio.to_thread
from finops_core.focus import CostLineItem, Lineage
from finops_core.provider import CloudProvider
from finops_core.store import PartitionKey, Store, WriteResult, split_by_partition

from finops_orchestrator.progress import ProgressSink


def write_synced(
    store: Store, items: Sequence[CostLineItem], *, source: str, keep_before: date | None = None
) -> list[WriteResult]:
    """Replace each synced partition ``items`` touch with them. With ``keep_before``, the partition's stored rows
    charged before that day stay (the items then only add the days after).

    Partitions already filled from an ingested export are left alone (the store refuses, and the result says
    so): the export is the detailed truth for that month.
    """
    lineage = Lineage(source=source, ingested_at=datetime.now(UTC))
    results: list[WriteResult] = []
    for key, rows in split_by_partition(items).items():
        if keep_before is not None:
            rows = _stored_before(store, key, keep_before) + rows
        results.append(store.replace_partition(key, rows, lineage, kind="sync"))
    return results


def _stored_before(store: Store, key: PartitionKey, day: date) -> list[CostLineItem]:
    cutoff = datetime(day.year, day.month, day.day, tzinfo=UTC)
    return [
        item.model_copy(update={"lineage": None}) for item in store.line_items(key) if item.charge_period_start < cutoff
    ]


async def load_daily_costs(
    store: Store, provider: CloudProvider, start: date, end: date, *, source: str, progress: ProgressSink
) -> list[WriteResult]:
    """Replace the store's synced partitions for ``[start, end)`` with the provider's daily costs."""
    items = await provider.daily_costs(start, end)
    results = await anyio.to_thread.run_sync(partial(write_synced, store, items, source=source))  # never on the loop
    for result in results:
        progress.advance(1, f"{provider.cloud} {result.key.billing_period_start:%Y-%m}")
    return results

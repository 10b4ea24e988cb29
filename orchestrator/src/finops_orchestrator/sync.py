"""Sync: pull daily costs, inventory and recommendations from each connected cloud into the store.

Incremental. A month the store already holds whole is not asked for again, a month it holds in part is asked
only for its missing days (the stored days are kept and the partition rewritten with both), and the current
month plus the last ``restate_months`` closed months are always fetched whole, because clouds restate them
(late usage, credits, refunds). A month with an ingested export is left alone: the export is the detailed truth
and the same dollars must not be counted twice. Clouds sync one after another; one failing is reported with
its reason and the others still sync (a partial result).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import partial
from typing import Literal

import anyio
import anyio.to_thread
from finops_core.dates import next_month_start
from finops_core.errors import FinOpsError, InvalidInput, StoreBusy
from finops_core.logs import get_logger
from finops_core.models import CLOUD_NAMES, FOCUS_PROVIDER_NAMES, Cloud
from finops_core.provider import CloudProvider
from finops_core.sandbox import DEMO_LABEL
from finops_core.settings import SyncSettings
from finops_core.store import Coverage, Snapshot, Store
from finops_core.wire import RECOMMENDATIONS_LIMIT, RESOURCES_LIMIT
from pydantic import BaseModel, Field

from finops_orchestrator.loading import write_synced
from finops_orchestrator.providers import ProviderStatus

SYNC_SOURCE = "sync"

Progress = Callable[[int, int, str], Awaitable[None]]
"""``(done, total, message)``; awaited after each step."""


class ProviderSync(BaseModel):
    provider: Cloud
    state: Literal["synced", "up to date", "failed", "unavailable", "not configured"]
    fetched: list[str] = Field(description="Day ranges asked of the cloud, [start, end).")
    months_written: list[str]
    line_items: int
    kept_exports: list[str] = Field(description="Months left alone because an ingested export covers them.")
    resources: int | None = None
    recommendations: int | None = None
    message: str | None = None


class SyncReport(BaseModel):
    start: date
    end: date = Field(description="Exclusive: the sync covers days before this one.")
    providers: list[ProviderSync]
    complete: bool = Field(description="True when every configured cloud synced; false = a partial result.")
    note: str


@dataclass(frozen=True)
class Fetch:
    """Days ``[start, end)`` of one month to ask for; ``keep_before`` = stored days before ``start`` to keep."""

    start: date
    end: date
    keep_before: bool


def sync_start(end: date, history_months: int) -> date:
    """The first of the month ``history_months`` months before ``end``'s month."""
    month = end.replace(day=1)
    for _ in range(history_months):
        month = (month - timedelta(days=1)).replace(day=1)
    return month


def _months(start: date, end: date) -> list[date]:
    months: list[date] = []
    month = start.replace(day=1)
    while month < end:
        months.append(month)
        month = next_month_start(month).date()
    return months


def plan(coverage: Sequence[Coverage], start: date, end: date, *, restate_months: int) -> tuple[list[Fetch], list[str]]:
    """What to ask a cloud for, month by month, given what the store holds; and the months an export keeps."""
    restate_from = sync_start(end - timedelta(days=1), restate_months)
    fetches: list[Fetch] = []
    exports: list[str] = []
    for month in _months(start, end):
        first, last = max(start, month), min(end, next_month_start(month).date())
        held = [c for c in coverage if c.key.billing_period_start == month]
        if any(c.kind == "export" for c in held):
            exports.append(f"{month:%Y-%m}")
            continue
        if month >= restate_from or not held:
            fetches.append(Fetch(first, last, keep_before=False))
            continue
        held_from = min(c.first_day for c in held)
        held_to = min(c.end_day for c in held)  # the account that is furthest behind decides
        if held_from > first:
            fetches.append(Fetch(first, last, keep_before=False))
        elif held_to < last:
            fetches.append(Fetch(held_to, last, keep_before=True))
    return fetches, exports


async def sync(
    store: Store,
    providers: Sequence[CloudProvider],
    statuses: Sequence[ProviderStatus],
    *,
    start: date,
    end: date,
    restate_months: int,
    progress: Progress | None = None,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> SyncReport:
    if end <= start:
        raise InvalidInput(f"Sync start ({start}) must be before end ({end}).")
    if providers:  # clouds answer slowly and some bill each request: first make sure the store can take the answers
        await anyio.to_thread.run_sync(store.probe_write, "sync")
    plans = {
        p.cloud: plan(store.coverage(FOCUS_PROVIDER_NAMES[p.cloud]), start, end, restate_months=restate_months)
        for p in providers
    }
    total = sum(len(fetches) + 1 for fetches, _ in plans.values())  # +1: inventory and recommendations
    done = 0

    async def step(message: str) -> None:
        nonlocal done
        done += 1
        if progress is not None:
            await progress(done, total, message)

    results: list[ProviderSync] = []
    for provider in providers:
        fetches, exports = plans[provider.cloud]
        result = ProviderSync(
            provider=provider.cloud,
            state="up to date" if not fetches else "synced",
            fetched=[],
            months_written=[],
            line_items=0,
            kept_exports=exports,
        )
        results.append(result)
        try:
            # Demo data synced into a real store stays recognisable by its partitions' source.
            source = f"{SYNC_SOURCE} ({DEMO_LABEL})" if (await provider.info()).is_demo else SYNC_SOURCE
            for fetch in fetches:
                await _fetch_month(store, provider, fetch, result, source)
                await step(f"{provider.cloud} {fetch.start:%Y-%m}")
            await _snapshots(store, provider, result, now())
            await step(f"{provider.cloud} inventory and recommendations")
        except StoreBusy:  # not this cloud's failure: the next cloud would wait for the store in vain
            raise
        except FinOpsError as exc:
            result.state = "failed"
            result.message = str(exc)
    synced = {p.cloud for p in providers}
    for status in statuses:
        if status.provider not in synced:
            results.append(
                ProviderSync(
                    provider=status.provider,
                    state="not configured" if status.state == "not configured" else "unavailable",
                    fetched=[],
                    months_written=[],
                    line_items=0,
                    kept_exports=[],
                    message=status.detail,
                )
            )
    failed = [r for r in results if r.state in ("failed", "unavailable")]
    note = (
        "Every configured cloud synced."
        if not failed
        else "Partial: "
        + "; ".join(f"{CLOUD_NAMES[r.provider]} {r.state}" for r in failed)
        + ". The store keeps what it had for those clouds; answers say which clouds they cover."
    )
    return SyncReport(start=start, end=end, providers=results, complete=not failed, note=note)


async def _fetch_month(store: Store, provider: CloudProvider, fetch: Fetch, result: ProviderSync, source: str) -> None:
    items = await provider.daily_costs(fetch.start, fetch.end)
    result.fetched.append(f"{fetch.start}..{fetch.end}")
    keep_before = fetch.start if fetch.keep_before else None
    # Writes wait for the store: in a worker thread, never on the loop (other clients' calls run there).
    writes = await anyio.to_thread.run_sync(partial(write_synced, store, items, source=source, keep_before=keep_before))
    for written in writes:
        if written.written:
            result.line_items += written.rows
            month = f"{written.key.billing_period_start:%Y-%m}"
            if month not in result.months_written:
                result.months_written.append(month)


async def _snapshots(store: Store, provider: CloudProvider, result: ProviderSync, taken_at: datetime) -> None:
    resources = await provider.list_resources(limit=RESOURCES_LIMIT)
    recommendations = await provider.list_recommendations(limit=RECOMMENDATIONS_LIMIT)
    name = provider.cloud
    snapshots = [
        Snapshot(provider=name, kind="resources", taken_at=taken_at, body=resources.model_dump_json()),
        Snapshot(provider=name, kind="recommendations", taken_at=taken_at, body=recommendations.model_dump_json()),
    ]
    for snapshot in snapshots:  # store writes: in a worker thread, never on the loop
        await anyio.to_thread.run_sync(store.save_snapshot, snapshot)
    result.resources = resources.total
    result.recommendations = recommendations.total


async def refresh_forever(
    store: Store,
    providers: Sequence[CloudProvider],
    statuses: Sequence[ProviderStatus],
    settings: SyncSettings,
    *,
    today: Callable[[], date],
    wait: Callable[[float], Awaitable[None]] = anyio.sleep,
) -> None:
    """``finops serve``'s background refresh: sync now, then every ``refresh_minutes``, until cancelled."""
    log = get_logger("finops.sync")
    minutes = settings.refresh_minutes or 60
    while True:
        end = today()
        try:
            report = await sync(
                store,
                providers,
                statuses,
                start=sync_start(end, settings.history_months),
                end=end,
                restate_months=settings.restate_months,
            )
            log.info("synced", complete=report.complete, note=report.note)
        except FinOpsError as exc:  # the store failed; the next round may do better
            log.warning("sync failed", error=str(exc))
        await wait(minutes * 60)

"""What ``finops lake sync`` and ``finops lake info`` do (the command line only prints)."""

from __future__ import annotations

from finops_core.dates import today_utc
from finops_core.errors import ConfigError
from finops_core.settings import LakeSettings, Settings
from finops_core.store import Store

from finops_orchestrator.lake.engines import describe
from finops_orchestrator.lake.reader import LakeReader
from finops_orchestrator.lake.rollups import LakeSyncReport, RollupReader, sync_rollups, sync_window


def configured_lake(settings: Settings) -> LakeSettings:
    if settings.lake is None:
        raise ConfigError(
            'No lake is configured: add [lake] to finops.toml (engine = "duckdb", path = "/data/focus/"); the README '
            "has an example for each engine."
        )
    return settings.lake


def run_lake_sync(settings: Settings, *, months: int | None = None) -> LakeSyncReport:
    lake = configured_lake(settings)
    start, end = sync_window(today_utc(), months or lake.sync_months)
    reader = LakeReader(lake)
    try:
        with Store(settings.store_file, busy_seconds=settings.store_busy_seconds) as store:
            return sync_rollups(store, reader, start=start, end=end)
    finally:
        reader.close()


def describe_lake(settings: Settings) -> list[str]:
    lake = configured_lake(settings)
    reader = LakeReader(lake)
    try:
        first, last, count = reader.extent()
    finally:
        reader.close()
    lines = [
        f"lake       {describe(lake)}",
        f"days       {first or '-'} to {last or '-'}",
        f"rows       {count:,} line items",
        f"answers    from the {'lake' if lake.answer_from == 'lake' else 'local rollups'} ([lake] answer_from)",
    ]
    with Store(settings.store_file, busy_seconds=settings.store_busy_seconds) as store:
        lines.append(f"rollups    {RollupReader(store, lake).source_label()}")
    return lines

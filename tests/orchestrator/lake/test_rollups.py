"""Daily rollups of the lake kept in the store answer as the lake does, say how old they are, and are replaced
whole by the next sync; an ingested export is never overwritten by them."""

from __future__ import annotations

import shutil
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from finops_core.errors import LakeError
from finops_core.models import CostQuery
from finops_core.settings import LakeSettings
from finops_core.store import Store
from finops_orchestrator.lake.reader import LakeReader
from finops_orchestrator.lake.rollups import RollupReader, sync_rollups

from tests.orchestrator.lake.test_reader import QUESTIONS, _answer

SYNCED = datetime(2026, 11, 26, 6, 0, tzinfo=UTC)
WINDOW = {"start": date(2024, 1, 1), "end": date(2026, 12, 1)}


def _lake(path: Path) -> LakeReader:
    return LakeReader(LakeSettings(engine="duckdb", path=str(path), answer_from="rollups"))


def test_synced_rollups_answer_every_daily_question_exactly_as_the_store(
    lake_store: Store, lake_path: Path, tmp_path: Path
) -> None:
    store = Store(tmp_path / "rollups.sqlite")
    lake = _lake(lake_path)
    report = sync_rollups(store, lake, **WINDOW, now=lambda: SYNCED)
    assert report.rollup_rows > 0
    assert not report.kept_exports
    assert len(report.partitions_written) == len({p.key for p in lake_store.partitions()})
    rollups = RollupReader(store, lake.settings, now=lambda: datetime(2026, 11, 26, 9, 30, tzinfo=UTC))
    for name, query in QUESTIONS.items():
        if {"resource", "sku"} & {*query.group_by, *query.filters}:
            continue
        assert _answer(rollups, query) == _answer(lake_store, query), name
    # Fewer rows than line items: the sample's hourly, per-resource rows collapse into days.
    assert store.info().line_items < lake_store.info().line_items
    assert rollups.source_label() == (
        f"local daily rollups of the lake (duckdb {lake_path}), synced 2026-11-26 06:00 UTC (3.5 hours old)"
    )


def test_rollups_refuse_questions_by_resource_saying_what_to_do(tmp_path: Path, lake_path: Path) -> None:
    rollups = RollupReader(Store(tmp_path / "r.sqlite"), _lake(lake_path).settings)
    with pytest.raises(LakeError, match=r'do not keep resource .*answer_from = "lake"'):
        rollups.cost_cells(QUESTIONS["the sample's top resources folded into other"])
    assert "never synced" in rollups.source_label()


def test_a_later_sync_replaces_each_period_whole_and_empties_one_the_lake_lost(lake_path: Path, tmp_path: Path) -> None:
    lake_copy = tmp_path / "lake"
    shutil.copytree(lake_path, lake_copy)
    store = Store(tmp_path / "rollups.sqlite")
    sync_rollups(store, _lake(lake_copy), **WINDOW, now=lambda: SYNCED)
    october = CostQuery(start=date(2026, 10, 1), end=date(2026, 11, 1), group_by=("provider",))
    assert store.cost_cells(october)
    shutil.rmtree(lake_copy / "billing_period=2026-10")  # the lake's October was deleted (moved, restated...)
    report = sync_rollups(store, _lake(lake_copy), **WINDOW, now=lambda: SYNCED)
    assert store.cost_cells(october) == []
    assert sorted(report.partitions_emptied) == sorted(
        f"{p} {a} 2026-10" for p, a in {(k.provider_name, k.billing_account_id) for k in _keys(store, "2026-10-01")}
    )
    assert report.partitions_emptied, "October had partitions to empty"


def _keys(store: Store, period: str) -> list[object]:
    return [p.key for p in store.partitions() if p.key.billing_period_start.isoformat() == period]


def test_a_sync_leaves_an_ingested_export_alone(lake_path: Path, tmp_path: Path) -> None:
    from finops_orchestrator.demo import load_focus_sample

    store = Store(tmp_path / "rollups.sqlite")
    load_focus_sample(store)  # September 2024 from the export itself
    before = store.cost_cells(QUESTIONS["accounts by a tag key with an underscore"])
    report = sync_rollups(store, _lake(lake_path), **WINDOW, now=lambda: SYNCED)
    assert report.kept_exports
    assert all("2024-09" in k or "2024-10" in k for k in report.kept_exports)
    assert store.cost_cells(QUESTIONS["accounts by a tag key with an underscore"]) == before


def test_a_lake_row_without_a_service_name_is_refused_naming_it_and_nothing_is_written(tmp_path: Path) -> None:
    from decimal import Decimal

    import pyarrow as pa
    import pyarrow.parquet as pq

    folder = tmp_path / "bad"
    folder.mkdir()
    ts = pa.timestamp("s", tz="UTC")
    money = pa.decimal128(38, 9)
    columns = {
        "BillingPeriodStart": pa.array([datetime(2026, 10, 1, tzinfo=UTC)], ts),
        "BillingPeriodEnd": pa.array([datetime(2026, 11, 1, tzinfo=UTC)], ts),
        "ChargePeriodStart": pa.array([datetime(2026, 10, 5, tzinfo=UTC)], ts),
        "ProviderName": ["AWS"],
        "BillingAccountId": ["1"],
        "SubAccountId": ["2"],
        "ServiceName": pa.array([None], pa.string()),
        "ServiceCategory": ["Compute"],
        "RegionId": ["us-east-1"],
        "ChargeCategory": ["Usage"],
        "BillingCurrency": ["USD"],
        "CommitmentDiscountId": pa.array([None], pa.string()),
        "CommitmentDiscountType": pa.array([None], pa.string()),
        "CommitmentDiscountCategory": pa.array([None], pa.string()),
        "CommitmentDiscountStatus": pa.array([None], pa.string()),
        "Tags": ["{}"],
        **{c: pa.array([Decimal("1.5")], money) for c in ("BilledCost", "EffectiveCost", "ListCost", "ContractedCost")},
    }
    pq.write_table(pa.table(columns), folder / "part.parquet")
    store = Store(tmp_path / "rollups.sqlite")
    with pytest.raises(LakeError, match=r"AWS 1 on 2026-10-05 cannot be kept as a rollup \(ServiceName: "):
        sync_rollups(store, _lake(folder), **WINDOW, now=lambda: SYNCED)
    assert store.partitions() == []

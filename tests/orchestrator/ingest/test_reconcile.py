"""Reconciliation holds the store to each file's own totals, and catches a store that drifted."""

from __future__ import annotations

import sqlite3
import sys
from decimal import Decimal
from pathlib import Path

from finops_core.store import Store
from finops_orchestrator.ingest import ingest

from tests.commands import run_finops as _finops
from tests.conftest import SHARED

BIN = Path(sys.executable).parent
SAMPLES = [
    SHARED / "data/focus-samples/FOCUS-1.0/focus_sample_1000.csv",
    *[p for p in sorted((SHARED / "data/native-samples").rglob("*.csv")) if "Actual" not in p.name],
]


def test_every_shared_sample_reconciles_to_the_cent(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.sqlite")
    ingest(store, [str(p) for p in SAMPLES])
    rows = store.reconcile()
    assert {r.provider_name for r in rows} == {"AWS", "Microsoft", "Google Cloud", "Oracle"}
    assert all(r.matches for r in rows), [r for r in rows if not r.matches]
    cur = next(r for r in rows if r.billing_account_id == "123412340534")
    assert cur.source_billed is not None
    assert abs(cur.source_billed - cur.store_billed) < Decimal("0.000001")  # nano rounding only
    assert cur.source_effective is None  # CUR states no amortized total


def test_re_ingesting_replaces_the_recorded_source_totals_too(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.sqlite")
    sample = str(SAMPLES[0])
    ingest(store, [sample])
    first = store.reconcile()
    ingest(store, [sample])
    assert store.reconcile() == first


def test_the_command_fails_when_the_store_no_longer_matches_its_files(home: Path) -> None:
    assert _finops(home, "ingest", str(SAMPLES[0])).returncode == 0
    good = _finops(home, "reconcile")
    assert good.returncode == 0
    assert "NO" not in good.stdout
    with sqlite3.connect(home / "finops.sqlite") as conn:  # a store that drifted from its source
        conn.execute("UPDATE line_items SET billed_cost = billed_cost + 1000000000 WHERE id = 1")
    drifted = _finops(home, "reconcile")
    assert drifted.returncode == 1
    assert "NO" in drifted.stdout


def test_a_store_with_only_demo_data_has_nothing_to_reconcile(home: Path) -> None:
    done = _finops(home, "reconcile")
    assert done.returncode == 0
    assert "Nothing to reconcile" in done.stdout

"""Reconciliation holds the store to each file's own totals, and catches a store that drifted."""

from __future__ import annotations

import sqlite3
import sys
from decimal import Decimal
from pathlib import Path

from finops_core.store import Store
from finops_orchestrator.cli import app
from finops_orchestrator.ingest import ingest
from typer.testing import CliRunner, Result

from tests.commands import run_finops as _finops
from tests.conftest import SHARED
from tests.orchestrator.ingest.exports import gcp_months, usage_month, write

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


def _reconcile(home: Path) -> Result:
    """`finops reconcile` in this process (it only reads the store; start-up would dominate a subprocess)."""
    return CliRunner().invoke(app, ["reconcile"], env={"FINOPS_HOME": str(home), "COLUMNS": "200"})


def _monthly_google_files(folder: Path) -> list[Path]:
    frame = gcp_months()
    months = usage_month(frame)
    return [write(frame[months == m], folder / f"gcp-{m}.csv") for m in sorted(set(months))]


def test_every_period_is_checked_against_each_of_its_files_and_their_sum(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.sqlite")
    for path in _monthly_google_files(tmp_path):
        ingest(store, [str(path)])
    rows = store.reconcile()
    december = next(r for r in rows if r.billing_period_start.isoformat() == "2020-12-01")
    assert [Path(s.label).name for s in december.sources] == ["gcp-2020-11.csv", "gcp-2020-12.csv"]
    assert december.source_billed == sum((s.held_billed for s in december.sources), Decimal(0)) == december.store_billed
    assert all(r.matches for r in rows)
    assert all(f.matches for f in store.reconcile_files())


def test_the_command_fails_when_a_later_file_removed_rows_of_an_earlier_one(home: Path, tmp_path: Path) -> None:
    november, december, *_ = _monthly_google_files(tmp_path)
    with Store(home / "finops.sqlite") as store:  # one command per file, as `finops ingest` runs it
        for path in (november, december):
            ingest(store, [str(path)])
        assert all(f.matches for f in store.reconcile_files())
    # What the old writer did when December's file came: it replaced the whole December partition, removing
    # November's file's late rows billed to December together with the totals that file stated for December.
    with sqlite3.connect(home / "finops.sqlite") as conn:
        (slice_id,) = conn.execute(
            "SELECT p.id FROM partitions p JOIN sources s ON s.id = p.source_id "
            "WHERE s.label LIKE '%gcp-2020-11.csv' AND p.billing_period_start = '2020-12-01'"
        ).fetchone()
        for table in ("line_items", "rollup_day_base"):
            conn.execute(f"DELETE FROM {table} WHERE partition_id = ?", (slice_id,))
        conn.execute(
            "DELETE FROM source_totals WHERE billing_period_start = '2020-12-01' AND source_id = "
            "(SELECT source_id FROM partitions WHERE id = ?)",
            (slice_id,),
        )
        conn.execute("DELETE FROM partitions WHERE id = ?", (slice_id,))
    with Store(home / "finops.sqlite") as store:
        assert all(r.matches for r in store.reconcile())  # each period alone looks whole, as the old check saw it
    done = _reconcile(home)
    assert done.exit_code == 1
    flat = " ".join(done.stdout.split())
    assert "gcp-2020-11.csv: billed" in flat
    assert "DIFFERS" in flat
    assert not isinstance(done.exception, Exception)  # an exit code, not a traceback


def test_the_command_fails_when_a_period_holds_rows_that_no_file_states(home: Path, tmp_path: Path) -> None:
    november, *_ = _monthly_google_files(tmp_path)
    with Store(home / "finops.sqlite") as store:
        ingest(store, [str(november)])
    with sqlite3.connect(home / "finops.sqlite") as conn:  # a partition row that came from no file
        conn.execute(
            "INSERT INTO partitions (provider_name, billing_account_id, billing_period_start, period_start, "
            "period_end, kind, source, file, ingested_at, row_count, source_id) SELECT provider_name, "
            "billing_account_id, billing_period_start, period_start, period_end, kind, source, 'stray', ingested_at, "
            "row_count, 999 FROM partitions WHERE billing_period_start = '2020-11-01'"
        )
        conn.execute(
            "INSERT INTO line_items (partition_id, billing_currency, billed_cost, effective_cost) SELECT "
            "(SELECT id FROM partitions WHERE source_id = 999), billing_currency, 1000000000, 1000000000 "
            "FROM line_items LIMIT 1"
        )
    done = _reconcile(home)
    assert done.exit_code == 1
    assert "the period holds rows no file states" in " ".join(done.stdout.split())


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


def test_piped_at_80_columns_the_table_keeps_every_figure_whole(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    store = Store(home / "finops.sqlite")
    ingest(store, [str(p) for p in SAMPLES])
    rows = store.reconcile()
    store.close()
    shown = CliRunner().invoke(app, ["reconcile"], env={"FINOPS_HOME": str(home), "COLUMNS": "80"})
    assert shown.exit_code == 0, shown.output
    assert "…" not in shown.output
    for r in rows:  # a cron job's log or a pipe reads the same figures a terminal shows
        assert f"{r.billing_period_start:%Y-%m}" in shown.output
        assert r.billing_account_id in shown.output
        assert f"{r.store_billed:,.2f}" in shown.output

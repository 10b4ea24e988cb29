"""The FOCUS 1.2 export keeps every cent and writes the spec's formats (its validator runs are in
test_focus_conformance.py)."""

from __future__ import annotations

import subprocess
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
from finops_core.focus import FOCUS_COLUMNS
from finops_core.money import from_nanos
from finops_core.store import Store
from finops_orchestrator.export import export
from finops_orchestrator.ingest import ingest

from tests.commands import run_finops
from tests.conftest import SHARED


def _sources() -> list[str]:
    files = [SHARED / "data/focus-samples/FOCUS-1.0/focus_sample_1000.csv"]
    files += [p for p in sorted((SHARED / "data/native-samples").rglob("*.csv")) if "Amortized" not in p.name]
    return [str(p) for p in files]


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> Store:
    store = Store(tmp_path_factory.mktemp("export") / "store.sqlite")
    ingest(store, _sources())
    return store


def _billed_by_provider(store: Store) -> dict[str, Decimal]:
    with store.reader() as conn:
        rows = conn.execute("SELECT provider_name, SUM(billed_cost) FROM focus_line_items GROUP BY 1").fetchall()
    return {p: from_nanos(int(n)) for p, n in rows}


def test_the_parquet_export_has_the_spec_columns_and_every_cent(loaded: Store, tmp_path: Path) -> None:
    output = tmp_path / "focus.parquet"
    rows = export(loaded, output, "parquet")
    table = pq.read_table(output)
    assert table.num_rows == rows == loaded.info().line_items
    assert [c.focus_name for c in FOCUS_COLUMNS] == table.schema.names[: len(FOCUS_COLUMNS)]
    assert all(name.startswith("x_") for name in table.schema.names[len(FOCUS_COLUMNS) :])
    frame = table.select(["ProviderName", "BilledCost"]).to_pandas()
    exported = {p: sum(g, Decimal(0)) for p, g in frame.groupby("ProviderName")["BilledCost"]}
    assert exported == _billed_by_provider(loaded)


def test_the_csv_export_can_be_ingested_again_with_the_same_totals(loaded: Store, tmp_path: Path) -> None:
    output = tmp_path / "focus.csv"
    export(loaded, output, "csv")
    again = Store(tmp_path / "again.sqlite")
    (report,) = ingest(again, [str(output)])
    assert report.format == "focus"
    assert report.focus_version == "1.2"
    assert _billed_by_provider(again) == _billed_by_provider(loaded)


def test_a_filtered_export_keeps_only_the_asked_provider(loaded: Store, tmp_path: Path) -> None:
    output = tmp_path / "gcp.csv"
    export(loaded, output, "csv", providers=["Google Cloud"])
    frame = pd.read_csv(output, dtype=str)
    assert set(frame["ProviderName"]) == {"Google Cloud"}


def test_the_command_writes_the_file_and_refuses_an_empty_selection(home: Path, tmp_path: Path) -> None:
    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return run_finops(home, *args)

    assert run("ingest", _sources()[0]).returncode == 0
    done = run("export", "--format", "csv", "--output", str(tmp_path / "out.csv"))
    assert done.returncode == 0, done.stderr
    assert "Wrote 1,000 line items" in done.stdout
    empty = run("export", "--output", str(tmp_path / "none.parquet"), "--provider", "Nobody")
    assert empty.returncode == 1
    assert "Nothing to export" in empty.stderr
    assert not (tmp_path / "none.parquet").exists()


def test_the_csv_export_writes_timestamps_in_the_spec_s_iso_8601_form(loaded: Store, tmp_path: Path) -> None:
    output = tmp_path / "focus.csv"
    export(loaded, output, "csv")
    frame = pd.read_csv(output, dtype=str, keep_default_na=False)
    for column in ("BillingPeriodStart", "BillingPeriodEnd", "ChargePeriodStart", "ChargePeriodEnd"):
        assert frame[column].str.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ").all(), column
    assert "2024-09-01T00:00:00Z" in set(frame["BillingPeriodStart"])


def test_a_unit_is_exported_only_beside_its_quantity(loaded: Store, tmp_path: Path) -> None:
    output = tmp_path / "focus.parquet"
    export(loaded, output, "parquet")
    frame = pq.read_table(output).to_pandas()
    for quantity, unit in (("ConsumedQuantity", "ConsumedUnit"), ("PricingQuantity", "PricingUnit")):
        assert not (frame[quantity].isna() & frame[unit].notna()).any(), unit
    assert frame.loc[frame["ChargeCategory"] == "Credit", "ConsumedUnit"].isna().all()

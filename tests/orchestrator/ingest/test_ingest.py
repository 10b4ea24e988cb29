"""Ingest refuses what it cannot read (writing nothing), keeps files atomic, and never doubles a month."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from finops_core.errors import InvalidInput
from finops_core.models import CostQuery
from finops_core.store import Store
from finops_orchestrator.ingest import ingest

from tests.commands import run_finops as _finops
from tests.conftest import SHARED

NATIVE = SHARED / "data/native-samples"
FOCUS_CSV = SHARED / "data/focus-samples/FOCUS-1.0/focus_sample_1000.csv"
CUR = NATIVE / "aws/focus_converters_sample-anonymous-aws-cur-legacy.csv"
BIN = Path(sys.executable).parent


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(tmp_path / "store.sqlite")


def test_an_unknown_file_names_the_closest_formats_and_their_missing_columns(store: Store, tmp_path: Path) -> None:
    odd = tmp_path / "odd.csv"
    odd.write_text("BilledCost,ChargePeriodStart,Whatever\n1.0,2026-01-01,x\n")
    with pytest.raises(InvalidInput, match=r"FOCUS 1\.0-1\.3 export \(missing EffectiveCost, BillingPeriodStart"):
        ingest(store, [str(odd)])
    assert store.info().line_items == 0


def test_a_bad_cell_names_the_row_and_column_and_nothing_is_written(store: Store, tmp_path: Path) -> None:
    frame = pd.read_csv(FOCUS_CSV, dtype=str, keep_default_na=False)
    frame.loc[700, "BilledCost"] = "twelve"
    bad = tmp_path / "bad.csv"
    frame.to_csv(bad, index=False)
    with pytest.raises(InvalidInput, match=r"row 701, column BilledCost: cannot read 'twelve'"):
        ingest(store, [str(bad)])
    assert store.info().line_items == 0


def test_files_of_one_month_in_one_run_add_up_instead_of_replacing_each_other(store: Store, tmp_path: Path) -> None:
    frame = pd.read_csv(CUR, dtype=str, keep_default_na=False)
    (tmp_path / "parts").mkdir()
    frame.iloc[:600].to_csv(tmp_path / "parts/part-1.csv", index=False)
    frame.iloc[600:].to_csv(tmp_path / "parts/part-2.csv", index=False)
    reports = ingest(store, [str(tmp_path / "parts")])
    assert [r.rows_read for r in reports] == [600, len(frame) - 600]
    assert store.info().line_items == len(frame)
    assert sorted((Path(p.lineage.file or "").name, p.row_count) for p in store.partitions()) == [
        ("part-1.csv", 600),
        ("part-2.csv", len(frame) - 600),
    ]


@pytest.mark.parametrize("one_command", [True, False], ids=["one command", "one command each"])
def test_actual_and_amortized_azure_exports_are_never_loaded_together(store: Store, one_command: bool) -> None:
    actual = NATIVE / "azure/finops-toolkit_EA_ActualCost_Small.csv"
    amortized = NATIVE / "azure/finops-toolkit_EA_AmortizedCost_Small.csv"
    refused = r"already loaded from \S*EA_ActualCost_Small\.csv \(azure-cost-details:actual\).*load one of them"
    if not one_command:
        ingest(store, [str(actual)])
    with pytest.raises(InvalidInput, match=refused):
        ingest(store, [str(actual), str(amortized)] if one_command else [str(amortized)])
    (partition,) = store.partitions()  # the first file stays; the second wrote nothing
    assert partition.lineage.source == "azure-cost-details:actual"
    assert partition.row_count == 11


def test_the_azure_export_kind_is_read_from_its_rows(store: Store) -> None:
    (report,) = ingest(store, [str(NATIVE / "azure/finops-toolkit_EA_AmortizedCost_Small.csv")])
    assert report.format == "azure-amortized"


def test_a_forced_format_is_used_even_when_detection_would_differ(store: Store) -> None:
    with pytest.raises(InvalidInput, match="MeterCategory"):
        ingest(store, [str(FOCUS_CSV)], format_name="azure")


def test_a_missing_path_is_a_clear_error(store: Store, tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="no such file"):
        ingest(store, [str(tmp_path / "nope.csv")])


def test_the_command_reports_each_file_and_refuses_bad_ones_with_a_non_zero_exit(home: Path, tmp_path: Path) -> None:
    done = _finops(home, "ingest", str(FOCUS_CSV), str(NATIVE / "gcp"))
    assert done.returncode == 0, done.stderr
    assert "focus 1.0, 1,000 rows -> 1,000 line items in 4 partition(s)" in done.stdout
    assert "gcp-billing, 25 rows -> 33 line items" in done.stdout
    odd = tmp_path / "odd.csv"
    odd.write_text("a,b\n1,2\n")
    before = _finops(home, "store", "info", "--json").stdout
    refused = _finops(home, "ingest", str(odd))
    assert refused.returncode == 1
    assert "cannot tell which billing export" in refused.stderr
    assert "Traceback" not in refused.stderr
    assert _finops(home, "store", "info", "--json").stdout == before


def test_a_month_split_over_files_answers_queries_with_the_whole_month(store: Store, tmp_path: Path) -> None:
    frame = pd.read_csv(CUR, dtype=str, keep_default_na=False)
    (tmp_path / "parts").mkdir()
    frame.iloc[:600].to_csv(tmp_path / "parts/part-1.csv", index=False)
    frame.iloc[600:].to_csv(tmp_path / "parts/part-2.csv", index=False)
    ingest(store, [str(tmp_path / "parts")])
    whole = Store(tmp_path / "whole.sqlite")
    ingest(whole, [str(CUR)])
    query = CostQuery(start=date(2023, 11, 1), end=date(2023, 12, 1), group_by=("service",), metric="billed")
    assert store.query_costs(query).totals == whole.query_costs(query).totals
    assert store.query_costs(query).rows == whole.query_costs(query).rows


def test_a_header_only_export_is_zero_rows_noted_and_a_folder_ingest_goes_on(store: Store, tmp_path: Path) -> None:
    folder = tmp_path / "exports"
    folder.mkdir()
    (folder / "a-empty-day.csv").write_bytes(FOCUS_CSV.read_bytes().split(b"\n")[0] + b"\n")
    (folder / "b-nothing.jsonl").write_bytes(b"")
    (folder / "c-cur.csv").write_bytes(CUR.read_bytes())
    empty, nothing, cur = ingest(store, [str(folder)])
    assert (empty.format, empty.rows_read, empty.note) == ("focus", 0, "an export with no rows (header only): 0 rows")
    assert (nothing.rows_read, nothing.note) == (0, "empty file (0 bytes): 0 rows")
    assert cur.line_items == store.info().line_items == 1281


def test_the_command_notes_an_empty_export_and_the_derived_cells(home: Path, tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_bytes(FOCUS_CSV.read_bytes().split(b"\n")[0] + b"\n")
    frame = pd.read_csv(FOCUS_CSV, dtype=str, keep_default_na=False)
    aws = frame["ProviderName"] == "AWS"
    blank_rows = len(frame[aws])
    frame.loc[aws, "BillingPeriodStart"] = ""
    blank = tmp_path / "blank-period.csv"
    frame.to_csv(blank, index=False)
    done = _finops(home, "ingest", str(empty), str(blank))
    assert done.returncode == 0, done.stderr
    assert "0 rows -> 0 line items in 0 partition(s) (an export with no rows (header only): 0 rows)" in done.stdout
    assert f"derived blank cells: billing_period_start {blank_rows:,}" in done.stdout


def test_a_blank_billing_period_is_derived_only_where_the_provider_bills_by_calendar_month(
    store: Store, tmp_path: Path
) -> None:
    frame = pd.read_csv(FOCUS_CSV, dtype=str, keep_default_na=False)
    whole = Store(tmp_path / "whole.sqlite")
    ingest(whole, [str(FOCUS_CSV)])
    frame.loc[frame["ProviderName"].isin(["AWS", "Microsoft"]), ["BillingPeriodStart", "BillingPeriodEnd"]] = ""
    blank = tmp_path / "blank.csv"
    frame.to_csv(blank, index=False)
    (report,) = ingest(store, [str(blank)])
    rows = len(frame[frame["ProviderName"].isin(["AWS", "Microsoft"])])
    assert report.derived == {"billing_period_start": rows, "billing_period_end": rows}
    assert [(p.key, p.row_count) for p in store.partitions()] == [(p.key, p.row_count) for p in whole.partitions()]
    oracle = frame["ProviderName"] == "Oracle"
    frame.loc[oracle.idxmax(), "BillingPeriodStart"] = ""  # Oracle's billing period is not documented as a month
    frame.to_csv(blank, index=False)
    with pytest.raises(InvalidInput, match="billing_period_start is empty"):
        ingest(store, [str(blank)])


def test_a_resource_named_only_in_an_instance_name_column_gets_a_resource_id(store: Store, tmp_path: Path) -> None:
    frame = pd.read_csv(NATIVE / "azure/finops-toolkit_EA_ActualCost_Small.csv", dtype=str, keep_default_na=False)
    frame["InstanceName"] = frame["ResourceId"]
    frame.loc[[1, 4], "ResourceId"] = ""
    path = tmp_path / "azure.csv"
    frame.to_csv(path, index=False)
    (report,) = ingest(store, [str(path)])
    assert report.derived == {"resource_id": 2}
    with store.reader() as conn:
        unnamed = len(frame[frame["InstanceName"] == ""])
        assert conn.execute("SELECT COUNT(*) FROM focus_line_items WHERE resource_id IS NULL").fetchone()[0] == unnamed


def test_a_cur_row_without_usage_dates_takes_them_from_its_time_interval(store: Store, tmp_path: Path) -> None:
    frame = pd.read_csv(CUR, dtype=str, keep_default_na=False)
    whole = Store(tmp_path / "whole.sqlite")
    ingest(whole, [str(CUR)])
    frame.loc[:9, ["lineItem/UsageStartDate", "lineItem/UsageEndDate", "bill/BillingPeriodStartDate"]] = ""
    path = tmp_path / "cur.csv"
    frame.to_csv(path, index=False)
    (report,) = ingest(store, [str(path)])
    assert report.derived == {"charge_period_start": 10, "charge_period_end": 10, "billing_period_start": 10}
    query = CostQuery(start=date(2023, 11, 1), end=date(2023, 12, 1), group_by=("service",), metric="billed")
    assert store.query_costs(query).rows == whole.query_costs(query).rows

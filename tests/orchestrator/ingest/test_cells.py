"""Invalid cells: a cell that is not a valid value takes its format's documented meaning or is refused naming
file, row and column; never a traceback, and a refused file leaves the store as it was. Random corruption of
every format's sample (hypothesis)."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest
from finops_core.errors import InvalidInput
from finops_core.store import Store
from finops_orchestrator.ingest import ingest
from finops_orchestrator.ingest.formats.base import canonical
from hypothesis import HealthCheck, given, reject, settings
from hypothesis import strategies as st

from tests.orchestrator.ingest.bad_cells import assert_csv_refused
from tests.orchestrator.ingest.samples import FOCUS_CSV, NATIVE, SAMPLES, Sample

CORRUPTIONS = st.one_of(
    st.text(max_size=30),
    st.sampled_from(
        [
            "9" * 40,
            "-1e400",
            "1e-400",
            "12345678901.5",
            "NaN",
            "inf",
            "-Infinity",
            "[1, 2]",
            "{}",
            "true",
            "{'a': ",
            '{"a": [',
            "[{'amount': 'x'}]",
            "[{'amount': 1e999}]",
            "{'amount': -5}",
            "2024-13-45",
            "9999-12-31T23:00:00Z",
            "0001-01-01",
            "31/31/2024",
            "202413",
            '""',
            "key:value;other=thing",
        ]
    ),
)


def _store_state(store: Store) -> tuple[int, int]:
    info = store.info()
    return info.line_items, info.partitions


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda s: s.name)
def test_a_corrupt_cell_is_read_with_its_documented_meaning_or_refused_naming_file_row_and_column(
    sample: Sample,
) -> None:
    frame = sample.frame()
    baseline = NATIVE / "azure/koku_azure_v1_legacy_costreport.csv"  # something already in the store

    @settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(row=st.integers(0, len(frame) - 1), column=st.sampled_from(list(frame.columns)), value=CORRUPTIONS)
    def check(row: int, column: str, value: str) -> None:
        corrupt = frame.copy()
        corrupt.loc[row, column] = value
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / f"corrupt{sample.suffix}"
            try:
                sample.write(corrupt, path)
            except (pa.ArrowTypeError, pa.ArrowInvalid):
                reject()  # Parquet cannot hold text in a column of records: no file has such a cell
            store = Store(Path(folder) / "store.sqlite")
            ingest(store, [str(baseline)])
            before = _store_state(store)
            refusal: InvalidInput | None = None
            try:
                ingest(store, [str(path)])
            except InvalidInput as exc:
                refusal = exc
            after = _store_state(store)
            store.close()
        if refusal is None:
            return
        message = str(refusal)
        assert message.startswith(path.name), message
        assert f"row {row + 1}" in message, message
        named = f"column {column}" in message or canonical(column) in canonical(message.split(":")[2])
        # A line break written unquoted into a cell splits its row: then the row's cells no longer line up.
        split = "cells where its other rows have" in message
        assert named or " is empty" in message or split, message
        assert after == before, "a refused file changed the store"

    check()


def test_an_empty_azure_tags_cell_means_no_tags(tmp_path: Path) -> None:
    frame = pd.read_csv(NATIVE / "azure/finops-toolkit_EA_ActualCost_Small.csv", dtype=str, keep_default_na=False)
    frame["Tags"] = ['""', "{}", "[]", "", *frame["Tags"][4:]]
    path = tmp_path / "azure.csv"
    frame.to_csv(path, index=False)
    store = Store(tmp_path / "store.sqlite")
    (report,) = ingest(store, [str(path)])
    assert report.line_items == len(frame)
    with store.reader() as conn:
        untagged = conn.execute("SELECT COUNT(*) FROM focus_line_items WHERE tags IS NULL").fetchone()[0]
    assert untagged >= 4


def test_a_huge_amount_is_refused_naming_its_cell_not_the_store(tmp_path: Path) -> None:
    frame = pd.read_csv(FOCUS_CSV, dtype=str, keep_default_na=False).iloc[:20]
    frame.loc[7, "BilledCost"] = "12345678901.5"  # past int64 nanos
    assert_csv_refused(
        frame, tmp_path / "huge.csv", r"huge\.csv: row 8, column BilledCost: cannot read '12345678901\.5'"
    )


def test_a_date_outside_any_billing_period_is_refused_naming_its_cell(tmp_path: Path) -> None:
    frame = pd.read_csv(NATIVE / "azure/finops-toolkit_EA_ActualCost_Small.csv", dtype=str, keep_default_na=False)
    frame.loc[2, "Date"] = "12/31/9999"
    assert_csv_refused(frame, tmp_path / "azure.csv", r"azure\.csv: row 3, column Date: cannot read '12/31/9999'")


def test_an_error_no_parser_anticipated_is_located_to_its_row_and_column(tmp_path: Path) -> None:
    # PayGPrice x Quantity is computed, not read: past what a line item can cost, the product has no cell of
    # its own, so the refusal finds which cell makes the row fail.
    frame = pd.read_csv(NATIVE / "azure/finops-toolkit_EA_ActualCost_Small.csv", dtype=str, keep_default_na=False)
    frame.loc[5, "PayGPrice"] = "900000000"
    frame.loc[5, "Quantity"] = "900000000"
    assert_csv_refused(
        frame, tmp_path / "azure.csv", r"azure\.csv: row 6, column (PayGPrice|Quantity): cannot read '900000000'"
    )


def test_text_that_is_not_utf_8_is_refused_saying_so(tmp_path: Path) -> None:
    data = FOCUS_CSV.read_bytes().replace(b"SunBird", b"Sun\xe9Bird", 1)
    path = tmp_path / "latin.csv"
    path.write_bytes(data)
    with pytest.raises(InvalidInput, match=r"latin\.csv: .*is not UTF-8 text.*save the file as UTF-8"):
        ingest(Store(tmp_path / "store.sqlite"), [str(path)])

"""A file is read whole or refused: any truncation (mid-cell, late in a row, inside a quoted cell, inside a gzip
member, in a Parquet footer, mid-way through a JSON line) is refused and writes nothing; what real exports
really have (rows short of a header's trailing columns, blank lines, CRLF) is still read. Memory stays flat: Arrow
reads a CSV only a few blocks ahead of its consumer, and a Parquet file one row group at a time."""

from __future__ import annotations

import csv
import gzip
import io
import json
import tempfile
import threading
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest
from finops_core.errors import InvalidInput
from finops_core.store import Store
from finops_orchestrator.ingest import ingest
from finops_orchestrator.ingest.reading import READ_AHEAD_BLOCKS, PacedSource, chunks
from finops_orchestrator.ingest.streams import ExportStream
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.orchestrator.ingest.samples import FOCUS_CSV, NATIVE, SAMPLES, Sample

CUR = NATIVE / "aws/focus_converters_sample-anonymous-aws-cur-legacy.csv"


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(tmp_path / "store.sqlite")


def _refused(store: Store, path: Path, match: str) -> None:
    with pytest.raises(InvalidInput, match=match):
        ingest(store, [str(path)])
    assert store.info().line_items == 0


def test_a_file_cut_late_in_its_last_row_is_refused_and_writes_nothing(store: Store, tmp_path: Path) -> None:
    cut = tmp_path / "cur.csv"
    cut.write_bytes(CUR.read_bytes()[:-40])  # the last row loses its last cells
    _refused(store, cut, r"cur\.csv: does not end with a line end: its last row was cut off")


def test_a_last_row_without_its_line_end_is_refused_where_the_others_have_one(store: Store, tmp_path: Path) -> None:
    cut = tmp_path / "focus.csv"
    cut.write_bytes(FOCUS_CSV.read_bytes()[:-1])  # only the final line end is missing: a cell may be short
    _refused(store, cut, "does not end with a line end")


@pytest.mark.parametrize("column", ["ChargeDescription", "Tags"])  # early in the row, and its last cell
def test_a_file_cut_inside_a_quoted_cell_after_a_line_break_in_it_is_refused(
    column: str, store: Store, tmp_path: Path
) -> None:
    frame = pd.read_csv(FOCUS_CSV, dtype=str, keep_default_na=False).iloc[:5]
    frame.loc[4, column] = "two\nlines"
    text = frame.to_csv(index=False)
    cut = tmp_path / "quoted.csv"
    cut.write_text(text[: text.index("two\n") + 4])  # ends with a line end, inside the quotes
    _refused(store, cut, "ends inside a quoted cell")


def test_a_short_row_in_the_middle_is_refused_naming_it(store: Store, tmp_path: Path) -> None:
    lines = FOCUS_CSV.read_bytes().splitlines(keepends=True)
    lines[300] = b",".join(lines[300].split(b",")[:20]) + b"\n"
    bad = tmp_path / "short.csv"
    bad.write_bytes(b"".join(lines))
    _refused(store, bad, r"short\.csv: row 300 has 20 cells where its other rows have 44")


def test_rows_all_short_of_the_headers_trailing_columns_read_those_cells_as_empty(store: Store) -> None:
    path = NATIVE / "aws/koku_test_cur_legacy.csv"  # 131 header columns, every row 130 cells
    (report,) = ingest(store, [str(path)])
    assert report.rows_read == 19


def test_blank_lines_and_crlf_line_ends_are_read(store: Store, tmp_path: Path) -> None:
    lines = FOCUS_CSV.read_text().splitlines()[:11]
    path = tmp_path / "crlf.csv"
    path.write_bytes("\r\n\r\n".join(lines).encode() + b"\r\n")
    (report,) = ingest(store, [str(path)])
    assert report.rows_read == 10


def test_a_gzip_stream_cut_short_is_refused(store: Store, tmp_path: Path) -> None:
    packed = gzip.compress(FOCUS_CSV.read_bytes())
    cut = tmp_path / "focus.csv.gz"
    cut.write_bytes(packed[: len(packed) // 2])
    _refused(store, cut, "the gzip stream ends early")


def test_a_parquet_file_cut_in_its_footer_is_refused(store: Store, tmp_path: Path) -> None:
    data = (FOCUS_CSV.parent / "focus_sample_1000.derived.parquet").read_bytes()
    cut = tmp_path / "focus.parquet"
    cut.write_bytes(data[:-5])
    _refused(store, cut, "is not a complete Parquet file")


def test_a_json_line_cut_mid_object_is_refused(store: Store, tmp_path: Path) -> None:
    sample = next(s for s in SAMPLES if s.name == "gcp-jsonl")
    whole = tmp_path / "whole.jsonl"
    sample.write(sample.frame(), whole)
    cut = tmp_path / "gcp.jsonl"
    cut.write_bytes(whole.read_bytes()[:-30])
    _refused(store, cut, r"line 25 is not valid JSON \(the line has no line end: the file was cut off there\)")


def _read_paced(source: PacedSource, block: int) -> list[int]:
    """The rows of each batch Arrow reads from ``source`` in blocks of ``block`` bytes, taken as they come, in a
    thread given at most 30 s: a reader that stalls fails the test (closing the source frees its thread)."""
    rows: list[int] = []

    def read() -> None:
        with source.opening():
            reader = pacsv.open_csv(source, read_options=pacsv.ReadOptions(block_size=block))
        for batch in reader:
            rows.append(batch.num_rows)
            source.took_batch()

    thread = threading.Thread(target=read, daemon=True)
    thread.start()
    thread.join(timeout=30)
    assert not thread.is_alive(), f"the reader stalled after {sum(rows):,} rows"
    return rows


def test_arrow_reads_a_csv_no_more_than_a_few_blocks_ahead_of_the_batches_taken(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_bytes(b"a,b\n" + b"1,2\n" * 50_000)  # 49 blocks of 4 KiB (Arrow alone reads 32 ahead)
    rows = 0
    with ExportStream(path, "") as stream, PacedSource(stream, path) as source:
        with source.opening():
            reader = pacsv.open_csv(source, read_options=pacsv.ReadOptions(block_size=4096))
        for batch in reader:
            rows += batch.num_rows
            source.took_batch()
            if rows == batch.num_rows:  # the consumer holds its first batch: Arrow's thread stops and waits for it
                assert source.wait_paused(timeout=10), "Arrow read on while the consumer held its first batch"
                assert source.reads == source.taken + READ_AHEAD_BLOCKS < 49
            assert source.reads <= source.taken + READ_AHEAD_BLOCKS
    assert rows == 50_000


def test_blocks_of_blank_lines_before_the_first_row_are_read_through(tmp_path: Path) -> None:
    # Arrow opens a file by reading on until a block gives rows: here 10 blocks of nothing but line ends.
    path = tmp_path / "export.csv"
    path.write_bytes(b"a,b\n" + b"\n" * 40_960 + b"1,2\n" * 20_000)
    with ExportStream(path, "") as stream, PacedSource(stream, path) as source:
        assert sum(_read_paced(source, 4096)) == 20_000


def test_a_gzip_csv_whose_first_row_outgrows_the_first_read_is_read_to_its_end(tmp_path: Path) -> None:
    # The first read gives back only the head the header was read from: its block makes no rows.
    path = tmp_path / "export.csv.gz"
    path.write_bytes(gzip.compress(b"a,b\n" + b"x" * 3000 + b",1\n" + b"y,2\n" * 20_000))
    with ExportStream(path, "") as stream:
        stream.unread(stream.read_head(1024))
        with PacedSource(stream, path) as source:
            assert sum(_read_paced(source, 4096)) == 20_001


def test_a_parquet_file_of_many_row_groups_is_read_holding_one_group_at_a_time(tmp_path: Path) -> None:
    ids = pa.array(np.char.add("i-", np.arange(400_000).astype(str)))
    table = pa.table({f"c{i}": ids for i in range(6)})
    many, one = tmp_path / "many.parquet", tmp_path / "one.parquet"
    pq.write_table(table, many, row_group_size=100_000)
    pq.write_table(table.slice(0, 100_000), one)
    del table, ids

    def peak_mb(path: Path) -> float:
        before, peak = pa.total_allocated_bytes(), 0
        for _ in chunks(path):
            peak = max(peak, pa.total_allocated_bytes() - before)
        return peak / 2**20

    # One reader over the whole file held 39.6 MB at its fourth group where one group takes 28.6 MB.
    assert peak_mb(many) <= peak_mb(one) * 1.1


def _complete_csv_rows(data: bytes) -> int | None:
    """The number of data rows, if the text ends outside quotes."""
    try:
        rows = [r for r in csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), strict=True) if r]
    except csv.Error:
        return None
    return max(len(rows) - 1, 0)


def _complete_json_lines(data: bytes) -> int | None:
    """The number of records, if every line is one whole JSON object (the last may lack its line end)."""
    lines = [line for line in data.split(b"\n") if line.strip()]
    try:
        return sum(1 for line in lines if isinstance(json.loads(line), dict))
    except json.JSONDecodeError:
        return None


def _accepted_cut(sample: Sample, data: bytes, cut: int) -> int | None:
    """How many rows a cut at ``cut`` may be read as, or None if it must be refused."""
    head = data[:cut]
    if cut == 0:
        return 0  # an empty file: nothing to read, nothing written
    if sample.suffix in (".parquet", ".csv.gz"):
        return None
    if sample.suffix == ".jsonl":
        return _complete_json_lines(head)
    return _complete_csv_rows(head) if head.endswith(b"\n") else None


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda s: s.name)
def test_a_file_cut_anywhere_is_refused_or_reads_exactly_its_complete_rows(sample: Sample) -> None:
    with tempfile.TemporaryDirectory() as folder:
        whole = Path(folder) / f"whole{sample.suffix}"
        sample.write(sample.frame(), whole)
        data = whole.read_bytes()
    ends = [i + 1 for i, byte in enumerate(data) if byte == ord("\n")]
    near_ends = st.sampled_from(ends).flatmap(lambda e: st.integers(max(e - 2, 0), min(e + 1, len(data) - 1)))

    @settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(cut=st.one_of(st.integers(0, len(data) - 1), near_ends) if ends else st.integers(0, len(data) - 1))
    def check(cut: int) -> None:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / f"cut{sample.suffix}"
            path.write_bytes(data[:cut])
            store = Store(Path(folder) / "store.sqlite")
            expected = _accepted_cut(sample, data, cut)
            refusal: InvalidInput | None = None
            rows_read = None
            try:
                (report,) = ingest(store, [str(path)])
                rows_read = report.rows_read
            except InvalidInput as exc:
                refusal = exc
            line_items = store.info().line_items
            store.close()
            if refusal is not None:
                assert "written" in str(refusal)
                assert line_items == 0
                assert expected is None, f"a cut at a row boundary ({cut}) was refused: {refusal}"
                return
            assert expected is not None, f"a cut at byte {cut} of {len(data)} was accepted"
            assert rows_read == expected

    check()

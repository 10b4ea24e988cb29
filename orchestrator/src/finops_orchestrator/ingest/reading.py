"""Finding export files and reading them in bounded chunks (memory stays flat whatever the file size).

A file is read whole or refused: a file cut short (mid-cell, late in a row, inside a gzip member or a
Parquet footer, mid-way through a JSON line) and a file past one of the ``ceilings`` are refused before
anything from it is committed, with what is wrong and what to do.
"""

from __future__ import annotations

import csv
import glob
import io
import json
import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
from finops_core.errors import InvalidInput

from finops_orchestrator.ingest.ceilings import (
    MAX_COLUMNS,
    MAX_FIELD_BYTES,
    MAX_HEADER_BYTES,
    MAX_JSON_DEPTH,
    MAX_LINE_BYTES,
    MAX_ROW_BYTES,
    MIB,
)
from finops_orchestrator.ingest.streams import NOTHING_WRITTEN, ExportStream, is_gzip

CHUNK_ROWS = 50_000
CSV_BLOCK_BYTES = MAX_ROW_BYTES  # about 50,000 rows of a typical export per chunk; a row must fit in one
READ_AHEAD_BLOCKS = 4  # reads of CSV blocks ahead of the consumer (see PacedSource)
SUFFIXES = (".csv", ".csv.gz", ".parquet", ".jsonl", ".json", ".jsonl.gz", ".json.gz")


def _is_export(path: Path) -> bool:
    return path.is_file() and any(path.name.lower().endswith(s) for s in SUFFIXES)


def expand(paths: list[str]) -> list[Path]:
    """Files named, found in folders (recursively) or matched by globs, in a stable order."""
    found: list[Path] = []
    for raw in paths:
        path = Path(raw).expanduser()
        if path.is_dir():
            matches = sorted(p for p in path.rglob("*") if _is_export(p))
        elif path.is_file():
            matches = [path]
        else:
            matches = sorted(Path(p) for p in glob.glob(str(path), recursive=True) if _is_export(Path(p)))
        if not matches:
            raise InvalidInput(f"{raw}: no such file, or no {', '.join(SUFFIXES)} files in it. Nothing was written.")
        found += [m for m in matches if m not in found]
    return found


def chunks(path: Path, rows: int = CHUNK_ROWS, *, where: str | None = None) -> Iterator[pa.Table | pd.DataFrame]:
    """The file as tables of about ``rows`` rows (Arrow for CSV and Parquet, pandas for JSON lines). CSV
    cells stay text (exact decimals). The first table may be empty: an export with no rows (its columns,
    if it has a header); the last check runs after the last table, so a consumer must read to the end."""
    where = where if where is not None else f"{path.name}: "
    name = path.name.lower()
    try:
        if name.endswith(".parquet"):
            yield from _parquet(path, rows, where)
        elif ".json" in name:
            yield from _json_lines(path, rows, where)
        else:
            yield from _csv(path, where)
    except pa.ArrowInvalid as exc:
        raise InvalidInput(f"{where}cannot read it ({exc}). {NOTHING_WRITTEN}.") from exc
    except UnicodeDecodeError as exc:
        raise InvalidInput(
            f"{where}is not UTF-8 text (byte {exc.start} of a line: {exc.reason}). {NOTHING_WRITTEN}; save it as "
            "UTF-8 and try again."
        ) from exc
    except OSError as exc:
        raise InvalidInput(f"{where}cannot read it ({exc}). {NOTHING_WRITTEN}.") from exc


# --- CSV ---------------------------------------------------------------------------------------------------


def _csv(path: Path, where: str) -> Iterator[pa.Table]:
    """CSV through pyarrow's streaming reader (several times faster than pandas'), every column as text so
    amounts stay exact; empty cells stay empty strings (``values.cell`` decides what is null).

    Its rows must all have the header's number of cells, or all the same smaller number (the header then
    names trailing columns no row fills, as in a koku CUR fixture: those cells are empty). A row of any other
    width is damaged, and a file that does not end with a line end, or ends inside a quoted cell, was cut.
    """
    with ExportStream(path, where) as stream:
        if stream.final_byte() not in (None, b"\n"):
            raise _cut(where)
        names, width = _header(stream, where)
        if names is None:  # 0 bytes: an export with nothing in it
            yield pa.table({})
            return
        if width is not None and width > len(names):
            raise InvalidInput(
                f"{where}row 1 has {width} cells but the header names {len(names)} columns. {NOTHING_WRITTEN}; "
                "check the header row."
            )
        read = names[:width] if width is not None else names
        missing = names[len(read) :]
        done = 0
        empty = True
        last_cell = ""
        with PacedSource(stream, path) as source:
            try:
                with source.opening():
                    reader = pacsv.open_csv(
                        source,
                        read_options=pacsv.ReadOptions(block_size=CSV_BLOCK_BYTES, column_names=read, skip_rows=1),
                        parse_options=pacsv.ParseOptions(newlines_in_values=True),
                        convert_options=pacsv.ConvertOptions(
                            column_types=dict.fromkeys(read, pa.string()),
                            strings_can_be_null=False,
                            null_values=[],
                            quoted_strings_can_be_null=False,
                        ),
                    )
            except pa.ArrowInvalid as exc:
                raise _csv_error(exc, path, where, done, len(read)) from exc
            while True:
                try:
                    batch = reader.read_next_batch()
                except StopIteration:
                    break
                except pa.ArrowInvalid as exc:
                    raise _csv_error(exc, path, where, done, len(read)) from exc
                source.took_batch()
                if not batch.num_rows:
                    continue
                table = pa.Table.from_batches([batch])
                if missing:
                    blank = pa.array([""] * batch.num_rows, pa.string())
                    table = pa.Table.from_arrays([*table.columns, *[blank] * len(missing)], names=[*read, *missing])
                check_fields(table, where, done)
                done += batch.num_rows
                empty = False
                last_cell = batch.column(len(read) - 1)[-1].as_py() or ""
                yield table
        _check_complete(stream, path, where, last_cell)
    if empty:
        yield pa.table({n: pa.array([], pa.string()) for n in names})


class PacedSource(io.RawIOBase):
    """A CSV file's bytes for Arrow's streaming reader, handed out at most ``READ_AHEAD_BLOCKS`` reads ahead of
    the batches its consumer took (``took_batch``).

    Left alone, Arrow reads in a thread of its own up to 32 blocks ahead of the batches asked for (its background
    reader's queue, not an option): 512 MiB at our block size, most of an ingest's peak memory, since the consumer
    writes to SQLite more slowly than Arrow reads. Arrow makes a block's batch once it has read the next block, so
    the batch the consumer waits for needs 2 reads past those of the batches it took, and 4 never stall it.
    Opening is the exception: Arrow reads on until a block gives rows (the first block may hold only the header and
    part of a long row, later ones only blank lines), dropping each block that gives none. While ``opening``, a read
    waits instead until fewer than ``READ_AHEAD_BLOCKS`` of the blocks handed out are still held; the batches made
    until then count as taken.

    A plain file is read by Arrow's own I/O into Arrow's memory pool (about 100 MB less memory per GB than
    Python's bytes); a gzip file through its stream, which refuses a member cut short or expanding past its
    ceilings. ``close`` ends the file for Arrow (it reads an end of file), so a reader left unfinished (a refused
    row, a consumer that stopped) never leaves Arrow's thread waiting.
    """

    def __init__(self, stream: ExportStream, path: Path) -> None:
        super().__init__()
        self._turn = threading.Condition()
        self.reads = 0
        self.taken = 0
        self.paused = False  # Arrow's thread is waiting for the consumer
        self._opening = False
        self._held = 0  # blocks handed out that Arrow still holds
        self._ended = False
        self._stream = stream
        self._file: pa.NativeFile | None = None
        self._file = None if is_gzip(path) else pa.OSFile(str(path))

    def read_buffer(self, size: int) -> pa.Buffer:
        """The next ``size`` bytes (fewer at the end), once the consumer is close enough behind."""
        with self._turn:  # held while reading, so close() never closes the file under a read
            if not self._may_read():
                self.paused = True
                self._turn.notify_all()
                self._turn.wait_for(self._may_read)
                self.paused = False
            if self._ended:
                return pa.py_buffer(b"")
            self.reads += 1
            if self._file is not None:
                buffer = self._file.read_buffer(size)
            else:
                buffer = pa.py_buffer(self._stream.read(size) or b"")
            self._held += 1
            weakref.finalize(buffer, self._dropped)
            return buffer

    def _dropped(self) -> None:
        with self._turn:
            self._held -= 1
            self._turn.notify_all()

    def read(self, size: int = -1) -> pa.Buffer:  # type: ignore[override]
        """pyarrow reads through ``read_buffer`` (no copy) when a file has one; this is the same."""
        return self.read_buffer(size)

    def _may_read(self) -> bool:
        if self._ended:
            return True
        if self._opening:
            return self._held < READ_AHEAD_BLOCKS
        return self.reads < self.taken + READ_AHEAD_BLOCKS

    @contextmanager
    def opening(self) -> Iterator[None]:
        """Around ``open_csv``, which returns once a block has given rows, however many blocks that takes."""
        with self._turn:
            self._opening = True
            self._turn.notify_all()
        try:
            yield
        finally:
            with self._turn:
                self._opening = False
                self.taken = max(self.reads - 2, 0)  # all but the block Arrow is at and the one after it

    def took_batch(self) -> None:
        with self._turn:
            self.taken += 1
            self._turn.notify_all()

    def wait_paused(self, timeout: float) -> bool:
        """Whether Arrow's thread comes to wait for the consumer (as it stands) within ``timeout`` seconds."""
        with self._turn:
            return self._turn.wait_for(lambda: self.paused and not self._may_read(), timeout)

    def readable(self) -> bool:
        return True

    def close(self) -> None:
        with self._turn:
            self._ended = True
            self._turn.notify_all()
            if self._file is not None:
                self._file.close()
        super().close()


def _header(stream: ExportStream, where: str) -> tuple[list[str] | None, int | None]:
    """The header's column names (None for a file of 0 bytes) and the first row's width (None if unknown);
    the bytes read are given back to the stream."""
    head = stream.read_head(MAX_HEADER_BYTES)
    if not head:
        return None, None
    end = head.find(b"\n")
    if end < 0:
        if len(head) >= MAX_HEADER_BYTES:
            raise InvalidInput(
                f"{where}has no line end in its first {MAX_HEADER_BYTES // MIB} MiB: it is not a CSV export (a "
                f"header row of at most {MAX_COLUMNS:,} columns is). {NOTHING_WRITTEN}."
            )
        raise InvalidInput(
            f"{where}ends inside its header row (no line end): it was cut off, or is not a CSV export. "
            f"{NOTHING_WRITTEN}; fetch it again."
        )
    names = next(csv.reader([head[: end + 1].decode("utf-8-sig")]), [])
    if not any(name.strip() for name in names):
        raise InvalidInput(
            f"{where}its first line is empty: an export starts with its header row. {NOTHING_WRITTEN}; check the file."
        )
    if len(names) > MAX_COLUMNS:
        raise InvalidInput(
            f"{where}has {len(names):,} columns; exports have at most {MAX_COLUMNS:,}. {NOTHING_WRITTEN}; check it "
            "is a billing export."
        )
    width = _first_width(head[end + 1 :], complete=stream.exhausted)
    stream.unread(head)
    return names, width


def _first_width(rest: bytes, *, complete: bool) -> int | None:
    """How many cells the first non-empty row has, if it ends within ``rest`` (``complete``: ``rest`` is
    the whole remainder of the file)."""
    text = rest.decode("utf-8", errors="replace")
    lines = [line + "\n" for line in text.split("\n")]
    lines[-1] = lines[-1][:-1]
    used = 0

    def feed() -> Iterator[str]:
        nonlocal used
        for line in lines:
            used += 1
            yield line

    try:
        for row in csv.reader(feed()):
            if not row:
                continue
            finished = used < len(lines) or (complete and text.endswith("\n"))
            return len(row) if finished else None
    except csv.Error:  # a cell past the csv module's limit: the fast reader will judge the row
        return None
    return None


def _csv_error(exc: pa.ArrowInvalid, path: Path, where: str, done: int, width: int) -> InvalidInput:
    message = str(exc)
    if "straddling" in message or "straddles" in message:
        return InvalidInput(
            f"{where}a row after row {done:,} is longer than {MAX_ROW_BYTES // MIB} MiB (or a quote is never "
            f"closed): exports have no such rows. {NOTHING_WRITTEN}; check the file near that row."
        )
    if "Expected" in message and "columns" in message:
        if _ends_inside_quotes(path, where):  # the short row is the last one, cut inside a quoted cell
            return _cut_in_quotes(where)
        row, cells = _bad_row(path, where, width)
        at = f"row {row:,} has {cells:,} cells" if row else f"a row after row {done:,} has another number of cells"
        return InvalidInput(
            f"{where}{at} where its other rows have {width:,}: the row is damaged (cells missing or added, a stray "
            f"comma or line break outside quotes), or the file was cut there. {NOTHING_WRITTEN}; fix or remove that "
            "row, or fetch the file again."
        )
    if "UTF8" in message or "UTF-8" in message:
        return InvalidInput(
            f"{where}a row after row {done:,} is not UTF-8 text. {NOTHING_WRITTEN}; save the file as UTF-8 and try "
            "again."
        )
    return InvalidInput(f"{where}cannot read it ({message}). {NOTHING_WRITTEN}.")


def _records(path: Path, where: str, *, strict: bool = False) -> Iterator[list[str]]:
    """The file's CSV records (empty lines skipped, header included) through Python's csv module: slow, used
    only to explain an error."""
    csv.field_size_limit(max(csv.field_size_limit(), MAX_FIELD_BYTES))
    with (
        ExportStream(path, where) as stream,
        io.TextIOWrapper(io.BufferedReader(stream, MIB), encoding="utf-8-sig", newline="") as text,
    ):
        yield from (r for r in csv.reader(text, strict=strict) if r)


def _bad_row(path: Path, where: str, width: int) -> tuple[int | None, int]:
    """The first data row (1-based) whose number of cells is not ``width``, and its count."""
    try:
        for number, record in enumerate(_records(path, where)):
            if number and len(record) != width:
                return number, len(record)
    except csv.Error:
        pass
    return None, 0


def _check_complete(stream: ExportStream, path: Path, where: str, last_cell: str) -> None:
    """Refuse a file that does not end where a complete CSV file ends: with a line end, outside quotes.

    A file that ends inside a quoted cell has its final line end inside its last cell (Arrow reads the cell to
    the end of the file), so only then is the file read again to tell a genuine line break at the end of a
    cell from a cut."""
    if is_gzip(path) and stream.last_byte != b"\n":
        raise _cut(where)
    if last_cell.endswith("\n") and _ends_inside_quotes(path, where):
        raise _cut_in_quotes(where)


def truncation(path: Path, where: str) -> InvalidInput | None:
    """Why a plain CSV file looks cut off (no line end at its end, or its end inside a quoted cell), or None:
    for explaining a refusal only. A gzip file's own reading already says when its stream was cut."""
    if not path.name.lower().endswith(".csv"):
        return None
    try:
        with ExportStream(path, where) as stream:
            if stream.final_byte() not in (None, b"\n"):
                return _cut(where)
        with path.open("rb") as raw:  # the last row lies in the tail: a quote opened there and never closed
            raw.seek(max(path.stat().st_size - MAX_ROW_BYTES, 0))
            odd = raw.read().count(b'"') % 2
        if odd and _ends_inside_quotes(path, where):
            return _cut_in_quotes(where)
    except (InvalidInput, OSError, UnicodeDecodeError):
        return None
    return None


def _cut(where: str) -> InvalidInput:
    return InvalidInput(
        f"{where}does not end with a line end: its last row was cut off (an interrupted copy or download). "
        f"{NOTHING_WRITTEN}; fetch it again."
    )


def _cut_in_quotes(where: str) -> InvalidInput:
    return InvalidInput(
        f"{where}ends inside a quoted cell: it was cut off (an interrupted copy or download). {NOTHING_WRITTEN}; "
        "fetch it again."
    )


def _ends_inside_quotes(path: Path, where: str) -> bool:
    """An odd number of quotes: either a quote inside an unquoted cell (harmless) or a quoted cell never closed."""
    try:
        for _ in _records(path, where, strict=True):
            pass
    except csv.Error as exc:
        return "unexpected end of data" in str(exc)
    return False


def check_fields(table: pa.Table, where: str, first_row: int) -> None:
    """Refuse a string cell longer than ``MAX_FIELD_BYTES``, naming its row and column."""
    for name, column in zip(table.column_names, table.columns, strict=True):
        if not (pa.types.is_string(column.type) or pa.types.is_binary(column.type)) or not len(column):
            continue
        lengths = pc.call_function("binary_length", [column])
        longest = pc.call_function("max", [lengths]).as_py()
        if longest is not None and longest > MAX_FIELD_BYTES:
            row = int(np.argmax(lengths.to_numpy(zero_copy_only=False)))
            raise InvalidInput(
                f"{where}row {first_row + row + 1:,}, column {name}: the cell holds {longest:,} bytes; cells of "
                f"exports hold at most {MAX_FIELD_BYTES // MIB} MiB. {NOTHING_WRITTEN}; check that cell."
            )


# --- Parquet -----------------------------------------------------------------------------------------------


def _parquet(path: Path, rows: int, where: str) -> Iterator[pa.Table]:
    if not path.stat().st_size:  # an empty file, as an empty CSV or JSON lines file is
        yield pa.table({})
        return
    try:
        parquet = pq.ParquetFile(path)
    except (pa.ArrowInvalid, OSError) as exc:
        raise InvalidInput(
            f"{where}is not a complete Parquet file ({exc}): its footer is missing or damaged, as when a copy or "
            f"download is cut off. {NOTHING_WRITTEN}; fetch it again."
        ) from exc
    if parquet.metadata.num_columns > MAX_COLUMNS:
        raise InvalidInput(
            f"{where}has {parquet.metadata.num_columns:,} columns; exports have at most {MAX_COLUMNS:,}. "
            f"{NOTHING_WRITTEN}; check it is a billing export."
        )
    done = 0
    # A reader per row group: one reader over the whole file keeps memory of each row group it has read (Arrow
    # 26: 232 MB at the fifth of five 1M-row groups, 71 MB read one group at a time).
    batches = (b for g in range(parquet.num_row_groups) for b in parquet.iter_batches(rows, row_groups=[g]))
    try:
        for batch in batches:
            table = pa.Table.from_batches([batch])
            while any(pa.types.is_struct(f.type) for f in table.schema):  # BigQuery records -> dotted names
                table = table.flatten()
            check_fields(table, where, done)
            done += batch.num_rows
            yield table
    except (pa.ArrowInvalid, OSError) as exc:
        raise InvalidInput(
            f"{where}a Parquet page after row {done:,} is damaged ({exc}). {NOTHING_WRITTEN}; fetch it again."
        ) from exc
    if not done:
        yield parquet.schema_arrow.empty_table().flatten()


# --- JSON lines --------------------------------------------------------------------------------------------


def _json_lines(path: Path, rows: int, where: str) -> Iterator[pd.DataFrame]:
    """One JSON object per line (BigQuery's newline-delimited JSON); blank lines are skipped. Each line is
    bounded in bytes, nesting and keys before it is kept."""
    found = False
    with ExportStream(path, where) as stream, io.BufferedReader(stream, 1 * MIB) as lines:
        records: list[dict[str, Any]] = []
        number = pending = 0
        while line := lines.readline(MAX_LINE_BYTES + 1):
            number += 1
            if len(line) > MAX_LINE_BYTES:
                raise InvalidInput(
                    f"{where}line {number:,} is longer than {MAX_LINE_BYTES // MIB} MiB; an export's records are "
                    f"far smaller. {NOTHING_WRITTEN}; check it is a billing export in JSON lines."
                )
            if not line.strip():
                continue
            records.append(_record(line, number, where))
            pending += len(line)
            if len(records) >= rows or pending >= CSV_BLOCK_BYTES:  # big records: fewer per chunk
                found = True
                yield _frame(records, where)
                records, pending = [], 0
        if records or not found:
            yield _frame(records, where)


def _record(line: bytes, number: int, where: str) -> dict[str, Any]:
    try:
        record = json.loads(line)
    except RecursionError as exc:
        raise _too_deep(number, where) from exc
    except json.JSONDecodeError as exc:
        cut = "" if line.endswith(b"\n") else " (the line has no line end: the file was cut off there)"
        raise InvalidInput(
            f"{where}line {number:,} is not valid JSON{cut}: {exc.msg} at character {exc.pos}. {NOTHING_WRITTEN}; "
            "fix that line, or fetch the file again."
        ) from exc
    if not isinstance(record, dict):
        raise InvalidInput(
            f"{where}line {number:,} is a JSON {type(record).__name__}, not an object: JSON lines exports hold one "
            f"record (an object) per line. {NOTHING_WRITTEN}."
        )
    if (
        line.count(b"{") + line.count(b"[") > MAX_JSON_DEPTH
        or line.count(b":") > MAX_COLUMNS
        or len(line) > MAX_FIELD_BYTES
    ):
        depth, keys, longest = _shape(record)  # only for lines that could break a ceiling (counts include strings)
        if longest > MAX_FIELD_BYTES:
            raise InvalidInput(
                f"{where}line {number:,} holds a value of {longest:,} characters; cells of exports hold at most "
                f"{MAX_FIELD_BYTES // MIB} MiB. {NOTHING_WRITTEN}; check that line."
            )
        if depth > MAX_JSON_DEPTH:
            raise _too_deep(number, where)
        if keys > MAX_COLUMNS:
            raise InvalidInput(
                f"{where}line {number:,} has {keys:,} keys; records of exports have at most {MAX_COLUMNS:,}. "
                f"{NOTHING_WRITTEN}; check it is a billing export."
            )
    return record  # pyright: ignore[reportUnknownVariableType]


def _too_deep(number: int, where: str) -> InvalidInput:
    return InvalidInput(
        f"{where}line {number:,} nests objects or lists more than {MAX_JSON_DEPTH} deep; billing records nest a "
        f"few levels. {NOTHING_WRITTEN}; check it is a billing export."
    )


def _shape(value: Any) -> tuple[int, int, int]:
    """(nesting depth, keys, longest string) of a parsed JSON value, without recursion."""
    depth = keys = longest = 0
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, str):
            longest = max(longest, len(item))
        elif isinstance(item, dict):
            depth = max(depth, level)
            keys += len(item)  # pyright: ignore[reportUnknownArgumentType]
            stack.extend((v, level + 1) for v in item.values())  # pyright: ignore[reportUnknownVariableType, reportUnknownMemberType]
        elif isinstance(item, list):
            depth = max(depth, level)
            stack.extend((v, level + 1) for v in item)  # pyright: ignore[reportUnknownVariableType]
    return depth, keys, longest


def _frame(records: list[dict[str, Any]], where: str) -> pd.DataFrame:
    frame = pd.json_normalize(records)
    if len(frame.columns) > MAX_COLUMNS:
        raise InvalidInput(
            f"{where}its records have {len(frame.columns):,} different keys; exports have at most {MAX_COLUMNS:,} "
            f"columns. {NOTHING_WRITTEN}; check it is a billing export."
        )
    return frame

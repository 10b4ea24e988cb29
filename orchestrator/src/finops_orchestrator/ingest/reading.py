"""Finding export files and reading them in bounded chunks (memory stays flat whatever the file size)."""

from __future__ import annotations

import csv
import glob
import gzip
import json
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
from finops_core.errors import InvalidInput

CHUNK_ROWS = 50_000
CSV_BLOCK_BYTES = 16 << 20  # about 50,000 rows of a typical export per chunk
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


class RaggedCsv(InvalidInput):
    """A CSV whose rows have fewer cells than its header: read it again with ``tolerant=True``."""


def chunks(path: Path, rows: int = CHUNK_ROWS, *, tolerant: bool = False) -> Iterator[pa.Table | pd.DataFrame]:
    """The file as tables of about ``rows`` rows (Arrow for CSV and Parquet, pandas otherwise). CSV cells stay
    text (exact decimals).

    CSV goes through pyarrow (fast) unless ``tolerant``: then through pandas, which accepts rows shorter
    than the header (some real exports have them), filling the missing cells with nothing.
    """
    name = path.name.lower()
    try:
        if name.endswith(".parquet"):
            yield from _parquet(path, rows)
        elif ".json" in name:
            yield from _json_lines(path, rows)
        elif tolerant:
            yield from pd.read_csv(path, dtype=str, keep_default_na=False, chunksize=rows, encoding="utf-8-sig")
        else:
            yield from _csv(path)
    except pa.ArrowInvalid as exc:
        if "Expected" in str(exc) and "columns" in str(exc):
            raise RaggedCsv(f"{path}: rows shorter than the header") from exc
        raise InvalidInput(f"{path}: cannot read it ({exc}). Nothing from this file was written.") from exc
    except (pd.errors.ParserError, UnicodeDecodeError, json.JSONDecodeError, OSError) as exc:
        raise InvalidInput(f"{path}: cannot read it ({exc}). Nothing from this file was written.") from exc


def _csv(path: Path) -> Iterator[pa.Table]:
    """CSV through pyarrow's streaming reader (several times faster than pandas'), every column as text so
    amounts stay exact; empty cells stay empty strings (``values.cell`` decides what is null)."""
    opener = gzip.open if path.name.lower().endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8-sig", newline="") as f:
        names = next(csv.reader(f), [])
    reader = pacsv.open_csv(
        str(path),
        read_options=pacsv.ReadOptions(block_size=CSV_BLOCK_BYTES),
        parse_options=pacsv.ParseOptions(newlines_in_values=True),
        convert_options=pacsv.ConvertOptions(
            column_types=dict.fromkeys(names, pa.string()),
            strings_can_be_null=False,
            null_values=[],
            quoted_strings_can_be_null=False,
        ),
    )
    for batch in reader:
        if batch.num_rows:
            yield pa.Table.from_batches([batch])


def _parquet(path: Path, rows: int) -> Iterator[pa.Table]:
    for batch in pq.ParquetFile(path).iter_batches(batch_size=rows):
        table = pa.Table.from_batches([batch])
        while any(pa.types.is_struct(f.type) for f in table.schema):  # BigQuery records -> dotted names
            table = table.flatten()
        yield table


def _json_lines(path: Path, rows: int) -> Iterator[pd.DataFrame]:
    opener = gzip.open if path.name.lower().endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as f:
        records: list[dict[str, object]] = []
        for line in f:
            if line.strip():
                records.append(json.loads(line))
            if len(records) >= rows:
                yield pd.json_normalize(records)
                records = []
        if records:
            yield pd.json_normalize(records)

"""Finding export files and reading them in bounded chunks (memory stays flat whatever the file size)."""

from __future__ import annotations

import glob
import json
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from finops_core.errors import InvalidInput

CHUNK_ROWS = 50_000
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


def chunks(path: Path, rows: int = CHUNK_ROWS) -> Iterator[pd.DataFrame]:
    """The file as DataFrames of at most ``rows`` rows. CSV cells stay text (exact decimals)."""
    name = path.name.lower()
    try:
        if name.endswith(".parquet"):
            yield from _parquet(path, rows)
        elif ".json" in name:
            yield from _json_lines(path, rows)
        else:
            yield from pd.read_csv(path, dtype=str, keep_default_na=False, chunksize=rows, encoding="utf-8-sig")
    except (pd.errors.ParserError, pa.ArrowInvalid, UnicodeDecodeError, json.JSONDecodeError, OSError) as exc:
        raise InvalidInput(f"{path}: cannot read it ({exc}). Nothing from this file was written.") from exc


def _parquet(path: Path, rows: int) -> Iterator[pd.DataFrame]:
    for batch in pq.ParquetFile(path).iter_batches(batch_size=rows):
        table = pa.Table.from_batches([batch])
        while any(pa.types.is_struct(f.type) for f in table.schema):  # BigQuery records -> dotted names
            table = table.flatten()
        yield table.to_pandas(types_mapper=None)


def _json_lines(path: Path, rows: int) -> Iterator[pd.DataFrame]:
    import gzip

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

"""Every format's sample, small, as the file kinds real exports come in: the property tests' inputs.

Each sample is a table of text cells (``frame``) and the suffix it is written as; ``write`` renders it like its
vendor does (CSV, gzip CSV, Parquet with CUR 2.0 maps or BigQuery records, JSON lines).
"""

from __future__ import annotations

import contextlib
import gzip
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from finops_orchestrator.ingest.values import parse_python_literal

from tests.conftest import SHARED

NATIVE = SHARED / "data/native-samples"
FOCUS_CSV = SHARED / "data/focus-samples/FOCUS-1.0/focus_sample_1000.csv"
_NESTED = ("credits", "labels", "system_labels", "project.labels")
_GCP_NUMBERS = ("cost", "usage.amount", "usage.amount_in_pricing_units", "currency_conversion_rate")


def read(path: Path, rows: int | None = None) -> pd.DataFrame:
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    return frame if rows is None else frame.iloc[:rows].reset_index(drop=True)


def _csv(frame: pd.DataFrame, path: Path) -> None:
    frame.to_csv(path, index=False)


def _csv_gz(frame: pd.DataFrame, path: Path) -> None:
    path.write_bytes(gzip.compress(frame.to_csv(index=False).encode()))


def _parquet(frame: pd.DataFrame, path: Path) -> None:
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), path)


def _cur2_parquet(frame: pd.DataFrame, path: Path) -> None:
    """CUR 2.0: tags and product attributes in map columns."""
    tag_columns = [c for c in frame.columns if c.startswith("resource_tags_user_")]
    product_columns = [c for c in frame.columns if c.startswith("product_") and c != "product_servicecode"]
    records = frame.drop(columns=tag_columns + product_columns).to_dict("records")
    for record, (_, row) in zip(records, frame.iterrows(), strict=True):
        record["resource_tags"] = [(f"user_{c.removeprefix('resource_tags_user_')}", row[c]) for c in tag_columns]
        record["product"] = [(c.removeprefix("product_"), row[c]) for c in product_columns if str(row[c])]
    plain = [pa.field(c, pa.string()) for c in records[0] if c not in ("resource_tags", "product")]
    maps = [pa.field(c, pa.map_(pa.string(), pa.string())) for c in ("resource_tags", "product")]
    pq.write_table(pa.Table.from_pylist(records, schema=pa.schema(plain + maps)), path)


def bigquery_records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Flattened BigQuery CSV rows back as the nested records BigQuery exports (credits and labels as lists,
    amounts as numbers); a cell that is no longer readable stays text."""
    records: list[dict[str, Any]] = []
    for row in frame.to_dict("records"):
        nested: dict[str, Any] = {}
        for key, value in row.items():
            if key in _NESTED:
                with contextlib.suppress(ValueError, SyntaxError, RecursionError):
                    value = parse_python_literal(value) if value else []
            elif key in _GCP_NUMBERS:
                with contextlib.suppress(ValueError):
                    value = float(value) if value else None
            target = nested
            parts = key.split(".")
            for part in parts[:-1]:
                target = target.setdefault(part, {})
            target[parts[-1]] = value
        records.append(nested)
    return records


def _jsonl(frame: pd.DataFrame, path: Path) -> None:
    path.write_text("".join(json.dumps(r) + "\n" for r in bigquery_records(frame)))


def _bigquery_parquet(frame: pd.DataFrame, path: Path) -> None:
    pq.write_table(pa.Table.from_pylist(bigquery_records(frame)), path)


@dataclass(frozen=True)
class Sample:
    name: str
    suffix: str
    frame: Callable[[], pd.DataFrame]
    write: Callable[[pd.DataFrame, Path], None]


def _gcp() -> pd.DataFrame:
    return read(NATIVE / "gcp/koku_gcp_bq_export_2020-11.csv")


_ATHENA = "aws/koku_cur_athena_snake_case_2022-07-01.csv"
SAMPLES = [
    Sample("focus-csv", ".csv", lambda: read(FOCUS_CSV, 40), _csv),
    Sample("focus-csv-gz", ".csv.gz", lambda: read(FOCUS_CSV, 40), _csv_gz),
    Sample("focus-parquet", ".parquet", lambda: read(FOCUS_CSV, 40), _parquet),
    Sample("aws-cur-legacy", ".csv", lambda: read(NATIVE / "aws/koku_cur_legacy_2023-06-01_costCategory.csv"), _csv),
    Sample("aws-cur-snake-case", ".csv", lambda: read(NATIVE / _ATHENA), _csv),
    Sample("aws-cur-2-parquet", ".parquet", lambda: read(NATIVE / _ATHENA), _cur2_parquet),
    Sample("azure-ea", ".csv", lambda: read(NATIVE / "azure/finops-toolkit_EA_ActualCost_Small.csv"), _csv),
    Sample("azure-mca", ".csv", lambda: read(NATIVE / "azure/koku_azure_v2_PascalCase.csv"), _csv),
    Sample("azure-legacy", ".csv", lambda: read(NATIVE / "azure/koku_azure_v1_legacy_costreport.csv"), _csv),
    Sample("gcp-csv", ".csv", _gcp, _csv),
    Sample("gcp-jsonl", ".jsonl", _gcp, _jsonl),
    Sample("gcp-parquet", ".parquet", _gcp, _bigquery_parquet),
]

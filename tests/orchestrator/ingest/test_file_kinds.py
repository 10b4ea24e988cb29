"""The same billing data arrives as CSV, gzip, Parquet (with CUR 2.0 map columns or BigQuery records) or JSON
lines; each reads to the same totals."""

from __future__ import annotations

import gzip
import json
import shutil
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from finops_core.money import from_nanos
from finops_core.store import Store
from finops_orchestrator.ingest import ingest
from finops_orchestrator.ingest.values import parse_python_literal

from tests.conftest import SHARED

NATIVE = SHARED / "data/native-samples"


def _totals(paths: list[Path], tmp_path: Path, name: str) -> tuple[dict[str, Decimal], dict[str, str]]:
    store = Store(tmp_path / f"{name}.sqlite")
    ingest(store, [str(p) for p in paths])
    with store.reader() as conn:
        sums = {
            s: from_nanos(int(n))
            for s, n in conn.execute("SELECT service_name, SUM(billed_cost) FROM focus_line_items GROUP BY 1")
        }
        tags = dict(conn.execute("SELECT resource_id, tags FROM focus_line_items WHERE tags IS NOT NULL"))
    return sums, tags


def test_a_gzipped_csv_reads_like_the_plain_file(tmp_path: Path) -> None:
    plain = NATIVE / "aws/focus_converters_sample-anonymous-aws-cur-legacy.csv"
    packed = tmp_path / "cur.csv.gz"
    with plain.open("rb") as src, gzip.open(packed, "wb") as dst:
        shutil.copyfileobj(src, dst)
    assert _totals([packed], tmp_path, "gz") == _totals([plain], tmp_path, "plain")


def test_cur_2_0_parquet_with_map_columns_reads_like_the_athena_csv(tmp_path: Path) -> None:
    athena = NATIVE / "aws/koku_cur_athena_snake_case_2022-07-01.csv"
    frame = pd.read_csv(athena, dtype=str, keep_default_na=False)
    tag_columns = [c for c in frame.columns if c.startswith("resource_tags_user_")]
    product_columns = [c for c in frame.columns if c.startswith("product_") and c != "product_servicecode"]
    records = frame.drop(columns=tag_columns + product_columns).to_dict("records")
    for record, (_, row) in zip(records, frame.iterrows(), strict=True):
        record["resource_tags"] = [
            (f"user_{c.removeprefix('resource_tags_user_')}", row[c]) for c in tag_columns if row[c]
        ]
        record["product"] = [(c.removeprefix("product_"), row[c]) for c in product_columns if row[c]]
    table = pa.Table.from_pylist(
        records,
        schema=pa.schema(
            [pa.field(c, pa.string()) for c in records[0] if c not in ("resource_tags", "product")]
            + [
                pa.field("resource_tags", pa.map_(pa.string(), pa.string())),
                pa.field("product", pa.map_(pa.string(), pa.string())),
            ]
        ),
    )
    cur2 = tmp_path / "cur2.parquet"
    pq.write_table(table, cur2)
    assert _totals([cur2], tmp_path, "cur2") == _totals([athena], tmp_path, "athena")


def _bigquery_records(csv: Path) -> list[dict[str, object]]:
    """The flattened CSV rows back as the nested records BigQuery exports."""
    frame = pd.read_csv(csv, dtype=str, keep_default_na=False)
    records: list[dict[str, object]] = []
    for row in frame.to_dict("records"):
        nested: dict[str, object] = {}
        for key, value in row.items():
            if key in ("credits", "labels", "system_labels", "project.labels"):
                value = parse_python_literal(value) if value else []
            elif key in ("cost", "usage.amount", "usage.amount_in_pricing_units", "currency_conversion_rate"):
                value = float(value) if value else None
            parts = key.split(".")
            target = nested
            for part in parts[:-1]:
                target = target.setdefault(part, {})  # type: ignore[assignment]
            target[parts[-1]] = value
        records.append(nested)
    return records


def test_gcp_json_lines_and_parquet_read_like_the_csv(tmp_path: Path) -> None:
    csv = NATIVE / "gcp/koku_gcp_bq_export_2020-11.csv"
    records = _bigquery_records(csv)
    lines = tmp_path / "gcp.jsonl"
    lines.write_text("\n".join(json.dumps(r) for r in records) + "\n")
    parquet = tmp_path / "gcp.parquet"
    pq.write_table(pa.Table.from_pylist(records), parquet)
    expected = _totals([csv], tmp_path, "csv")
    assert _totals([lines], tmp_path, "jsonl") == expected
    assert _totals([parquet], tmp_path, "parquet") == expected

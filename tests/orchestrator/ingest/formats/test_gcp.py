"""The Google Cloud billing export mapping. Nested fields are read in every shape the export writes them, and their
money is never lost: credits as a list, one object, JSON text or a Python repr; labels as lists, one object or a
mapping; system labels and project ancestry kept; an unreadable shape is refused naming its row and column. A credit
row measures no quantity (FOCUS: no unit without a quantity), and every row has a SKU meter, a subcategory and, with
a resource name, a resource type."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from finops_core.errors import InvalidInput
from finops_core.money import from_nanos
from finops_core.service_categories import SUBCATEGORIES
from finops_core.store import Store
from finops_orchestrator.ingest import ingest

from tests.orchestrator.ingest.bad_cells import assert_csv_refused
from tests.orchestrator.ingest.formats.stored import edited, stored_rows
from tests.orchestrator.ingest.samples import NATIVE, bigquery_records, read

GCP_CSV = NATIVE / "gcp/koku_gcp_bq_export_2020-11.csv"  # 25 rows, 8 of them with credits


def _net(path: Path, tmp_path: Path) -> tuple[Decimal, int]:
    store = Store(tmp_path / f"{path.name}.sqlite")
    ingest(store, [str(path)])
    with store.reader() as conn:
        total, rows = conn.execute("SELECT SUM(billed_cost), COUNT(*) FROM focus_line_items").fetchone()
    return from_nanos(int(total)), int(rows)


def _records() -> list[dict[str, Any]]:
    records = bigquery_records(read(GCP_CSV))
    assert any(len(r["credits"]) == 1 for r in records)  # the sample's credits: one entry each
    return records


def _jsonl(records: list[dict[str, Any]], path: Path) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return path


@pytest.mark.parametrize(
    ("shape", "reshape"),
    [
        ("one object", lambda credits: credits[0] if len(credits) == 1 else credits),
        ("JSON text", json.dumps),
        ("Python repr", repr),
        (
            "JSON text of one object",
            lambda credits: json.dumps(credits[0]) if len(credits) == 1 else json.dumps(credits),
        ),
    ],
)
def test_credits_in_any_shape_net_like_the_csv_export(shape: str, reshape: Any, tmp_path: Path) -> None:
    records = _records()
    for record in records:
        if record["credits"]:
            record["credits"] = reshape(record["credits"])
    expected = _net(GCP_CSV, tmp_path)
    assert _net(_jsonl(records, tmp_path / "gcp.jsonl"), tmp_path) == expected, shape


def test_credits_as_one_record_in_parquet_net_like_the_csv_export(tmp_path: Path) -> None:
    records = _records()
    for record in records:
        record["credits"] = record["credits"][0] if record["credits"] else None
    path = tmp_path / "gcp.parquet"
    pq.write_table(pa.Table.from_pylist(records), path)
    assert _net(path, tmp_path) == _net(GCP_CSV, tmp_path)


@pytest.mark.parametrize(
    "cell", ["[1, 2]", "[{'name': 'no amount'}]", "[{'amount': 'ten'}]", "'credits'", "{'amount': nan}"]
)
def test_an_unreadable_credits_cell_is_refused_naming_its_row_and_column(cell: str, tmp_path: Path) -> None:
    frame = read(GCP_CSV)
    frame.loc[6, "credits"] = cell
    assert_csv_refused(frame, tmp_path / "gcp.csv", r"gcp\.csv: row 7, column credits: cannot read")


@pytest.mark.parametrize(
    "labels",
    [
        [{"key": "env", "value": "prod"}, {"key": "team", "value": "web"}],
        {"env": "prod", "team": "web"},
        json.dumps([{"key": "env", "value": "prod"}, {"key": "team", "value": "web"}]),
    ],
    ids=["list", "mapping", "JSON text"],
)
def test_labels_in_any_shape_become_the_same_tags(labels: Any, tmp_path: Path) -> None:
    records = _records()
    for record in records:
        record["labels"] = labels
    store = Store(tmp_path / "store.sqlite")
    ingest(store, [str(_jsonl(records, tmp_path / "gcp.jsonl"))])
    with store.reader() as conn:
        tags = {t for (t,) in conn.execute("SELECT DISTINCT tags FROM focus_line_items")}
    assert all(json.loads(t)["env"] == "prod" and json.loads(t)["team"] == "web" for t in tags)


def test_one_label_object_instead_of_a_list_is_one_label(tmp_path: Path) -> None:
    records = _records()
    for record in records:
        record["labels"] = {"key": "env", "value": "prod"}
    store = Store(tmp_path / "store.sqlite")
    ingest(store, [str(_jsonl(records, tmp_path / "gcp.jsonl"))])
    with store.reader() as conn:
        tags = {t for (t,) in conn.execute("SELECT DISTINCT tags FROM focus_line_items")}
    assert all(json.loads(t).get("env") == "prod" and "key" not in json.loads(t) for t in tags)


def test_system_labels_and_project_ancestry_are_kept_as_extras(tmp_path: Path) -> None:
    records = _records()
    ancestry = [{"resource_name": "organizations/1", "display_name": "example.com"}]
    for record in records:
        record["system_labels"] = [{"key": "compute.googleapis.com/machine_spec", "value": "e2-small"}]
        record["project"]["ancestors"] = ancestry
    store = Store(tmp_path / "store.sqlite")
    ingest(store, [str(_jsonl(records, tmp_path / "gcp.jsonl"))])
    with store.reader() as conn:
        (extras,) = conn.execute("SELECT x_extras FROM focus_line_items LIMIT 1").fetchone()
    assert json.loads(extras)["x_system_labels"] == {"compute.googleapis.com/machine_spec": "e2-small"}
    assert json.loads(extras)["x_project_ancestors"] == ancestry


def test_an_unreadable_project_ancestry_is_refused_naming_its_row_and_column(tmp_path: Path) -> None:
    records = _records()
    records[3]["project"]["ancestors"] = [1, 2]
    store = Store(tmp_path / "store.sqlite")
    with pytest.raises(InvalidInput, match=r"row 4, column project\.ancestors: cannot read"):
        ingest(store, [str(_jsonl(records, tmp_path / "gcp.jsonl"))])


QUANTITIES = ("pricing_quantity", "pricing_unit", "consumed_quantity", "consumed_unit")


def test_credit_rows_carry_no_quantity_or_unit_and_usage_rows_keep_theirs(tmp_path: Path) -> None:
    rows = stored_rows([GCP_CSV], tmp_path)
    credits = [r for r in rows if r["charge_category"] == "Credit"]
    usage = [r for r in rows if r["charge_category"] == "Usage"]
    assert len(credits) == 8
    assert all(r[q] is None for r in credits for q in QUANTITIES)
    assert all(r["consumed_unit"] is not None and r["consumed_quantity"] is not None for r in usage)


def test_every_row_has_a_meter_and_an_allowed_subcategory(tmp_path: Path) -> None:
    rows = stored_rows([GCP_CSV], tmp_path)
    assert all(r["sku_meter"] for r in rows)
    assert all(r["service_subcategory"] in SUBCATEGORIES[r["service_category"]] for r in rows)
    assert {r["service_subcategory"] for r in rows if r["service_name"] == "BigQuery"} == {"Data Processing"}


def test_a_resource_name_gives_the_resource_type(tmp_path: Path) -> None:
    names = ["//compute.googleapis.com/projects/p/zones/us-central1-a/instances/vm-1"] + [""] * 24
    rows = stored_rows([edited(GCP_CSV, tmp_path / "gcp.csv", **{"resource.global_name": names})], tmp_path)
    assert rows[0]["resource_type"] == "Instance"
    assert all(r["resource_type"] is None for r in rows if r["resource_id"] is None)

"""The Google Cloud billing export mapping: a credit row measures no quantity (FOCUS: no unit without a
quantity), and every row has a SKU meter, a subcategory and, with a resource name, a resource type."""

from __future__ import annotations

from pathlib import Path

from finops_core.service_categories import SUBCATEGORIES

from tests.conftest import SHARED
from tests.orchestrator.ingest.formats.stored import edited, stored_rows

EXPORT = SHARED / "data/native-samples/gcp/koku_gcp_bq_export_2020-11.csv"  # 25 rows, 8 of them with credits

QUANTITIES = ("pricing_quantity", "pricing_unit", "consumed_quantity", "consumed_unit")


def test_credit_rows_carry_no_quantity_or_unit_and_usage_rows_keep_theirs(tmp_path: Path) -> None:
    rows = stored_rows([EXPORT], tmp_path)
    credits = [r for r in rows if r["charge_category"] == "Credit"]
    usage = [r for r in rows if r["charge_category"] == "Usage"]
    assert len(credits) == 8
    assert all(r[q] is None for r in credits for q in QUANTITIES)
    assert all(r["consumed_unit"] is not None and r["consumed_quantity"] is not None for r in usage)


def test_every_row_has_a_meter_and_an_allowed_subcategory(tmp_path: Path) -> None:
    rows = stored_rows([EXPORT], tmp_path)
    assert all(r["sku_meter"] for r in rows)
    assert all(r["service_subcategory"] in SUBCATEGORIES[r["service_category"]] for r in rows)
    assert {r["service_subcategory"] for r in rows if r["service_name"] == "BigQuery"} == {"Data Processing"}


def test_a_resource_name_gives_the_resource_type(tmp_path: Path) -> None:
    names = ["//compute.googleapis.com/projects/p/zones/us-central1-a/instances/vm-1"] + [""] * 24
    rows = stored_rows([edited(EXPORT, tmp_path / "gcp.csv", **{"resource.global_name": names})], tmp_path)
    assert rows[0]["resource_type"] == "Instance"
    assert all(r["resource_type"] is None for r in rows if r["resource_id"] is None)

"""The AWS CUR mapping fills the FOCUS columns the validator checks: ChargeFrequency, ConsumedUnit,
ServiceSubcategory, ResourceType, SkuMeter and region id/name pairs."""

from __future__ import annotations

from pathlib import Path

from finops_core.service_categories import SUBCATEGORIES

from tests.conftest import SHARED
from tests.orchestrator.ingest.formats.stored import edited, stored_rows

NATIVE = SHARED / "data/native-samples/aws"
KOKU = NATIVE / "koku_test_cur_legacy.csv"  # 19 EC2 usage rows
CONVERTERS = NATIVE / "focus_converters_sample-anonymous-aws-cur-legacy.csv"
TYPES = ["Usage", "RIFee", "Fee", "SavingsPlanRecurringFee", "SavingsPlanUpfrontFee", "Tax", "Credit", "Refund"]


def test_every_line_item_type_gets_a_charge_frequency(tmp_path: Path) -> None:
    kinds = (TYPES * 3)[:19]
    rows = stored_rows([edited(KOKU, tmp_path / "cur.csv", **{"lineItem/LineItemType": kinds})], tmp_path)
    frequency = {kind: row["charge_frequency"] for row, kind in zip(rows, kinds, strict=True)}
    assert {kind: frequency[kind] for kind in TYPES} == {
        "Usage": "Usage-Based",
        "RIFee": "Recurring",
        "Fee": "One-Time",
        "SavingsPlanRecurringFee": "Recurring",
        "SavingsPlanUpfrontFee": "One-Time",
        "Tax": "Usage-Based",
        "Credit": "Usage-Based",
        "Refund": "Usage-Based",
    }


def test_a_usage_quantity_carries_the_pricing_unit_it_is_measured_in(tmp_path: Path) -> None:
    rows = stored_rows([CONVERTERS], tmp_path)
    measured = [r for r in rows if r["consumed_quantity"] is not None and r["charge_category"] == "Usage"]
    assert measured
    assert all(r["consumed_unit"] == r["pricing_unit"] for r in measured)
    assert sum(r["consumed_unit"] is None for r in measured) == sum(r["pricing_unit"] is None for r in measured)


def test_each_service_name_has_one_allowed_category_and_subcategory(tmp_path: Path) -> None:
    rows = stored_rows([CONVERTERS, KOKU], tmp_path)
    pairs = {(r["service_name"], r["service_category"], r["service_subcategory"]) for r in rows}
    assert len({name for name, _, _ in pairs}) == len(pairs)
    assert all(sub in SUBCATEGORIES[category] for _, category, sub in pairs)
    assert ("Amazon Simple Queue Service", "Integration", "Messaging") in pairs  # its CUR code is AWSQueueService


def test_a_resource_id_gets_its_type_and_a_meter_goes_with_a_sku(tmp_path: Path) -> None:
    ids = ["i-0abc", "vol-1", "arn:aws:ec2:us-east-1:1:instance/i-2", "arn:aws:sqs:us-east-1:1:queue-a", "bucket-a"]
    ids += ["snap-9"] * 14
    rows = stored_rows([edited(KOKU, tmp_path / "cur.csv", **{"lineItem/ResourceId": ids})], tmp_path)
    assert [r["resource_type"] for r in rows[:6]] == ["instance", "volume", "instance", "queue", None, "snapshot"]
    assert all(r["sku_meter"] for r in rows if r["sku_id"])


def test_a_region_code_and_its_location_fill_each_other(tmp_path: Path) -> None:
    rows = stored_rows([CONVERTERS], tmp_path)
    with_id = [r for r in rows if r["region_id"] is not None]
    assert all(r["region_name"] is not None for r in with_id)
    assert all(r["region_name"] is None for r in rows if r["region_id"] is None)
    assert {(r["region_id"], r["region_name"]) for r in with_id} >= {("us-east-1", "US East (N. Virginia)")}


def test_a_service_in_both_the_cur_and_aws_s_own_focus_export_gets_the_same_category(tmp_path: Path) -> None:
    """Mixing a CUR and AWS's FOCUS export must not put one ServiceName under two categories (the FOCUS sample
    splits Amazon Elastic Compute Cloud itself, between Compute and Storage; that one is AWS's own)."""
    rows = stored_rows([CONVERTERS, KOKU, SHARED / "data/focus-samples/FOCUS-1.0/focus_sample_1000.csv"], tmp_path)
    categories: dict[str, set[str]] = {}
    for row in rows:
        if row["provider_name"] == "AWS" and row["service_name"] != "Amazon Elastic Compute Cloud":
            categories.setdefault(row["service_name"], set()).add(row["service_category"])
    assert {name: found for name, found in categories.items() if len(found) > 1} == {}
    assert categories["Amazon Simple Queue Service"] == {"Integration"}  # in both files

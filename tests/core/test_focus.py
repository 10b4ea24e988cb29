"""The line item model carries every FOCUS 1.2 column, named as the spec names them."""

from __future__ import annotations

import csv
from datetime import UTC, datetime

import pytest
from finops_core.focus import COLUMNS_BY_NAME, FOCUS_COLUMNS, CostLineItem, snake_case
from pydantic import ValidationError

from tests.conftest import SHARED
from tests.factories import line_item

REFERENCE = SHARED / "data/focus-samples/reference/focus_cost_and_usage_columns_1.0-1.3.csv"


def _spec_columns() -> list[dict[str, str]]:
    with REFERENCE.open(newline="", encoding="utf-8") as f:
        return [row for row in csv.DictReader(f) if row["in_1_2"] == "True"]


def test_every_focus_1_2_column_is_a_field_of_the_line_item() -> None:
    spec = {snake_case(row["ColumnId"]) for row in _spec_columns()}
    assert spec == {c.name for c in FOCUS_COLUMNS}
    assert spec <= set(CostLineItem.model_fields)


def test_column_nullability_follows_the_spec() -> None:
    for row in _spec_columns():
        assert COLUMNS_BY_NAME[snake_case(row["ColumnId"])].nullable == (row["AllowsNulls"] == "True")


@pytest.mark.parametrize(
    ("focus", "snake"),
    [
        ("SubAccountId", "sub_account_id"),
        ("PricingCurrencyEffectiveCost", "pricing_currency_effective_cost"),
        ("SkuPriceId", "sku_price_id"),
        ("x_UsageType", "x_UsageType"),
    ],
)
def test_snake_case_names_match_the_spec_names(focus: str, snake: str) -> None:
    assert snake_case(focus) == snake


def test_naive_timestamps_are_read_as_utc() -> None:
    item = line_item(charge_period_start=datetime(2026, 1, 5), charge_period_end=datetime(2026, 1, 6))
    assert item.charge_period_start.tzinfo == UTC


def test_publisher_and_invoice_issuer_default_to_the_provider() -> None:
    item = line_item()
    assert item.publisher_name == item.invoice_issuer_name == "AWS"


def test_a_period_that_ends_before_it_starts_is_rejected() -> None:
    with pytest.raises(ValidationError, match="charge_period_end"):
        line_item(charge_period_end=datetime(2026, 1, 1, tzinfo=UTC))


def test_unknown_columns_are_rejected_rather_than_dropped() -> None:
    with pytest.raises(ValidationError):
        line_item(UnblendedCost=1)

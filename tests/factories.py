"""Small builders of test data."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from finops_core.focus import CostLineItem, Lineage
from finops_core.store import PartitionKey


def line_item(day: date = date(2026, 1, 5), **overrides: Any) -> CostLineItem:
    """A minimal valid AWS usage row on ``day`` (billing period = that month)."""
    start = day.replace(day=1)
    end = (start + timedelta(days=32)).replace(day=1)
    values: dict[str, Any] = {
        "provider_name": "AWS",
        "billing_account_id": "111111111111",
        "billing_currency": "USD",
        "billing_period_start": datetime(start.year, start.month, 1, tzinfo=UTC),
        "billing_period_end": datetime(end.year, end.month, 1, tzinfo=UTC),
        "charge_category": "Usage",
        "charge_period_start": datetime(day.year, day.month, day.day, tzinfo=UTC),
        "charge_period_end": datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(days=1),
        "service_name": "Amazon Elastic Compute Cloud",
        "sub_account_id": "222222222222",
        "region_id": "us-east-1",
        "billed_cost": Decimal("10.00"),
        "effective_cost": Decimal("9.00"),
        "list_cost": Decimal("12.00"),
        "contracted_cost": Decimal("11.00"),
    }
    values.update(overrides)
    return CostLineItem(**values)


def key_of(item: CostLineItem) -> PartitionKey:
    return PartitionKey(
        provider_name=item.provider_name,
        billing_account_id=item.billing_account_id,
        billing_period_start=item.billing_period_start.date(),
    )


def lineage(source: str = "test") -> Lineage:
    return Lineage(source=source, file="test.csv", ingested_at=datetime(2026, 11, 1, tzinfo=UTC))

"""Line items whose rollup dimensions all vary, for the tests that hold the rollups to the line items."""

from __future__ import annotations

from decimal import Decimal
from typing import Any


def varied_columns(n: int) -> dict[str, Any]:
    """The columns of row ``n``: service, region, sub-account, category, charge and currency each cycle at their own
    period, with nulls (no region, no sub-account, no contracted cost), credits and two currencies among them."""
    return {
        "service_name": ("A", "B", "C")[n % 3],
        "region_id": (None, "eu-west-1", "us-east-1")[n % 5 % 3],
        "sub_account_id": None if n % 4 == 0 else ("222", "333")[n % 7 % 2],
        "service_category": ("Compute", "Storage")[n % 2],
        "charge_category": ("Usage", "Credit")[n % 11 == 0],
        "billing_currency": ("USD", "EUR")[n % 13 == 0],
        "contracted_cost": None if n % 3 == 0 else Decimal(n),
        "billed_cost": Decimal(n) / 7,
    }

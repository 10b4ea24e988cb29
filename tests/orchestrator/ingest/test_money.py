"""Money is never dropped silently: a file's own amounts must equal the line items made from them, per
partition and currency, or the file is refused."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from finops_core.errors import InvalidInput
from finops_orchestrator.ingest.money import MoneyCheck

MAY = datetime(2024, 5, 1, tzinfo=UTC)


def _batch(billed: list[Any], currency: str = "USD") -> dict[str, list[Any]]:
    n = len(billed)
    return {
        "provider_name": ["Google Cloud"] * n,
        "billing_account_id": ["0123-4567"] * n,
        "billing_period_start": [MAY] * n,
        "billing_currency": [currency] * n,
        "billed_cost": billed,
        "effective_cost": billed,
    }


def test_line_items_that_add_up_to_the_files_own_amounts_pass() -> None:
    check = MoneyCheck("gcp.jsonl: ")
    # two usage rows with their credits as added line items: the file states the net per row
    check.add(
        ([Decimal("500.56") - Decimal("92.70"), Decimal(1)], None),
        2,
        _batch([Decimal("500.56"), Decimal(1), Decimal("-92.70")]),
    )
    check.verify()


def test_a_credit_left_out_of_the_line_items_refuses_the_file_naming_partition_and_amounts() -> None:
    check = MoneyCheck("gcp.jsonl: ")
    check.add(([Decimal("407.86")], None), 1, _batch([Decimal("500.56")]))  # the credit was not read
    with pytest.raises(
        InvalidInput,
        match=r"gcp\.jsonl: Google Cloud 0123-4567 2024-05 \(USD\): the file's own billed amounts add up to 407\.86, "
        r"but the line items read from them add up to 500\.56",
    ):
        check.verify()


def test_amounts_are_compared_per_currency() -> None:
    check = MoneyCheck("x.csv: ")
    check.add(([Decimal(5)], None), 1, _batch([Decimal(5)], "EUR"))
    check.add(([Decimal(5)], None), 1, _batch([Decimal(4)], "USD"))
    with pytest.raises(InvalidInput, match=r"\(USD\)"):
        check.verify()

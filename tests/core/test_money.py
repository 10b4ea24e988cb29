"""Money converts to integer nanos and back without loss."""

from __future__ import annotations

from decimal import Decimal

import pytest
from finops_core.errors import InvalidInput
from finops_core.money import Money, from_nanos, normalize_amount, parse_amount, to_nanos


@pytest.mark.parametrize("text", ["0.0000008", "-0.000000001", "123456789.123456789", "0", "12.5", "1E+3"])
def test_amounts_with_at_most_nine_decimals_round_trip_exactly(text: str) -> None:
    assert from_nanos(to_nanos(Decimal(text))) == Decimal(text)


def test_more_than_nine_decimals_round_half_even_to_a_nano() -> None:
    assert to_nanos(Decimal("0.0000000005")) == 0
    assert to_nanos(Decimal("0.0000000015")) == 2


def test_amounts_show_at_least_cents() -> None:
    assert str(normalize_amount(Decimal("12.5000"))) == "12.50"
    assert (
        Money(amount=normalize_amount(Decimal("0.00000080")), currency="USD").model_dump(mode="json")["amount"]
        == "0.0000008"
    )


def test_money_travels_as_a_decimal_string_in_json() -> None:
    assert Money(amount=Decimal("0.1"), currency="USD").model_dump(mode="json") == {"amount": "0.1", "currency": "USD"}


@pytest.mark.parametrize("text", ["NaN", "inf", "-Infinity", "ten", ""])
def test_a_typed_amount_that_is_not_a_finite_number_is_a_clear_error(text: str) -> None:
    with pytest.raises(InvalidInput, match="must be a number"):
        parse_amount(text, "amount")


def test_a_typed_amount_keeps_its_exact_value() -> None:
    assert parse_amount(" 1250.50 ", "amount", positive=True) == Decimal("1250.50")
    with pytest.raises(InvalidInput, match="positive"):
        parse_amount("0", "amount", positive=True)

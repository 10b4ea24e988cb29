"""A configured rate table converts exact amounts into the report currency and rounds once, half to even."""

from __future__ import annotations

from decimal import Decimal

import pytest
from finops_core.currency import CurrencySettings, cents
from finops_core.errors import ConfigError

TABLE = CurrencySettings(report_currency="USD", rates={"EUR": Decimal("1.08"), "JPY": Decimal("0.0066")})


def test_amounts_are_multiplied_exactly_and_summed_before_any_rounding() -> None:
    exact = TABLE.convert([("EUR", Decimal("0.005")), ("EUR", Decimal("0.005")), ("USD", Decimal("1.000000001"))])
    assert exact == Decimal("1.010800001")
    assert cents(exact) == Decimal("1.01")


def test_rounding_to_cents_is_half_to_even() -> None:
    assert cents(Decimal("0.125")) == Decimal("0.12")
    assert cents(Decimal("0.135")) == Decimal("0.14")
    assert cents(Decimal("-0.125")) == Decimal("-0.12")


def test_large_amounts_with_nine_decimals_lose_no_digit() -> None:
    table = CurrencySettings(rates={"JPY": Decimal("0.00662513")})
    exact = table.convert([("JPY", Decimal("123456789012345.123456789"))])
    # The same product in integers (units of 10**-17), beyond the 28 digits of Python's default decimal context.
    assert exact == Decimal(f"{123456789012345123456789 * 662513}E-17")  # a constructor never rounds
    assert len(exact.as_tuple().digits) > 28


def test_the_report_currency_converts_at_one_whatever_its_case() -> None:
    assert TABLE.rate("usd") == 1
    assert TABLE.rate("eur") == Decimal("1.08")


def test_a_currency_without_a_rate_says_which_rate_to_add() -> None:
    with pytest.raises(ConfigError, match=r'no rate for GBP.*GBP = "<USD per 1 GBP>"'):
        TABLE.convert([("EUR", Decimal(1)), ("GBP", Decimal(1))])

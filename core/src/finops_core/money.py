"""Money: an exact ``Decimal`` amount with its ISO 4217 currency.

Amounts are never floats. The store keeps cost metrics as integer nanos (10**-9 of the currency unit,
the precision of Google's ``Money`` type), so sums in SQL are exact integer sums; ``to_nanos`` and
``from_nanos`` are the only conversions.
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer

from finops_core.errors import InvalidInput

NANOS_PER_UNIT = 10**9
_ONE = Decimal(1)
# The largest amount a person may type: above any real budget or threshold, and far inside what the store's
# integer nanos and Decimal's default context hold (1e400 was accepted, then failed unnamed in arithmetic).
MAX_TYPED_AMOUNT = Decimal(10) ** 15

# Decimals travel as JSON strings: a JSON number would be parsed back as a float by most clients.
Amount = Annotated[Decimal, PlainSerializer(lambda d: format(d, "f"), return_type=str, when_used="json")]


def parse_amount(text: str, name: str, *, positive: bool = False) -> Decimal:
    """An amount a person typed (a tool argument), or an ``InvalidInput`` that says what is wrong with it.
    Refuses NaN and infinities, which ``Decimal`` accepts but no comparison or sum survives."""
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite():
        raise InvalidInput(f"{name} must be a number such as 25 or 1250.50, not {text!r}.")
    if positive and value <= 0:
        raise InvalidInput(f"{name} must be a positive number, not {text!r}.")
    if abs(value) >= MAX_TYPED_AMOUNT:
        raise InvalidInput(f"{name}={text!r} is too large: send an amount below {MAX_TYPED_AMOUNT:,}.")
    if value and _decimal_places(value) > 9:  # 1e-999999999 is a billion digits once written out
        raise InvalidInput(f"{name}={text!r} has more than 9 decimal places (the store keeps nanos); round it.")
    return value


def _decimal_places(value: Decimal) -> int:
    """Digits after the point, trailing zeros aside (``normalize`` would round a tiny value to zero first)."""
    _, digits, exponent = value.as_tuple()
    assert isinstance(exponent, int)  # finite: checked by the caller
    significant = "".join(map(str, digits)).rstrip("0")
    return max(0, -(exponent + len(digits) - len(significant)))


def to_nanos(amount: Decimal) -> int:
    """Round an amount to whole nanos (half-even), for exact integer sums in the store."""
    nanos = amount.scaleb(9)
    whole = int(nanos)  # truncates
    if whole == nanos:  # the common case: at most 9 decimals
        return whole
    return int(nanos.quantize(_ONE, rounding=ROUND_HALF_EVEN))


def from_nanos(nanos: int) -> Decimal:
    """The exact ``Decimal`` for an integer number of nanos, without trailing zeros past cents."""
    value = Decimal(nanos).scaleb(-9)
    return normalize_amount(value)


def normalize_amount(value: Decimal) -> Decimal:
    """Drop trailing zeros but keep at least two decimals: ``12.5000 -> 12.50``, ``0.0000008 -> 0.0000008``."""
    value = value.normalize()
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent > -2:
        return value.quantize(Decimal("0.01"))
    return value


class Money(BaseModel):
    """An amount in one currency."""

    model_config = ConfigDict(frozen=True)

    amount: Amount = Field(description="Exact decimal amount (a string in JSON).")
    # As the source gives it: normally ISO 4217 (USD), but real exports carry oddities (a test fixture has "MC").
    currency: str = Field(description="Currency code, normally ISO 4217, e.g. USD.", min_length=1, max_length=16)

    def __str__(self) -> str:
        return f"{self.amount:,.2f} {self.currency}"

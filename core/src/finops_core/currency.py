"""Converting amounts into one report currency with a rate table the user configures (``[currency]`` in
finops.toml). Nothing here fetches rates: an answer that converts names the table it used (rates, as-of date,
source), and amounts in different currencies are otherwise never added together.

A rate says how many units of the report currency one unit of the key currency is worth
(``EUR = "1.08"`` with ``report_currency = "USD"``: 1 EUR = 1.08 USD). Conversion multiplies exact amounts
and rounds to cents (half-even) once, at the end.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal, localcontext

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from finops_core.errors import ConfigError, InvalidInput

CENT = Decimal("0.01")
# Enough digits that no product or sum of stored amounts (at most 9 decimals) and rates is ever rounded.
_PRECISION = 80

EXAMPLE = '[currency]\nreport_currency = "USD"\nrates = { EUR = "1.08" }\nrates_as_of = "2026-10-31"\nsource = "ECB"'


def currency_code(text: str, name: str) -> str:
    """``text`` (an argument called ``name``) as an ISO 4217 code, upper case, or an ``InvalidInput`` saying what
    to send. Only a person's argument is held to this: billing data keeps whatever code its cloud wrote."""
    code = text.strip().upper()
    if len(code) != 3 or not code.isascii() or not code.isalpha():
        raise InvalidInput(f"{name}={text!r} is not a currency code: send its three ISO 4217 letters, e.g. USD or EUR.")
    return code


def cents(amount: Decimal) -> Decimal:
    """``amount`` rounded to cents, half to even (banker's rounding)."""
    return amount.quantize(CENT, rounding=ROUND_HALF_EVEN)


class CurrencySettings(BaseModel):
    """The ``[currency]`` section: the report currency and a fixed rate table into it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    report_currency: str = Field(default="USD", min_length=1, max_length=16, description="Currency to convert into.")
    rates: dict[str, Decimal] = Field(
        default_factory=lambda: dict[str, Decimal](),
        description='1 unit of the key currency = this many units of report_currency, e.g. { EUR = "1.08" }.',
    )
    rates_as_of: date | None = Field(default=None, description="The day the rates are from.")
    source: str | None = Field(default=None, max_length=200, description="Where the rates come from, e.g. 'ECB'.")

    @field_validator("report_currency")
    @classmethod
    def _upper(cls, value: str) -> str:
        return value.strip().upper()

    @field_validator("rates")
    @classmethod
    def _check_rates(cls, rates: dict[str, Decimal]) -> dict[str, Decimal]:
        checked: dict[str, Decimal] = {}
        for code, rate in rates.items():
            if not rate.is_finite() or rate <= 0:
                raise ValueError(f'the rate for {code} must be a positive number such as "1.08"')
            checked[code.strip().upper()] = rate
        return checked

    @model_validator(mode="after")
    def _report_rate_is_one(self) -> CurrencySettings:
        own = self.rates.get(self.report_currency)
        if own is not None and own != 1:
            raise ValueError(f"the rate for the report currency {self.report_currency} itself must be 1")
        return self

    def rate(self, currency: str) -> Decimal:
        """Units of the report currency per unit of ``currency``, or a ``ConfigError`` naming the rate to add."""
        code = currency.strip().upper()
        if code == self.report_currency:
            return Decimal(1)
        rate = self.rates.get(code)
        if rate is None:
            raise ConfigError(
                f"Cannot convert {currency} into {self.report_currency}: the [currency] rates in finops.toml have "
                f'no rate for {currency}. Add it, e.g. rates = {{ {currency} = "<{self.report_currency} per 1 '
                f'{currency}>" }}, or ask without convert to get totals per currency.'
            )
        return rate

    def convert(self, amounts: Iterable[tuple[str, Decimal]]) -> Decimal:
        """The exact sum of ``(currency, amount)`` pairs in the report currency (not rounded: see ``cents``)."""
        pairs = list(amounts)
        rates = [self.rate(currency) for currency, _ in pairs]  # every missing rate fails before any arithmetic
        with localcontext() as ctx:
            ctx.prec = _PRECISION
            return sum((amount * rate for (_, amount), rate in zip(pairs, rates, strict=True)), Decimal(0))


def no_rate_table() -> ConfigError:
    """The error for a conversion asked of a server that has no ``[currency]`` section."""
    return ConfigError(
        "No currency rate table is configured, so amounts cannot be converted; totals stay per currency. Add a "
        f"section to finops.toml (FINOPS_CONFIG, or finops.toml in FINOPS_HOME):\n{EXAMPLE}"
    )

"""FOCUS exports (1.0, 1.1, 1.2, and 1.3 where its columns appear), from any provider.

Columns keep their FOCUS meaning; names are matched without regard to case or separators. Columns FOCUS
1.2 does not define (``x_*``, 1.3's allocation columns, strays such as the sample's ``Id``) are kept as
``x_`` extras. A 1.3 file without ``ProviderName`` takes it from ``ServiceProviderName``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from finops_core.dates import month_start, next_month_start
from finops_core.focus import FOCUS_COLUMNS, ColumnKind

from finops_orchestrator.ingest import values as v
from finops_orchestrator.ingest.formats.base import Chunk, ExportFormat, canonical, derive_blanks, extras, fill

_BY_CANONICAL = {canonical(c.focus_name): c for c in FOCUS_COLUMNS}
FOCUS_1_3_ONLY = (
    "allocatedmethoddetails",
    "allocatedmethodid",
    "allocatedresourceid",
    "allocatedresourcename",
    "allocatedtags",
    "contractapplied",
    "hostprovidername",
    "serviceprovidername",
)
FOCUS_1_2_NEW = (
    "billingaccounttype",
    "invoiceid",
    "pricingcurrency",
    "pricingcurrencyeffectivecost",
    "subaccounttype",
    "pricingcurrencylistunitprice",
    "pricingcurrencycontractedunitprice",
)
FOCUS_1_1_NEW = (
    "capacityreservationid",
    "capacityreservationstatus",
    "commitmentdiscountquantity",
    "commitmentdiscountunit",
    "servicesubcategory",
    "skumeter",
    "skupricedetails",
)


def focus_version(columns: set[str]) -> str:
    if any(c in columns for c in FOCUS_1_3_ONLY):
        return "1.3"
    if any(c in columns for c in FOCUS_1_2_NEW):
        return "1.2"
    if any(c in columns for c in FOCUS_1_1_NEW):
        return "1.1"
    return "1.0"


def _parser(kind: ColumnKind, name: str) -> Any:
    if kind in (ColumnKind.COST, ColumnKind.DECIMAL):
        return v.parse_decimal
    if kind is ColumnKind.DATETIME:
        return v.parse_timestamp
    if name == "tags":
        return v.parse_tags
    if name == "sku_price_details":
        return json.loads
    return str


def convert(chunk: Chunk) -> dict[str, Sequence[Any]]:
    batch: dict[str, Sequence[Any]] = {}
    used: set[str] = set()
    for key in chunk.names:
        column = _BY_CANONICAL.get(key)
        if column is None:
            continue
        used.add(key)
        if column.name == "billing_currency":
            batch[column.name] = chunk.parsed(v.parse_currency, key) or []
        elif column.kind is ColumnKind.STRING:
            batch[column.name] = chunk.text(key) or []
        elif column.kind is ColumnKind.COST:
            batch[column.name] = chunk.amounts(key) or []
        else:
            batch[column.name] = chunk.parsed(_parser(column.kind, column.name), key) or []
    provider = fill(batch.get("provider_name"), chunk.text("serviceprovidername"))  # type: ignore[arg-type]
    if provider is not None:
        batch["provider_name"] = provider
    _derive(chunk, batch)
    if (extra := extras(chunk, used)) is not None:
        batch["x_extras"] = extra
    return batch


# Providers whose billing period is the calendar month, as their FOCUS exports document it. Not Google Cloud:
# its billing period is the invoice month, which late usage can move past the month it was used in.
MONTHLY = frozenset({"AWS", "Amazon Web Services", "Microsoft", "Microsoft Azure"})


def _derive(chunk: Chunk, batch: dict[str, Sequence[Any]]) -> None:
    """Fill blank required columns the row itself determines, counting them in ``chunk.derived``:
    the billing period of a monthly provider from the charge period, and ListCost = ListUnitPrice x
    PricingQuantity (its definition in FOCUS)."""
    providers = batch.get("provider_name") or [None] * chunk.rows
    charge = batch.get("charge_period_start")
    start = batch.get("billing_period_start")
    if charge and (start is None or None in start):
        guess = [month_start(c) if c and p in MONTHLY else None for p, c in zip(providers, charge, strict=True)]
        batch["billing_period_start"] = start = derive_blanks(chunk, "billing_period_start", start, guess)
    end = batch.get("billing_period_end")
    if start and (end is None or None in end):
        guess = [
            next_month_start(s) if s and p in MONTHLY and s == month_start(s) else None
            for p, s in zip(providers, start, strict=True)
        ]
        batch["billing_period_end"] = derive_blanks(chunk, "billing_period_end", end, guess)
    price, quantity, listed = batch.get("list_unit_price"), batch.get("pricing_quantity"), batch.get("list_cost")
    if price and quantity and (listed is None or None in listed):
        product = [p * q if p is not None and q is not None else None for p, q in zip(price, quantity, strict=True)]
        for x in product:
            if x is not None and abs(x) > v.MAX_AMOUNT:
                raise ValueError(f"{x:f}")
        batch["list_cost"] = derive_blanks(chunk, "list_cost", listed, product)


def native(chunk: Chunk) -> tuple[Sequence[Any] | None, Sequence[Any] | None]:
    return chunk.amounts("billedcost") or [], chunk.amounts("effectivecost")


FOCUS = ExportFormat(
    name="focus",
    title="FOCUS 1.0-1.3 export",
    required=("BilledCost", "EffectiveCost", "ChargePeriodStart", "BillingPeriodStart", "ChargeCategory"),
    convert=convert,
    source="focus-export",
    native=native,
)

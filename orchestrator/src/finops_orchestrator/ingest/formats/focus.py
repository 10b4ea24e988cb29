"""FOCUS exports (1.0, 1.1, 1.2, and 1.3 where its columns appear), from any provider.

Columns keep their FOCUS meaning; names are matched without regard to case or separators. Columns FOCUS
1.2 does not define (``x_*``, 1.3's allocation columns, strays such as the sample's ``Id``) are kept as
``x_`` extras. A 1.3 file without ``ProviderName`` takes it from ``ServiceProviderName``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from finops_core.focus import FOCUS_COLUMNS, ColumnKind

from finops_orchestrator.ingest import values as v
from finops_orchestrator.ingest.formats.base import Chunk, ExportFormat, canonical, extras, fill

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
        if column.kind is ColumnKind.STRING:
            batch[column.name] = chunk.text(key) or []
        elif column.kind is ColumnKind.COST:
            batch[column.name] = chunk.amounts(key) or []
        else:
            batch[column.name] = chunk.parsed(_parser(column.kind, column.name), key) or []
    provider = fill(batch.get("provider_name"), chunk.text("serviceprovidername"))  # type: ignore[arg-type]
    if provider is not None:
        batch["provider_name"] = provider
    if (extra := extras(chunk, used)) is not None:
        batch["x_extras"] = extra
    return batch


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

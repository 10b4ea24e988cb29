"""AWS Cost and Usage Report: legacy (``lineItem/UnblendedCost``), its Athena snake_case variant, and CUR 2.0
(snake_case, with the map columns ``product``, ``resource_tags``, ``cost_category`` and ``discount``).

Mapped after AWS's own FOCUS 1.0 table in Data Exports ("FOCUS 1.0 with AWS columns", AWS Cost and Usage
Report user guide, table dictionary) and the FinOps Foundation's focus_converters AWS config:

- BilledCost = ``lineItem/UnblendedCost`` (Savings Plan negation rows cancel covered usage, so the sum is
  the invoice);
- EffectiveCost by line item type: Savings Plan covered usage -> ``savingsPlan/SavingsPlanEffectiveCost``;
  RI discounted usage -> ``reservation/EffectiveCost``; Savings Plan negation and upfront/recurring fees
  -> 0 apart from the unused commitment (``TotalCommitmentToDate - UsedCommitment``); RI fee -> unused
  upfront + unused recurring fee; anything else -> UnblendedCost;
- ListCost = ``pricing/publicOnDemandCost`` (UnblendedCost when absent); ContractedCost =
  ``lineItem/NetUnblendedCost`` when present, else UnblendedCost;
- ChargeCategory from ``lineItem/LineItemType``; tags from ``resourceTags/user:*``; cost categories and
  usage type kept as ``x_`` extras.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

import numpy as np
from finops_core.dates import month_start, next_month_start
from finops_core.errors import InvalidInput
from finops_core.service_categories import AWS as AWS_SERVICES
from finops_core.service_categories import classify

from finops_orchestrator.ingest import values as v
from finops_orchestrator.ingest.formats.base import Chunk, ExportFormat, derive_blanks, extras, fill, or_default
from finops_orchestrator.ingest.formats.derived import coded, per_value, per_value_pair
from finops_orchestrator.ingest.formats.regions import aws_region
from finops_orchestrator.ingest.formats.resource_types import aws_resource_type

CHARGE_CATEGORY = {
    "usage": "Usage",
    "discountedusage": "Usage",
    "savingsplancoveredusage": "Usage",
    "savingsplannegation": "Usage",
    "tax": "Tax",
    "credit": "Credit",
    "refund": "Credit",
    "fee": "Purchase",
    "rifee": "Purchase",
    "savingsplanupfrontfee": "Purchase",
    "savingsplanrecurringfee": "Purchase",
    "bundleddiscount": "Credit",
    "discount": "Credit",
    "edpdiscount": "Credit",
    "privaterateddiscount": "Credit",
    "savingsplancoveredusagediscount": "Credit",
}
# FOCUS ChargeFrequency by line item type: commitment fees recur monthly, upfront payments happen once, and
# everything else (usage, its discounts, credits and tax) follows usage.
CHARGE_FREQUENCY = {
    "rifee": "Recurring",
    "savingsplanrecurringfee": "Recurring",
    "fee": "One-Time",
    "savingsplanupfrontfee": "One-Time",
}
_ZERO = Decimal(0)


def _effective(kind: str | None, unblended: Decimal, row: dict[str, Decimal | None]) -> Decimal:
    kind = (kind or "").lower()
    if kind == "savingsplancoveredusage":
        return row["sp_effective"] if row["sp_effective"] is not None else unblended
    if kind == "discountedusage":
        return row["ri_effective"] if row["ri_effective"] is not None else unblended
    if kind == "savingsplannegation" or kind == "savingsplanupfrontfee":
        return _ZERO
    if kind == "savingsplanrecurringfee":
        total, used = row["sp_total"], row["sp_used"]
        return (total - used) if total is not None and used is not None else _ZERO
    if kind == "rifee":
        return (row["ri_unused_upfront"] or _ZERO) + (row["ri_unused_recurring"] or _ZERO)
    if kind == "fee" and row["ri_arn"] is not None:  # the RI's upfront payment: amortized in its usage
        return _ZERO
    return unblended


def convert(chunk: Chunk) -> dict[str, Sequence[Any]]:
    n = chunk.rows
    none: list[Any] = [None] * n
    unblended = chunk.money("lineitemunblendedcost") or []
    kinds = chunk.text("lineitemlineitemtype") or none
    parts = {
        "sp_effective": chunk.money("savingsplansavingsplaneffectivecost") or none,
        "ri_effective": chunk.money("reservationeffectivecost") or none,
        "sp_total": chunk.money("savingsplantotalcommitmenttodate") or none,
        "sp_used": chunk.money("savingsplanusedcommitment") or none,
        "ri_unused_upfront": chunk.money("reservationunusedamortizedupfrontfeeforbillingperiod") or none,
        "ri_unused_recurring": chunk.money("reservationunusedrecurringfee") or none,
        "ri_arn": chunk.text("reservationreservationarn", "reservationsubscriptionid") or none,
    }
    effective = [
        _effective(kinds[i], unblended[i], {k: col[i] for k, col in parts.items()})
        if unblended[i] is not None
        else None
        for i in range(n)
    ]
    codes = chunk.text("lineitemproductcode") or none
    product = _maps(chunk, "product")  # CUR 2.0 keeps most product attributes in one map column
    usage = chunk.decimals("lineitemusageamount")
    unit = chunk.text("pricingunit") or none  # lineItem/UsageAmount is measured in the pricing unit
    services = fill(fill(chunk.text("productproductname"), [m.get("product_name") for m in product]), codes) or none
    services = coded(services)
    resources = chunk.text("lineitemresourceid") or none
    skus = chunk.text("productsku") or none
    meters = fill(chunk.text("lineitemusagetype"), [m.get("usagetype") for m in product]) or none
    codes_of_region = fill(chunk.text("productregioncode"), chunk.text("productregion")) or none
    locations = fill(chunk.text("productlocation"), [m.get("location") for m in product]) or none
    # identity/TimeInterval ("start/end") states each line item's hours when the usage dates are blank (read
    # only then: a file with its usage dates stands by them).
    usage_start, usage_end = chunk.times("lineitemusagestartdate"), chunk.times("lineitemusageenddate")
    blank = any(dates is None or None in dates for dates in (usage_start, usage_end))
    interval = chunk.parsed(_interval, "identitytimeinterval") if blank else None
    start = derive_blanks(chunk, "charge_period_start", usage_start, _part(interval, 0))
    end = derive_blanks(chunk, "charge_period_end", usage_end, _part(interval, 1))
    # A CUR's billing period is the calendar month (bill/BillingPeriodStartDate is its first day, 00:00 UTC).
    months = [month_start(t) if t else None for t in start]
    period_start = derive_blanks(chunk, "billing_period_start", chunk.times("billbillingperiodstartdate"), months)
    period_end = derive_blanks(
        chunk,
        "billing_period_end",
        chunk.times("billbillingperiodenddate"),
        [next_month_start(p) if p else None for p in period_start],
    )
    commitment = fill(chunk.text("savingsplansavingsplanarn"), chunk.text("reservationreservationarn"))
    category, subcategory = per_value_pair(lambda s: classify(AWS_SERVICES, s), services)
    region_id, region_name = per_value_pair(aws_region, codes_of_region, locations)
    used = {"lineitemunblendedcost", "lineitemlineitemtype", "lineitemproductcode", "lineitemusageamount"}
    batch: dict[str, Sequence[Any]] = {
        "provider_name": chunk.constant("AWS"),
        "publisher_name": or_default(chunk.text("billbillingentity"), chunk.constant("AWS")),
        "invoice_issuer_name": or_default(
            chunk.text("billinvoicingentity"), chunk.constant("Amazon Web Services, Inc.")
        ),
        "invoice_id": chunk.text("billinvoiceid") or none,
        "billing_account_id": chunk.text("billpayeraccountid") or none,
        "billing_account_name": chunk.text("billpayeraccountname") or none,  # CUR 2.0 only
        "billing_account_type": chunk.constant("Payer Account"),
        "sub_account_id": chunk.text("lineitemusageaccountid") or none,
        "sub_account_name": chunk.text("lineitemusageaccountname") or none,  # CUR 2.0 only
        "sub_account_type": chunk.constant("Linked Account"),
        "billing_currency": or_default(chunk.parsed(v.parse_currency, "lineitemcurrencycode"), chunk.constant("USD")),
        "billing_period_start": period_start,
        "billing_period_end": period_end,
        "charge_period_start": start,
        "charge_period_end": end,
        "charge_category": [CHARGE_CATEGORY.get((k or "").lower(), "Adjustment") for k in kinds],
        "charge_frequency": per_value(lambda k: CHARGE_FREQUENCY.get((k or "").lower(), "Usage-Based"), kinds),
        "charge_description": chunk.text("lineitemlineitemdescription") or none,
        "service_name": services,
        "service_category": category,
        "service_subcategory": subcategory,
        "region_id": region_id,
        "region_name": region_name,
        "availability_zone": chunk.text("lineitemavailabilityzone") or none,
        "resource_id": resources,
        "resource_type": per_value(aws_resource_type, resources, codes),
        "sku_id": skus,
        "sku_meter": per_value(lambda s, m: m if s else None, skus, meters),  # FOCUS: a meter names a SKU
        "sku_price_id": chunk.text("pricingrateid") or none,
        "pricing_quantity": usage or none,
        "consumed_quantity": usage or none,
        "consumed_unit": unit,
        "pricing_unit": unit,
        "list_unit_price": chunk.decimals("pricingpublicondemandrate") or none,
        "commitment_discount_id": commitment or none,
        "billed_cost": unblended,
        "effective_cost": effective,
        "list_cost": fill(chunk.money("pricingpublicondemandcost"), unblended) or none,
        "contracted_cost": fill(chunk.money("lineitemnetunblendedcost"), unblended) or none,
        "tags": [{**a, **b} for a, b in zip(_tags(chunk), _map_tags(chunk), strict=True)],
        "x_extras": extras(
            chunk,
            used,
            keep=[
                "lineitemusagetype",
                "lineitemoperation",
                "lineitemlineitemtype",
                "pricingterm",
                *[c for c in chunk.names if c.startswith("costcategory")],
            ],
        )
        or chunk.constant({}),
    }
    return batch


def _interval(text: str) -> tuple[datetime, datetime]:
    """``identity/TimeInterval``: ``2018-06-01T00:00:00Z/2018-06-01T01:00:00Z``."""
    first, _, last = text.partition("/")
    return v.parse_timestamp(first.strip()), v.parse_timestamp(last.strip())


def _part(intervals: Sequence[Any] | None, index: int) -> list[Any] | None:
    return None if intervals is None else [None if i is None else i[index] for i in intervals]


def _map_cell(cell: Any) -> dict[str, str]:
    """One cell of a map column: pairs from Parquet, a dict, or JSON text (CUR 2.0 as CSV); {} when null."""
    if isinstance(cell, np.ndarray):
        cell = cell.tolist()
    if isinstance(cell, dict):
        pairs = list(cell.items())  # pyright: ignore[reportUnknownArgumentType, reportUnknownMemberType]
    elif isinstance(cell, list | tuple):
        pairs = [tuple(p) for p in cell]  # pyright: ignore[reportUnknownVariableType, reportUnknownArgumentType]
        if any(len(p) != 2 for p in pairs):  # pyright: ignore[reportUnknownArgumentType]
            raise ValueError(str(cell))  # pyright: ignore[reportUnknownArgumentType]
    elif v.cell(cell) is None:
        return {}
    elif isinstance(cell, str):
        return v.parse_tags(cell)
    else:
        raise ValueError(str(cell))
    return {str(k): v.label_text(x) for k, x in pairs if x is not None}  # pyright: ignore[reportUnknownVariableType, reportUnknownArgumentType]


def _maps(chunk: Chunk, name: str) -> list[dict[str, str]]:
    """A CUR 2.0 map column as dicts; {} when absent or null. An unreadable cell names its row and column."""
    original = chunk.names.get(name)
    if original is None:
        return [{} for _ in range(chunk.rows)]
    out: list[dict[str, str]] = []
    for i, cell in enumerate(chunk.frame[original].tolist()):
        try:
            out.append(_map_cell(cell))
        except (ValueError, TypeError) as exc:
            text = str(cell)
            raise InvalidInput(
                f"{chunk.where}row {chunk.first_row + i + 1}, column {original}: cannot read "
                f"{text if len(text) <= 60 else text[:57] + '...'!r} as a map. Nothing was written; fix the file."
            ) from exc
    return out


def _map_tags(chunk: Chunk) -> list[dict[str, str]]:
    """CUR 2.0 ``resource_tags``: ``user_team`` -> ``team``; AWS-generated ``aws_x`` -> ``aws:x``."""
    out: list[dict[str, str]] = []
    for tags in _maps(chunk, "resourcetags"):
        row: dict[str, str] = {}
        for key, value in tags.items():
            if key.startswith(("user_", "user:")):
                row[key[5:]] = value
            elif key.startswith(("aws_", "aws:")):
                row["aws:" + key[4:]] = value
            else:
                row[key] = value
        out.append(row)
    return out


def _tags(chunk: Chunk) -> list[dict[str, str]]:
    columns: list[tuple[str, list[Any]]] = []
    for original in chunk.frame.columns:
        for prefix in ("resourceTags/user:", "resource_tags_user_", "resourceTags/aws:", "resource_tags_aws_"):
            if original.startswith(prefix):
                key = original[len(prefix) :].strip()
                if "aws" in prefix:
                    key = "aws:" + key
                columns.append((key, chunk.frame[original].tolist()))
    out: list[dict[str, str]] = []
    for i in range(chunk.rows):
        row: dict[str, str] = {}
        for key, col in columns:
            value = v.cell(col[i])
            if value is not None:
                row[key] = value
        out.append(row)
    return out


def native(chunk: Chunk) -> tuple[Sequence[Any] | None, Sequence[Any] | None]:
    return chunk.money("lineitemunblendedcost") or [], None  # CUR states no amortized total of its own


AWS_CUR = ExportFormat(
    name="aws-cur",
    title="AWS Cost and Usage Report (legacy CUR, its Athena snake_case form, or CUR 2.0)",
    required=("lineItem/UnblendedCost", "lineItem/UsageStartDate", "bill/PayerAccountId", "lineItem/LineItemType"),
    convert=convert,
    source="aws-cur",
    native=native,
)

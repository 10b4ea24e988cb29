"""Azure cost details exports: EA and MCA (PascalCase or camelCase), the legacy v1 usage report
(``PreTaxCost``), actual or amortized.

Mapped after Microsoft's FOCUS conversion in the FinOps toolkit (FOCUS 1.0 "cost details to FOCUS" mapping):

- an **actual** export gives BilledCost = EffectiveCost = ``CostInBillingCurrency`` (``Cost`` in older EA
  files): cash basis, commitments are not amortized in it;
- an **amortized** export gives EffectiveCost = the cost column, and BilledCost = the same except usage
  covered by a reservation or savings plan (billed 0: its cash is the purchase, which only the actual
  export carries) - load the actual export to see cash;
- ListCost = ``PayGPrice x Quantity`` where a pay-as-you-go price is given, ContractedCost = ``UnitPrice x
  Quantity`` where a unit price is given, else the cost itself;
- the billing period's end date is inclusive in these files (``09/30/2023``) and becomes FOCUS's exclusive
  end (``2023-10-01``); a v1 file has no billing period and gets the usage month;
- tags come as JSON or as JSON without braces (EA).

The two exports duplicate each other's rows, so one ingest never loads both for the same partition.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from decimal import Decimal
from typing import Any, Literal

from finops_core.dates import month_start, next_month_start
from finops_core.service_categories import AZURE as AZURE_SERVICES
from finops_core.service_categories import classify

from finops_orchestrator.ingest import values as v
from finops_orchestrator.ingest.formats.base import Chunk, ExportFormat, derive_blanks, extras, fill, or_default
from finops_orchestrator.ingest.formats.derived import per_value, per_value_pair
from finops_orchestrator.ingest.formats.regions import azure_region
from finops_orchestrator.ingest.formats.resource_types import azure_resource_type

CostKind = Literal["actual", "amortized"]
COST_COLUMNS = ("costinbillingcurrency", "cost", "pretaxcost")
CURRENCY_COLUMNS = ("billingcurrency", "billingcurrencycode", "currency")
CHARGE_CATEGORY = {
    "usage": "Usage",
    "purchase": "Purchase",
    "refund": "Credit",
    "tax": "Tax",
    "unusedreservation": "Usage",
    "unusedsavingsplan": "Usage",
    "roundingadjustment": "Adjustment",
}
# Azure's Frequency spellings as FOCUS ChargeFrequency values; files without the column get it from ChargeType.
CHARGE_FREQUENCY = {"usagebased": "Usage-Based", "onetime": "One-Time", "recurring": "Recurring"}
_COMMITTED = {"reservation", "savingsplan"}


def cost_kind(chunk: Chunk) -> CostKind | None:
    """Which export this is, judged from its rows: amortized exports spread commitments over usage
    (covered usage has a cost); actual exports carry the purchases (with a cost). None if no row tells."""
    costs = chunk.money(*COST_COLUMNS) or [None] * chunk.rows
    types = [(t or "").lower() for t in (chunk.text("chargetype") or [None] * chunk.rows)]
    models = [(m or "").lower() for m in (chunk.text("pricingmodel") or [None] * chunk.rows)]
    for cost, kind, model in zip(costs, types, models, strict=True):
        if cost and kind == "usage" and model in _COMMITTED:
            return "amortized"
        if cost and kind == "purchase" and model in _COMMITTED:
            return "actual"
    return None


def _product(a: Sequence[Any] | None, b: Sequence[Any] | None, fallback: Sequence[Any]) -> Sequence[Any]:
    if a is None or b is None:
        return fallback
    out = [x * y if x is not None and y is not None and x > 0 else f for x, y, f in zip(a, b, fallback, strict=True)]
    for x in out:
        if x is not None and abs(x) > v.MAX_AMOUNT:  # price x quantity past what a line item can cost
            raise ValueError(f"{x:f}")
    return out


def _frequency(frequency: str | None, charge_type: str | None) -> str:
    known = CHARGE_FREQUENCY.get((frequency or "").replace("-", "").replace(" ", "").lower())
    if known is not None:
        return known
    return "One-Time" if (charge_type or "").lower() == "purchase" else "Usage-Based"


def _commitment_kind(commitment: str | None, pricing_model: str) -> tuple[str | None, str | None]:
    """(CommitmentDiscountCategory, CommitmentDiscountType) of a row's benefit: a savings plan commits to spend,
    anything else Azure names (a reservation) to usage."""
    if commitment is None:
        return None, None
    return ("Spend", "Savings Plan") if pricing_model == "savingsplan" else ("Usage", "Reservation")


def make_converter(kind: CostKind) -> Any:
    def convert(chunk: Chunk) -> dict[str, Sequence[Any]]:
        n = chunk.rows
        none: list[Any] = [None] * n
        cost = chunk.money(*COST_COLUMNS) or none
        types = chunk.text("chargetype") or none
        models = [(m or "").lower() for m in (chunk.text("pricingmodel") or none)]
        if kind == "amortized":
            billed = [
                Decimal(0) if m in _COMMITTED and (t or "").lower() != "purchase" else c
                for c, t, m in zip(cost, types, models, strict=True)
            ]
        else:
            billed = cost
        day = chunk.times("date", "usagedatetime", "usagedate") or none
        # Billing periods are calendar months: a blank one (or a v1 file, which has none) is the usage month.
        months = [month_start(d) if d else None for d in day]
        period_start = derive_blanks(chunk, "billing_period_start", chunk.times("billingperiodstartdate"), months)
        period_end = derive_blanks(
            chunk,
            "billing_period_end",
            [e + timedelta(days=1) if e else None for e in chunk.times("billingperiodenddate") or none],
            [next_month_start(p) if p else None for p in period_start],
        )
        quantity = chunk.decimals("quantity", "usagequantity")
        instance = fill(chunk.text("instanceid"), chunk.text("instancename"))
        subscription = chunk.text("subscriptionid", "subscriptionguid") or none
        meter_category = chunk.text("metercategory") or none
        services = per_value(lambda m: m or "Unknown", meter_category)
        account = chunk.text("billingaccountid") or none
        # Older EA and consumption exports name the resource only in InstanceId / InstanceName.
        resources = derive_blanks(chunk, "resource_id", chunk.text("resourceid"), instance)
        commitments = fill(chunk.text("benefitid"), chunk.text("reservationid")) or none
        meter_regions = chunk.text("meterregion") or none
        locations = chunk.text("resourcelocation") or none
        commitment_category, commitment_type = per_value_pair(_commitment_kind, commitments, models)
        category, subcategory = per_value_pair(lambda s: classify(AZURE_SERVICES, s), services)
        region_id, region_name = per_value_pair(azure_region, locations, meter_regions)
        used = {*COST_COLUMNS, "chargetype", "pricingmodel", "date", "usagedatetime", "quantity"}
        return {
            "provider_name": chunk.constant("Microsoft"),
            "publisher_name": fill(chunk.text("publishername"), chunk.constant("Microsoft")) or none,
            "invoice_issuer_name": chunk.constant("Microsoft"),
            "invoice_id": chunk.text("invoiceid") or none,  # MCA files name the invoice; EA files do not
            "billing_account_id": fill(account, subscription) or none,
            # Files without a billing account (legacy v1) are billed per subscription, which stands in for it.
            "billing_account_type": per_value(lambda a: "Billing Account" if a else "Subscription", account),
            "billing_account_name": chunk.text("billingaccountname") or none,
            "sub_account_id": subscription,
            "sub_account_name": chunk.text("subscriptionname") or none,
            "sub_account_type": chunk.constant("Subscription"),
            "billing_currency": or_default(chunk.parsed(v.parse_currency, *CURRENCY_COLUMNS), chunk.constant("USD")),
            "billing_period_start": period_start,
            "billing_period_end": period_end,
            "charge_period_start": day,
            "charge_period_end": [d + timedelta(days=1) if d else None for d in day],
            "charge_category": [CHARGE_CATEGORY.get((t or "usage").lower(), "Adjustment") for t in types],
            "charge_frequency": per_value(_frequency, chunk.text("frequency") or none, types),
            "charge_description": fill(chunk.text("productname", "product"), chunk.text("metername")) or none,
            "commitment_discount_status": ["Unused" if (t or "").lower().startswith("unused") else None for t in types],
            "commitment_discount_id": commitments,
            "commitment_discount_category": commitment_category,
            "commitment_discount_type": commitment_type,
            "service_name": services,
            "service_category": category,
            "service_subcategory": subcategory,
            "region_id": region_id,
            "region_name": region_name,
            "availability_zone": chunk.text("availabilityzone") or none,
            "resource_id": resources,
            "resource_type": per_value(azure_resource_type, resources),
            "resource_name": fill(chunk.text("resourcename"), chunk.text("instancename")) or none,
            "sku_id": fill(chunk.text("partnumber"), chunk.text("meterid")) or none,  # an empty PartNumber is no SKU
            "sku_meter": chunk.text("metername") or none,
            "pricing_quantity": quantity or none,
            "pricing_unit": chunk.text("unitofmeasure") or none,
            "list_unit_price": chunk.decimals("paygprice") or none,
            "contracted_unit_price": chunk.decimals("unitprice", "resourcerate") or none,
            "billed_cost": billed,
            "effective_cost": cost,
            "list_cost": _product(chunk.decimals("paygprice"), quantity, cost),
            "contracted_cost": _product(chunk.decimals("unitprice", "resourcerate"), quantity, cost),
            "tags": [t or {} for t in (chunk.parsed(v.parse_tags, "tags") or none)],
            "x_extras": extras(
                chunk,
                used,
                keep=[
                    "meterid",
                    "metersubcategory",
                    "resourcegroup",
                    "chargetype",
                    "pricingmodel",
                    "consumedservice",
                    "costcenter",
                ],
            )
            or chunk.constant({}),
        }

    return convert


def make_native(kind: CostKind) -> Any:
    def native(chunk: Chunk) -> tuple[Sequence[Any] | None, Sequence[Any] | None]:
        cost = chunk.money(*COST_COLUMNS) or []
        # An actual export's cost is the invoice (billed); an amortized export's is the effective cost.
        return (cost, None) if kind == "actual" else (None, cost)

    return native


def azure_format(kind: CostKind) -> ExportFormat:
    return ExportFormat(
        name=f"azure-{kind}",
        title=f"Azure cost details ({kind} cost; EA, MCA or legacy v1)",
        required=(
            "MeterCategory",
            "SubscriptionId|SubscriptionGuid",
            "CostInBillingCurrency|Cost|PreTaxCost",
            "Date|UsageDateTime",
        ),
        convert=make_converter(kind),
        source=f"azure-cost-details:{kind}",
        native=make_native(kind),
    )

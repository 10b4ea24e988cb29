"""Google Cloud billing export rows (standard and detailed BigQuery export), as CSV, JSON lines or Parquet
exported from BigQuery, with nested fields flattened to dotted names (``service.description``).

Mapped after Google's FOCUS BigQuery view for Cloud Billing ("FOCUS for Google Cloud", Cloud Billing docs):

- each row's ``cost`` is a Usage (or Tax / Adjustment, by ``cost_type``) line item with BilledCost =
  EffectiveCost = ``cost`` (gross);
- each entry of ``credits`` becomes its own line item with ChargeCategory ``Credit`` and its (negative)
  amount, so totals are net of credits while usage stays visible gross (credits silently hiding usage is
  what users get wrong); the credits arrive as a Python-repr list in BigQuery's CSV;
- ListCost = ``cost_at_list`` when the export has it, else ``cost``; the billing period is ``invoice.month``.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from finops_core.dates import month_start, next_month_start
from finops_core.service_categories import GOOGLE as GOOGLE_SERVICES
from finops_core.service_categories import classify

from finops_orchestrator.ingest import values as v
from finops_orchestrator.ingest.formats.base import Chunk, ExportFormat, extras, fill, or_default
from finops_orchestrator.ingest.formats.derived import derive
from finops_orchestrator.ingest.formats.resource_types import google_resource_type

COST_TYPE = {"regular": "Usage", "tax": "Tax", "adjustment": "Adjustment", "rounding_error": "Adjustment"}
_QUANTITIES = ("pricing_quantity", "pricing_unit", "consumed_quantity", "consumed_unit")


def _labels(text: str | None) -> dict[str, str]:
    if not text:
        return {}
    raw = v.parse_python_literal(text)
    if isinstance(raw, dict):
        return {str(k): str(val) for k, val in raw.items()}  # pyright: ignore[reportUnknownVariableType, reportUnknownArgumentType]
    return {str(item["key"]): str(item.get("value", "")) for item in raw}  # pyright: ignore[reportUnknownVariableType, reportUnknownArgumentType]


def _credit_amount(credit: dict[str, Any]) -> Decimal:
    """A credit's amount, exactly: BigQuery writes it as a float, whose shortest text is what it exported."""
    return Decimal(str(credit.get("amount", 0)))


def _month(text: str) -> Any:
    text = text.strip()
    return v.parse_timestamp(f"{text[:4]}-{text[4:6]}-01")


def convert(chunk: Chunk) -> dict[str, Sequence[Any]]:
    n = chunk.rows
    none: list[Any] = [None] * n
    cost = chunk.decimals("cost") or none
    start = chunk.times("usagestarttime") or none
    period = chunk.parsed(_month, "invoicemonth") or [month_start(s) if s else None for s in start]
    service = chunk.text("servicedescription") or none
    resources = chunk.text("resourceglobalname") or none
    credits = chunk.parsed(v.parse_python_literal, "credits") or [[] for _ in range(n)]
    labels = [_labels(t) for t in (chunk.text("labels") or none)]
    project_labels = [_labels(t) for t in (chunk.text("projectlabels") or none)]
    used = {"cost", "usagestarttime", "invoicemonth", "servicedescription", "credits", "labels", "projectlabels"}
    base: dict[str, Sequence[Any]] = {
        "provider_name": chunk.constant("Google Cloud"),
        "publisher_name": chunk.constant("Google Cloud"),
        "invoice_issuer_name": chunk.constant("Google Cloud"),
        "billing_account_id": chunk.text("billingaccountid") or none,
        "billing_account_type": chunk.constant("Billing Account"),
        "sub_account_id": chunk.text("projectid") or none,
        "sub_account_name": chunk.text("projectname") or none,
        "sub_account_type": chunk.constant("Project"),
        "billing_currency": or_default(chunk.text("currency"), chunk.constant("USD")),
        "billing_period_start": period,
        "billing_period_end": [next_month_start(p) if p else None for p in period],
        "charge_period_start": start,
        "charge_period_end": chunk.times("usageendtime") or none,
        "service_name": service,
        "service_category": derive(lambda s: classify(GOOGLE_SERVICES, s)[0], service),
        "service_subcategory": derive(lambda s: classify(GOOGLE_SERVICES, s)[1], service),
        "sku_id": chunk.text("skuid") or none,
        "sku_meter": chunk.text("skudescription") or none,
        "charge_description": chunk.text("skudescription") or none,
        "region_id": fill(chunk.text("locationregion"), chunk.text("locationlocation")) or none,
        "region_name": chunk.text("locationlocation") or none,
        "availability_zone": chunk.text("locationzone") or none,
        "resource_id": resources,
        "resource_type": derive(google_resource_type, resources),
        "resource_name": chunk.text("resourcename") or none,
        "pricing_quantity": chunk.decimals("usageamountinpricingunits") or none,
        "pricing_unit": chunk.text("usagepricingunit") or none,
        "consumed_quantity": chunk.decimals("usageamount") or none,
        "consumed_unit": chunk.text("usageunit") or none,
        "tags": [{**p, **lab} for p, lab in zip(project_labels, labels, strict=True)],
        "x_extras": extras(chunk, used, keep=["serviceid", "costtype", "systemlabels", "exporttime"])
        or chunk.constant({}),
    }
    cost_types = chunk.text("costtype") or none
    usage = {
        **base,
        "charge_category": [COST_TYPE.get((t or "regular").lower(), "Adjustment") for t in cost_types],
        "charge_frequency": chunk.constant("Usage-Based"),
        "billed_cost": cost,
        "effective_cost": cost,
        "contracted_cost": cost,
        "list_cost": fill(chunk.decimals("costatlist"), cost) or none,
    }
    # One Credit line item per credit entry, copying its usage row's dimensions but no quantity: a credit
    # consumes nothing, and a copied quantity would count the usage twice.
    rows = [(i, credit) for i, entries in enumerate(credits) for credit in (entries or [])]
    if not rows:
        return usage
    out: dict[str, Sequence[Any]] = {}
    grow: dict[str, list[Any]] = {k: list(col) for k, col in usage.items()}
    out.update(grow)
    for i, credit in rows:
        amount = _credit_amount(credit)
        for name, col in base.items():
            grow[name].append(col[i])
        grow["charge_category"].append("Credit")
        grow["charge_frequency"].append("Usage-Based")
        grow["billed_cost"].append(amount)
        grow["effective_cost"].append(amount)
        grow["contracted_cost"].append(amount)
        grow["list_cost"].append(Decimal(0))
        for name in _QUANTITIES:
            grow[name][-1] = None
        grow["charge_description"][-1] = str(credit.get("full_name") or credit.get("name") or "credit")
        grow["x_extras"][-1] = {
            **base["x_extras"][i],
            "x_CreditType": credit.get("type"),
            "x_CreditId": credit.get("id"),
        }
    return out


def native(chunk: Chunk) -> tuple[Sequence[Any] | None, Sequence[Any] | None]:
    """Net cost per row: ``cost`` plus its credits, as Cloud Billing reports and invoices it."""
    cost = chunk.decimals("cost") or []
    credits = chunk.parsed(v.parse_python_literal, "credits") or [[] for _ in cost]
    net = [
        None if c is None else c + sum((_credit_amount(x) for x in (cr or [])), Decimal(0))
        for c, cr in zip(cost, credits, strict=True)
    ]
    return net, None


GCP_BILLING = ExportFormat(
    name="gcp-billing",
    title="Google Cloud billing export (standard or detailed, from BigQuery)",
    required=("billing_account_id", "service.description", "cost", "usage_start_time"),
    convert=convert,
    source="gcp-billing-export",
    native=native,
)

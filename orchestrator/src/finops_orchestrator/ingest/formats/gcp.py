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

import json
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

import numpy as np
from finops_core.dates import month_start, next_month_start
from finops_core.service_categories import GOOGLE as GOOGLE_SERVICES
from finops_core.service_categories import classify

from finops_orchestrator.ingest import values as v
from finops_orchestrator.ingest.formats.base import Chunk, ExportFormat, canonical, extras, fill, or_default
from finops_orchestrator.ingest.formats.derived import per_value, per_value_pair
from finops_orchestrator.ingest.formats.resource_types import google_resource_type

COST_TYPE = {"regular": "Usage", "tax": "Tax", "adjustment": "Adjustment", "rounding_error": "Adjustment"}
_QUANTITIES = ("pricing_quantity", "pricing_unit", "consumed_quantity", "consumed_unit")


def _literal(text: str) -> Any:
    """A nested cell's value: JSON, BigQuery CSV's Python repr, or either of them inside a JSON string."""
    value = v.parse_python_literal(text)
    return v.parse_python_literal(value) if isinstance(value, str) and value.strip()[:1] in ("[", "{") else value


def _labels(text: str) -> dict[str, str]:
    """Labels, project labels or system labels: a list of ``{key, value}``, one such object, or a mapping."""
    return v.key_values(_literal(text))


def _credits(text: str) -> list[dict[str, Any]]:
    """Credits: a list of objects, one object instead of a list, or either as JSON or Python-repr text. Each
    needs an amount (exact: BigQuery writes a float, whose shortest text is what it exported)."""
    raw = _literal(text)
    entries: list[Any] = [raw] if isinstance(raw, dict) else raw
    if not isinstance(entries, list):
        raise ValueError(text)
    out: list[dict[str, Any]] = []
    for entry in entries:
        if not isinstance(entry, dict) or "amount" not in entry:
            raise ValueError(text)
        out.append({**entry, "amount": v.money(entry["amount"])})  # pyright: ignore[reportUnknownArgumentType]
    return out


def _ancestry(text: str) -> list[dict[str, str]]:
    """Project ancestry (organization and folders above the project): a list of ``{resource_name,
    display_name}`` objects, or one such object."""
    raw = _literal(text)
    entries: list[Any] = [raw] if isinstance(raw, dict) else raw
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise ValueError(text)
    return [{str(k): v.label_text(val) for k, val in e.items()} for e in entries]  # pyright: ignore[reportUnknownVariableType, reportUnknownArgumentType, reportUnknownMemberType]


def _flattened(chunk: Chunk, name: str) -> list[dict[str, Any] | None] | None:
    """Per row, the object a JSON line or Parquet row held at ``name`` where BigQuery writes a list (the
    reader flattened it into ``name.field`` columns); None if the file has no such columns."""
    prefix = name + "."
    parts = [(o[len(prefix) :], o) for o in chunk.names.values() if o.startswith(prefix)]
    if not parts:
        return None
    columns = [(field, chunk.frame[original].tolist()) for field, original in parts]
    rows: list[dict[str, Any] | None] = []
    for i in range(chunk.rows):
        entry = {field: values[i] for field, values in columns if v.cell(values[i]) is not None}
        rows.append(entry or None)
    return rows


def nested(chunk: Chunk, name: str, parse: Callable[[str], Any]) -> list[Any]:
    """Per row, the nested field ``name`` (dotted, as BigQuery names it) parsed by ``parse``, in whichever
    shape the file holds it: its own column, or the columns one object was flattened into. None where empty."""
    own = chunk.parsed(parse, canonical(name))
    rows: list[Any] = list(own) if own is not None else [None] * chunk.rows
    flat = _flattened(chunk, name)
    for i, entry in enumerate(flat or ()):
        if rows[i] is None and entry is not None:
            text = json.dumps(entry, default=str)
            rows[i] = v.column([text], parse, name=name, where=chunk.where, first_row=chunk.first_row + i)[0]
    return rows


def _month(text: str) -> Any:
    """``invoice.month``: ``YYYYMM``."""
    text = text.strip()
    if len(text) != 6 or not text.isdigit():
        raise ValueError(text)
    return v.parse_timestamp(f"{text[:4]}-{text[4:6]}-01")


def convert(chunk: Chunk) -> dict[str, Sequence[Any]]:
    n = chunk.rows
    none: list[Any] = [None] * n
    cost = chunk.money("cost") or none
    start = chunk.times("usagestarttime") or none
    period = chunk.parsed(_month, "invoicemonth") or [month_start(s) if s else None for s in start]
    service = chunk.text("servicedescription") or none
    resources = chunk.text("resourceglobalname") or none
    credits = nested(chunk, "credits", _credits)
    labels = nested(chunk, "labels", _labels)
    project_labels = nested(chunk, "project.labels", _labels)
    system_labels = nested(chunk, "system_labels", _labels)
    ancestry = nested(chunk, "project.ancestors", _ancestry)
    category, subcategory = per_value_pair(lambda s: classify(GOOGLE_SERVICES, s), service)
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
        "billing_currency": or_default(chunk.parsed(v.parse_currency, "currency"), chunk.constant("USD")),
        "billing_period_start": period,
        "billing_period_end": [next_month_start(p) if p else None for p in period],
        "charge_period_start": start,
        "charge_period_end": chunk.times("usageendtime") or none,
        "service_name": service,
        "service_category": category,
        "service_subcategory": subcategory,
        "sku_id": chunk.text("skuid") or none,
        "sku_meter": chunk.text("skudescription") or none,
        "charge_description": chunk.text("skudescription") or none,
        "region_id": fill(chunk.text("locationregion"), chunk.text("locationlocation")) or none,
        "region_name": chunk.text("locationlocation") or none,
        "availability_zone": chunk.text("locationzone") or none,
        "resource_id": resources,
        "resource_type": per_value(google_resource_type, resources),
        "resource_name": chunk.text("resourcename") or none,
        "pricing_quantity": chunk.decimals("usageamountinpricingunits") or none,
        "pricing_unit": chunk.text("usagepricingunit") or none,
        "consumed_quantity": chunk.decimals("usageamount") or none,
        "consumed_unit": chunk.text("usageunit") or none,
        "tags": [{**(p or {}), **(lab or {})} for p, lab in zip(project_labels, labels, strict=True)],
        "x_extras": _extras(chunk, used, system_labels, ancestry),
    }
    cost_types = chunk.text("costtype") or none
    usage = {
        **base,
        "charge_category": [COST_TYPE.get((t or "regular").lower(), "Adjustment") for t in cost_types],
        "charge_frequency": chunk.constant("Usage-Based"),
        "billed_cost": cost,
        "effective_cost": cost,
        "contracted_cost": cost,
        "list_cost": fill(chunk.money("costatlist"), cost) or none,
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
        amount = credit["amount"]
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


def _extras(chunk: Chunk, used: set[str], system_labels: list[Any], ancestry: list[Any]) -> list[dict[str, Any]]:
    rows = extras(chunk, used, keep=["serviceid", "costtype", "exporttime"]) or [{} for _ in range(chunk.rows)]
    for row, labels, ancestors in zip(rows, system_labels, ancestry, strict=True):
        if labels:
            row["x_system_labels"] = labels
        if ancestors:
            row["x_project_ancestors"] = ancestors
    return rows


def _amounts(value: Any) -> Decimal:
    """Every ``amount`` in a raw credits value, whatever its shape (read apart from ``convert``'s parsing, so
    the two are checked against each other)."""
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if isinstance(value, str):
        text = value.strip()
        return _amounts(v.parse_python_literal(text)) if text[:1] in ("[", "{", '"', "'") else Decimal(0)
    if isinstance(value, dict):
        return sum(
            (v.money(x) if k == "amount" else _amounts(x) for k, x in value.items()),  # pyright: ignore[reportUnknownVariableType, reportUnknownArgumentType]
            Decimal(0),
        )
    if isinstance(value, list | tuple):
        return sum((_amounts(x) for x in value), Decimal(0))  # pyright: ignore[reportUnknownVariableType, reportUnknownArgumentType]
    return Decimal(0)


def native(chunk: Chunk) -> tuple[Sequence[Any] | None, Sequence[Any] | None]:
    """Net cost per row: ``cost`` plus every credit amount in the row's raw cells, as Cloud Billing reports and
    invoices it."""
    cost = chunk.money("cost") or []
    raw = chunk.raw("credits") or [None] * len(cost)
    flat = [(o, chunk.frame[o].tolist()) for o in chunk.names.values() if o.startswith("credits.")]
    net: list[Decimal | None] = []
    for i, c in enumerate(cost):
        if c is None:
            net.append(None)
            continue
        credit = _amounts(raw[i]) + sum(
            (v.money(values[i]) for o, values in flat if o.endswith(".amount") and v.cell(values[i]) is not None),
            Decimal(0),
        )
        net.append(c + credit)
    return net, None


GCP_BILLING = ExportFormat(
    name="gcp-billing",
    title="Google Cloud billing export (standard or detailed, from BigQuery)",
    required=("billing_account_id", "service.description", "cost", "usage_start_time"),
    convert=convert,
    source="gcp-billing-export",
    native=native,
)

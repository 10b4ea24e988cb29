"""Cloud Billing budgets of the billing account, with each budget's spend so far from the billing export.

The Budget API gives the amount, the filter and the alert thresholds; the spend comes from the export (one
BigQuery job for every budget, grouped by project number and service id), counted as the budget counts it:
credits included, excluded or only the chosen types (``credit_types_treatment``).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from finops_core.cached import cache_state
from finops_core.money import Money, from_nanos, normalize_amount

from finops_gcp.billing import account_name
from finops_gcp.costs.answers import BudgetThreshold, GcpBudget, GcpBudgets
from finops_gcp.costs.bigquery_costs import BillingExport, _dec  # pyright: ignore[reportPrivateUsage]
from finops_gcp.costs.export_sql import CREDIT_TYPES
from finops_gcp.errors import gcp_errors
from finops_gcp.retries import retried_blocking

if TYPE_CHECKING:
    from finops_gcp.context import GcpContext


def _period(raw: dict[str, Any], today: date) -> tuple[date, date]:
    """The budget's current period ``[start, end)``: its calendar month, quarter or year, or its custom dates."""
    custom = raw.get("custom_period") or {}
    if custom.get("start_date"):
        s, e = custom["start_date"], custom.get("end_date")
        start = date(int(s["year"]), int(s["month"]), int(s["day"]))
        end = date(int(e["year"]), int(e["month"]), int(e["day"])) + timedelta(days=1) if e else today
        return start, max(end, start + timedelta(days=1))
    kind = raw.get("calendar_period") or "MONTH"
    if kind == "YEAR":
        return date(today.year, 1, 1), date(today.year + 1, 1, 1)
    if kind == "QUARTER":
        first = (today.month - 1) // 3 * 3 + 1
        start = date(today.year, first, 1)
        return start, date(today.year + (first + 3 > 12), (first + 2) % 12 + 1, 1)
    return date(today.year, today.month, 1), date(today.year + today.month // 12, today.month % 12 + 1, 1)


async def budgets(ctx: GcpContext, export: BillingExport | None = None) -> GcpBudgets:
    """The billing account's budgets with spend so far, fullest first."""
    parent = account_name(ctx)

    what = f"listing the budgets of {parent} (billingbudgets)"

    def fetch(seconds: float) -> list[dict[str, Any]]:
        from google.cloud.billing.budgets_v1 import Budget, BudgetServiceClient

        client = ctx.clients.gapic(BudgetServiceClient, "budgets")
        with gcp_errors(what):
            return [
                Budget.to_dict(b, preserving_proto_field_name=True, use_integers_for_enums=False)
                for b in client.list_budgets(parent=parent, retry=None, timeout=seconds)
            ]

    raw_budgets = await retried_blocking(ctx, what, fetch)
    today = ctx.today()
    periods = [_period(b.get("budget_filter") or {}, today) for b in raw_budgets]
    paid = 0
    fetched: list[datetime | None] = []
    # One BigQuery job per distinct budget period (usually one: the calendar month), grouped by project number
    # and service id, so each budget's filter and credit treatment is applied in Python.
    spend: dict[tuple[date, date], dict[tuple[str, str, str], dict[str, Decimal]]] = {}
    export = export or BillingExport(ctx)
    for start, end in sorted(set(periods)):
        last = max(min(end, today + timedelta(days=1)), start + timedelta(days=1))
        rows, result = await export.spend(start, last, ["project_number", "service_id"])
        paid += result.paid_calls
        fetched.append(result.cached_at)
        found: dict[tuple[str, str, str], dict[str, Decimal]] = {}
        for row in rows:
            sums = found.setdefault((str(row["k0"]), str(row["k1"]), str(row["currency"])), defaultdict(Decimal))
            sums["gross"] += _dec(row["gross"])
            sums["credits"] += _dec(row["credits"])
            for t in CREDIT_TYPES:
                sums[t] += _dec(row.get(f"credits_{t.lower()}"))
        spend[(start, end)] = found
    out = [_budget(b, p, spend[p]) for b, p in zip(raw_budgets, periods, strict=True)]
    out.sort(key=lambda b: (-(b.percent_used or 0), b.name))
    note = None
    if not out:
        note = f"{parent} has no budgets; create one in the console under Billing > Budgets & alerts."
    return GcpBudgets(
        billing_account=parent.split("/", 1)[1],
        budgets=out,
        over_limit=sum(1 for b in out if (b.percent_used or 0) > 100),
        paid_calls=paid,
        note=note,
        **cache_state(*fetched),
    )


def _budget(
    raw: dict[str, Any], period: tuple[date, date], spend: dict[tuple[str, str, str], dict[str, Decimal]]
) -> GcpBudget:
    filt = raw.get("budget_filter") or {}
    projects = [p.split("/", 1)[-1] for p in filt.get("projects") or []]
    services = [s.split("/", 1)[-1] for s in filt.get("services") or []]
    treatment = str(filt.get("credit_types_treatment") or "INCLUDE_ALL_CREDITS")
    if treatment == "CREDIT_TYPES_TREATMENT_UNSPECIFIED":
        treatment = "INCLUDE_ALL_CREDITS"
    chosen = set(filt.get("credit_types") or [])
    amount_raw = raw.get("amount") or {}
    specified = amount_raw.get("specified_amount")
    amount = None
    if specified:
        nanos = int(specified.get("units") or 0) * 10**9 + int(specified.get("nanos") or 0)
        amount = Money(amount=from_nanos(nanos), currency=str(specified.get("currency_code") or "USD"))
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for (project, service, currency), sums in spend.items():
        if projects and project not in projects:
            continue
        if services and service not in services:
            continue
        if treatment == "EXCLUDE_ALL_CREDITS":
            value = sums["gross"]
        elif treatment == "INCLUDE_SPECIFIED_CREDITS":
            value = sums["gross"] + sum((sums[t] for t in chosen if t in sums), Decimal(0))
        else:
            value = sums["gross"] + sums["credits"]
        totals[currency] += value
    actual = None
    if totals:
        currency = amount.currency if amount and amount.currency in totals else sorted(totals)[0]
        actual = Money(amount=normalize_amount(totals[currency]), currency=currency)
    percent = None
    if actual is not None and amount is not None and amount.amount and amount.currency == actual.currency:
        percent = round(float(actual.amount * 100 / amount.amount), 2)
    thresholds = [
        BudgetThreshold(
            percent=round(float(t.get("threshold_percent") or 0) * 100, 2),
            basis=str(t.get("spend_basis") or "CURRENT_SPEND"),
            reached=(percent >= float(t.get("threshold_percent") or 0) * 100)
            if percent is not None and str(t.get("spend_basis") or "CURRENT_SPEND") == "CURRENT_SPEND"
            else None,
        )
        for t in raw.get("threshold_rules") or []
    ]
    return GcpBudget(
        name=str(raw.get("name")),
        display_name=raw.get("display_name") or None,
        amount=amount,
        amount_kind="specified" if specified else "last_period",
        period_start=period[0],
        period_end=period[1],
        projects=projects,
        services=services,
        credits_treatment=treatment,
        actual=actual,
        percent_used=percent,
        thresholds=thresholds,
    )

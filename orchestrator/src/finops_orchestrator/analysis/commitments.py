"""Commitment discounts (reservations, savings plans, committed use) from the FOCUS commitment columns.

Utilization per commitment: the effective cost of its ``Used`` rows against ``Used`` + ``Unused``. Coverage
per provider: usage cost a commitment covered against all usage cost (``Unused`` commitment rows are not
usage). Savings: list cost minus effective cost of covered usage. Exact sums, per currency.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal

from finops_core.money import Amount, Money
from finops_core.reading import CostReader
from pydantic import BaseModel, Field

_ZERO = Decimal(0)


class Commitment(BaseModel):
    provider: str
    commitment_id: str
    type: str | None = Field(description="FOCUS CommitmentDiscountType, e.g. Savings Plan, Reserved Instance.")
    category: str | None = Field(description="Spend or Usage.")
    currency: str
    purchased: Amount = Field(description="Billed cost of its purchase rows in the period (cash).")
    used: Amount = Field(description="Effective cost of the usage it covered.")
    unused: Amount = Field(description="Effective cost of its unused share (waste).")
    utilization_percent: float | None = Field(description="used / (used + unused); null without either.")
    savings_vs_list: Amount = Field(description="List cost minus effective cost of the usage it covered.")


class Coverage(BaseModel):
    provider: str
    currency: str
    usage: Amount = Field(description="Effective cost of all usage.")
    covered: Amount = Field(description="Effective cost of usage a commitment covered.")
    coverage_percent: float | None


class CommitmentReport(BaseModel):
    start: date
    end: date = Field(description="Exclusive.")
    commitments: list[Commitment] = Field(description="Largest unused share first, then largest used.")
    coverage: list[Coverage]
    unused_total: list[Money] = Field(description="Unused commitment cost (effective), per currency.")
    source: str
    is_demo: bool
    note: str


def commitments(
    reader: CostReader, *, start: date, end: date, providers: tuple[str, ...] = (), source: str, is_demo: bool
) -> CommitmentReport:
    usage: dict[tuple[str, str], list[Decimal]] = defaultdict(lambda: [_ZERO, _ZERO])  # [all usage, covered]
    found: dict[tuple[str, str, str], dict[str, Decimal]] = defaultdict(lambda: defaultdict(lambda: _ZERO))
    kinds: dict[tuple[str, str, str], tuple[str | None, str | None]] = {}
    for row in reader.commitment_sums(start, end):
        provider, currency, cid = row.provider, row.currency, row.commitment_id
        ctype, category, charge, status = (
            row.commitment_type,
            row.commitment_category,
            row.charge_category,
            row.commitment_status,
        )
        if provider is None or currency is None or (providers and provider not in providers):
            continue
        billed, effective, listed = row.billed, row.effective, row.listed
        if charge == "Usage" and status != "Unused":
            usage[(provider, currency)][0] += effective
            if cid is not None:
                usage[(provider, currency)][1] += effective
        if cid is None:
            continue
        key = (provider, currency, cid)
        kinds.setdefault(key, (ctype, category))
        sums = found[key]
        if charge == "Purchase":
            sums["purchased"] += billed
        if status == "Used":
            sums["used"] += effective
            sums["savings"] += listed - effective
        elif status == "Unused":
            sums["unused"] += effective
    listed_commitments = [
        Commitment(
            provider=provider,
            commitment_id=cid,
            type=kinds[(provider, currency, cid)][0],
            category=kinds[(provider, currency, cid)][1],
            currency=currency,
            purchased=s["purchased"],
            used=s["used"],
            unused=s["unused"],
            utilization_percent=None
            if s["used"] + s["unused"] == 0
            else float(round(s["used"] / (s["used"] + s["unused"]) * 100, 1)),
            savings_vs_list=s["savings"],
        )
        for (provider, currency, cid), s in found.items()
    ]
    listed_commitments.sort(key=lambda c: (-c.unused, -c.used, c.provider, c.commitment_id))
    coverage = [
        Coverage(
            provider=provider,
            currency=currency,
            usage=total,
            covered=covered,
            coverage_percent=None if total == 0 else float(round(covered / total * 100, 1)),
        )
        for (provider, currency), (total, covered) in sorted(usage.items())
    ]
    unused: dict[str, Decimal] = defaultdict(lambda: _ZERO)
    for c in listed_commitments:
        unused[c.currency] += c.unused
    note = (
        "Coverage counts all usage cost, including services no commitment can cover. Utilization needs the "
        "export's Unused rows (FOCUS CommitmentDiscountStatus); a source without them shows 100%."
    )
    if not listed_commitments:
        note = f"No commitment discounts in the data from {start} to {end}. " + note
    return CommitmentReport(
        start=start,
        end=end,
        commitments=listed_commitments,
        coverage=coverage,
        unused_total=[Money(amount=v, currency=c) for c, v in sorted(unused.items())],
        source=source,
        is_demo=is_demo,
        note=note,
    )

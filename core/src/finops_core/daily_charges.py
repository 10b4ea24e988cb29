"""The FOCUS columns of a cost a cloud's API reports per day (Cost Explorer, Cost Management, the billing export's
daily sums): charged over that day, billed in its calendar month, since none of these names the invoice's period."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import TypedDict

from finops_core.dates import midnight, month_start, next_month_start


class DayPeriods(TypedDict):
    billing_period_start: datetime
    billing_period_end: datetime
    charge_period_start: datetime
    charge_period_end: datetime


class DayCharge(DayPeriods):
    charge_category: str
    charge_frequency: str | None


def day_periods(day: date) -> DayPeriods:
    """The ``billing_period_*`` and ``charge_period_*`` of a ``CostLineItem`` for ``day``'s cost (UTC midnights)."""
    return DayPeriods(
        billing_period_start=month_start(day),
        billing_period_end=next_month_start(day),
        charge_period_start=midnight(day),
        charge_period_end=midnight(day + timedelta(days=1)),
    )


def day_charge(day: date, category: str) -> DayCharge:
    """``day_periods`` with the charge's ``category`` (as read from its service) and its frequency: usage is
    usage-based; a daily sum does not say whether a purchase is one-time or recurring."""
    return DayCharge(
        **day_periods(day), charge_category=category, charge_frequency="Usage-Based" if category == "Usage" else None
    )

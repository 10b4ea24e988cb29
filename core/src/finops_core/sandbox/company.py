"""The demo company: Northwind Analytics, on AWS, Azure and Google Cloud.

Deterministic: the same seed and ``as_of`` give the same numbers. Apart from the two spikes, which
stay at fixed distances before ``as_of`` so they are always recent, a day's cost depends only on the
seed, the series and the date: moving ``as_of`` forward keeps the rest of history unchanged. Thirteen months of
daily costs with weekly seasonality, growth, tags with gaps, a Savings Plan on AWS, negotiated prices on
Azure, credits on Google Cloud, and two injected spikes:

- AWS, Amazon EC2 in the data account: a runaway batch job, 4 days from 45 days before ``as_of`` (x3.5);
- Google Cloud, BigQuery in acme-data: an unbounded query loop, 2 days from 12 days before ``as_of`` (x6).

Each cloud's accounts, series and spikes are data (``company.toml``, its inventory ``inventory.toml``); what turns
them into line items, and the line items beyond the series (the Savings Plan, the credit), are code here.
"""

from __future__ import annotations

import calendar
import hashlib
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, NamedTuple

from pydantic import BaseModel, ConfigDict, TypeAdapter, with_config

from finops_core.clouds import entry, load
from finops_core.dates import midnight, month_start, next_month_start
from finops_core.focus import CostLineItem
from finops_core.models import Cloud
from finops_core.package_data import read_toml
from finops_core.sandbox import inventory
from finops_core.sandbox.inventory import SandboxResource
from finops_core.service_categories import AWS as AWS_SERVICES
from finops_core.service_categories import AZURE as AZURE_SERVICES
from finops_core.service_categories import GOOGLE as GOOGLE_SERVICES
from finops_core.service_categories import Classification, classify

COMPANY = "Northwind Analytics"
DEMO_LABEL = f"DEMO DATA: sandbox company '{COMPANY}', not a real cloud account"
_MICRO = Decimal("0.000001")
GROWTH_EPOCH = date(2025, 1, 1)  # series bases are daily costs on this day; growth compounds from it


@with_config(ConfigDict(extra="forbid"))  # company.toml's rows are validated into it: an unknown key is a typo
@dataclass(frozen=True)
class Series:
    """One daily cost stream: an account's service in a region."""

    account_id: str
    account_name: str
    service: str
    category: str
    region: str
    base: float  # daily cost at the start of the history, in the cloud's currency
    growth: float = 0.02  # per month
    weekday_heavy: bool = True  # weekends cost less (compute, data); storage stays flat
    tags: dict[str, str] = field(default_factory=lambda: dict[str, str]())


@with_config(ConfigDict(extra="forbid"))
@dataclass(frozen=True)
class Spike:
    service: str
    account_id: str
    days_before_as_of: int
    days: int
    factor: float


def _no_extras(spec: CloudSpec, day: date, common: dict[str, Any]) -> list[CostLineItem]:
    return []


# Line items of one day beyond the usage series (a commitment's purchase and amortization, credits).
Extras = Callable[["CloudSpec", date, dict[str, Any]], list[CostLineItem]]


@with_config(ConfigDict(extra="forbid"))  # company.toml is validated into it: an unknown key is a typo
@dataclass(frozen=True)
class CloudSpec:
    """One cloud of the demo company: its costs (series, spikes, discounts, extra line items such as commitments and
    credits), its inventory and what a commitment would save. A cloud's registry entry names its spec."""

    cloud: Cloud
    provider_name: str
    billing_account_id: str
    billing_account_name: str
    currency: str
    sub_account_type: str  # FOCUS SubAccountType: Account, Subscription, Project
    services: Mapping[str, Classification]  # its service names' FOCUS categories (finops_core.service_categories)
    series: tuple[Series, ...]
    resources: Callable[[], list[SandboxResource]]  # a fresh copy of its demo inventory
    commitment_savings: Decimal  # the monthly saving of the demo commitment recommendation
    spikes: tuple[Spike, ...] = ()
    contracted_discount: float = 0.0  # negotiated discount off list (Azure EA)
    extras: Extras = _no_extras


# The AWS Savings Plan: bought monthly, covering part of prod EC2 in us-east-1.
SAVINGS_PLAN_MONTHLY = Decimal("3650.00")
SAVINGS_PLAN_ARN = "arn:aws:savingsplans::123456789012:savingsplan/5a4b3c2d-sp-demo"
SAVINGS_PLAN_DISCOUNT = 0.28  # list price this much higher than the committed rate
_SAVINGS_PLAN_ACCOUNT = "northwind-prod"  # the account that buys it, and whose usage it covers
_SAVINGS_PLAN = {  # the commitment columns of its purchase and of the usage it covers
    "commitment_discount_id": SAVINGS_PLAN_ARN,
    "commitment_discount_category": "Spend",
    "commitment_discount_type": "Savings Plan",
}
GCP_MONTHLY_CREDIT = Decimal("-150.00")  # a promotional credit, on the first day of each month
_CREDIT_ACCOUNT = "northwind-prod-412"


def demo_spec(cloud: Cloud) -> CloudSpec:
    """The demo company's part on ``cloud``: the spec its registry entry names."""
    spec = load(entry(cloud).demo)
    if not isinstance(spec, CloudSpec):
        raise TypeError(f"{entry(cloud).demo} (the demo of {cloud}) is not a CloudSpec")
    return spec


def history_start(as_of: date) -> date:
    """First day of the demo history: the 1st of the month twelve months before ``as_of``'s month."""
    month = as_of.month - 12
    year = as_of.year + (month - 1) // 12
    return date(year, (month - 1) % 12 + 1, 1)


def _noise(seed: int, cloud: str, index: int, day: date) -> float:
    digest = hashlib.blake2b(f"{seed}:{cloud}:{index}:{day.toordinal()}".encode(), digest_size=8).digest()
    return random.Random(int.from_bytes(digest, "big")).uniform(0.93, 1.07)  # noqa: S311 - demo noise, not security


def _money(value: float | Decimal) -> Decimal:
    return Decimal(str(value)).quantize(_MICRO)


def daily_amount(spec: CloudSpec, index: int, day: date, *, seed: int, as_of: date) -> Decimal:
    """The cost of series ``index`` on ``day``, before any commitment or negotiated discount."""
    series = spec.series[index]
    months = (day - GROWTH_EPOCH).days / 30.4
    value = series.base * (1 + series.growth) ** months
    if series.weekday_heavy and day.weekday() >= 5:
        value *= 0.65
    value *= _noise(seed, spec.cloud, index, day)
    for spike in spec.spikes:
        first = as_of - timedelta(days=spike.days_before_as_of)
        if (
            spike.service == series.service
            and spike.account_id == series.account_id
            and first <= day < first + timedelta(days=spike.days)
        ):
            value *= spike.factor
    return _money(value)


def _account(spec: CloudSpec, name: str) -> tuple[str, str]:
    """The (id, name) of ``spec``'s account called ``name``."""
    return next((s.account_id, s.account_name) for s in spec.series if s.account_name == name)


def _subcategory(spec: CloudSpec, service: str) -> str:
    """FOCUS's subcategory for a demo service, from the tables ingest uses for real exports."""
    return classify(spec.services, service)[1]


def _item(
    spec: CloudSpec, common: dict[str, Any], account: tuple[str, str], service: str, category: str, **columns: Any
) -> CostLineItem:
    """A demo line item of ``account`` (id, name) and ``service``: the day's columns (``common``), the sub-account
    and service columns every demo item has, then its own."""
    account_id, account_name = account
    return CostLineItem(
        **common,
        sub_account_id=account_id,
        sub_account_name=account_name,
        sub_account_type=spec.sub_account_type,
        service_name=service,
        service_category=category,
        service_subcategory=_subcategory(spec, service),
        **columns,
    )


def generate_line_items(spec: CloudSpec, *, seed: int, as_of: date) -> list[CostLineItem]:
    """Every demo line item of one cloud for ``[history_start(as_of), as_of)``."""
    items: list[CostLineItem] = []
    day = history_start(as_of)
    list_factor = 1 / (1 - spec.contracted_discount)
    while day < as_of:
        period_start, period_end = month_start(day), next_month_start(day)
        common: dict[str, Any] = {
            "provider_name": spec.provider_name,
            "billing_account_id": spec.billing_account_id,
            "billing_account_name": spec.billing_account_name,
            "billing_account_type": "Billing Account",
            "billing_currency": spec.currency,
            "billing_period_start": period_start,
            "billing_period_end": period_end,
            "charge_period_start": midnight(day),
            "charge_period_end": midnight(day + timedelta(days=1)),
        }
        for index, series in enumerate(spec.series):
            amount = daily_amount(spec, index, day, seed=seed, as_of=as_of)
            list_cost = _money(amount * Decimal(str(list_factor)))
            items.append(
                _item(
                    spec,
                    common,
                    (series.account_id, series.account_name),
                    series.service,
                    series.category,
                    region_id=series.region,
                    region_name=series.region,
                    charge_category="Usage",
                    charge_frequency="Usage-Based",
                    charge_description=f"{series.service} usage in {series.region}",
                    pricing_category="Standard",
                    billed_cost=amount,
                    effective_cost=amount,
                    contracted_cost=amount,
                    list_cost=list_cost,
                    tags=series.tags,
                )
            )
        items.extend(spec.extras(spec, day, common))
        day += timedelta(days=1)
    return items


def _savings_plan(spec: CloudSpec, day: date, common: dict[str, Any]) -> list[CostLineItem]:
    """The AWS Savings Plan: its monthly purchase, and the usage it covers each day."""
    out: list[CostLineItem] = []
    days_in_month = calendar.monthrange(day.year, day.month)[1]
    if day.day == 1:  # the purchase: cash on the invoice, no amortized cost of its own
        out.append(
            _item(
                spec,
                common,
                _account(spec, _SAVINGS_PLAN_ACCOUNT),
                "Savings Plans for AWS Compute usage",
                "Compute",
                charge_category="Purchase",
                charge_frequency="Recurring",
                pricing_category="Committed",
                charge_description="1-year Compute Savings Plan, no upfront, monthly fee",
                **_SAVINGS_PLAN,
                billed_cost=SAVINGS_PLAN_MONTHLY,
                effective_cost=Decimal(0),
                contracted_cost=Decimal(0),
                list_cost=Decimal(0),
            )
        )
    covered = _money(SAVINGS_PLAN_MONTHLY / days_in_month)  # the fee, amortized over covered usage
    out.append(
        _item(
            spec,
            common,
            _account(spec, _SAVINGS_PLAN_ACCOUNT),
            "Amazon Elastic Compute Cloud",
            "Compute",
            region_id="us-east-1",
            region_name="us-east-1",
            charge_category="Usage",
            charge_frequency="Usage-Based",
            pricing_category="Committed",
            charge_description="EC2 usage covered by the Compute Savings Plan",
            **_SAVINGS_PLAN,
            commitment_discount_status="Used",
            billed_cost=Decimal(0),
            effective_cost=covered,
            contracted_cost=_money(covered / Decimal("0.72")),
            list_cost=_money(covered / Decimal("0.72")),
            tags={"team": "web", "env": "prod", "cost-center": "cc-100"},
        )
    )
    return out


def _credit(spec: CloudSpec, day: date, common: dict[str, Any]) -> list[CostLineItem]:
    """Google Cloud's promotional credit, on the first day of each month."""
    if day.day != 1:
        return []
    return [
        _item(
            spec,
            common,
            _account(spec, _CREDIT_ACCOUNT),
            "Compute Engine",
            "Compute",
            charge_category="Credit",
            charge_frequency="One-Time",
            charge_description="Promotional credit",
            billed_cost=GCP_MONTHLY_CREDIT,
            effective_cost=GCP_MONTHLY_CREDIT,
            contracted_cost=Decimal(0),
            list_cost=Decimal(0),
        )
    ]


class _Account(BaseModel):
    """An account of company.toml: its id and name, and its series, each a Series but for the account's fields."""

    model_config = ConfigDict(extra="forbid")

    account_id: str
    account_name: str
    series: list[dict[str, Any]]


class _Code(NamedTuple):
    """What a cloud's demo has beyond its data: the service table it files under, its inventory, its extra items."""

    services: Mapping[str, Classification]
    resources: Callable[[], list[SandboxResource]]
    extras: Extras = _no_extras


_CODE = {
    "aws": _Code(AWS_SERVICES, inventory.aws_resources, _savings_plan),
    "azure": _Code(AZURE_SERVICES, inventory.azure_resources),
    "gcp": _Code(GOOGLE_SERVICES, inventory.gcp_resources, _credit),
}
_SPEC = TypeAdapter(CloudSpec)
_ACCOUNTS = TypeAdapter(list[_Account])


def _specs(data: dict[str, Any]) -> dict[str, CloudSpec]:
    """The clouds of company.toml as CloudSpecs: each series gets its account's id and name, each cloud its code."""
    specs: dict[str, CloudSpec] = {}
    for cloud, code in _CODE.items():
        part = dict(data[cloud])
        accounts = _ACCOUNTS.validate_python(part.pop("accounts"))
        series = [
            {"account_id": a.account_id, "account_name": a.account_name, **row} for a in accounts for row in a.series
        ]
        specs[cloud] = _SPEC.validate_python({**part, "cloud": cloud, "series": series, **code._asdict()})
    return specs


_SPECS = read_toml("finops_core.sandbox", "company.toml", _specs)
AWS = _SPECS["aws"]
AZURE = _SPECS["azure"]
GCP = _SPECS["gcp"]

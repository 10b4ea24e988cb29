"""Estimated monthly costs from the Azure Retail Prices API (``prices.azure.com``: public, no credentials).

A resource's estimate is its pay-as-you-go retail list price: hourly prices × 730 hours, monthly prices as
they are, per-GB-month prices × GB. It ignores every discount (reservations, savings plans, Azure Hybrid
Benefit applied by contract, EA/MCA negotiated prices), data transfer, transactions and burst charges, so it
is always flagged as an estimate. Prices are kept in memory for the provider's lifetime (``PriceBook``).

The API answers JSON numbers (``retailPrice: 0.096``); they are parsed straight to ``Decimal`` from the
response text (``parse_float=Decimal``), so no float rounding enters a price. Prices are in USD, the API's
default currency, and every estimate carries the ``currencyCode`` the API answered with.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import anyio
from finops_core.errors import Unavailable
from finops_core.list_prices import ListPrice, PriceCache, first_alone

if TYPE_CHECKING:
    from finops_azure.context import AzureContext

MAX_PAGES = 20  # one question's items fit in one or two pages; more means a filter matched far too much
P = "azure"


@dataclass(frozen=True)
class PriceKey:
    """One Retail Prices question: ``$filter`` terms (all ``eq``) and how to choose among the items it returns.

    ``unit`` is the ``unitOfMeasure`` wanted; ``meter_suffixes`` (lower case) narrow ``meterName``;
    ``product_has``/``product_lacks`` narrow ``productName`` (``Windows`` for Windows VMs, ``Linux`` for App
    Service). Spot and Low Priority meters are never chosen.
    """

    filters: tuple[tuple[str, str], ...]
    unit: str
    meter_suffixes: tuple[str, ...] = ()
    product_has: str = ""
    product_lacks: str = ""

    def odata(self) -> str:
        terms = [f"{field} eq '{value}'" for field, value in self.filters]
        return " and ".join([*terms, "priceType eq 'Consumption'"])

    def describe(self) -> str:
        return ", ".join(f"{k}={v}" for k, v in self.filters)


class UnitPrice(ListPrice):
    """A retail price per ``unit`` (``1 Hour``, ``1/Month``, ``1 GB/Month``) in ``currency``: 1 for hourly or monthly
    things, GB for per-GB storage."""

    HOURLY = frozenset({"1hour"})
    MONTHLY = frozenset({"1/month", "1gb/month"})

    def unit_key(self) -> str:
        return self.unit.lower().replace(" ", "")


# -- what to ask for each kind of resource ---------------------------------------------------------


def vm(region: str, size: str, windows: bool) -> PriceKey:
    """A VM size's pay-as-you-go hours, with the Windows licence when ``windows``."""
    return PriceKey(
        (("serviceName", "Virtual Machines"), ("armRegionName", region), ("armSkuName", size)),
        "1 Hour",
        product_has="Windows" if windows else "",
        product_lacks="" if windows else "Windows",
    )


# The disk size (GiB) up to which each tier number applies; Standard HDD starts at S4.
DISK_TIERS: tuple[tuple[int, str], ...] = (
    (4, "1"),
    (8, "2"),
    (16, "3"),
    (32, "4"),
    (64, "6"),
    (128, "10"),
    (256, "15"),
    (512, "20"),
    (1024, "30"),
    (2048, "40"),
    (4096, "50"),
    (8192, "60"),
    (16384, "70"),
    (32767, "80"),
)
# Managed disk SKU -> (tier letter, redundancy) for the disks priced per tier; Premium SSD v2 and Ultra Disk
# are priced per GiB, IOPS and throughput and are not estimated.
DISK_SKUS = {
    "premium_lrs": ("P", "LRS"),
    "premium_zrs": ("P", "ZRS"),
    "standardssd_lrs": ("E", "LRS"),
    "standardssd_zrs": ("E", "ZRS"),
    "standard_lrs": ("S", "LRS"),
}


def disk_tier(sku: str, size_gb: int, tier: str | None = None) -> str | None:
    """The billing tier (``P10``, ``E15``, ``S4``...) of a managed disk: its size's tier, or the performance
    tier set on a Premium disk when higher; None for a SKU priced otherwise."""
    known = DISK_SKUS.get(sku.lower())
    if known is None or size_gb <= 0:
        return None
    letter = known[0]
    number = next((n for limit, n in DISK_TIERS if size_gb <= limit), None)
    if number is None:
        return None
    if letter == "S" and int(number) < 4:
        number = "4"
    if tier and letter == "P" and re.fullmatch(r"P\d+", tier, re.IGNORECASE) and int(tier[1:]) > int(number):
        number = tier[1:]
    return f"{letter}{number}"


def disk(region: str, sku: str, size_gb: int, tier: str | None = None) -> PriceKey | None:
    """A managed disk's monthly tier price (transactions and bursting are extra)."""
    name = disk_tier(sku, size_gb, tier)
    if name is None:
        return None
    redundancy = DISK_SKUS[sku.lower()][1]
    return PriceKey(
        (("serviceName", "Storage"), ("armRegionName", region), ("skuName", f"{name} {redundancy}")),
        "1/Month",
        meter_suffixes=(" disk", " disks"),
    )


def snapshot(region: str, sku: str) -> PriceKey:
    """Snapshot storage per GB-month: Standard HDD storage unless the snapshot's SKU is Premium."""
    product = "Premium SSD Managed Disks" if sku.lower().startswith("premium") else "Standard HDD Managed Disks"
    redundancy = "ZRS" if sku.lower().endswith("zrs") else "LRS"
    return PriceKey(
        (
            ("serviceName", "Storage"),
            ("armRegionName", region),
            ("productName", product),
            ("meterName", f"{redundancy} Snapshot"),
        ),
        "1 GB/Month",
    )


def public_ip(region: str, sku: str, static: bool) -> PriceKey:
    """A public IPv4 address's hours (Standard addresses are always static)."""
    tier = "Standard" if sku.lower() == "standard" else "Basic"
    allocation = "Static" if static or tier == "Standard" else "Dynamic"
    return PriceKey(
        (
            ("serviceName", "Virtual Network"),
            ("armRegionName", region),
            ("meterName", f"{tier} IPv4 {allocation} Public IP"),
        ),
        "1 Hour",
    )


def load_balancer(region: str) -> PriceKey:
    """A Standard load balancer's hours for its first five rules (more rules and data processed are extra)."""
    return PriceKey(
        (
            ("serviceName", "Load Balancer"),
            ("armRegionName", region),
            ("meterName", "Standard Included LB Rules and Outbound Rules"),
        ),
        "1 Hour",
    )


def app_service_plan(region: str, sku: str, linux: bool) -> PriceKey | None:
    """One instance of an App Service plan SKU (``P1v3`` is listed as ``P1 v3``); None for Free and Shared."""
    if not sku or sku.upper()[0] in ("F", "D") or sku.upper().startswith("Y"):
        return None  # Free, Shared (D1) and Consumption (Y1) plans have no instance price
    name = re.sub(r"(?i)(v\d)$", r" \1", sku).replace("  ", " ")
    return PriceKey(
        (("serviceName", "Azure App Service"), ("armRegionName", region), ("skuName", name)),
        "1 Hour",
        product_has="Linux" if linux else "",
        product_lacks="" if linux else "Linux",
    )


# -- choosing ---------------------------------------------------------------------------------------


def choose(key: PriceKey, items: Iterable[dict[str, Any]]) -> UnitPrice | None:
    """The price among ``items`` that fits ``key``: its unit, meter and product; the lowest tier."""
    fits: list[tuple[Decimal, UnitPrice]] = []
    for item in items:
        meter = str(item.get("meterName") or "")
        sku = str(item.get("skuName") or "")
        product = str(item.get("productName") or "")
        if str(item.get("type") or "Consumption") != "Consumption":
            continue
        if any(word in f"{meter} {sku}" for word in ("Spot", "Low Priority")):
            continue
        if str(item.get("unitOfMeasure") or "").replace(" ", "").lower() != key.unit.replace(" ", "").lower():
            continue
        if key.meter_suffixes and not meter.lower().endswith(key.meter_suffixes):
            continue
        if key.product_has and key.product_has not in product:
            continue
        if key.product_lacks and key.product_lacks in product:
            continue
        price = item.get("retailPrice")
        if not isinstance(price, (Decimal, int)):
            continue
        tier = item.get("tierMinimumUnits")
        fits.append(
            (
                Decimal(tier) if isinstance(tier, (Decimal, int)) else Decimal(0),
                UnitPrice(Decimal(price), str(item["unitOfMeasure"]), str(item.get("currencyCode") or "USD")),
            )
        )
    if not fits:
        return None
    fits.sort(key=lambda f: f[0])
    return fits[0][1]


# -- the cache --------------------------------------------------------------------------------------


class PriceBook(PriceCache[PriceKey, UnitPrice]):
    """Retail prices fetched so far, kept for the provider's lifetime (hold one per provider).

    A price the API does not list is remembered as None; a failed call is not remembered, so the next
    question tries again. ``requests`` counts the pages fetched.
    """

    async def resolve(
        self, ctx: AzureContext, keys: Iterable[PriceKey]
    ) -> tuple[dict[PriceKey, UnitPrice], str | None]:
        """The price of each key that has one, and why some are missing if the Retail Prices API failed.

        The first unknown price is fetched alone: when the API is down, that one failure stops the rest.
        """
        import httpx2  # imported on first use: not needed to start the server

        wanted, todo = self.unknown(keys)
        error: str | None = None
        if todo:
            timeout = httpx2.Timeout(10.0, read=ctx.settings.timeout_seconds)
            async with httpx2.AsyncClient(timeout=timeout, follow_redirects=True) as http:
                limiter = anyio.CapacityLimiter(ctx.settings.max_concurrency)

                async def fetch(key: PriceKey) -> None:
                    async with limiter:
                        await self._fetch(ctx, http, key)

                error = await first_alone(todo, fetch)
        return self.known(wanted), error

    async def _get(self, ctx: AzureContext, http: Any, url: str, params: dict[str, str] | None, what: str) -> Any:
        """One page, tried again on throttling and server errors as ``retries.RetryRule`` allows (``max_attempts``
        tries, waits within the budget); the body parsed with Decimals."""
        import httpx2

        rule = ctx.settings.retry_rule
        waited = 0.0
        attempt = 0
        while True:
            attempt += 1
            try:
                response = await http.get(url, params=params)
            except httpx2.HTTPError as exc:
                raise Unavailable(
                    f"Could not reach the Azure Retail Prices API while {what} ({type(exc).__name__}). Check the "
                    "network or retail_prices_url in [azure], then try again.",
                    provider=P,
                ) from exc
            self.count_request()
            status = response.status_code
            wait = rule.wait_before(attempt, status, dict(response.headers), waited)
            if wait is not None:
                waited += wait
                await ctx.sleep(wait)
                continue
            if status != 200:
                tries = f" after {attempt} attempts" if attempt > 1 else ""
                raise Unavailable(
                    f"The Azure Retail Prices API answered HTTP {status}{tries} while {what}. Try again later.",
                    provider=P,
                )
            try:
                return json.loads(response.content, parse_float=Decimal)
            except ValueError as exc:
                raise Unavailable(
                    f"The Azure Retail Prices API sent an answer we could not read while {what}. Try again.",
                    provider=P,
                ) from exc

    async def _fetch(self, ctx: AzureContext, http: Any, key: PriceKey) -> None:
        what = f"reading the retail price of {key.describe()}"
        url: str | None = ctx.settings.retail_prices_url
        params: dict[str, str] | None = {"$filter": key.odata()}
        items: list[dict[str, Any]] = []
        pages = 0
        while url and pages < MAX_PAGES:
            body = await self._get(ctx, http, url, params, what)
            if not isinstance(body, dict):
                raise Unavailable(f"The Azure Retail Prices API sent no Items while {what}.", provider=P)
            items.extend(i for i in body.get("Items") or [] if isinstance(i, dict))  # pyright: ignore
            url, params = body.get("NextPageLink") or None, None  # the link carries the filter and $skip
            pages += 1
        self.remember(key, choose(key, items))

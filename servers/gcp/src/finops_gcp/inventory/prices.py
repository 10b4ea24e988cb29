"""Estimated monthly costs at list price, from the Cloud Billing Catalog API (Compute Engine's SKUs, free to read),
read over REST through the authorized session (``services.skus.list``), so the first inventory call imports no
client library.

The whole Compute Engine catalog is read once per ``PriceBook`` (hold one per provider) and kept: list prices
change rarely, and the catalog is thousands of SKUs over many pages. A failed read is not kept, so the next
question tries again.

SKUs are matched by resource family, usage type (``OnDemand``), description and ``service_regions``:

* machine types of the predefined families (E2, N1, N2, N2D, C2, C2D, T2D, C3, N4) are priced as vCPUs × the
  family's "Instance Core" SKU plus GiB × its "Instance Ram" SKU; the vCPU/memory shape comes from the type's
  name (``n2-highmem-8``: 8 vCPUs × 8 GiB). E2 shared-core types use their fractional vCPU. Custom types, GPUs,
  local SSD, licences (Windows, RHEL ...) and f1/g1 are not priced;
* disks: GiB × the disk type's "PD Capacity" SKU (standard, balanced, SSD, extreme); hyperdisks are not priced;
* snapshots and images: stored GiB (``storageBytes`` / ``archiveSizeBytes``) × "Storage PD Snapshot" /
  "Storage Image";
* external addresses: "Static Ip Charge" when reserved and unused, "External IP Charge on a Standard VM" in use.

A price is the last tier of the SKU's first pricing info (the steady rate after any free tier), ``units`` +
``nanos`` exactly as ``Decimal``; hourly prices × 730 hours a month. No committed-use, sustained-use or
negotiated discounts: always an estimate.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import anyio
from finops_core.errors import FinOpsError
from finops_core.list_prices import ListPrice
from finops_core.money import from_nanos, to_nanos

from finops_gcp.rest import api_url, pages

if TYPE_CHECKING:
    from finops_gcp.context import GcpContext

COMPUTE_SERVICE = "services/6F81-5844-456A"  # Compute Engine in the Cloud Billing catalog
ENDPOINT = "https://cloudbilling.googleapis.com"
GIB = Decimal(1024**3)
COST_NOTE = (
    "monthly_cost is an estimate at list prices from the Cloud Billing Catalog API (730 hours a month; no "
    "committed-use, sustained-use or negotiated discounts, network, licences, GPUs or Cloud SQL)"
)

# GiB of memory per vCPU for each predefined family and class.
MEMORY_PER_VCPU: dict[str, dict[str, Decimal]] = {
    "n1": {"standard": Decimal("3.75"), "highmem": Decimal("6.5"), "highcpu": Decimal("0.9")},
    "e2": {"standard": Decimal(4), "highmem": Decimal(8), "highcpu": Decimal(1)},
    "n2": {"standard": Decimal(4), "highmem": Decimal(8), "highcpu": Decimal(1)},
    "n2d": {"standard": Decimal(4), "highmem": Decimal(8), "highcpu": Decimal(1)},
    "c2": {"standard": Decimal(4)},
    "c2d": {"standard": Decimal(4), "highmem": Decimal(8), "highcpu": Decimal(2)},
    "t2d": {"standard": Decimal(4)},
    "c3": {"standard": Decimal(4), "highmem": Decimal(8), "highcpu": Decimal(2)},
    "n4": {"standard": Decimal(4), "highmem": Decimal(8), "highcpu": Decimal(2)},
}
# E2 shared-core types: (vCPUs billed, GiB).
SHARED_CORE: dict[str, tuple[Decimal, Decimal]] = {
    "e2-micro": (Decimal("0.25"), Decimal(1)),
    "e2-small": (Decimal("0.5"), Decimal(2)),
    "e2-medium": (Decimal(1), Decimal(4)),
}
DISK_SKUS = {
    "storage pd capacity": "pd-standard",
    "balanced pd capacity": "pd-balanced",
    "ssd backed pd capacity": "pd-ssd",
    "extreme pd capacity": "pd-extreme",
}
NOT_PREDEFINED = ("custom", "sole tenancy", "preemptible", "spot", "commitment", "extended", "reserved")
MACHINE_SKU = re.compile(r"^(\w+)(?: amd| intel| arm)?(?: predefined)? instance (core|ram) running in")


@dataclass(frozen=True)
class PriceKey:
    """One list price: ``kind`` (core, ram, disk, snapshot, image, static_ip, ip_in_use), a variant (machine
    family, disk type; "" otherwise) and a region (or storage location)."""

    kind: str
    variant: str
    region: str

    def describe(self) -> str:
        return " ".join(p for p in (self.variant, self.kind, "in", self.region) if p)


class UnitPrice(ListPrice):
    """A list price per ``unit`` (``h``, ``GiBy.h``, ``GiBy.mo``) in ``currency``: vCPUs or 1 for hourly things, GiB
    for memory and storage."""

    HOURLY = frozenset({"h", "GiBy.h"})
    MONTHLY = frozenset({"GiBy.mo"})


# -- what a resource costs --------------------------------------------------------------------------------------


Parts = tuple[tuple[PriceKey, Decimal], ...]


def machine_parts(machine_type: str, region: str) -> Parts | None:
    """The priced parts of a machine type, or None when it cannot be priced from its name (custom, GPU, f1/g1)."""
    if machine_type in SHARED_CORE:
        vcpus, gib = SHARED_CORE[machine_type]
        family = "e2"
    else:
        pieces = machine_type.split("-")
        if len(pieces) < 3 or not pieces[2].isdigit():
            return None
        family, klass = pieces[0], pieces[1]
        ratio = MEMORY_PER_VCPU.get(family, {}).get(klass)
        if ratio is None:
            return None
        vcpus = Decimal(int(pieces[2]))
        gib = vcpus * ratio
    return ((PriceKey("core", family, region), vcpus), (PriceKey("ram", family, region), gib))


def gib(size_bytes: int) -> Decimal:
    return Decimal(size_bytes) / GIB


# -- reading the catalog ----------------------------------------------------------------------------------------


def classify(sku: Mapping[str, Any]) -> tuple[str, str] | None:
    """``(kind, variant)`` of a catalog SKU (REST JSON) we price with, or None."""
    category: Mapping[str, Any] = sku.get("category") or {}
    if category.get("usageType") != "OnDemand":
        return None
    desc = str(sku.get("description") or "").strip().lower()
    family = category.get("resourceFamily")
    if family == "Compute":
        if any(word in desc for word in NOT_PREDEFINED):
            return None
        m = MACHINE_SKU.match(desc)
        if m is not None:
            return m.group(2), m.group(1)
        for part in ("core", "ram"):
            if desc.startswith(f"compute optimized {part} running in"):
                return part, "c2"
        return None
    if family == "Storage":
        for prefix, disk_type in DISK_SKUS.items():
            if desc.startswith(prefix):
                return "disk", disk_type
        if desc.startswith("storage pd snapshot"):
            return "snapshot", ""
        if desc.startswith("storage image"):
            return "image", ""
        return None
    if family == "Network" and category.get("resourceGroup") == "IpAddress":
        if desc.startswith("static ip charge"):
            return "static_ip", ""
        if desc.startswith("external ip charge on a standard vm"):
            return "ip_in_use", ""
    return None


def unit_price(sku: Mapping[str, Any]) -> UnitPrice | None:
    """The SKU's steady list price: the last tier of its first pricing info."""
    infos = sku.get("pricingInfo") or []
    if not infos:
        return None
    expression: Mapping[str, Any] = infos[0].get("pricingExpression") or {}
    rates = expression.get("tieredRates") or []
    if not rates:
        return None
    price: Mapping[str, Any] = rates[-1].get("unitPrice") or {}
    amount = from_nanos(int(price.get("units") or 0) * 10**9 + int(price.get("nanos") or 0))
    return UnitPrice(amount, str(expression.get("usageUnit") or ""), str(price.get("currencyCode") or "USD"))


class PriceBook:
    """Compute Engine list prices, read once from the catalog and kept for the provider's lifetime."""

    def __init__(self) -> None:
        self._table: dict[PriceKey, UnitPrice] | None = None
        self._lock = anyio.Lock()
        self.loads = 0  # catalog reads started (tests check the cache with it)

    async def load(self, ctx: GcpContext) -> str | None:
        """Read the catalog if not yet read; why prices are missing if it failed, else None."""
        async with self._lock:  # one read at a time; the others wait for its table
            if self._table is not None:
                return None
            self.loads += 1
            try:
                self._table = await self._read(ctx)
            except FinOpsError as exc:
                return str(exc)
        return None

    @staticmethod
    async def _read(ctx: GcpContext) -> dict[PriceKey, UnitPrice]:
        table: dict[PriceKey, UnitPrice] = {}
        url = api_url(ctx, "catalog", ENDPOINT, f"v1/{COMPUTE_SERVICE}/skus")
        what = "reading Compute Engine list prices from the Cloud Billing Catalog API"
        async for page in pages(ctx, url, {"pageSize": "5000"}, what):
            for sku in page.get("skus") or []:
                kind = classify(sku)
                price = unit_price(sku) if kind is not None else None
                if kind is None or price is None:
                    continue
                for region in sku.get("serviceRegions") or []:
                    table.setdefault(PriceKey(kind[0], kind[1], str(region)), price)
        return table

    def price(self, key: PriceKey) -> UnitPrice | None:
        """The list price for ``key``; a multi-region storage location (``us``) without its own price takes that
        of its first member region (an approximation)."""
        table = self._table or {}
        found = table.get(key)
        if found is None and key.kind in ("snapshot", "image") and "-" not in key.region:
            for other in sorted(table, key=lambda k: k.region):
                if other.kind == key.kind and other.region.startswith(key.region + "-"):
                    return table[other]
        return found

    def monthly(self, parts: Parts) -> tuple[Decimal, str] | None:
        """The monthly cost of ``parts`` and its currency, or None when a part has no price (or currencies differ)."""
        if not parts:
            return None
        total = Decimal(0)
        currency: str | None = None
        for key, quantity in parts:
            price = self.price(key)
            monthly = price.monthly(quantity) if price is not None else None
            if price is None or monthly is None or (currency is not None and price.currency != currency):
                return None
            currency = price.currency
            total += monthly
        assert currency is not None
        return from_nanos(to_nanos(total)), currency  # rounded to nanos: stored GiB come from a division

"""The Azure resource inventory: what runs (and what lingers) across the subscriptions, from one Azure
Resource Graph query (not one call per subscription and resource type).

Costs are pay-as-you-go retail list-price estimates (``prices.py``); when the Retail Prices API fails, the
resources are still listed, without a cost, and the answer says why.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, ClassVar

from finops_core.inventory import Gathered, check_request, kinds_asked, list_priced, refusal
from finops_core.models import Resource, ResourceState
from finops_core.money import Money, normalize_amount
from finops_core.provider import ResourceInventory, ResourceType

from finops_azure.inventory import prices
from finops_azure.inventory.graph import run_query
from finops_azure.inventory.prices import PriceBook, PriceKey

if TYPE_CHECKING:
    from finops_azure.context import AzureContext

# ARM type (lower case) of each kind this inventory lists, in the order a person reads them. App Service plans
# have no provider-neutral kind of their own: they are "other".
ARM_TYPES: dict[ResourceType, tuple[str, ...]] = {
    "instance": ("microsoft.compute/virtualmachines",),
    "volume": ("microsoft.compute/disks",),
    "snapshot": ("microsoft.compute/snapshots",),
    "ip": ("microsoft.network/publicipaddresses",),
    "load_balancer": ("microsoft.network/loadbalancers",),
    "database": ("microsoft.sql/servers/databases",),
    "other": ("microsoft.web/serverfarms",),
}
KINDS: tuple[ResourceType, ...] = tuple(ARM_TYPES)
COST_NOTE = (
    "monthly_cost is an estimate at pay-as-you-go retail list prices from the Azure Retail Prices API (730 hours "
    "a month; no reservations, savings plans, Hybrid Benefit or negotiated prices; no transactions, data transfer, "
    "bursting or extra load balancer rules; SQL databases are not estimated)"
)
REGION_NAME = re.compile(r"[a-z0-9]+")


@dataclass
class Found:
    """A resource as listed, how to price it, and the facts the waste rules need."""

    resource: Resource
    # (price, quantity) parts summed into the monthly cost: quantity 1 (or instances) for hourly and monthly
    # prices, GB for per-GB storage.
    parts: tuple[tuple[PriceKey, Decimal], ...] = ()
    # Costs nothing in its state (a deallocated VM's compute); its disks are listed on their own.
    free: bool = False
    extra: dict[str, Any] = field(default_factory=lambda: dict[str, Any]())


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}  # pyright: ignore[reportUnknownVariableType]


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _created(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def _resource(row: dict[str, Any], kind: ResourceType, **fields: Any) -> Resource:
    tags = {str(k): _text(v) for k, v in _dict(row.get("tags")).items()}
    return Resource(
        provider="azure",
        resource_id=_text(row.get("id")),
        name=_text(row.get("name")) or None,
        resource_type=kind,
        native_type=_text(row.get("type")) or None,
        account_id=_text(row.get("subscriptionId")),
        region=_text(row.get("location")) or None,
        tags=tags,
        **fields,
    )


# -- one mapper per ARM type -------------------------------------------------------------------------


POWER_STATES: dict[str, ResourceState] = {
    "running": "running",
    "starting": "running",
    "stopped": "stopped",
    "stopping": "stopped",
    "deallocated": "stopped",
    "deallocating": "stopped",
}


def _vm(row: dict[str, Any]) -> Found:
    props = _dict(row.get("properties"))
    size = _text(_dict(props.get("hardwareProfile")).get("vmSize"))
    power = _text(_dict(_dict(_dict(props.get("extended")).get("instanceView")).get("powerState")).get("code"))
    power = power.split("/", 1)[-1].lower()
    storage = _dict(props.get("storageProfile"))
    os_disk = _dict(storage.get("osDisk"))
    os_type = _text(os_disk.get("osType"))
    # With Azure Hybrid Benefit the Windows licence is not billed: the Linux rate is the compute price.
    windows = os_type.lower() == "windows" and _text(props.get("licenseType")) not in (
        "Windows_Server",
        "Windows_Client",
    )
    disk_ids = [_text(_dict(os_disk.get("managedDisk")).get("id"))]
    disk_ids += [_text(_dict(_dict(d).get("managedDisk")).get("id")) for d in props.get("dataDisks") or []]
    disk_ids += [_text(_dict(_dict(d).get("managedDisk")).get("id")) for d in storage.get("dataDisks") or []]
    resource = _resource(
        row,
        "instance",
        state=POWER_STATES.get(power, "other"),
        size=size or None,
        created_at=_created(props.get("timeCreated")),
    )
    region = resource.region or ""
    deallocated = power in ("deallocated", "deallocating")
    return Found(
        resource,
        parts=() if deallocated or not size else ((prices.vm(region, size, windows), Decimal(1)),),
        free=deallocated,
        extra={"power": power, "os": os_type, "disk_ids": [d.lower() for d in disk_ids if d]},
    )


DISK_STATES: dict[str, ResourceState] = {
    "attached": "in-use",
    "reserved": "in-use",  # attached to a deallocated VM
    "activesas": "in-use",
    "unattached": "unattached",
}


def _disk(row: dict[str, Any]) -> Found:
    props = _dict(row.get("properties"))
    sku = _text(_dict(row.get("sku")).get("name"))
    size_gb = int(props.get("diskSizeGB") or 0)
    tier = _text(props.get("tier")) or None
    billed = prices.disk_tier(sku, size_gb, tier)
    resource = _resource(
        row,
        "volume",
        state=DISK_STATES.get(_text(props.get("diskState")).lower(), "other"),
        size=f"{size_gb} GiB {sku}".strip() + (f" ({billed})" if billed else ""),
        created_at=_created(props.get("timeCreated")),
    )
    key = prices.disk(resource.region or "", sku, size_gb, tier)
    return Found(
        resource,
        parts=((key, Decimal(1)),) if key is not None else (),
        extra={
            "disk_state": _text(props.get("diskState")),
            "managed_by": _text(row.get("managedBy")).lower(),
            "sku": sku,
            "size_gb": size_gb,
        },
    )


def _snapshot(row: dict[str, Any]) -> Found:
    props = _dict(row.get("properties"))
    sku = _text(_dict(row.get("sku")).get("name")) or "Standard_LRS"
    size_gb = int(props.get("diskSizeGB") or 0)
    resource = _resource(
        row,
        "snapshot",
        state="available",
        size=f"{size_gb} GiB {sku}",
        created_at=_created(props.get("timeCreated")),
    )
    source = _text(_dict(props.get("creationData")).get("sourceResourceId"))
    return Found(
        resource,
        parts=((prices.snapshot(resource.region or "", sku), Decimal(size_gb)),),
        extra={"source_disk": source.lower(), "incremental": bool(props.get("incremental")), "size_gb": size_gb},
    )


def _public_ip(row: dict[str, Any]) -> Found:
    props = _dict(row.get("properties"))
    sku = _text(_dict(row.get("sku")).get("name")) or "Basic"
    allocation = _text(props.get("publicIPAllocationMethod")) or "Dynamic"
    associated = bool(props.get("ipConfiguration") or props.get("natGateway"))
    resource = _resource(
        row,
        "ip",
        state="in-use" if associated else "unattached",
        size=f"{sku} {allocation}",
    )
    static = allocation.lower() == "static"
    # A Basic dynamic address holds no IP while unassociated, and bills nothing.
    free = not associated and not static and sku.lower() != "standard"
    return Found(
        resource,
        parts=() if free else ((prices.public_ip(resource.region or "", sku, static), Decimal(1)),),
        free=free,
        extra={
            "ip_address": _text(props.get("ipAddress")),
            "static": static or sku.lower() == "standard",
            "sku": sku,
        },
    )


def _load_balancer(row: dict[str, Any]) -> Found:
    props = _dict(row.get("properties"))
    sku = _text(_dict(row.get("sku")).get("name")) or "Basic"
    resource = _resource(row, "load_balancer", state="available", size=sku)
    standard = sku.lower() == "standard"
    return Found(
        resource,
        parts=((prices.load_balancer(resource.region or ""), Decimal(1)),) if standard else (),
        free=sku.lower() == "basic",  # Basic load balancers have no charge
        extra={
            "rules": len(props.get("loadBalancingRules") or []),
            "backends": len(props.get("backendAddressPools") or []),
        },
    )


def _app_service_plan(row: dict[str, Any]) -> Found:
    props = _dict(row.get("properties"))
    sku = _dict(row.get("sku"))
    name = _text(sku.get("name"))
    capacity = int(sku.get("capacity") or 1)
    sites = int(props.get("numberOfSites") or 0)
    linux = bool(props.get("reserved")) or "linux" in _text(row.get("kind")).lower()
    resource = _resource(
        row,
        "other",
        state="available",
        size=f"{name} x{capacity}" if name else None,
    )
    key = prices.app_service_plan(resource.region or "", name, linux)
    return Found(
        resource,
        parts=((key, Decimal(capacity)),) if key is not None else (),
        free=key is None and name.upper()[:1] in ("F", "D"),
        extra={"sites": sites, "sku": name, "capacity": capacity, "linux": linux},
    )


SQL_STATES: dict[str, ResourceState] = {"online": "available", "paused": "stopped"}


def _database(row: dict[str, Any]) -> Found | None:
    if _text(row.get("name")).lower() == "master":
        return None  # every logical server's system database: nothing to act on
    props = _dict(row.get("properties"))
    sku = _dict(row.get("sku"))
    resource = _resource(
        row,
        "database",
        state=SQL_STATES.get(_text(props.get("status")).lower(), "other"),
        size=_text(sku.get("name")) or None,
        created_at=_created(props.get("creationDate")),
    )
    return Found(resource, extra={"tier": _text(sku.get("tier"))})


MAPPERS = {
    "microsoft.compute/virtualmachines": _vm,
    "microsoft.compute/disks": _disk,
    "microsoft.compute/snapshots": _snapshot,
    "microsoft.network/publicipaddresses": _public_ip,
    "microsoft.network/loadbalancers": _load_balancer,
    "microsoft.web/serverfarms": _app_service_plan,
    "microsoft.sql/servers/databases": _database,
}


# -- gathering and pricing ---------------------------------------------------------------------------


def build_query(kinds: Sequence[ResourceType], region: str | None) -> str:
    """The Resource Graph query for ``kinds`` (and one region): whole records, ordered by id for stable paging."""
    types = ", ".join(f"'{t}'" for kind in kinds for t in ARM_TYPES[kind])
    lines = ["Resources", f"where type in~ ({types})"]
    if region is not None:
        lines.append(f"where location =~ '{region}'")
    lines.append(
        "project id, name, type, location, subscriptionId, resourceGroup, tags, sku, kind, managedBy, properties"
    )
    lines.append("order by id asc")
    return " | ".join(lines)


@dataclass
class AzureInventory:
    """The Azure parts of the inventory template: one Resource Graph query over the subscriptions (in ``region``),
    priced from ``book``."""

    ctx: AzureContext
    book: PriceBook
    region: str | None = None
    prices_failed: ClassVar[str] = "the Azure Retail Prices API failed"

    async def gather(self, kinds: Sequence[ResourceType]) -> Gathered[Found]:
        """Every resource of ``kinds`` across the subscriptions, and the subscriptions that failed."""
        subscriptions = await self.ctx.subscriptions()
        answer = await run_query(self.ctx, build_query(kinds, self.region), subscriptions=subscriptions)
        found: list[Found] = []
        for row in answer.rows:
            mapper = MAPPERS.get(_text(row.get("type")).lower())
            if mapper is None or not row.get("id"):
                continue
            one = mapper(row)
            if one is not None:
                found.append(one)
        return Gathered(found, answer.missing, answer.truncated)

    async def price(self, found: list[Found]) -> str | None:
        """Fill each resource's estimated ``monthly_cost``; the Retail Prices API's error if prices are missing."""
        keys = [key for f in found for key, _ in f.parts]
        known, error = await self.book.resolve(self.ctx, keys)
        currencies = {p.currency for p in known.values()}
        default = next(iter(currencies)) if len(currencies) == 1 else "USD"
        for f in found:
            total: Decimal | None = Decimal(0) if f.free or f.parts else None
            currency: str | None = None
            for key, quantity in f.parts:
                price = known.get(key)
                monthly = price.monthly(quantity) if price is not None else None
                if price is None or monthly is None or total is None or currency not in (None, price.currency):
                    total = None
                    break
                currency = price.currency
                total += monthly
            if total is not None:
                cost = Money(amount=normalize_amount(total), currency=currency or default)
                f.resource = f.resource.model_copy(update={"monthly_cost": cost, "monthly_cost_is_estimate": True})
        return error


def _source(subscriptions: int, region: str | None) -> str:
    scope = f"{subscriptions} subscription{'s' if subscriptions != 1 else ''}"
    if region is not None:
        scope += f", region {region}"
    return f"Azure Resource Graph ({scope}). {COST_NOTE}."


async def list_resources(
    ctx: AzureContext,
    resource_type: ResourceType | None = None,
    region: str | None = None,
    limit: int = 100,
    prices: PriceBook | None = None,
) -> ResourceInventory:
    """Resources across the subscriptions, most expensive first (estimated monthly cost).

    ``resource_type`` is a provider-neutral kind (``other`` lists App Service plans); ``region`` an Azure
    location name (``westeurope``). ``prices`` is the provider's ``PriceBook`` (kept for its lifetime); a fresh
    one is used without it.
    """
    check_request(resource_type, limit)
    if region is not None:
        region = region.strip().lower().replace(" ", "")
    subscriptions = len(await ctx.subscriptions())
    if region is not None and not REGION_NAME.fullmatch(region):  # never sent into a query
        return refusal(
            "azure",
            _source(subscriptions, None),
            f"No Azure location is named {region!r}: locations are written like westeurope or eastus2 "
            "(no hyphens). Ask again with one of those, or without a region.",
        )
    if resource_type is not None and resource_type not in ARM_TYPES:
        return refusal(
            "azure",
            _source(subscriptions, region),
            f"The Azure inventory lists {', '.join(KINDS)} ('other' is App Service plans); it has no "
            f"{resource_type} resources. Ask for one of those.",
        )
    parts = AzureInventory(ctx, prices or PriceBook(), region)
    listing = await list_priced(parts, kinds_asked(resource_type, KINDS), id_order=str.lower)
    what = f"{resource_type} resources" if resource_type else "resources"
    where = f" in {region}" if region else ""
    plural = "s" if subscriptions != 1 else ""
    retry = " Try without the type filter, or another region." if resource_type or region else ""
    cut = ["Azure Resource Graph cut its results short; some resources may be missing."] if listing.truncated else []
    return listing.answer(
        "azure",
        limit,
        source=_source(subscriptions, region),
        nothing_found=f"No {what} found{where} in the {subscriptions} subscription{plural}.{retry}",
        notes=cut,
    )

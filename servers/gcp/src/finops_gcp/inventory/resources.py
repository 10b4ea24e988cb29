"""The Google Cloud resource inventory: what runs (and what lingers) in each configured project.

Compute Engine is read per project from its aggregated lists (every zone and region at once, paged to the end),
Cloud SQL from its Admin API; projects are read concurrently (``fan_out``) and one that fails is named in the
answer's note while the rest still answer, as are zones or regions an aggregated list could not reach. Costs are
list-price estimates from the Cloud Billing catalog (``prices.py``); when it cannot be read, resources are still
listed, without a cost.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any, ClassVar

from finops_core.fanout import FanOut, fan_out
from finops_core.inventory import Gathered, Read, check_request, kinds_asked, list_priced, read_all, refusal
from finops_core.models import Resource, ResourceState
from finops_core.money import Money
from finops_core.provider import ResourceInventory, ResourceType

from finops_gcp.inventory.compute import (
    Address,
    Disk,
    Image,
    Instance,
    ProjectCompute,
    Record,
    Snapshot,
    read_project,
    region_of,
)
from finops_gcp.inventory.prices import COST_NOTE, Parts, PriceBook, PriceKey, gib, machine_parts
from finops_gcp.inventory.sql import SqlInstance, list_sql_instances

if TYPE_CHECKING:
    from finops_gcp.context import GcpContext

# The kinds this inventory lists, in the order a person reads them, and the Compute Engine list behind each.
KINDS: tuple[ResourceType, ...] = ("instance", "volume", "snapshot", "ip", "database", "other")
COMPUTE_LISTS: dict[ResourceType, str] = {
    "instance": "instances",
    "volume": "disks",
    "snapshot": "snapshots",
    "ip": "addresses",
    "other": "images",
}
INSTANCE_STATES: dict[str, ResourceState] = {
    "RUNNING": "running",
    "TERMINATED": "stopped",  # Compute Engine's word for a stopped VM
    "STOPPED": "stopped",
    "STOPPING": "stopped",
    "SUSPENDED": "stopped",
    "SUSPENDING": "stopped",
}
# Not billed for compute in these states (a suspended VM's memory is, slightly: not counted).
STOPPED = frozenset({"TERMINATED", "STOPPED", "STOPPING", "SUSPENDED", "SUSPENDING"})


@dataclass
class Found:
    """A resource as listed, how to price it, and the record the waste rules read."""

    project: str
    resource: Resource
    record: Any  # the compute.py / sql.py record
    parts: Parts = ()
    # Costs nothing in its state (a stopped VM's compute, an internal address); its disks are listed on their own.
    free: bool = False


def _found(record: Record, parts: Parts = (), *, free: bool = False, **fields: Any) -> Found:
    """``record`` listed as a resource (its project, full name, name, labels and creation time, and ``fields``)."""
    resource = Resource(
        provider="gcp",
        account_id=record.project,
        resource_id=record.full_name,
        name=record.name,
        tags=dict(record.labels),
        created_at=record.created_at,
        monthly_cost_is_estimate=True,
        **fields,
    )
    return Found(record.project, resource, record, parts, free=free)


def _instance(i: Instance) -> Found:
    return _found(
        i,
        machine_parts(i.machine_type, region_of(i.zone)) or (),
        free=i.status in STOPPED,
        resource_type="instance",
        native_type="compute.googleapis.com/Instance",
        region=i.zone,
        state=INSTANCE_STATES.get(i.status, "other"),
        size=i.machine_type,
    )


def _disk(d: Disk) -> Found:
    region = d.location if d.regional else region_of(d.location)
    state: ResourceState = ("in-use" if d.users else "unattached") if d.status in ("READY", "") else "other"
    # A regional disk is replicated in two zones and billed twice the zonal price; not priced rather than guessed.
    parts: Parts = () if d.regional else ((PriceKey("disk", d.disk_type, region), Decimal(d.size_gb)),)
    return _found(
        d,
        parts,
        resource_type="volume",
        native_type="compute.googleapis.com/Disk",
        region=d.location,
        state=state,
        size=f"{d.size_gb} GiB {d.disk_type}".strip(),
    )


def _address(a: Address) -> Found:
    states: dict[str, ResourceState] = {"IN_USE": "in-use", "RESERVED": "unattached"}
    external = a.address_type == "EXTERNAL"
    kind = "static_ip" if a.status == "RESERVED" else "ip_in_use"
    # Internal addresses are free; an in-use global address is billed as its forwarding rule: not priced.
    priced = external and a.region != "global" and a.status in ("RESERVED", "IN_USE")
    return _found(
        a,
        ((PriceKey(kind, "", a.region), Decimal(1)),) if priced else (),
        free=not external,
        resource_type="ip",
        native_type="compute.googleapis.com/" + ("GlobalAddress" if a.region == "global" else "Address"),
        region=a.region,
        state=states.get(a.status, "other"),
        size=f"{a.address} {a.address_type.lower()}".strip(),
    )


def _stored(record: Snapshot | Image, stored_bytes: int, price: str, **fields: Any) -> Found:
    """A disk kept in storage (a snapshot or an image): billed per GiB stored (the disk's size when the API does not
    say), priced where it is stored in one location (a multi-region location has no price of its own)."""
    stored = gib(stored_bytes) if stored_bytes else Decimal(record.disk_size_gb)
    location = record.storage_locations[0] if len(record.storage_locations) == 1 else ""
    return _found(
        record,
        ((PriceKey(price, "", location), stored),) if location else (),
        region=",".join(record.storage_locations) or "global",
        state="available" if record.status == "READY" else "other",
        size=f"{record.disk_size_gb} GiB disk, {stored:.2f} GiB stored",
        **fields,
    )


def _snapshot(s: Snapshot) -> Found:
    return _stored(
        s, s.storage_bytes, "snapshot", resource_type="snapshot", native_type="compute.googleapis.com/Snapshot"
    )


def _image(i: Image) -> Found:
    return _stored(i, i.archive_bytes, "image", resource_type="other", native_type="compute.googleapis.com/Image")


def _database(d: SqlInstance) -> Found:
    if d.stopped:
        state: ResourceState = "stopped"
    elif d.state == "RUNNABLE":
        state = "running"
    else:
        state = "other"
    storage = f"{d.storage_gb} GiB {d.storage_type}".strip() if d.storage_gb else ""
    return _found(  # Cloud SQL is not priced (its SKUs are another catalog service)
        d,
        resource_type="database",
        native_type="sqladmin.googleapis.com/Instance",
        region=d.region or None,
        state=state,
        size=" ".join(p for p in (d.tier, d.database_version, storage) if p) or None,
    )


def _compute_found(pc: ProjectCompute) -> list[Found]:
    return (
        [_instance(i) for i in pc.instances]
        + [_disk(d) for d in pc.disks]
        + [_address(a) for a in pc.addresses]
        + [_snapshot(s) for s in pc.snapshots]
        + [_image(i) for i in pc.images]
    )


def in_region(resource: Resource, region: str) -> bool:
    """Whether a resource is in ``region`` (a region holds its zones; a zone only itself; ``global`` the global
    resources; a storage location itself)."""
    where = resource.region or ""
    return where == region or where.startswith(region + "-") or region in where.split(",")


@dataclass
class GcpInventory:
    """The Google Cloud parts of the inventory template: every configured project (what is in ``region``), priced
    from ``book``."""

    ctx: GcpContext
    book: PriceBook
    region: str | None = None
    prices_failed: ClassVar[str] = "the Cloud Billing Catalog API could not be read"

    async def gather(self, kinds: Sequence[ResourceType]) -> Gathered[Found]:
        """Every resource of ``kinds`` in every configured project (in ``region``: Compute Engine's aggregated lists
        read them all), and what could not be read (projects, zones), sorted.

        Raises the error itself only when nothing at all could be read.
        """
        ctx = self.ctx
        projects = await ctx.projects()
        reads: list[Read[Found]] = []
        lists = [COMPUTE_LISTS[k] for k in kinds if k in COMPUTE_LISTS]
        if lists:

            async def read(project: str) -> ProjectCompute:
                return await read_project(ctx, project, lists)

            async def read_compute() -> Gathered[Found]:
                compute: FanOut[ProjectCompute] = await fan_out(projects, read, lambda p: f"project {p}")
                out = Gathered[Found]()
                for pc in compute.results:
                    out.found.extend(_compute_found(pc))
                    out.missing.extend(pc.warnings)
                out.missing.extend(compute.missing)
                return out

            reads.append(
                Read(read_compute, lambda exc: f"Compute Engine in every project ({', '.join(projects)}): {exc}")
            )
        if "database" in kinds:

            async def sql(project: str) -> list[SqlInstance]:
                return await list_sql_instances(ctx, project)

            async def read_sql() -> Gathered[Found]:
                databases = await fan_out(projects, sql, lambda p: f"Cloud SQL in project {p}")
                return Gathered([_database(d) for part in databases.results for d in part], databases.missing)

            reads.append(Read(read_sql, lambda exc: f"Cloud SQL in every project: {exc}"))
        out = await read_all(reads)
        if (region := self.region) is not None:
            out.found = [f for f in out.found if in_region(f.resource, region)]
        out.missing.sort()
        return out

    async def price(self, found: list[Found]) -> str | None:
        """Fill each resource's estimated ``monthly_cost``; why prices are missing if the catalog could not be
        read."""
        book = self.book
        error = await book.load(self.ctx) if any(f.parts and not f.free for f in found) else None
        for f in found:
            cost: Money | None = None
            if f.free:
                currency = next((p.currency for k, _ in f.parts if (p := book.price(k)) is not None), "USD")
                cost = Money(amount=Decimal("0.00"), currency=currency)
            elif (priced := book.monthly(f.parts)) is not None:
                cost = Money(amount=priced[0], currency=priced[1])
            if cost is not None:
                f.resource = f.resource.model_copy(update={"monthly_cost": cost})
        return error


def _source(projects: int | None) -> str:
    scope = f" ({projects} project{'s' if projects != 1 else ''})" if projects is not None else ""
    return f"Google Compute Engine and Cloud SQL Admin APIs{scope}. {COST_NOTE}."


async def list_resources(
    ctx: GcpContext,
    resource_type: ResourceType | None = None,
    region: str | None = None,
    limit: int = 100,
    prices: PriceBook | None = None,
) -> ResourceInventory:
    """Resources of every configured project, most expensive first (estimated monthly cost).

    ``resource_type``: instance (VMs), volume (persistent disks), snapshot, ip (static addresses), database
    (Cloud SQL), other (the project's own images). ``region``: a region (its zones included), a zone, ``global``
    or a storage location. ``prices`` is the provider's ``PriceBook`` (kept for its lifetime); a fresh one is
    used without it.
    """
    check_request(resource_type, limit)
    if resource_type is not None and resource_type not in KINDS:
        return refusal(
            "gcp",
            _source(None),
            f"The Google Cloud inventory lists {', '.join(KINDS)} (other = images); not {resource_type}. "
            "Ask for one of those.",
        )
    listing = await list_priced(GcpInventory(ctx, prices or PriceBook(), region), kinds_asked(resource_type, KINDS))
    projects = len(await ctx.projects())  # read (and kept) by the gathering
    what = f"{resource_type} resources" if resource_type else "resources"
    where = f" in {region}" if region else ""
    plural = "s" if projects != 1 else ""
    retry = " Try without the type or region filter." if resource_type or region else ""
    return listing.answer(
        "gcp",
        limit,
        source=_source(projects),
        nothing_found=f"No {what} found{where} in the {projects} project{plural}.{retry}",
    )

"""Compute Engine, read per project: instances, disks and regional addresses from the aggregated lists (every zone
and region in one paged call), global addresses, snapshots and the project's own images.

Compute Engine's REST API is called through the authorized session (``finops_gcp.rest``), not its client
library, whose import alone takes seconds. A zone or region an aggregated list cannot reach comes back as a
warning on its scope (or in ``unreachables``), and becomes a ``warnings`` line that the answer names. (The
``returnPartialSuccess`` parameter some docs mention is not in the v1 discovery document's aggregatedList
methods: it is not sent.) Records are plain dataclasses: the REST resource's facts the inventory and waste rules
use.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from finops_gcp.rest import api_url, get_pages, pages

if TYPE_CHECKING:
    from finops_gcp.context import GcpContext

ENDPOINT = "https://compute.googleapis.com"
PAGE_SIZE = 500
API = "//compute.googleapis.com/"
# Scope warnings that only mean "nothing here".
QUIET_WARNINGS = frozenset({"NO_RESULTS_ON_PAGE", ""})
KINDS = ("instances", "disks", "addresses", "snapshots", "images")


def full_name(url: str) -> str:
    """``https://www.googleapis.com/compute/v1/projects/p/zones/z/disks/d`` (or a partial URL) as the resource's full
    name ``//compute.googleapis.com/projects/p/zones/z/disks/d``."""
    at = url.find("projects/")
    return API + url[at:] if at >= 0 else url


def last(url: str) -> str:
    """The last path segment of a Compute URL (a zone, region, machine type or disk type name)."""
    return url.rstrip("/").rsplit("/", 1)[-1]


def timestamp(text: str) -> datetime | None:
    """Compute's RFC 3339 ``creationTimestamp`` (``2024-01-01T10:00:00.000-08:00``)."""
    if not text:
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


def region_of(zone: str) -> str:
    """``us-central1-a`` -> ``us-central1``."""
    return zone.rsplit("-", 1)[0] if zone.count("-") >= 2 else zone


@dataclass(frozen=True)
class Record(ABC):
    """What every Google Cloud resource record holds: its project, name, labels and creation time, and its full
    resource name."""

    project: str
    name: str
    labels: Mapping[str, str]
    created_at: datetime | None

    @property
    @abstractmethod
    def full_name(self) -> str: ...


@dataclass(frozen=True)
class Instance(Record):
    zone: str
    instance_id: str
    machine_type: str
    status: str  # RUNNING, TERMINATED (stopped), STOPPING, SUSPENDED, PROVISIONING ...
    disks: tuple[str, ...]  # full names of attached disks

    @property
    def full_name(self) -> str:
        return f"{API}projects/{self.project}/zones/{self.zone}/instances/{self.name}"


@dataclass(frozen=True)
class Disk(Record):
    location: str  # zone, or region for a regional disk
    regional: bool
    size_gb: int
    disk_type: str  # pd-standard, pd-balanced, pd-ssd, hyperdisk-balanced ...
    status: str
    users: tuple[str, ...]  # full names of the instances it is attached to

    @property
    def full_name(self) -> str:
        scope = "regions" if self.regional else "zones"
        return f"{API}projects/{self.project}/{scope}/{self.location}/disks/{self.name}"


@dataclass(frozen=True)
class Address(Record):
    region: str  # "global" for a global address
    address: str
    status: str  # RESERVED (unused), IN_USE, RESERVING
    address_type: str  # EXTERNAL or INTERNAL
    users: tuple[str, ...]

    @property
    def full_name(self) -> str:
        scope = "global" if self.region == "global" else f"regions/{self.region}"
        return f"{API}projects/{self.project}/{scope}/addresses/{self.name}"


@dataclass(frozen=True)
class Snapshot(Record):
    source_disk: str  # full name of the disk it was taken from ("" if unknown)
    disk_size_gb: int
    storage_bytes: int  # what is stored (and billed); snapshots are incremental
    storage_locations: tuple[str, ...]
    status: str
    auto_created: bool  # made by a snapshot schedule, which deletes it itself

    @property
    def full_name(self) -> str:
        return f"{API}projects/{self.project}/global/snapshots/{self.name}"


@dataclass(frozen=True)
class Image(Record):
    disk_size_gb: int
    archive_bytes: int
    storage_locations: tuple[str, ...]
    status: str

    @property
    def full_name(self) -> str:
        return f"{API}projects/{self.project}/global/images/{self.name}"


@dataclass
class ProjectCompute:
    """What one project holds of the kinds asked, and the zones or regions that did not answer."""

    project: str
    instances: list[Instance] = field(default_factory=lambda: list[Instance]())
    disks: list[Disk] = field(default_factory=lambda: list[Disk]())
    addresses: list[Address] = field(default_factory=lambda: list[Address]())
    snapshots: list[Snapshot] = field(default_factory=lambda: list[Snapshot]())
    images: list[Image] = field(default_factory=lambda: list[Image]())
    warnings: list[str] = field(default_factory=lambda: list[str]())


def _labels(value: Any) -> dict[str, str]:
    return {str(k): str(v) for k, v in dict(value or {}).items()}


def _int(value: Any) -> int:
    """An int64 field (Compute sends them as strings)."""
    try:
        return int(value or 0)
    except (TypeError, ValueError):
        return 0


def compute_url(ctx: GcpContext, project: str, *parts: str) -> str:
    """``https://compute.googleapis.com/compute/v1/projects/{project}/{parts}`` (or under ``endpoints.compute``)."""
    return api_url(ctx, "compute", ENDPOINT, "/".join(("compute/v1/projects", project, *parts)))


async def _aggregated(ctx: GcpContext, project: str, kind: str, out: ProjectCompute) -> list[tuple[str, Any]]:
    """Every item of ``kind`` in every scope of its aggregated list, paged to the end; scope warnings and
    ``unreachables`` go to ``out.warnings``."""
    items: list[tuple[str, Any]] = []
    what = f"listing Compute Engine {kind} in project {project}"
    params = {"maxResults": str(PAGE_SIZE)}
    async for page in pages(ctx, compute_url(ctx, project, "aggregated", kind), params, what):
        for scope, scoped in (page.get("items") or {}).items():
            listed = list(scoped.get(kind) or [])
            items.extend((scope, item) for item in listed)
            warning = scoped.get("warning") or {}
            code = str(warning.get("code") or "")
            if warning and code not in QUIET_WARNINGS and not listed:
                out.warnings.append(f"project {project}, {scope} ({kind}): {warning.get('message') or code}")
        for unreachable in page.get("unreachables") or []:
            out.warnings.append(f"project {project}, {unreachable} ({kind}): unreachable")
    return items


async def _global(ctx: GcpContext, project: str, kind: str, what: str) -> list[dict[str, Any]]:
    url = compute_url(ctx, project, "global", kind)
    return await get_pages(ctx, url, {"maxResults": str(PAGE_SIZE)}, "items", f"{what} in project {project}")


async def _instances(ctx: GcpContext, project: str, out: ProjectCompute) -> None:
    for scope, i in await _aggregated(ctx, project, "instances", out):
        out.instances.append(
            Instance(
                project=project,
                zone=last(str(i.get("zone") or "")) or last(scope),
                name=str(i.get("name") or ""),
                instance_id=str(i.get("id") or ""),
                machine_type=last(str(i.get("machineType") or "")),
                status=str(i.get("status") or ""),
                labels=_labels(i.get("labels")),
                created_at=timestamp(str(i.get("creationTimestamp") or "")),
                disks=tuple(full_name(str(d["source"])) for d in i.get("disks") or [] if d.get("source")),
            )
        )


async def _disks(ctx: GcpContext, project: str, out: ProjectCompute) -> None:
    for scope, d in await _aggregated(ctx, project, "disks", out):
        zone, region = str(d.get("zone") or ""), str(d.get("region") or "")
        regional = bool(region) and not zone
        out.disks.append(
            Disk(
                project=project,
                location=last(region if regional else zone) or last(scope),
                regional=regional,
                name=str(d.get("name") or ""),
                size_gb=_int(d.get("sizeGb")),
                disk_type=last(str(d.get("type") or "")),
                status=str(d.get("status") or ""),
                users=tuple(full_name(str(u)) for u in d.get("users") or []),
                labels=_labels(d.get("labels")),
                created_at=timestamp(str(d.get("creationTimestamp") or "")),
            )
        )


def _address(project: str, region: str, a: Mapping[str, Any]) -> Address:
    return Address(
        project=project,
        region=region,
        name=str(a.get("name") or ""),
        address=str(a.get("address") or ""),
        status=str(a.get("status") or ""),
        address_type=str(a.get("addressType") or "EXTERNAL"),  # Google's default when unset
        users=tuple(full_name(str(u)) for u in a.get("users") or []),
        labels=_labels(a.get("labels")),
        created_at=timestamp(str(a.get("creationTimestamp") or "")),
    )


async def _addresses(ctx: GcpContext, project: str, out: ProjectCompute) -> None:
    seen: set[str] = set()
    for scope, a in await _aggregated(ctx, project, "addresses", out):
        region = last(str(a["region"])) if a.get("region") else ("global" if scope == "global" else last(scope))
        found = _address(project, region, a)
        seen.add(found.full_name)
        out.addresses.append(found)
    for a in await _global(ctx, project, "addresses", "listing global addresses"):
        found = _address(project, "global", a)
        if found.full_name not in seen:  # the aggregated list may hold the global ones too
            out.addresses.append(found)


async def _snapshots(ctx: GcpContext, project: str, out: ProjectCompute) -> None:
    for s in await _global(ctx, project, "snapshots", "listing snapshots"):
        source = str(s.get("sourceDisk") or "")
        out.snapshots.append(
            Snapshot(
                project=project,
                name=str(s.get("name") or ""),
                source_disk=full_name(source) if source else "",
                disk_size_gb=_int(s.get("diskSizeGb")),
                storage_bytes=_int(s.get("storageBytes")),
                storage_locations=tuple(str(x) for x in s.get("storageLocations") or []),
                status=str(s.get("status") or ""),
                auto_created=bool(s.get("autoCreated")),
                labels=_labels(s.get("labels")),
                created_at=timestamp(str(s.get("creationTimestamp") or "")),
            )
        )


async def _images(ctx: GcpContext, project: str, out: ProjectCompute) -> None:
    for i in await _global(ctx, project, "images", "listing the project's own images"):
        out.images.append(
            Image(
                project=project,
                name=str(i.get("name") or ""),
                disk_size_gb=_int(i.get("diskSizeGb")),
                archive_bytes=_int(i.get("archiveSizeBytes")),
                storage_locations=tuple(str(x) for x in i.get("storageLocations") or []),
                status=str(i.get("status") or ""),
                labels=_labels(i.get("labels")),
                created_at=timestamp(str(i.get("creationTimestamp") or "")),
            )
        )


READERS = {
    "instances": _instances,
    "disks": _disks,
    "addresses": _addresses,
    "snapshots": _snapshots,
    "images": _images,
}


async def read_project(ctx: GcpContext, project: str, kinds: Iterable[str] = KINDS) -> ProjectCompute:
    """The Compute Engine resources of ``kinds`` (names in ``KINDS``) in ``project``."""
    out = ProjectCompute(project)
    for kind in kinds:
        await READERS[kind](ctx, project, out)
    return out

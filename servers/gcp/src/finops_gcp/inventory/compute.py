"""Compute Engine, read per project: instances, disks and regional addresses from the aggregated lists (every zone
and region in one paged call), global addresses, snapshots and the project's own images.

A zone or region an aggregated list cannot reach comes back as a warning on its scope (or in ``unreachables``);
those become ``warnings`` lines that the answer names. Records are plain dataclasses: the REST resource's facts
the inventory and waste rules use.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from finops_gcp.errors import gcp_errors

if TYPE_CHECKING:
    from finops_gcp.context import GcpContext

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
class Instance:
    project: str
    zone: str
    name: str
    instance_id: str
    machine_type: str
    status: str  # RUNNING, TERMINATED (stopped), STOPPING, SUSPENDED, PROVISIONING ...
    labels: Mapping[str, str]
    created_at: datetime | None
    disks: tuple[str, ...]  # full names of attached disks

    @property
    def full_name(self) -> str:
        return f"{API}projects/{self.project}/zones/{self.zone}/instances/{self.name}"


@dataclass(frozen=True)
class Disk:
    project: str
    location: str  # zone, or region for a regional disk
    regional: bool
    name: str
    size_gb: int
    disk_type: str  # pd-standard, pd-balanced, pd-ssd, hyperdisk-balanced ...
    status: str
    users: tuple[str, ...]  # full names of the instances it is attached to
    labels: Mapping[str, str]
    created_at: datetime | None

    @property
    def full_name(self) -> str:
        scope = "regions" if self.regional else "zones"
        return f"{API}projects/{self.project}/{scope}/{self.location}/disks/{self.name}"


@dataclass(frozen=True)
class Address:
    project: str
    region: str  # "global" for a global address
    name: str
    address: str
    status: str  # RESERVED (unused), IN_USE, RESERVING
    address_type: str  # EXTERNAL or INTERNAL
    users: tuple[str, ...]
    labels: Mapping[str, str]
    created_at: datetime | None

    @property
    def full_name(self) -> str:
        scope = "global" if self.region == "global" else f"regions/{self.region}"
        return f"{API}projects/{self.project}/{scope}/addresses/{self.name}"


@dataclass(frozen=True)
class Snapshot:
    project: str
    name: str
    source_disk: str  # full name of the disk it was taken from ("" if unknown)
    disk_size_gb: int
    storage_bytes: int  # what is stored (and billed); snapshots are incremental
    storage_locations: tuple[str, ...]
    status: str
    auto_created: bool  # made by a snapshot schedule, which deletes it itself
    labels: Mapping[str, str]
    created_at: datetime | None

    @property
    def full_name(self) -> str:
        return f"{API}projects/{self.project}/global/snapshots/{self.name}"


@dataclass(frozen=True)
class Image:
    project: str
    name: str
    disk_size_gb: int
    archive_bytes: int
    storage_locations: tuple[str, ...]
    status: str
    labels: Mapping[str, str]
    created_at: datetime | None

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


def _aggregated(ctx: GcpContext, client: Any, project: str, key: str, what: str, out: ProjectCompute) -> list[Any]:
    """Every item under ``key`` in every scope of an aggregated list, paged to the end; scope warnings go to
    ``out.warnings``."""
    from google.cloud import compute_v1

    items: list[Any] = []
    with gcp_errors(f"listing Compute Engine {what} in project {project}"):
        # google-cloud-compute 1.57's request has no return_partial_success field (only its docstrings mention it);
        # Compute still reports scopes it cannot reach, as warnings and ``unreachables``, which we read.
        pager = client.aggregated_list(project=project, timeout=ctx.settings.timeout_seconds)
        for page in pager.pages:
            for scope, scoped in page.items.items():
                listed = list(getattr(scoped, key))
                items.extend((scope, item) for item in listed)
                warning: compute_v1.Warning | None = scoped.warning if "warning" in scoped else None
                if warning is not None and warning.code not in QUIET_WARNINGS and not listed:
                    out.warnings.append(f"project {project}, {scope} ({what}): {warning.message or warning.code}")
            for unreachable in page.unreachables:
                out.warnings.append(f"project {project}, {unreachable} ({what}): unreachable")
    return items


def _instances(ctx: GcpContext, project: str, out: ProjectCompute) -> None:
    from google.cloud import compute_v1

    client = ctx.clients.gapic(compute_v1.InstancesClient, "compute")
    for scope, i in _aggregated(ctx, client, project, "instances", "instances", out):
        out.instances.append(
            Instance(
                project=project,
                zone=last(i.zone) or last(scope),
                name=i.name,
                instance_id=str(i.id) if i.id else "",
                machine_type=last(i.machine_type),
                status=i.status,
                labels=_labels(i.labels),
                created_at=timestamp(i.creation_timestamp),
                disks=tuple(full_name(d.source) for d in i.disks if d.source),
            )
        )


def _disks(ctx: GcpContext, project: str, out: ProjectCompute) -> None:
    from google.cloud import compute_v1

    client = ctx.clients.gapic(compute_v1.DisksClient, "compute")
    for scope, d in _aggregated(ctx, client, project, "disks", "disks", out):
        regional = bool(d.region) and not d.zone
        out.disks.append(
            Disk(
                project=project,
                location=last(d.region if regional else d.zone) or last(scope),
                regional=regional,
                name=d.name,
                size_gb=int(d.size_gb or 0),
                disk_type=last(d.type_),
                status=d.status,
                users=tuple(full_name(u) for u in d.users),
                labels=_labels(d.labels),
                created_at=timestamp(d.creation_timestamp),
            )
        )


def _address(project: str, region: str, a: Any) -> Address:
    return Address(
        project=project,
        region=region,
        name=a.name,
        address=a.address,
        status=a.status,
        address_type=a.address_type or "EXTERNAL",  # Google's default when unset
        users=tuple(full_name(u) for u in a.users),
        labels=_labels(a.labels),
        created_at=timestamp(a.creation_timestamp),
    )


def _addresses(ctx: GcpContext, project: str, out: ProjectCompute) -> None:
    from google.cloud import compute_v1

    seen: set[str] = set()
    client = ctx.clients.gapic(compute_v1.AddressesClient, "compute")
    for scope, a in _aggregated(ctx, client, project, "addresses", "addresses", out):
        region = last(a.region) if a.region else ("global" if scope == "global" else last(scope))
        found = _address(project, region, a)
        seen.add(found.full_name)
        out.addresses.append(found)
    global_client = ctx.clients.gapic(compute_v1.GlobalAddressesClient, "compute")
    with gcp_errors(f"listing global addresses in project {project}"):
        for a in global_client.list(project=project, timeout=ctx.settings.timeout_seconds):
            found = _address(project, "global", a)
            if found.full_name not in seen:  # some API versions list global ones in the aggregated list too
                out.addresses.append(found)


def _snapshots(ctx: GcpContext, project: str, out: ProjectCompute) -> None:
    from google.cloud import compute_v1

    client = ctx.clients.gapic(compute_v1.SnapshotsClient, "compute")
    with gcp_errors(f"listing snapshots in project {project}"):
        for s in client.list(project=project, timeout=ctx.settings.timeout_seconds):
            out.snapshots.append(
                Snapshot(
                    project=project,
                    name=s.name,
                    source_disk=full_name(s.source_disk) if s.source_disk else "",
                    disk_size_gb=int(s.disk_size_gb or 0),
                    storage_bytes=int(s.storage_bytes or 0),
                    storage_locations=tuple(s.storage_locations),
                    status=s.status,
                    auto_created=bool(s.auto_created),
                    labels=_labels(s.labels),
                    created_at=timestamp(s.creation_timestamp),
                )
            )


def _images(ctx: GcpContext, project: str, out: ProjectCompute) -> None:
    from google.cloud import compute_v1

    client = ctx.clients.gapic(compute_v1.ImagesClient, "compute")
    with gcp_errors(f"listing the project's own images in project {project}"):
        for i in client.list(project=project, timeout=ctx.settings.timeout_seconds):
            out.images.append(
                Image(
                    project=project,
                    name=i.name,
                    disk_size_gb=int(i.disk_size_gb or 0),
                    archive_bytes=int(i.archive_size_bytes or 0),
                    storage_locations=tuple(i.storage_locations),
                    status=i.status,
                    labels=_labels(i.labels),
                    created_at=timestamp(i.creation_timestamp),
                )
            )


READERS = {
    "instances": _instances,
    "disks": _disks,
    "addresses": _addresses,
    "snapshots": _snapshots,
    "images": _images,
}


def read_project(ctx: GcpContext, project: str, kinds: Iterable[str] = KINDS) -> ProjectCompute:
    """The Compute Engine resources of ``kinds`` (names in ``KINDS``) in ``project``. Blocking: run it in a worker
    thread (``ctx.fan_out``)."""
    out = ProjectCompute(project)
    for kind in kinds:
        READERS[kind](ctx, project, out)
    return out

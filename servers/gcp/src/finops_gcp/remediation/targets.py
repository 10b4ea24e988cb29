"""Finding the resource an action names: its kind, project, zone or region, name, and its current record.

An action names a Compute Engine resource by its full name, as the Recommender, Cloud Asset Inventory and this
server's inventory give it::

    //compute.googleapis.com/projects/P/zones/Z/instances/NAME
    //compute.googleapis.com/projects/P/zones/Z/disks/NAME
    //compute.googleapis.com/projects/P/regions/R/addresses/NAME   (or .../global/addresses/NAME)
    //compute.googleapis.com/projects/P/global/snapshots/NAME

The same without the ``//compute.googleapis.com/`` prefix, and a ``selfLink``
(``https://www.googleapis.com/compute/v1/projects/...``), are accepted too.

Protection: Google Cloud label keys cannot contain ':', so the ``finops:protect=true`` tag of AWS and Azure is
the label ``finops-protect=true`` here. A resource carrying it is never changed by this server.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from finops_core.errors import InvalidInput, NotFound

from finops_gcp.inventory.compute import compute_url
from finops_gcp.rest import call

if TYPE_CHECKING:
    from finops_gcp.context import GcpContext

TargetKind = Literal["instance", "disk", "address", "snapshot"]
KIND_NAMES: dict[TargetKind, str] = {
    "instance": "a VM instance (.../zones/Z/instances/NAME)",
    "disk": "a zonal persistent disk (.../zones/Z/disks/NAME)",
    "address": "a static IP address (.../regions/R/addresses/NAME or .../global/addresses/NAME)",
    "snapshot": "a disk snapshot (.../global/snapshots/NAME)",
}
FULL_NAME_PREFIX = "//compute.googleapis.com/"
_SELF_LINK = re.compile(r"^https://(?:www|compute)\.googleapis\.com/compute/(?:v1|beta|alpha)/")
_ID = re.compile(
    r"^projects/(?P<project>[a-z][-a-z0-9.:]{3,61}[a-z0-9])/"
    r"(?P<scope>zones/(?P<zone>[a-z0-9-]+)|regions/(?P<region>[a-z0-9-]+)|global)/"
    r"(?P<collection>instances|disks|addresses|snapshots)/(?P<name>[a-z0-9][-a-z0-9_]{0,62})$"
)
_KIND_OF: dict[str, TargetKind] = {
    "instances": "instance",
    "disks": "disk",
    "addresses": "address",
    "snapshots": "snapshot",
}
_COLLECTION: dict[TargetKind, str] = {kind: collection for collection, kind in _KIND_OF.items()}
_FORMS = (
    "Use the resource's full name as gcp_list_resources lists it, e.g. "
    "//compute.googleapis.com/projects/P/zones/Z/instances/NAME (disks likewise), "
    "//compute.googleapis.com/projects/P/regions/R/addresses/NAME or "
    "//compute.googleapis.com/projects/P/global/snapshots/NAME."
)


@dataclass(frozen=True)
class Ref:
    """Where a resource is: project, ``scope`` (``zones/Z``, ``regions/R`` or ``global``) and name."""

    kind: TargetKind
    project: str
    scope: str
    name: str

    @property
    def location(self) -> str:
        """The zone or region (``global`` for global resources)."""
        return self.scope.split("/", 1)[-1]

    @property
    def path(self) -> str:
        """The resource's path under its project in Compute Engine's REST API (``zones/Z/instances/NAME``)."""
        return f"{self.scope}/{_COLLECTION[self.kind]}/{self.name}"

    @property
    def resource_id(self) -> str:
        return f"{FULL_NAME_PREFIX}projects/{self.project}/{self.path}"

    @property
    def where(self) -> str:
        place = "global" if self.scope == "global" else f"in {self.location}"
        return f"{place}, project {self.project}"


@dataclass(frozen=True)
class Target:
    """A resource found: where it is and its Compute Engine record (REST JSON)."""

    ref: Ref
    record: dict[str, Any] = field(repr=False)

    @property
    def kind(self) -> TargetKind:
        return self.ref.kind

    @property
    def resource_id(self) -> str:
        return self.ref.resource_id

    @property
    def where(self) -> str:
        return self.ref.where

    @property
    def labels(self) -> dict[str, str]:
        return {str(k): str(v) for k, v in (self.record.get("labels") or {}).items()}

    @property
    def tags(self) -> dict[str, str]:
        """Its labels, as the action table reads every cloud's tags."""
        return self.labels

    def label(self) -> str:
        """``instance web-1``: the kind and the name."""
        return f"{self.kind} {self.ref.name}"


def parse_resource_id(resource_id: str) -> Ref:
    """The project, zone/region and name ``resource_id`` names, or ``NotFound`` showing the forms accepted."""
    text = resource_id.strip()
    text = _SELF_LINK.sub("", text)
    text = text.removeprefix(FULL_NAME_PREFIX)
    m = _ID.match(text)
    if m is None:
        # Not a resource name at all: no such resource (the contract every provider keeps), said helpfully.
        raise NotFound(
            f"{resource_id!r} names no Compute Engine resource this server can change. {_FORMS}", provider="gcp"
        )
    kind = _KIND_OF[m["collection"]]
    scope = m["scope"]
    allowed = {"instance": ("zones/",), "disk": ("zones/",), "address": ("regions/", "global"), "snapshot": ("global",)}
    if not scope.startswith(allowed[kind]):
        extra = " (regional disks are not supported yet)" if kind == "disk" else ""
        raise InvalidInput(f"{resource_id!r}: {KIND_NAMES[kind]} is named that way{extra}. {_FORMS}")
    return Ref(kind, m["project"], scope, m["name"])


def short(link: str) -> str:
    """The last part of a Compute Engine URL (``.../machineTypes/e2-small`` -> ``e2-small``)."""
    return link.rsplit("/", 1)[-1] if link else link


async def read(ctx: GcpContext, ref: Ref) -> dict[str, Any]:
    """The resource's current record (REST JSON). NotFound says how to find the id."""
    what = f"reading {ref.kind} {ref.name} {ref.where}"
    try:
        return await call(ctx, "GET", compute_url(ctx, ref.project, ref.path), what)
    except NotFound as exc:
        raise NotFound(
            f"No {KIND_NAMES[ref.kind].split(' (')[0].removeprefix('a ')} named {ref.name} {ref.where} "
            "(it may already be deleted, or the id's project, zone or region is wrong). Check the id with "
            "gcp_list_resources.",
            provider="gcp",
        ) from exc


async def read_or_none(ctx: GcpContext, ref: Ref) -> dict[str, Any] | None:
    """The record, or None when the resource no longer exists (after a delete)."""
    try:
        return await read(ctx, ref)
    except NotFound:
        return None


def read_back(
    ctx: GcpContext, ref: Ref, state: Callable[[dict[str, Any]], dict[str, Any]]
) -> Callable[[], Awaitable[dict[str, Any]]]:
    """A plan's ``read_after``: the resource's ``state`` as read after the change, ``DELETED`` once it is gone."""

    async def read_after() -> dict[str, Any]:
        record = await read_or_none(ctx, ref)
        return state(record) if record is not None else {"status": "DELETED"}

    return read_after


async def resolve(ctx: GcpContext, ref: Ref) -> Target:
    """The resource ``ref`` names, read now."""
    return Target(ref, await read(ctx, ref))

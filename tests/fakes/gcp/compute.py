"""A local Compute Engine: ``ComputeState`` holds instances, disks, addresses, snapshots and images as plain dicts in
the REST API's JSON shape (camelCase, URLs as ``selfLink``/``zone``/``users``), and ``install(google, state)``
serves the read routes the inventory uses on a ``GoogleFake``:

* ``GET /compute/v1/projects/{p}/aggregated/{instances|disks|addresses}``: ``{"items": {"zones/us-central1-a":
  {"instances": [...]}, "zones/x": {"warning": {...}}}, "nextPageToken"}``, ``page_size`` items a page; a scope
  in ``state.unreachable`` answers with an ``UNREACHABLE`` warning instead of its items;
* ``GET /compute/v1/projects/{p}/global/{addresses|snapshots|images}``: ``{"items": [...], "nextPageToken"}``.

The dicts in ``state.instances`` / ``.disks`` / ``.addresses`` / ``.snapshots`` / ``.images`` are keyed by
``(project, scope, name)``, scope being ``zones/Z``, ``regions/R`` or ``global``. Their records come from
``compute_records``, as those of ``ComputeOps`` (``compute_ops.py``, the mutation routes) do; a test that wants
one estate for both hands these dicts to ``ComputeOps`` (``tests/servers/gcp/test_provider.py``).
A project in ``state.denied`` answers 403 to every route.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from tests.fakes.gcp import compute_records as records
from tests.fakes.gcp.compute_records import url
from tests.fakes.gcp.google_api import GoogleError, GoogleFake, GoogleRequest, page, paged

CREATED = "2024-01-15T09:30:00.000-08:00"
Key = tuple[str, str, str]  # (project, scope, name)


@dataclass
class ComputeState:
    """Compute Engine's resources as REST JSON dicts. ``page_size`` bounds every page."""

    instances: dict[Key, dict[str, Any]] = field(default_factory=lambda: dict[Key, dict[str, Any]]())
    disks: dict[Key, dict[str, Any]] = field(default_factory=lambda: dict[Key, dict[str, Any]]())
    addresses: dict[Key, dict[str, Any]] = field(default_factory=lambda: dict[Key, dict[str, Any]]())
    snapshots: dict[Key, dict[str, Any]] = field(default_factory=lambda: dict[Key, dict[str, Any]]())
    images: dict[Key, dict[str, Any]] = field(default_factory=lambda: dict[Key, dict[str, Any]]())
    unreachable: set[tuple[str, str]] = field(default_factory=lambda: set[tuple[str, str]]())  # (project, scope)
    denied: set[str] = field(default_factory=lambda: set[str]())
    page_size: int = 500
    _next_id: int = 1000

    def _id(self) -> str:
        self._next_id += 1
        return str(self._next_id)

    def _add(
        self,
        store: dict[Key, dict[str, Any]],
        key: Key,
        record: dict[str, Any],
        created: str,
        record_id: str | None = None,
    ) -> dict[str, Any]:
        """Keep a record of ``compute_records`` under ``key``, with this fake's id and the creation time the
        inventory's rules read."""
        store[key] = {**record, "id": record_id or self._id(), "creationTimestamp": created}
        return store[key]

    def add_disk(
        self,
        project: str,
        zone: str,
        name: str,
        size_gb: int = 10,
        disk_type: str = "pd-balanced",
        *,
        labels: dict[str, str] | None = None,
        created: str = CREATED,
        status: str = "READY",
    ) -> dict[str, Any]:
        record = records.disk(project, zone, name, size_gb, disk_type, status, labels)
        return self._add(self.disks, (project, f"zones/{zone}", name), record, created)

    def add_instance(
        self,
        project: str,
        zone: str,
        name: str,
        machine_type: str = "e2-standard-2",
        status: str = "RUNNING",
        *,
        labels: dict[str, str] | None = None,
        disks: Iterable[str] = (),
        created: str = CREATED,
        instance_id: str | None = None,
    ) -> dict[str, Any]:
        """A VM; ``disks`` names disks of its zone (added before) that it attaches, the first as boot disk."""
        link = url(project, "zones", zone, "instances", name)
        attached: list[dict[str, Any]] = []
        for n, disk_name in enumerate(disks):
            disk = self.disks[(project, f"zones/{zone}", disk_name)]
            disk["users"].append(link)
            attached.append({"source": disk["selfLink"], "deviceName": disk_name, "boot": n == 0, "index": n})
        record = records.instance(project, zone, name, machine_type, status, labels, attached)
        return self._add(self.instances, (project, f"zones/{zone}", name), record, created, instance_id)

    def add_address(
        self,
        project: str,
        region: str,
        name: str,
        status: str = "RESERVED",
        *,
        address: str = "34.120.0.1",
        address_type: str = "EXTERNAL",
        users: Iterable[str] = (),
        labels: dict[str, str] | None = None,
        created: str = CREATED,
    ) -> dict[str, Any]:
        """A static address; ``region="global"`` for a global one."""
        scope = "global" if region == "global" else f"regions/{region}"
        record = records.address(project, scope, name, address, address_type, status, list(users), labels)
        return self._add(self.addresses, (project, scope, name), record, created)

    def add_snapshot(
        self,
        project: str,
        name: str,
        source_disk: tuple[str, str] | None = None,
        disk_size_gb: int = 10,
        storage_bytes: int = 2 * 1024**3,
        *,
        storage_locations: Iterable[str] = ("us-central1",),
        auto_created: bool = False,
        labels: dict[str, str] | None = None,
        created: str = CREATED,
    ) -> dict[str, Any]:
        """A snapshot of the disk ``(zone, name)`` of ``project`` (which need not exist any more)."""
        record = records.snapshot(project, name, disk_size_gb, storage_bytes, labels)
        snapshot = self._add(self.snapshots, (project, "global", name), record, created)
        snapshot.update(storageLocations=list(storage_locations), autoCreated=auto_created)
        if source_disk is not None:
            snapshot["sourceDisk"] = url(project, "zones", source_disk[0], "disks", source_disk[1])
        return snapshot

    def add_image(
        self,
        project: str,
        name: str,
        disk_size_gb: int = 10,
        archive_size_bytes: int = 3 * 1024**3,
        *,
        storage_locations: Iterable[str] = ("us-central1",),
        labels: dict[str, str] | None = None,
        created: str = CREATED,
    ) -> dict[str, Any]:
        record = records.image(project, name, disk_size_gb, archive_size_bytes, labels)
        image = self._add(self.images, (project, "global", name), record, created)
        image["storageLocations"] = list(storage_locations)
        return image


def install(google: GoogleFake, state: ComputeState) -> None:
    """Serve ``state``'s read routes on ``google`` (route names: ``compute.aggregated.<kind>``,
    ``compute.global.<kind>``)."""
    stores = {"instances": state.instances, "disks": state.disks, "addresses": state.addresses}
    globals_ = {"addresses": state.addresses, "snapshots": state.snapshots, "images": state.images}

    def check(project: str) -> None:
        if project in state.denied:
            raise GoogleError(403, "PERMISSION_DENIED", f"Required 'compute.instances.list' permission for '{project}'")

    def aggregated(kind: str):
        def handle(request: GoogleRequest) -> dict[str, Any]:
            project = request.path.split("/")[4]
            check(project)
            store = stores[kind]
            scoped = [
                (scope, item)
                for (p, scope, _), item in sorted(store.items())
                if p == project and scope != "global" and (p, scope) not in state.unreachable
            ]
            found, token = page(request, scoped, state.page_size)
            items: dict[str, Any] = {}
            for scope, item in found:
                items.setdefault(scope, {kind: []})[kind].append(item)
            if int(request.query.get("pageToken") or 0) == 0:
                for p, scope in sorted(state.unreachable):
                    if p == project:
                        items[scope] = {
                            "warning": {
                                "code": "UNREACHABLE",
                                "message": f"Scope {scope} is unreachable.",
                                "data": [{"key": "scope", "value": scope}],
                            }
                        }
                # An empty scope, as Google lists every zone.
                items.setdefault("zones/empty-zone-1a", {"warning": {"code": "NO_RESULTS_ON_PAGE", "message": "none"}})
            body: dict[str, Any] = {"kind": f"compute#{kind}AggregatedList", "items": items}
            if token:
                body["nextPageToken"] = token
            return body

        return handle

    def global_list(kind: str):
        def handle(request: GoogleRequest) -> dict[str, Any]:
            project = request.path.split("/")[4]
            check(project)
            listed = [
                item for (p, scope, _), item in sorted(globals_[kind].items()) if p == project and scope == "global"
            ]
            return paged(request, listed, state.page_size, "items", {"kind": f"compute#{kind}List"})

        return handle

    for kind in stores:
        google.route(
            f"compute.aggregated.{kind}", "GET", rf"/compute/v1/projects/[^/]+/aggregated/{kind}", aggregated(kind)
        )
    for kind in globals_:
        google.route(f"compute.global.{kind}", "GET", rf"/compute/v1/projects/[^/]+/global/{kind}", global_list(kind))

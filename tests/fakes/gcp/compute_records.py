"""Compute Engine's REST records, built once for both local Compute Engines: ``ComputeState`` (``compute.py``, the
lists the inventory reads) and ``ComputeOps`` (``compute_ops.py``, the mutations), so that the two write the same
``compute#instance`` / ``compute#disk`` / ``compute#address`` / ``compute#snapshot`` JSON for a resource.

Each fake adds the ``id`` from its own counter and the fields only it writes: ``creationTimestamp`` (the
inventory's age rules read it) or ``labelFingerprint`` (``setLabels`` checks it).
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Mapping
from typing import Any

API = "https://www.googleapis.com/compute/v1"


def url(project: str, *parts: str) -> str:
    """A resource URL as Compute Engine writes it: ``url("p", "zones", "z", "disks", "d")``."""
    return "/".join((API, "projects", project, *parts))


def fingerprint(labels: Mapping[str, str]) -> str:
    """A label fingerprint that changes whenever the labels do (Compute Engine's is opaque base64 too)."""
    digest = hashlib.sha256(repr(sorted(labels.items())).encode()).digest()[:8]
    return base64.b64encode(digest).decode()


def _record(
    kind: str, name: str, link: str, labels: Mapping[str, str] | None, fields: dict[str, Any]
) -> dict[str, Any]:
    """A resource with a copy of its labels (a test may change the dict it passed)."""
    return {
        "kind": f"compute#{kind}",
        "name": name,
        **fields,
        "labels": dict(labels or {}),
        "selfLink": link,
    }


def instance(
    project: str,
    zone: str,
    name: str,
    machine_type: str,
    status: str,
    labels: Mapping[str, str] | None,
    disks: list[dict[str, Any]],
) -> dict[str, Any]:
    """A VM of ``zone``; ``disks`` are its attachments (each fake attaches in its own way)."""
    where = url(project, "zones", zone)
    fields = {"zone": where, "machineType": f"{where}/machineTypes/{machine_type}", "status": status, "disks": disks}
    return _record("instance", name, f"{where}/instances/{name}", labels, fields)


def disk(
    project: str, zone: str, name: str, size_gb: int, disk_type: str, status: str, labels: Mapping[str, str] | None
) -> dict[str, Any]:
    """A zonal persistent disk, used by no instance yet (``users`` grows as instances attach it)."""
    where = url(project, "zones", zone)
    fields = {
        "zone": where,
        "sizeGb": str(size_gb),
        "type": f"{where}/diskTypes/{disk_type}",
        "status": status,
        "users": [],
    }
    return _record("disk", name, f"{where}/disks/{name}", labels, fields)


def address(
    project: str,
    scope: str,
    name: str,
    ip: str,
    address_type: str,
    status: str,
    users: list[str],
    labels: Mapping[str, str] | None,
) -> dict[str, Any]:
    """A static address of ``scope``: ``regions/R`` (which it names as ``region``) or ``global``."""
    where = url(project, scope)
    fields: dict[str, Any] = {"address": ip, "addressType": address_type, "status": status, "users": users}
    if scope != "global":
        fields["region"] = where
    return _record("address", name, f"{where}/addresses/{name}", labels, fields)


def snapshot(
    project: str, name: str, disk_size_gb: int, storage_bytes: int, labels: Mapping[str, str] | None
) -> dict[str, Any]:
    """A global snapshot, READY."""
    fields = {"diskSizeGb": str(disk_size_gb), "storageBytes": str(storage_bytes), "status": "READY"}
    return _record("snapshot", name, url(project, "global", "snapshots", name), labels, fields)


def image(
    project: str, name: str, disk_size_gb: int, archive_size_bytes: int, labels: Mapping[str, str] | None
) -> dict[str, Any]:
    """A global custom image, READY."""
    fields = {"diskSizeGb": str(disk_size_gb), "archiveSizeBytes": str(archive_size_bytes), "status": "READY"}
    return _record("image", name, url(project, "global", "images", name), labels, fields)

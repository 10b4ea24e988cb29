"""A local Cloud SQL Admin API: ``install(google, instances)`` serves ``GET /v1/projects/{p}/instances`` (paged by
``page_size``) with instances built by ``sql_instance(...)`` in the API's JSON shape; a project in ``denied``
answers 403 as when the API is disabled."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tests.fakes.gcp.google_api import GoogleError, GoogleFake, GoogleRequest, paged


def sql_instance(
    project: str,
    name: str,
    *,
    region: str = "us-central1",
    state: str = "RUNNABLE",
    activation_policy: str = "ALWAYS",
    tier: str = "db-custom-2-7680",
    version: str = "POSTGRES_15",
    disk_gb: int = 100,
    labels: dict[str, str] | None = None,
) -> dict[str, Any]:
    return {
        "kind": "sql#instance",
        "name": name,
        "project": project,
        "region": region,
        "gceZone": f"{region}-a",
        "state": state,
        "databaseVersion": version,
        "instanceType": "CLOUD_SQL_INSTANCE",
        "createTime": "2024-02-01T12:00:00.000Z",
        "settings": {
            "tier": tier,
            "activationPolicy": activation_policy,
            "dataDiskSizeGb": str(disk_gb),
            "dataDiskType": "PD_SSD",
            "userLabels": labels or {},
        },
        "selfLink": f"https://sqladmin.googleapis.com/v1/projects/{project}/instances/{name}",
    }


def install(
    google: GoogleFake,
    instances: Mapping[str, list[dict[str, Any]]],
    page_size: int = 1,
    denied: frozenset[str] = frozenset(),
) -> None:
    """Serve ``instances[project]`` (route name ``sql.instances``)."""

    def handle(request: GoogleRequest) -> dict[str, Any]:
        project = request.path.split("/")[3]
        if project in denied:
            raise GoogleError(403, "PERMISSION_DENIED", "Cloud SQL Admin API has not been used in project before")
        return paged(request, instances.get(project, []), page_size, "items", {"kind": "sql#instancesList"})

    google.route("sql.instances", "GET", r"/v1/projects/[^/]+/instances", handle)

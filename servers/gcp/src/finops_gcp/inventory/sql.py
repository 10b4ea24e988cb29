"""Cloud SQL instances of a project, from the Cloud SQL Admin REST API (``GET /v1/projects/{p}/instances``).

The API has no REST-capable generated client here, so it is read through the authorized session (``rest.py``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from finops_gcp.inventory.compute import Record, timestamp
from finops_gcp.rest import get_pages

if TYPE_CHECKING:
    from finops_gcp.context import GcpContext

ENDPOINT = "https://sqladmin.googleapis.com"
API = "//cloudsql.googleapis.com/"


@dataclass(frozen=True)
class SqlInstance(Record):
    region: str
    zone: str
    state: str  # RUNNABLE, SUSPENDED, PENDING_CREATE, MAINTENANCE, FAILED ... (no STOPPED: see ``stopped``)
    activation_policy: str  # ALWAYS (running), NEVER (stopped by its owner), ON_DEMAND
    tier: str  # db-custom-2-7680, db-f1-micro ...
    database_version: str
    storage_gb: int
    storage_type: str

    @property
    def full_name(self) -> str:
        return f"{API}projects/{self.project}/instances/{self.name}"

    @property
    def stopped(self) -> bool:
        """Stopped by its owner: the API says so by ``activationPolicy`` NEVER, while ``state`` stays RUNNABLE
        (the console's "Stopped" is derived; DatabaseInstance.state has no such value)."""
        return self.activation_policy == "NEVER"


def _instance(project: str, item: Mapping[str, Any]) -> SqlInstance:
    settings: Mapping[str, Any] = item.get("settings") or {}
    return SqlInstance(
        project=project,
        name=str(item.get("name") or ""),
        region=str(item.get("region") or ""),
        zone=str(item.get("gceZone") or ""),
        state=str(item.get("state") or ""),
        activation_policy=str(settings.get("activationPolicy") or ""),
        tier=str(settings.get("tier") or ""),
        database_version=str(item.get("databaseVersion") or ""),
        storage_gb=int(settings.get("dataDiskSizeGb") or 0),
        storage_type=str(settings.get("dataDiskType") or ""),
        labels={str(k): str(v) for k, v in (settings.get("userLabels") or {}).items()},
        created_at=timestamp(str(item.get("createTime") or "")),
    )


async def list_sql_instances(ctx: GcpContext, project: str) -> list[SqlInstance]:
    """The Cloud SQL instances of ``project`` (read replicas included)."""
    base = (ctx.settings.endpoint("sqladmin") or ENDPOINT).rstrip("/")
    items = await get_pages(
        ctx, f"{base}/v1/projects/{project}/instances", {}, "items", f"listing Cloud SQL instances in project {project}"
    )
    return [_instance(project, item) for item in items]

"""Which Recommender API recommenders we ask, where, and how (paging, back-off, per-place failures).

Every cost recommender answers per location: the VM and disk recommenders per zone, addresses, commitments,
Cloud SQL and Cloud Run per region, images per project (``global``), spend-based commitments per billing account.

Where to ask. ``zones`` in ``[gcp]``, when set, is the list: zone entries (``us-central1-a``) for the per-zone
recommenders, and their regions plus any region entries (``europe-west1``) for the regional ones. When it is
empty we ask Compute Engine, once per project, where the project keeps disks and addresses (two aggregated
lists, paged). Every VM has a boot disk, so those zones are exactly where the VM and disk recommenders can say
anything, and asking there is two calls instead of one per zone (~120) per recommender. The regional
recommenders are asked in the regions of those zones and addresses: a Cloud SQL instance or Cloud Run service in
a region with no disk or address is missed then; list its region in ``zones`` to cover it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import anyio
from finops_core.errors import FinOpsError, PermissionDenied
from finops_core.models import Effort, RecommendationKind, Risk

from finops_gcp.errors import gcp_errors
from finops_gcp.inventory.compute import compute_url
from finops_gcp.rest import pages
from finops_gcp.retries import retried_blocking

if TYPE_CHECKING:
    from finops_gcp.context import GcpContext

Scope = Literal["zone", "region", "project", "billing"]
PAGE_SIZE = 500
ACTIVE_ONLY = "stateInfo.state=ACTIVE"
ZONE = re.compile(r"[a-z]+(?:-[a-z]+)*\d+-[a-z]")


@dataclass(frozen=True)
class Recommender:
    """One cost recommender: where it answers, what kind of change it proposes, and about which resource type."""

    id: str
    scope: Scope
    kind: RecommendationKind
    label: str  # the resource, as a person says it
    verb: str
    resource_type: str | None
    effort: Effort
    risk: Risk
    action: str | None = None  # the core ActionKind that carries it out, if any


RECOMMENDERS: tuple[Recommender, ...] = (
    Recommender(
        "google.compute.instance.IdleResourceRecommender", "zone", "idle", "VM instance", "Stop idle",
        "compute.googleapis.com/Instance", "low", "medium", "stop_instance",
    ),
    Recommender(
        "google.compute.instance.MachineTypeRecommender", "zone", "rightsize", "VM instance", "Resize",
        "compute.googleapis.com/Instance", "medium", "medium", "resize_instance",
    ),
    Recommender(
        "google.compute.disk.IdleResourceRecommender", "zone", "unattached", "persistent disk", "Delete idle",
        "compute.googleapis.com/Disk", "low", "medium", "delete_volume",
    ),
    Recommender(
        "google.compute.address.IdleResourceRecommender", "region", "unattached", "IP address", "Release idle",
        "compute.googleapis.com/Address", "low", "medium", "release_ip",
    ),
    Recommender(
        "google.compute.image.IdleResourceRecommender", "project", "idle", "image", "Delete idle",
        "compute.googleapis.com/Image", "low", "medium",
    ),
    Recommender(
        "google.compute.commitment.UsageCommitmentRecommender", "region", "commitment",
        "resource-based committed use discount", "Buy", None, "medium", "medium",
    ),
    Recommender(
        "google.cloudbilling.commitment.SpendBasedCommitmentRecommender", "billing", "commitment",
        "spend-based committed use discount", "Buy", None, "medium", "medium",
    ),
    Recommender(
        "google.cloudsql.instance.IdleRecommender", "region", "idle", "Cloud SQL instance", "Stop idle",
        "sqladmin.googleapis.com/Instance", "low", "medium",
    ),
    Recommender(
        "google.cloudsql.instance.OverprovisionedRecommender", "region", "rightsize", "Cloud SQL instance",
        "Downsize overprovisioned", "sqladmin.googleapis.com/Instance", "medium", "medium",
    ),
    Recommender(
        "google.run.service.CostRecommender", "region", "other", "Cloud Run service", "Reduce the cost of",
        "run.googleapis.com/Service", "low", "low",
    ),
)  # fmt: skip
BY_ID = {r.id: r for r in RECOMMENDERS}


@dataclass(frozen=True)
class Target:
    """One list call: a recommender in one place. ``project`` is None for a billing account's recommender."""

    recommender: Recommender
    parent: str
    project: str | None
    location: str

    def describe(self) -> str:
        where = f"project {self.project}" if self.project else self.parent.split("/locations/")[0]
        return f"{self.recommender.id} in {where}, {self.location}"


@dataclass
class Locations:
    zones: list[str] = field(default_factory=lambda: list[str]())
    regions: list[str] = field(default_factory=lambda: list[str]())


@dataclass(frozen=True)
class Listed:
    """One recommendation as the API sent it (REST JSON, camelCase), with where we asked."""

    item: dict[str, Any]
    target: Target


def region_of(zone: str) -> str:
    return zone.rsplit("-", 1)[0]


def configured_locations(entries: list[str]) -> Locations:
    """``zones`` in ``[gcp]``: zone entries, and the regions of those zones plus region entries."""
    zones = sorted({e for e in entries if ZONE.fullmatch(e)})
    regions = sorted({region_of(z) for z in zones} | {e for e in entries if not ZONE.fullmatch(e)})
    return Locations(zones, regions)


async def _scopes(ctx: GcpContext, project: str, kind: str) -> set[str]:
    """Scopes (``zones/us-central1-a``, ``regions/us-central1``) of ``kind``'s aggregated list that hold any."""
    found: set[str] = set()
    url = compute_url(ctx, project, "aggregated", kind)
    what = f"listing where project {project} keeps {kind} ({kind}.aggregatedList)"
    async for page in pages(ctx, url, {"maxResults": str(PAGE_SIZE)}, what):
        found |= {scope for scope, scoped in (page.get("items") or {}).items() if scoped.get(kind)}
    return found


async def discover_locations(ctx: GcpContext, project: str) -> Locations:
    """Zones and regions where ``project`` keeps disks and addresses (two aggregated lists)."""
    disks = await _scopes(ctx, project, "disks")
    addresses = await _scopes(ctx, project, "addresses")
    zones = sorted(s.split("/", 1)[1] for s in disks if s.startswith("zones/"))
    regions = {s.split("/", 1)[1] for s in disks | addresses if s.startswith("regions/")}
    return Locations(zones, sorted(regions | {region_of(z) for z in zones}))


def targets(ctx: GcpContext, project: str, where: Locations) -> list[Target]:
    """Every (recommender, location) to ask in ``project``."""
    out: list[Target] = []
    for r in RECOMMENDERS:
        if r.scope == "billing" and ctx.settings.billing_account:
            continue  # asked once for the billing account instead
        places = {"zone": where.zones, "region": where.regions}.get(r.scope, ["global"])
        out.extend(
            Target(r, f"projects/{project}/locations/{place}/recommenders/{r.id}", project, place) for place in places
        )
    return out


def billing_targets(ctx: GcpContext) -> list[Target]:
    account = ctx.settings.billing_account
    if not account:
        return []
    return [
        Target(r, f"billingAccounts/{account}/locations/global/recommenders/{r.id}", None, "global")
        for r in RECOMMENDERS
        if r.scope == "billing"
    ]


def to_json(message: Any) -> dict[str, Any]:
    """A Recommender message as the REST API sends it (camelCase, enums by name, int64 as strings)."""
    return type(message).to_dict(message, use_integers_for_enums=False, preserving_proto_field_name=False)


def list_page(
    ctx: GcpContext, target: Target, token: str | None, timeout: float
) -> tuple[list[dict[str, Any]], str | None]:
    """One page of the target's ACTIVE recommendations (blocking): (items, next page token)."""
    from google.cloud.recommender_v1 import RecommenderClient

    client = ctx.clients.gapic(RecommenderClient, "recommender")
    request: dict[str, Any] = {"parent": target.parent, "filter": ACTIVE_ONLY, "page_size": PAGE_SIZE}
    if token:
        request["page_token"] = token
    with gcp_errors(f"listing recommendations of {target.describe()}"):
        # retry=None: the library would retry on its own count and sleep in its thread; ``retried`` does it.
        page = client.list_recommendations(request=request, retry=None, timeout=timeout)
        return [to_json(r) for r in page.recommendations], page.next_page_token or None


async def list_target(ctx: GcpContext, target: Target) -> list[Listed]:
    """Every ACTIVE recommendation of one target, all pages (each retried as ``retries`` says)."""
    out: list[Listed] = []
    token: str | None = None
    seen: set[str] = set()
    what = f"listing recommendations of {target.describe()}"
    while True:
        items, token = await retried_blocking(ctx, what, list_page, ctx, target, token)
        out.extend(Listed(item, target) for item in items)
        if not token or token in seen:  # a repeated token would loop forever
            return out
        seen.add(token)


def _disabled(exc: FinOpsError) -> bool:
    text = str(exc).lower()
    return isinstance(exc, PermissionDenied) and any(
        s in text for s in ("service_disabled", "has not been used", "is disabled", "not been enabled")
    )


def _explain(where: str, errors: list[FinOpsError]) -> str:
    first = errors[0]
    if _disabled(first):
        return (
            f"{where}: the Recommender API is not enabled; enable the Recommender API (recommender.googleapis.com) "
            f"there to get its recommendations ({first})"
        )
    return f"{where}: {first}"


async def recommender_items(ctx: GcpContext) -> tuple[list[Listed], list[str]]:
    """Every ACTIVE recommendation of every cost recommender, in every project and location: (items, missing).

    A place that fails is named in ``missing``: a whole project in one line when every call there failed (the
    API disabled, no permission), else one line per recommender and location. When everything fails, the first
    error is raised."""
    projects = await ctx.projects()
    missing: list[str] = []
    plan: list[Target] = billing_targets(ctx)
    configured = configured_locations(ctx.settings.zones) if ctx.settings.zones else None
    found_where: dict[str, Locations] = {}
    location_errors: list[FinOpsError] = []

    async def where(project: str) -> None:
        try:
            found_where[project] = await discover_locations(ctx, project)
        except FinOpsError as exc:
            location_errors.append(exc)
            missing.append(
                f"project {project}: zonal and regional recommenders (could not list its zones: {exc}; or set "
                "zones in [gcp])"
            )
            found_where[project] = Locations()

    if configured is None:
        async with anyio.create_task_group() as tg:
            for project in projects:
                tg.start_soon(where, project)
    for project in projects:
        plan.extend(targets(ctx, project, configured or found_where[project]))

    results: dict[int, list[Listed]] = {}
    failures: dict[int, FinOpsError] = {}

    async def one(i: int, target: Target) -> None:
        try:
            results[i] = await list_target(ctx, target)
        except FinOpsError as exc:
            failures[i] = exc

    async with anyio.create_task_group() as tg:
        for i, target in enumerate(plan):
            tg.start_soon(one, i, target)
    if plan and len(failures) == len(plan):
        raise failures[min(failures)]
    if not plan and location_errors:
        raise location_errors[0]

    by_project: dict[str | None, list[int]] = {}
    for i, target in enumerate(plan):
        by_project.setdefault(target.project, []).append(i)
    for project, indices in by_project.items():
        failed = [i for i in indices if i in failures]
        if not failed:
            continue
        if project is not None and len(failed) == len(indices) and len(indices) > 1:
            missing.append(_explain(f"project {project} (all recommenders)", [failures[i] for i in failed]))
        else:
            missing.extend(_explain(plan[i].describe(), [failures[i]]) for i in failed)
    items = [listed for i in sorted(results) for listed in results[i]]
    return items, sorted(missing)

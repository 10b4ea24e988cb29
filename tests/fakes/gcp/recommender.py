"""The Recommender API (v1) on ``GoogleFake``: recommendations and insights per parent, paging, state filter,
and the markClaimed / markSucceeded / markFailed state changes with etag checks. Also the two Compute Engine
aggregated lists (disks, addresses) the adapter uses to find where a project keeps things.

Shapes are the REST API's JSON (camelCase; int64 as strings; Duration as ``"2592000s"``)::

    install(google, {"projects/p/locations/us-central1-a/recommenders/google.compute.disk.IdleResourceRecommender":
                     [recommendation(...)]}, page_size=2)
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from typing import Any

from tests.fakes.gcp.google_api import GoogleError, GoogleFake, GoogleRequest, paged

_PARENT = r"(?:projects|billingAccounts|folders|organizations)/[^/]+/locations/[^/]+"
RECOMMENDATIONS = rf"/v1/({_PARENT}/recommenders/[^/]+)/recommendations"
MARK = rf"/v1/({_PARENT}/recommenders/[^/]+/recommendations/[^/:]+):(markClaimed|markSucceeded|markFailed)"
INSIGHTS = rf"/v1/({_PARENT}/insightTypes/[^/]+)/insights"
AGGREGATED = r"/compute/v1/projects/([^/]+)/aggregated/(disks|addresses)"
_FILTER = re.compile(r"stateInfo\.state\s*=\s*([A-Z]+)")
_METADATA_KEY = re.compile(r"[a-z0-9][a-z0-9_.-]{0,62}")
_METADATA_VALUE = re.compile(r"[a-zA-Z0-9_./-]{0,255}")
# Which states each mark may leave from (the API reference of each method).
_FROM = {
    "markClaimed": {"ACTIVE", "CLAIMED", "SUCCEEDED", "FAILED"},
    "markSucceeded": {"ACTIVE", "CLAIMED", "SUCCEEDED", "FAILED"},
    "markFailed": {"ACTIVE", "CLAIMED", "SUCCEEDED", "FAILED"},
}
_TO = {"markClaimed": "CLAIMED", "markSucceeded": "SUCCEEDED", "markFailed": "FAILED"}


def money(amount: str, currency: str = "USD") -> dict[str, Any]:
    """Google Money for a decimal string: units (int64 as a string) and nanos, both of the amount's sign."""
    negative = amount.startswith("-")
    whole, _, fraction = amount.lstrip("-").partition(".")
    nanos = int((fraction + "000000000")[:9])
    sign = -1 if negative else 1
    return {"currencyCode": currency, "units": str(sign * int(whole or 0)), "nanos": sign * nanos}


def recommendation(
    parent: str,
    rec_id: str,
    *,
    cost: str,
    currency: str = "USD",
    duration: str = "2592000s",
    subtype: str = "",
    description: str = "",
    operations: list[dict[str, Any]] | None = None,
    overview: dict[str, Any] | None = None,
    category: str = "COST",
    state: str = "ACTIVE",
    insights: list[str] | None = None,
    priority: str = "P2",
) -> dict[str, Any]:
    """A recommendation as the REST API sends it."""
    return {
        "name": f"{parent}/recommendations/{rec_id}",
        "description": description,
        "recommenderSubtype": subtype,
        "lastRefreshTime": "2025-06-01T08:00:00Z",
        "primaryImpact": {
            "category": category,
            "costProjection": {"cost": money(cost, currency), "duration": duration},
        },
        "priority": priority,
        "content": {"operationGroups": [{"operations": operations or []}], "overview": overview or {}},
        "stateInfo": {"state": state},
        "associatedInsights": [{"insight": name} for name in insights or []],
    }


@dataclass
class RecommenderFake:
    recommendations: dict[str, list[dict[str, Any]]]
    insights: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: dict[str, list[dict[str, Any]]]())
    page_size: int = 100
    disabled_projects: set[str] = field(default_factory=lambda: set[str]())
    refused: dict[str, GoogleError] = field(default_factory=lambda: dict[str, GoogleError]())  # parent -> error
    _etags: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def __post_init__(self) -> None:
        for items in self.recommendations.values():
            for item in items:
                item.setdefault("etag", self._etag())
                item.setdefault("stateInfo", {"state": "ACTIVE"})

    def _etag(self) -> str:
        return f'"etag-{next(self._etags)}"'

    def find(self, name: str) -> dict[str, Any] | None:
        for items in self.recommendations.values():
            for item in items:
                if item["name"] == name:
                    return item
        return None

    def _check_enabled(self, parent: str) -> None:
        project = parent.split("/")[1] if parent.startswith("projects/") else None
        if project in self.disabled_projects:
            raise GoogleError(
                403,
                "SERVICE_DISABLED",
                f"Recommender API has not been used in project {project} before or it is disabled. Enable it by "
                f"visiting https://console.developers.google.com/apis/api/recommender.googleapis.com/overview?"
                f"project={project} then retry.",
            )

    def _page(self, request: GoogleRequest, items: list[dict[str, Any]], key: str) -> dict[str, Any]:
        size = min(int(request.query.get("pageSize") or self.page_size), self.page_size)
        return paged(request, items, size, key)

    def list_recommendations(self, request: GoogleRequest) -> dict[str, Any]:
        parent = re.fullmatch(RECOMMENDATIONS, request.path, re.IGNORECASE).group(1)  # type: ignore[union-attr]
        self._check_enabled(parent)
        if parent in self.refused:
            raise self.refused[parent]
        items = list(self.recommendations.get(parent, []))
        text = request.query.get("filter")
        if text:
            match = _FILTER.fullmatch(text.strip())
            if match is None:
                raise GoogleError(400, "INVALID_ARGUMENT", f"Invalid filter: {text}")
            items = [i for i in items if i["stateInfo"]["state"] == match.group(1)]
        return self._page(request, items, "recommendations")

    def list_insights(self, request: GoogleRequest) -> dict[str, Any]:
        parent = re.fullmatch(INSIGHTS, request.path, re.IGNORECASE).group(1)  # type: ignore[union-attr]
        self._check_enabled(parent)
        return self._page(request, list(self.insights.get(parent, [])), "insights")

    def mark(self, request: GoogleRequest) -> dict[str, Any]:
        match = re.fullmatch(MARK, request.path, re.IGNORECASE)
        assert match is not None
        name, verb = match.group(1), match.group(2)
        item = self.find(name)
        if item is None:
            raise GoogleError(404, "NOT_FOUND", f"Recommendation {name} not found.")
        body = request.body or {}
        if not body.get("etag"):
            raise GoogleError(400, "INVALID_ARGUMENT", "etag is required.")
        if body["etag"] != item["etag"]:
            raise GoogleError(400, "FAILED_PRECONDITION", f"Etag {body['etag']} does not match {item['etag']}.")
        metadata = body.get("stateMetadata") or {}
        for key, value in metadata.items():
            if not _METADATA_KEY.fullmatch(key) or not _METADATA_VALUE.fullmatch(str(value)):
                raise GoogleError(400, "INVALID_ARGUMENT", f"Invalid state metadata {key}={value}.")
        if item["stateInfo"]["state"] not in _FROM[verb]:
            raise GoogleError(
                400, "FAILED_PRECONDITION", f"Cannot {verb} a recommendation in state {item['stateInfo']['state']}."
            )
        item["stateInfo"] = {"state": _TO[verb], "stateMetadata": dict(metadata)}
        item["etag"] = self._etag()
        return item


def install(
    google: GoogleFake,
    recommendations_by_parent: dict[str, list[dict[str, Any]]],
    page_size: int = 100,
    *,
    insights_by_parent: dict[str, list[dict[str, Any]]] | None = None,
    disabled_projects: set[str] | None = None,
) -> RecommenderFake:
    """Serve the Recommender API on ``google``: ``recommendations_by_parent`` maps
    ``projects/P/locations/L/recommenders/R`` to its recommendations (REST JSON), ``page_size`` caps a page;
    a project in ``disabled_projects`` answers 403 SERVICE_DISABLED. Route names: ``recommendations``,
    ``mark``, ``insights``."""
    fake = RecommenderFake(recommendations_by_parent, insights_by_parent or {}, page_size, disabled_projects or set())
    google.route("recommendations", "GET", RECOMMENDATIONS, fake.list_recommendations)
    google.route("mark", "POST", MARK, fake.mark)
    google.route("insights", "GET", INSIGHTS, fake.list_insights)
    return fake


def install_compute_scopes(
    google: GoogleFake,
    disk_scopes_by_project: dict[str, list[str]],
    address_scopes_by_project: dict[str, list[str]] | None = None,
) -> None:
    """Compute Engine's aggregated disk and address lists: each project's disks in the given scopes
    (``zones/us-central1-a``, ``regions/europe-west1``), one per scope; every other scope answers with the
    "no results" warning, as Compute Engine does. Route name: ``aggregated``."""
    addresses = address_scopes_by_project or {}

    def answer(request: GoogleRequest) -> dict[str, Any]:
        match = re.fullmatch(AGGREGATED, request.path)
        assert match is not None
        project, kind = match.group(1), match.group(2)
        scopes = (disk_scopes_by_project if kind == "disks" else addresses).get(project, [])
        items: dict[str, Any] = {
            "zones/us-east1-b": {"warning": {"code": "NO_RESULTS_ON_PAGE", "message": "There are no results."}}
        }
        for i, scope in enumerate(scopes):
            items[scope] = {
                kind: [
                    {
                        "name": f"{kind[:-1]}-{i}",
                        "selfLink": f"{google.url}/compute/v1/projects/{project}/{scope}/{kind}/{kind[:-1]}-{i}",
                    }
                ]
            }
        return {
            "kind": f"compute#{kind[:-1]}AggregatedList",
            "items": items,
            "id": f"projects/{project}/aggregated/{kind}",
        }

    google.route("aggregated", "GET", AGGREGATED, answer)

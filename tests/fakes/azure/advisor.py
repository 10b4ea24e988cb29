"""Azure Advisor's recommendations list on ``ArmFake``: ``GET /subscriptions/{id}/providers/Microsoft.Advisor/
recommendations`` (api-version 2020-01-01 and later), ``$filter``, ``$top`` and ``nextLink`` paging.

Items have the documented shape: ``{id, name, type, properties: {category, impact, impactedField, impactedValue,
recommendationTypeId, shortDescription: {problem, solution}, extendedProperties: {<string>: <string>},
resourceMetadata: {resourceId, source}, lastUpdated}}``. Advisor sends every extended property as a string,
savings included ("savingsAmount": "24.5").
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import quote

from tests.fakes.azure.arm import ArmError, ArmFake, ArmRequest, require_api_version

ROUTE = "advisor"
PATH = r"/subscriptions/([^/]+)/providers/Microsoft\.Advisor/recommendations"


def advisor_item(
    subscription: str,
    name: str,
    *,
    resource_id: str,
    solution: str,
    problem: str = "",
    type_id: str = "00000000-0000-0000-0000-000000000000",
    impact: str = "Medium",
    impacted_field: str = "Microsoft.Compute/virtualMachines",
    extended: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """One Cost recommendation as Advisor's REST API returns it."""
    for key, value in (extended or {}).items():
        assert isinstance(value, str), f"Advisor sends extendedProperties as strings ({key}={value!r})"
    return {
        "id": f"{resource_id}/providers/Microsoft.Advisor/recommendations/{name}",
        "name": name,
        "type": "Microsoft.Advisor/recommendations",
        "properties": {
            "category": "Cost",
            "impact": impact,
            "impactedField": impacted_field,
            "impactedValue": resource_id.rsplit("/", 1)[-1],
            "lastUpdated": "2026-11-20T08:00:00Z",
            "recommendationTypeId": type_id,
            "shortDescription": {"problem": problem or solution, "solution": solution},
            "extendedProperties": dict(extended or {}),
            "resourceMetadata": {"resourceId": resource_id, "source": f"{resource_id}/providers/x"},
            "suppressionIds": None,
        },
    }


def install(
    arm: ArmFake,
    items_by_subscription: Mapping[str, Sequence[dict[str, Any]] | ArmError],
    page_size: int = 50,
) -> None:
    """Serve ``items_by_subscription[sub]`` (an ``ArmError`` value is raised instead) in pages of ``page_size``.
    A subscription not named has no recommendations. Only the Cost category is served: the adapter must ask for
    it (``$filter=Category eq 'Cost'``)."""

    def answer(request: ArmRequest) -> dict[str, Any]:
        subscription = request.path.split("/")[2]
        require_api_version(request)
        if request.query.get("$filter") != "Category eq 'Cost'":
            raise ArmError(400, "InvalidFilter", f"fake serves only Category eq 'Cost', not {request.query!r}")
        found = items_by_subscription.get(subscription, [])
        if isinstance(found, ArmError):
            raise found
        start = int(request.query.get("$skiptoken", "0"))
        page = list(found[start : start + page_size])
        body: dict[str, Any] = {"value": page}
        if start + page_size < len(found):
            body["nextLink"] = (
                f"{arm.url}/subscriptions/{subscription}/providers/Microsoft.Advisor/recommendations"
                f"?api-version={request.query['api-version']}&$filter={quote(request.query['$filter'])}"
                f"&$skiptoken={start + page_size}"
            )
        return body

    arm.route(ROUTE, "GET", PATH, answer)

"""One Recommender API recommendation (REST JSON) as a core ``Recommendation``.

Savings: ``primaryImpact.costProjection.cost`` is the projected change in cost over ``duration`` (Google Money:
``units`` + ``nanos``, negative = a saving). The monthly saving is ``-cost × 30 days / duration``, exact to the
nano: Google's projections are normally for 30 days (``2592000s``), so this is normally just ``-cost``; a
projection with no duration is taken as 30 days. Only COST recommendations that save money are kept.

``recommendation_id`` is the recommendation's full name. A recommendation that maps onto a remediation action
carries it, with ``recommendation_name`` and ``recommendation_etag`` in its parameters so remediation can mark the
recommendation succeeded or failed once it has acted (``finops_gcp.recommendations.state``).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from finops_core.models import Recommendation, RemediationAction
from finops_core.money import Money, from_nanos, to_nanos

from finops_gcp.recommendations.recommenders import BY_ID, Listed, Recommender

SOURCE = "gcp-recommender"
MONTH_SECONDS = 30 * 24 * 3600
COMPUTE_URL_PREFIXES = (
    "https://www.googleapis.com/compute/v1/",
    "https://compute.googleapis.com/compute/v1/",
    "https://www.googleapis.com/compute/beta/",
)


def decimal_money(money: dict[str, Any]) -> Decimal | None:
    """The exact amount of a Google Money (``units`` an int64, sent as a string; ``nanos`` of the same sign)."""
    try:
        units = int(money.get("units") or 0)
        nanos = int(money.get("nanos") or 0)
    except (TypeError, ValueError):
        return None
    return from_nanos(units * 1_000_000_000 + nanos)


def duration_seconds(text: object) -> Decimal | None:
    """A protobuf Duration in JSON (``"2592000s"``, ``"1.5s"``) in seconds; None when absent or not positive."""
    if not isinstance(text, str) or not text.endswith("s"):
        return None
    try:
        seconds = Decimal(text[:-1])
    except InvalidOperation:
        return None
    return seconds if seconds.is_finite() and seconds > 0 else None


def monthly_savings(item: dict[str, Any]) -> tuple[Money, Decimal] | None:
    """(monthly saving, the projection's length in days) of a COST recommendation; None when it is not about
    cost or saves nothing."""
    impact = item.get("primaryImpact") or {}
    if impact.get("category") not in ("COST", 1):
        return None
    projection = impact.get("costProjection") or {}
    cost = projection.get("cost") or {}
    amount = decimal_money(cost)
    if amount is None or amount >= 0:
        return None
    seconds = duration_seconds(projection.get("duration")) or Decimal(MONTH_SECONDS)
    monthly = from_nanos(to_nanos(-amount * MONTH_SECONDS / seconds))
    return Money(amount=monthly, currency=str(cost.get("currencyCode") or "USD")), seconds / 86400


def full_name(resource: str) -> str:
    """A resource's full name as the Recommender and Cloud Asset write it (``//compute.googleapis.com/...``)."""
    for prefix in COMPUTE_URL_PREFIXES:
        if resource.startswith(prefix):
            return "//compute.googleapis.com/" + resource[len(prefix) :]
    return resource


def operations(item: dict[str, Any]) -> list[dict[str, Any]]:
    groups = (item.get("content") or {}).get("operationGroups") or []
    return [op for group in groups for op in (group.get("operations") or [])]


def resource_of(item: dict[str, Any], recommender: Recommender) -> str | None:
    """The resource the recommendation changes: an operation on the recommender's resource type (not one it
    would create, such as a disk's snapshot), else ``content.overview.resourceName``, else the first target."""
    ops = [op for op in operations(item) if op.get("resource")]
    ranked = sorted(
        ops,
        key=lambda op: (
            op.get("resourceType") != recommender.resource_type,
            op.get("action") == "add",
            not str(op["resource"]).startswith("//"),
        ),
    )
    if ranked and recommender.kind != "commitment":
        return full_name(str(ranked[0]["resource"]))
    overview = (item.get("content") or {}).get("overview") or {}
    for value in (overview.get("resourceName"), overview.get("resource"), *(item.get("targetResources") or [])):
        if isinstance(value, str) and value:
            return full_name(value)
    if ranked:
        return full_name(str(ranked[0]["resource"]))
    return None


def _last_segment(value: object) -> str | None:
    if not isinstance(value, str) or not value:
        return None
    return value.rstrip("/").rsplit("/", 1)[-1] or None


def machine_types(item: dict[str, Any]) -> tuple[str | None, str | None]:
    """(current, recommended) machine type of a MachineTypeRecommender recommendation, from its operations on
    ``/machineType``: the ``test`` operation's value or pattern, the ``replace`` operation's value."""
    current = new = None
    for op in operations(item):
        if op.get("path") != "/machineType":
            continue
        if op.get("action") == "replace":
            new = _last_segment(op.get("value"))
        elif op.get("action") == "test":
            matcher = (op.get("valueMatcher") or {}).get("matchesPattern")
            current = _last_segment(op.get("value")) or _last_segment(matcher)
    return current, new


def short_name(resource: str | None) -> str | None:
    return resource.rstrip("/").rsplit("/", 1)[-1] if resource else None


def _action(
    recommender: Recommender, item: dict[str, Any], resource: str | None, new_size: str | None
) -> RemediationAction | None:
    if recommender.action is None or not resource or not resource.startswith("//compute.googleapis.com/"):
        return None
    parameters = {
        "recommendation_name": str(item.get("name") or ""),
        "recommendation_etag": str(item.get("etag") or ""),
    }
    if recommender.action == "resize_instance":
        if not new_size:
            return None
        parameters["new_size"] = new_size
    elif recommender.action == "delete_volume":
        parameters["snapshot_first"] = "true"  # Google recommends a snapshot before deleting an idle disk
    return RemediationAction(provider="gcp", kind=recommender.action, resource_id=resource, parameters=parameters)


def _title(recommender: Recommender, item: dict[str, Any], resource: str | None, location: str) -> str:
    if recommender.kind == "commitment":
        where = "" if location == "global" else f" in {location}"
        return f"{recommender.verb} a {recommender.label}{where}"
    name = short_name(resource) or "(unnamed)"
    title = f"{recommender.verb} {recommender.label} {name}"
    if recommender.action == "resize_instance":
        current, new = machine_types(item)
        if new:
            title += f" from {current} to {new}" if current else f" to {new}"
    return title + ("" if location == "global" else f" ({location})")


def normalize(listed: Listed, insights: list[str] | None = None) -> Recommendation | None:
    """One recommendation as a core Recommendation; None when it is not a cost saving.

    ``insights`` are one-line summaries of the insights it names (``finops_gcp.recommendations.insights``)."""
    item, target = listed.item, listed.target
    recommender = BY_ID.get(target.recommender.id, target.recommender)
    found = monthly_savings(item)
    if found is None:
        return None
    savings, days = found
    resource = resource_of(item, recommender)
    _, new_size = machine_types(item) if recommender.action == "resize_instance" else (None, None)
    facts = [str(item.get("description") or recommender.id).rstrip(".")]
    facts.append(
        f"recommender {recommender.id}"
        + (f", subtype {item['recommenderSubtype']}" if item.get("recommenderSubtype") else "")
    )
    if item.get("priority") not in (None, "", "PRIORITY_UNSPECIFIED", 0):
        facts.append(f"priority {item['priority']}")
    if item.get("xorGroupId"):
        facts.append(f"one of a group of alternatives ({item['xorGroupId']}): apply only one")
    facts.extend(insights or [])
    basis = "30 days" if days == 30 else f"{days.normalize():f} days, scaled to 30 days"
    detail = "; ".join(facts) + f". Savings are Google's estimate of the cost change over {basis}."
    account = target.project or target.parent.split("/locations/")[0]
    return Recommendation(
        provider="gcp",
        recommendation_id=str(item.get("name") or f"{target.parent}/recommendations/{resource}"),
        source=SOURCE,
        kind=recommender.kind,
        title=_title(recommender, item, resource, target.location),
        resource_id=resource,
        account_id=account,
        region=None if target.location == "global" else target.location,
        monthly_savings=savings,
        effort=recommender.effort,
        risk=recommender.risk,
        detail=detail,
        action=_action(recommender, item, resource, new_size),
    )

"""Azure Advisor's Cost recommendations, normalized to core ``Recommendation``.

One ``recommendations.list(filter="Category eq 'Cost'")`` per subscription (paged by the SDK through
``nextLink``). Advisor sends its numbers as strings in ``extendedProperties``; they are read with ``Decimal``
exactly as sent.

Monthly savings: ``savingsAmount`` is Advisor's *monthly* estimate (Microsoft's Resource Graph samples for Advisor
sum it as "the monthly cost savings of each recommendation"; ``annualSavingsAmount`` is the yearly figure, about
twelve times it). We take ``savingsAmount`` as sent; only when it is missing do we use ``annualSavingsAmount / 12``
rounded to the cent, and say so in the detail. ``savingsCurrency`` names the currency (USD when absent, as Advisor
estimates in USD unless it says otherwise).
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from finops_core.models import Effort, Recommendation, RecommendationKind, RemediationAction, Risk
from finops_core.money import Money

from finops_azure.errors import azure_errors

if TYPE_CHECKING:
    from finops_azure.context import AzureContext

SOURCE = "azure-advisor"
# "Right-size or shutdown underutilized virtual machines".
RIGHTSIZE_VM_TYPE = "e10b1381-5f0a-47ff-8c7b-37bd13d7c974"
_CENT = Decimal("0.01")

# Effort and risk per kind of change. Stopping an idle VM or deleting an unattached disk (after a snapshot) is
# quick and reversible; a resize restarts the VM and may not fit its load; a commitment is a 1- or 3-year bill.
_EFFORT: dict[RecommendationKind, Effort] = {
    "idle": "low",
    "unattached": "low",
    "rightsize": "medium",
    "commitment": "low",
    "storage-tier": "medium",
    "modernize": "medium",
    "other": "medium",
}
_RISK: dict[RecommendationKind, Risk] = {
    "idle": "medium",
    "unattached": "low",
    "rightsize": "medium",
    "commitment": "medium",
    "storage-tier": "low",
    "modernize": "medium",
    "other": "medium",
}


def decimal_text(value: object) -> Decimal | None:
    """A finite Decimal from Advisor's string (or number) value; None when absent or not a number."""
    if value is None or isinstance(value, bool):
        return None
    try:
        amount = Decimal(value.strip()) if isinstance(value, str) else Decimal(str(value))
    except InvalidOperation:
        return None
    return amount if amount.is_finite() else None


def monthly_savings(extended: dict[str, str]) -> tuple[Money, str | None]:
    """Monthly savings and, when it had to be derived from the annual figure, a note saying so."""
    currency = (extended.get("savingsCurrency") or "").strip() or "USD"
    monthly = decimal_text(extended.get("savingsAmount"))
    if monthly is not None:
        return Money(amount=monthly, currency=currency), None
    annual = decimal_text(extended.get("annualSavingsAmount"))
    if annual is not None:
        derived = (annual / 12).quantize(_CENT, rounding=ROUND_HALF_EVEN)
        return Money(amount=derived, currency=currency), f"Monthly savings derived from Advisor's annual {annual}."
    return Money(amount=Decimal("0.00"), currency=currency), "Advisor gave no savings estimate."


def kind_of(type_id: str, text: str, extended: dict[str, str]) -> RecommendationKind:
    """Our kind of change from the recommendation type and its words."""
    lowered = text.lower()
    target = (extended.get("targetSku") or extended.get("recommendedSku") or "").strip()
    if type_id.lower() == RIGHTSIZE_VM_TYPE or "right-size" in lowered or "rightsize" in lowered:
        if not target or target.lower() == "shutdown" or extended.get("recommendationType", "").lower() == "shutdown":
            return "idle"
        return "rightsize"
    if any(w in lowered for w in ("reserved instance", "reservation", "savings plan")):
        return "commitment"
    if "unattached" in lowered or "unassociated" in lowered or "orphan" in lowered:
        return "unattached"
    if "idle" in lowered or "shut down" in lowered or "shutdown" in lowered or "underutilized" in lowered:
        return "idle"
    if "tier" in lowered or "lifecycle" in lowered:
        return "storage-tier"
    return "other"


def _provider_type(resource_id: str) -> str:
    """``microsoft.compute/disks`` for a disk's ARM id ('' when it is not a resource's id)."""
    parts = resource_id.strip("/").split("/")
    lowered = [p.lower() for p in parts]
    if "providers" not in lowered:
        return ""
    i = len(lowered) - 1 - lowered[::-1].index("providers")
    return "/".join(lowered[i + 1 : i + 3]) if len(parts) >= i + 4 else ""


def action_for(kind: RecommendationKind, resource_id: str | None, extended: dict[str, str]) -> RemediationAction | None:
    """The remediation that carries out the recommendation, when this server has one."""
    if not resource_id:
        return None
    rtype = _provider_type(resource_id)
    target = (extended.get("targetSku") or extended.get("recommendedSku") or "").strip()
    if rtype == "microsoft.compute/virtualmachines":
        if kind == "rightsize" and target:
            return RemediationAction(
                provider="azure", kind="resize_instance", resource_id=resource_id, parameters={"new_size": target}
            )
        if kind == "idle":
            return RemediationAction(provider="azure", kind="stop_instance", resource_id=resource_id)
    if kind == "unattached" and rtype == "microsoft.compute/disks":
        return RemediationAction(provider="azure", kind="delete_volume", resource_id=resource_id)
    if kind == "unattached" and rtype == "microsoft.network/publicipaddresses":
        return RemediationAction(provider="azure", kind="release_ip", resource_id=resource_id)
    return None


def normalize(item: Any, subscription: str) -> Recommendation:
    """One Advisor ``ResourceRecommendationBase`` as a core ``Recommendation``."""
    extended: dict[str, str] = {str(k): str(v) for k, v in (item.extended_properties or {}).items() if v is not None}
    short = item.short_description
    problem = str(getattr(short, "problem", None) or "")
    solution = str(getattr(short, "solution", None) or "")
    type_id = str(item.recommendation_type_id or "")
    metadata = item.resource_metadata
    resource_id = str(getattr(metadata, "resource_id", None) or "") or None
    if resource_id is None and item.impacted_value:
        resource_id = str(item.impacted_value)  # the resource's name when Advisor gives no id
    kind = kind_of(type_id, f"{solution} {problem}", extended)
    savings, savings_note = monthly_savings(extended)
    facts = [f"Advisor impact: {item.impact}" if item.impact else None]
    current = extended.get("currentSku")
    target = extended.get("targetSku") or extended.get("recommendedSku")
    if current or target:
        facts.append(f"SKU {current or '?'} -> {target or '?'}")
    for key, label in (("term", "term"), ("lookbackPeriod", "lookback days"), ("annualSavingsAmount", "annual")):
        if extended.get(key):
            facts.append(f"{label}: {extended[key]}")
    if problem and problem != solution:
        facts.append(f"Problem: {problem}")
    if savings_note:
        facts.append(savings_note)
    region = extended.get("regionId") or extended.get("location") or extended.get("region") or None
    return Recommendation(
        provider="azure",
        recommendation_id=str(item.id or item.name),
        source=SOURCE,
        kind=kind,
        title=solution or problem or f"Advisor recommendation {item.name}",
        resource_id=resource_id,
        account_id=subscription,
        region=region,
        monthly_savings=savings,
        effort=_EFFORT[kind],
        risk=_RISK[kind],
        detail=". ".join(f.rstrip(".") for f in facts if f) + "." if any(facts) else None,
        action=action_for(kind, resource_id, extended),
    )


def subscription_recommendations(ctx: AzureContext, subscription: str) -> list[Recommendation]:
    """Advisor's Cost recommendations for one subscription (blocking: run through ``ctx.run``/``fan_out``)."""
    from azure.mgmt.advisor import AdvisorManagementClient

    client = ctx.clients.client(AdvisorManagementClient, subscription)
    with azure_errors(f"listing Advisor cost recommendations for subscription {subscription}"):
        items = list(client.recommendations.list(filter="Category eq 'Cost'"))
    # Advisor filters by category itself; an item of another category (Microsoft's own list example holds
    # HighAvailability and Security ones) is no saving, whatever answered.
    return [normalize(item, subscription) for item in items if str(item.category or "Cost").lower() == "cost"]


async def advisor_recommendations(ctx: AzureContext) -> tuple[list[Recommendation], list[str]]:
    """Advisor's Cost recommendations in every subscription, and a line for each subscription that failed."""
    out = await ctx.fan_out(lambda subscription: subscription_recommendations(ctx, subscription))
    return [rec for recs in out.results for rec in recs], out.missing

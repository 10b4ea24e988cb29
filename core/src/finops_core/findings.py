"""Our own waste rules' findings, for every cloud: a resource, what is wrong with it, what fixing it saves (from the
inventory's list-price estimate, and said to be one), and the action that fixes it."""

from __future__ import annotations

from decimal import Decimal

from finops_core.models import (
    Effort,
    Recommendation,
    RecommendationKind,
    RemediationAction,
    Resource,
    Risk,
)
from finops_core.money import Money


def rules_source(resource: Resource) -> str:
    """``finops-<cloud>-rules``: who recommends a finding."""
    return f"finops-{resource.provider}-rules"


def estimated_savings(resource: Resource | None, amount: Decimal | None = None, currency: str | None = None) -> Money:
    """``amount`` (default: the resource's monthly estimate), or zero when no list price is known."""
    cost = resource.monthly_cost if resource is not None else None
    if amount is None:
        amount = cost.amount if cost is not None else Decimal("0.00")
    return Money(amount=amount, currency=currency or (cost.currency if cost is not None else "USD"))


def estimate_text(savings: Money, prices: str) -> str:
    """How a finding's saving was reached, for its detail: ``prices`` names them ("on-demand list prices")."""
    if savings.amount == 0:
        return "no list price was found, so the saving is not estimated"
    return f"estimated {savings} a month at {prices}"


def finding(
    resource: Resource,
    *,
    rule: str,
    kind: RecommendationKind,
    title: str,
    detail: str,
    savings: Money,
    effort: Effort,
    risk: Risk,
    action: str | None = None,
    parameters: dict[str, str] | None = None,
    key: str | None = None,
) -> Recommendation:
    """A finding of ``rule`` on ``resource``; ``key`` (default the resource id) makes its id unique and stable."""
    source = rules_source(resource)
    remediation = (
        RemediationAction(
            provider=resource.provider, kind=action, resource_id=resource.resource_id, parameters=parameters or {}
        )
        if action is not None
        else None
    )
    return Recommendation(
        provider=resource.provider,
        recommendation_id=f"{source}/{rule}/{key or resource.resource_id}",
        source=source,
        kind=kind,
        title=title,
        resource_id=resource.resource_id,
        account_id=resource.account_id,
        region=resource.region,
        monthly_savings=savings,
        effort=effort,
        risk=risk,
        detail=detail,
        action=remediation,
    )

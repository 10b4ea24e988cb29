"""``recommendation(...)``: a recommendation as every cloud's merge tests make theirs, from the few fields a merge
reads (source, kind, resource, savings); the rest is filled in and can be set."""

from __future__ import annotations

from decimal import Decimal

from finops_core.models import Recommendation
from finops_core.money import Money


def recommendation(
    provider: str,
    source: str,
    kind: str,
    resource_id: str | None,
    savings: str,
    currency: str = "USD",
    /,
    **fields: object,
) -> Recommendation:
    """``source`` recommends ``kind`` for ``resource_id``, saving ``savings`` ``currency`` a month, at low effort and
    risk; its id is ``source:resource_id:kind`` and its title ``kind resource_id``. ``fields`` set any field."""
    values: dict[str, object] = {
        "provider": provider,
        "recommendation_id": f"{source}:{resource_id}:{kind}",
        "source": source,
        "kind": kind,
        "title": f"{kind} {resource_id}",
        "resource_id": resource_id,
        "monthly_savings": Money(amount=Decimal(savings), currency=currency),
        "effort": "low",
        "risk": "low",
        **fields,
    }
    return Recommendation.model_validate(values)

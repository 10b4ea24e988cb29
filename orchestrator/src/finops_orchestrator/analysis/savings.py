"""Savings opportunities from every connected cloud, normalized, de-duplicated and ranked.

Two recommendations on the same resource are alternatives (rightsize it or delete it; two sources naming the
same change): their savings cannot both happen, so one opportunity is kept (the larger saving) and the other
sources and kinds are listed beside it. Totals are per currency. A cloud that fails or is not connected is
named with the reason, and the answer covers the rest.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal

from finops_core.models import Cloud, Recommendation
from finops_core.money import Money
from finops_core.provider import CloudProvider, RecommendationSet
from finops_core.ranking import by_savings
from finops_core.store import Store
from pydantic import BaseModel, Field

from finops_orchestrator.providers import ProviderStatus
from finops_orchestrator.providers.asking import Missing, absent_reasons, ask_every_cloud, saved_answers

FETCH_LIMIT = 500  # recommendations asked of each cloud


class Opportunity(BaseModel):
    recommendation: Recommendation
    alternatives: list[str] = Field(
        default_factory=lambda: list[str](),
        description="Other recommendations on the same resource (source: kind), not added to the totals.",
    )


class ProviderSavings(BaseModel):
    provider: Cloud
    currency: str
    monthly_savings: Money
    opportunities: int


class SavingsReport(BaseModel):
    opportunities: list[Opportunity] = Field(description="Largest monthly savings first.")
    total_monthly_savings: list[Money] = Field(description="All de-duplicated opportunities, per currency.")
    by_provider: list[ProviderSavings]
    count: int
    truncated: bool
    missing: list[Missing] = Field(description="Clouds not in this answer, and why.")
    from_last_sync: list[Missing] = Field(
        default_factory=lambda: list[Missing](),
        description="Clouds answered from the recommendations saved by the last sync (not live), and why.",
    )
    is_demo: bool
    note: str


async def _fetch(provider: CloudProvider) -> list[Recommendation]:
    recommendations = await provider.list_recommendations(limit=FETCH_LIMIT)
    return recommendations.recommendations


async def savings(
    providers: Sequence[CloudProvider],
    *,
    top_n: int = 20,
    min_monthly_savings: Decimal = Decimal(0),
    is_demo: bool = False,
    absent: Mapping[Cloud, str] | None = None,
    saved: Mapping[Cloud, tuple[datetime, list[Recommendation]]] | None = None,
) -> SavingsReport:
    """``absent``: why each unconnected cloud is not connected; ``saved``: the last sync's recommendations,
    used (and named as such) for a cloud that cannot answer now."""
    answers = await ask_every_cloud(providers, _fetch, absent=absent, saved=saved)
    found, missing = answers.found, answers.missing
    opportunities = _deduplicated(
        [r for recs in found.values() for r in recs if r.monthly_savings.amount >= min_monthly_savings]
    )
    opportunities.sort(key=lambda o: (-o.recommendation.monthly_savings.amount, o.recommendation.recommendation_id))
    totals: dict[str, Decimal] = defaultdict(Decimal)
    per_provider: dict[tuple[Cloud, str], list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    for o in opportunities:
        money = o.recommendation.monthly_savings
        totals[money.currency] += money.amount
        entry = per_provider[(o.recommendation.provider, money.currency)]
        entry[0] += money.amount
        entry[1] += 1
    note = "Savings are the clouds' own monthly estimates; alternatives on one resource are counted once."
    if not found:
        note = "No cloud answered: " + "; ".join(m.reason for m in missing)
    return SavingsReport(
        opportunities=opportunities[:top_n],
        total_monthly_savings=[Money(amount=v, currency=c) for c, v in sorted(totals.items())],
        by_provider=[
            ProviderSavings(
                provider=cloud,
                currency=currency,
                monthly_savings=Money(amount=amount, currency=currency),
                opportunities=int(count),
            )
            for (cloud, currency), (amount, count) in sorted(per_provider.items())
        ],
        count=len(opportunities),
        truncated=len(opportunities) > top_n,
        missing=missing,
        from_last_sync=answers.from_last_sync,
        is_demo=is_demo,
        note=note,
    )


async def store_savings(
    store: Store,
    providers: Sequence[CloudProvider],
    statuses: Sequence[ProviderStatus],
    *,
    top_n: int = 20,
    min_monthly_savings: Decimal = Decimal(0),
    is_demo: bool = False,
) -> SavingsReport:
    """``savings`` as the server answers it: clouds not connected named by their ``statuses`` (or as not
    configured), and a cloud that cannot answer now covered by the recommendations its last sync saved."""
    absent = absent_reasons(statuses)
    saved = saved_answers(store, "recommendations", _recommendations_of)
    return await savings(
        providers, top_n=top_n, min_monthly_savings=min_monthly_savings, is_demo=is_demo, absent=absent, saved=saved
    )


def _recommendations_of(body: str) -> list[Recommendation]:
    return RecommendationSet.model_validate_json(body).recommendations


def _deduplicated(recommendations: list[Recommendation]) -> list[Opportunity]:
    """One opportunity per resource (the largest saving), its rivals listed as alternatives."""
    by_resource: dict[tuple[Cloud, str], list[Recommendation]] = defaultdict(list)
    alone: list[Opportunity] = []
    for r in recommendations:
        if r.resource_id is None:
            alone.append(Opportunity(recommendation=r))
        else:
            by_resource[(r.provider, r.resource_id)].append(r)
    for rivals in by_resource.values():
        rivals.sort(key=by_savings)
        best, *others = rivals
        alone.append(Opportunity(recommendation=best, alternatives=[f"{r.source}: {r.kind}" for r in others]))
    return alone

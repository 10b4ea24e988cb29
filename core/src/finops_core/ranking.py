"""A cloud's savings answer from its merged recommendations: filtered, totalled per currency, with a note that
names missing sources or says why nothing was found. Every cloud adapter answers ``list_recommendations`` here."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Awaitable, Callable
from decimal import Decimal

import anyio

from finops_core.models import Cloud, Recommendation
from finops_core.money import Money, normalize_amount
from finops_core.provider import RecommendationSet

Source = Callable[[], Awaitable[tuple[list[Recommendation], list[str]]]]


async def gather_recommendations(*sources: Source) -> tuple[list[Recommendation], list[str]]:
    """Every source's recommendations and missing parts, asked side by side (a cloud's APIs and our own rules)."""
    found: list[Recommendation] = []
    missing: list[str] = []

    async def ask(source: Source) -> None:
        recommendations, gaps = await source()
        found.extend(recommendations)
        missing.extend(gaps)

    async with anyio.create_task_group() as tg:
        for source in sources:
            tg.start_soon(ask, source)
    return found, missing


def recommendation_set(
    cloud: Cloud,
    ranked: list[Recommendation],
    *,
    min_monthly_savings: float,
    limit: int,
    missing: list[str],
    sources: str,
) -> RecommendationSet:
    """``ranked`` (merged, best first) at or above ``min_monthly_savings``, at most ``limit`` listed; the totals
    cover every match, per currency. ``sources`` names who was asked, for the answer's ``source`` and notes."""
    threshold = Decimal(str(min_monthly_savings))
    kept = [r for r in ranked if r.monthly_savings.amount >= threshold]
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for r in kept:
        totals[r.monthly_savings.currency] += r.monthly_savings.amount
    note = ("Partial answer; missing: " + "; ".join(missing)) if missing else None
    if not kept and note is None:
        note = (
            f"No savings of at least {threshold} a month found by {sources}."
            if ranked
            else f"No recommendations from {sources}: nothing to save right now."
        )
    return RecommendationSet(
        provider=cloud,
        recommendations=kept[:limit],
        total_monthly_savings=[Money(amount=normalize_amount(a), currency=c) for c, a in sorted(totals.items())],
        total=len(kept),
        truncated=len(kept) > limit,
        is_demo=False,
        source=f"{sources} (savings are the clouds' estimates or list-price estimates)",
        note=note,
    )

"""A cloud's savings answer from its merged recommendations: filtered, totalled per currency, with a note that
names missing sources or says why nothing was found. Every cloud adapter answers ``list_recommendations`` here."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Awaitable, Callable, Hashable
from decimal import Decimal

import anyio

from finops_core.models import Cloud, Recommendation, RecommendationKind
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


def by_savings(recommendation: Recommendation) -> tuple[Decimal, str]:
    """How recommendations are listed everywhere: largest monthly saving first, then by id (a stable order)."""
    return -recommendation.monthly_savings.amount, recommendation.recommendation_id


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


def change_of(kind: RecommendationKind) -> str:
    """The kind of change a recommendation proposes, as every cloud's merge compares it: removing the resource
    (idle, unattached) or changing it (rightsize, modernize, storage tier); any other kind is its own. Two
    recommendations of one kind of change on one resource cannot both be carried out for their savings."""
    if kind in ("idle", "unattached"):
        return "remove"
    if kind in ("rightsize", "modernize", "storage-tier"):
        return "change"
    return kind


def _mention(kept: Recommendation, others: list[Recommendation]) -> Recommendation:
    names = "; ".join(f"{o.source}: {o.title} ({o.monthly_savings}/month)" for o in others)
    note = f"Also recommended by {names}. One saving estimated by several sources; not added together."
    return kept.model_copy(update={"detail": f"{kept.detail} {note}" if kept.detail else note})


def merge_by(
    recommendations: list[Recommendation],
    *,
    key: Callable[[Recommendation], Hashable | None],
    priority: tuple[str, ...],
    one_per_change: bool = False,
) -> list[Recommendation]:
    """De-duplicated and ranked by monthly savings (largest first; ties by id). Recommendations with the same ``key``
    name one change: only the most trusted source's (first in ``priority``) are kept — with ``one_per_change`` only
    its largest — and the others are named in their ``detail``; savings are never added together. A ``key`` of
    None is never merged. Merging a merged list again changes nothing."""

    def rank(rec: Recommendation) -> tuple[int, str, Decimal, str]:
        place = priority.index(rec.source) if rec.source in priority else len(priority)
        return (place, rec.source, -rec.monthly_savings.amount, rec.recommendation_id)

    unique: dict[tuple[str, str], Recommendation] = {}
    for rec in recommendations:
        unique.setdefault((rec.source, rec.recommendation_id), rec)
    groups: dict[Hashable, list[Recommendation]] = defaultdict(list)
    out: list[Recommendation] = []
    for rec in unique.values():
        change = key(rec)
        if change is None:
            out.append(rec)
        else:
            groups[change].append(rec)
    for group in groups.values():
        ordered = sorted(group, key=rank)
        best = ordered[0].source
        kept = ordered[:1] if one_per_change else [r for r in ordered if r.source == best]
        others = [r for r in ordered if r not in kept]
        out.extend(_mention(r, others) if others else r for r in kept)
    out.sort(key=by_savings)
    return out

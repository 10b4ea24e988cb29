"""One ranked list from the Recommender API and our own waste rules: the same change named twice is kept once.

Two recommendations are the same when they name the same resource (full names compared case-insensitively,
Compute Engine URLs read as full names) and propose the same kind of change: removing it (idle, unattached) or
changing it (rightsize, modernize, storage tier); commitments and other kinds only match their own kind. The
most trusted source's recommendation is kept (the Recommender, then finops-gcp-rules), the larger saving when
one source names it twice; savings are never added together (one saving estimated twice), and the detail names
the others. The list is ranked by monthly savings, largest first, ties by id.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

from finops_core.models import Recommendation

from finops_gcp.recommendations.insights import insight_summaries, insights_for
from finops_gcp.recommendations.normalize import SOURCE, full_name, normalize
from finops_gcp.recommendations.recommenders import recommender_items

if TYPE_CHECKING:
    from finops_gcp.context import GcpContext

RULES = "finops-gcp-rules"
PRIORITY: tuple[str, ...] = (SOURCE, RULES)  # first wins
_CHANGE = {
    "idle": "remove",
    "unattached": "remove",
    "rightsize": "change",
    "modernize": "change",
    "storage-tier": "change",
}

Key = tuple[str, ...]


def resource_key(resource: str) -> str:
    """A resource name compared normalized: as a full name, lower case, no trailing slash."""
    name = full_name(resource.strip())
    if name.startswith("projects/"):
        name = "//compute.googleapis.com/" + name
    return name.rstrip("/").lower()


def merge_key(rec: Recommendation) -> Key | None:
    """What makes two recommendations the same change; None when nothing can match it."""
    if not rec.resource_id:
        return None
    return (rec.provider, resource_key(rec.resource_id), _CHANGE.get(rec.kind, rec.kind))


def _rank(rec: Recommendation) -> tuple[int, str, object, str]:
    source = PRIORITY.index(rec.source) if rec.source in PRIORITY else len(PRIORITY)
    return (source, rec.source, -rec.monthly_savings.amount, rec.recommendation_id)


def _mention(kept: Recommendation, others: list[Recommendation]) -> Recommendation:
    names = "; ".join(f"{o.source}: {o.title} ({o.monthly_savings}/month)" for o in others)
    note = f"Also recommended by {names}. One saving estimated more than once; not added together."
    return kept.model_copy(update={"detail": f"{kept.detail} {note}" if kept.detail else note})


def merge(recommendations: list[Recommendation]) -> list[Recommendation]:
    """De-duplicated (see the module) and ranked by monthly savings, largest first, ties by id.

    Accepts any core Recommendations (our rules' findings too). Merging a merged list again changes nothing."""
    unique: dict[tuple[str, str], Recommendation] = {}
    for rec in recommendations:
        unique.setdefault((rec.source, rec.recommendation_id), rec)
    groups: dict[Key, list[Recommendation]] = defaultdict(list)
    out: list[Recommendation] = []
    for rec in unique.values():
        key = merge_key(rec)
        if key is None:
            out.append(rec)
        else:
            groups[key].append(rec)
    for group in groups.values():
        kept, *others = sorted(group, key=_rank)
        out.append(_mention(kept, others) if others else kept)
    out.sort(key=lambda r: (-r.monthly_savings.amount, r.recommendation_id))
    return out


async def all_recommendations(ctx: GcpContext) -> tuple[list[Recommendation], list[str]]:
    """Every ACTIVE cost recommendation of the Recommender API in every project (and the billing account),
    with the insights behind them summarized, merged and ranked; and a line for each project, recommender and
    location that could not answer (e.g. "enable the Recommender API"). When every call fails, the first error
    is raised."""
    items, missing = await recommender_items(ctx)
    summaries, insight_missing = await insight_summaries(ctx, items)
    recs = [rec for listed in items if (rec := normalize(listed, insights_for(listed, summaries))) is not None]
    return merge(recs), missing + insight_missing

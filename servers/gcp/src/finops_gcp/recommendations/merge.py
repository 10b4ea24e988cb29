"""One ranked list from the Recommender API and our own waste rules: the same change named twice is kept once.

Two recommendations are the same when they name the same resource (full names compared case-insensitively,
Compute Engine URLs read as full names) and propose the same kind of change: removing it (idle, unattached) or
changing it (rightsize, modernize, storage tier); commitments and other kinds only match their own kind. The
most trusted source's recommendation is kept (the Recommender, then finops-gcp-rules), the larger saving when
one source names it twice; savings are never added together (one saving estimated twice), and the detail names
the others. The list is ranked by monthly savings, largest first, ties by id.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from finops_core.findings import rules_source
from finops_core.models import Recommendation
from finops_core.ranking import change_of, merge_by

from finops_gcp.recommendations.insights import insight_summaries, insights_for
from finops_gcp.recommendations.normalize import SOURCE, full_name, normalize
from finops_gcp.recommendations.recommenders import recommender_items

if TYPE_CHECKING:
    from finops_gcp.context import GcpContext

RULES = rules_source("gcp")
PRIORITY: tuple[str, ...] = (SOURCE, RULES)  # first wins

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
    return (rec.provider, resource_key(rec.resource_id), change_of(rec.kind))


def merge(recommendations: list[Recommendation]) -> list[Recommendation]:
    """De-duplicated (see the module) and ranked by monthly savings, largest first, ties by id: one recommendation
    per change, the most trusted source's largest (``finops_core.ranking``)."""
    return merge_by(recommendations, key=merge_key, priority=PRIORITY, one_per_change=True)


async def all_recommendations(ctx: GcpContext) -> tuple[list[Recommendation], list[str]]:
    """Every ACTIVE cost recommendation of the Recommender API in every project (and the billing account),
    with the insights behind them summarized, merged and ranked; and a line for each project, recommender and
    location that could not answer (e.g. "enable the Recommender API"). When every call fails, the first error
    is raised."""
    items, missing = await recommender_items(ctx)
    summaries, insight_missing = await insight_summaries(ctx, items)
    recs = [rec for listed in items if (rec := normalize(listed, insights_for(listed, summaries))) is not None]
    return merge(recs), missing + insight_missing

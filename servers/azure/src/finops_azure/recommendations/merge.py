"""One list of Azure recommendations from several sources: the same change named twice is kept once.

Advisor, Cost Management's benefit recommendations and our own waste rules can see the same VM or disk. Two
recommendations are the same when they name the same resource (ARM ids compared case-insensitively: Azure
spells resource groups and providers in varying case) in the same subscription and propose the same kind of change
(resize or modernize; stop, delete or release; a commitment). The recommendation of the most trusted source is kept
(Advisor, then Cost Management, then our rules); savings are never added together (they are one saving, estimated
twice), and the kept one's detail names the others.
"""

from __future__ import annotations

from finops_core.findings import rules_source
from finops_core.models import Recommendation
from finops_core.ranking import change_of, merge_by

ADVISOR = "azure-advisor"
COST_MANAGEMENT = "azure-cost-management"
RULES = rules_source("azure")
# Which source wins when two name the same change (first wins).
PRIORITY: tuple[str, ...] = (ADVISOR, COST_MANAGEMENT, RULES)

Key = tuple[str, ...]


def merge_key(rec: Recommendation) -> Key | None:
    """What makes two recommendations the same change; None when nothing can match it (no resource named)."""
    if not rec.resource_id:
        return None
    resource = rec.resource_id.strip().rstrip("/").lower()
    return (rec.provider, (rec.account_id or "").lower(), resource, change_of(rec.kind))


def merge(recommendations: list[Recommendation]) -> list[Recommendation]:
    """De-duplicated and ranked by monthly savings (largest first): for a change several sources name, only the
    most trusted source's recommendations are kept, the others named in ``detail`` (``finops_core.ranking``)."""
    return merge_by(recommendations, key=merge_key, priority=PRIORITY)

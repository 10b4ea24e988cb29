"""One list of Azure recommendations from several sources: the same change named twice is kept once.

Advisor, Cost Management's benefit recommendations and our own waste rules can see the same VM or disk. Two
recommendations are the same when they name the same resource (ARM ids compared case-insensitively: Azure
spells resource groups and providers in varying case) in the same subscription and propose the same kind of change
(resize or modernize; stop, delete or release; a commitment). The recommendation of the most trusted source is kept
(Advisor, then Cost Management, then our rules); savings are never added together (they are one saving, estimated
twice), and the kept one's detail names the others.
"""

from __future__ import annotations

from collections import defaultdict

from finops_core.models import Recommendation

ADVISOR = "azure-advisor"
COST_MANAGEMENT = "azure-cost-management"
RULES = "finops-azure-rules"
# Which source wins when two name the same change (first wins).
PRIORITY: tuple[str, ...] = (ADVISOR, COST_MANAGEMENT, RULES)

# Kinds of change: two recommendations of one group on one resource cannot both be carried out for their savings.
_CHANGE = {
    "rightsize": "change",
    "modernize": "change",
    "storage-tier": "change",
    "idle": "remove",
    "unattached": "remove",
    "commitment": "commitment",
}

Key = tuple[str, ...]


def merge_key(rec: Recommendation) -> Key | None:
    """What makes two recommendations the same change; None when nothing can match it (no resource named)."""
    if not rec.resource_id:
        return None
    resource = rec.resource_id.strip().rstrip("/").lower()
    return (rec.provider, (rec.account_id or "").lower(), resource, _CHANGE.get(rec.kind, rec.kind))


def _rank(source: str) -> tuple[int, str]:
    return (PRIORITY.index(source) if source in PRIORITY else len(PRIORITY), source)


def _mention(kept: Recommendation, others: list[Recommendation]) -> Recommendation:
    names = "; ".join(f"{o.source}: {o.title} ({o.monthly_savings}/month)" for o in others)
    note = f"Also recommended by {names}. One saving estimated by several sources; not added together."
    detail = f"{kept.detail} {note}" if kept.detail else note
    return kept.model_copy(update={"detail": detail})


def merge(recommendations: list[Recommendation]) -> list[Recommendation]:
    """De-duplicated and ranked by monthly savings (largest first; ties by recommendation id).

    For each change named by several sources only the most trusted source's recommendations are kept; the others
    are named in their ``detail``. Savings in different currencies are only ranked, never converted or added.
    """
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
        best = min(_rank(r.source) for r in group)[1]
        kept = [r for r in group if r.source == best]
        others = sorted((r for r in group if r.source != best), key=lambda r: (_rank(r.source), r.recommendation_id))
        out.extend(_mention(r, others) if others else r for r in kept)
    out.sort(key=lambda r: (-r.monthly_savings.amount, r.recommendation_id))
    return out

"""Merging Azure recommendations: one change named by several sources is kept once, from the most trusted."""

from __future__ import annotations

from decimal import Decimal

from finops_azure.recommendations import merge
from finops_core.models import Recommendation, RecommendationKind
from finops_core.money import Money

from tests.servers.recommendations import recommendation

SUB = "00000000-0000-0000-0000-00000000aaaa"
DISK = f"/subscriptions/{SUB}/resourceGroups/RG-Data/providers/Microsoft.Compute/disks/old"


def _rec(source: str, rid: str, kind: RecommendationKind, savings: str, resource: str | None = DISK) -> Recommendation:
    return recommendation(
        "azure",
        source,
        kind,
        resource,
        savings,
        recommendation_id=rid,
        title=f"{source} says {kind}",
        account_id=SUB,
    )


def test_the_same_disk_from_rules_and_advisor_is_kept_once_from_advisor_without_adding_savings() -> None:
    ours = _rec("finops-azure-rules", "rule-1", "unattached", "9.60", DISK.lower().replace("rg-data", "rg-DATA"))
    theirs = _rec("azure-advisor", "adv-1", "unattached", "9.50")
    (kept,) = merge([ours, theirs])
    assert kept.source == "azure-advisor"
    assert kept.monthly_savings == Money(amount=Decimal("9.50"), currency="USD")
    assert kept.detail is not None
    assert "finops-azure-rules: finops-azure-rules says unattached (9.60 USD/month)" in kept.detail
    assert "not added together" in kept.detail


def test_different_changes_on_one_resource_and_unnamed_resources_are_all_kept_and_ranked() -> None:
    resize = _rec("azure-advisor", "b", "rightsize", "20")
    remove = _rec("finops-azure-rules", "a", "idle", "20")
    commitment = _rec("azure-cost-management", "c", "commitment", "300", resource=None)
    merged = merge([resize, remove, commitment])
    assert [r.recommendation_id for r in merged] == ["c", "a", "b"]  # savings desc, ties by id
    assert all(r.detail is None for r in merged)


def test_merging_twice_changes_nothing() -> None:
    recs = [_rec("azure-advisor", "x", "idle", "5"), _rec("azure-cost-management", "y", "unattached", "4")]
    once = merge(recs)
    assert merge(once) == once
    assert len(once) == 1

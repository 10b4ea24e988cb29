"""One list from the Recommender and our rules: the same change kept once, savings never added, ranked."""

from __future__ import annotations

from decimal import Decimal

from finops_core.models import Recommendation, RecommendationKind
from finops_gcp.recommendations import merge

from tests.servers.gcp.recommendations.samples import DISK, VM
from tests.servers.recommendations import recommendation


def rec(
    rec_id: str, source: str, kind: RecommendationKind, resource: str | None, savings: str, currency: str = "USD"
) -> Recommendation:
    return recommendation(
        "gcp",
        source,
        kind,
        resource,
        savings,
        currency,
        recommendation_id=rec_id,
        account_id="finops-demo-web",
        detail="d.",
    )


def test_the_recommender_wins_over_our_rules_for_the_same_resource_and_change() -> None:
    ours = rec("rules:disk", "finops-gcp-rules", "unattached", DISK.upper().replace("//COMPUTE", "//compute"), "9")
    google = rec("g:disk", "gcp-recommender", "idle", DISK, "8")
    [kept] = merge([ours, google])
    assert kept.recommendation_id == "g:disk"
    assert kept.monthly_savings.amount == Decimal("8")  # not 17: one saving estimated twice
    assert "Also recommended by finops-gcp-rules" in (kept.detail or "")


def test_a_compute_url_and_a_full_name_are_the_same_resource() -> None:
    url = "https://www.googleapis.com/compute/v1/" + VM.removeprefix("//compute.googleapis.com/")
    kept = merge(
        [rec("rules:vm", "finops-gcp-rules", "idle", url, "40"), rec("g:vm", "gcp-recommender", "idle", VM, "42")]
    )
    assert [r.recommendation_id for r in kept] == ["g:vm"]


def test_different_changes_to_one_resource_are_both_kept_and_ranked_by_savings_then_id() -> None:
    recs = [
        rec("b", "gcp-recommender", "idle", VM, "10"),
        rec("a", "gcp-recommender", "rightsize", VM, "10"),
        rec("c", "gcp-recommender", "commitment", None, "25"),
        rec("d", "gcp-recommender", "commitment", None, "25", "EUR"),
    ]
    assert [r.recommendation_id for r in merge(recs)] == ["c", "d", "a", "b"]


def test_merging_twice_changes_nothing() -> None:
    recs = [rec("r", "finops-gcp-rules", "idle", VM, "1"), rec("g", "gcp-recommender", "idle", VM, "2")]
    once = merge(recs)
    assert merge(once) == once

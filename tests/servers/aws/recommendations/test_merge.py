"""One list from every source: the same change named by several sources is kept once, from the most trusted."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest
from finops_aws.context import AwsContext
from finops_aws.recommendations import all_recommendations, merge
from finops_core.errors import PermissionDenied
from finops_core.models import Recommendation

from tests.fakes.aws import ce_recommendations as ce
from tests.fakes.aws import compute_optimizer as co
from tests.fakes.aws import cost_optimization_hub as coh
from tests.fakes.aws.json_service import AwsJsonFake
from tests.servers.recommendations import recommendation

pytestmark = pytest.mark.anyio

INSTANCE = "i-0a1b2c3d4e5f60718"


def rec(
    source: str, resource_id: str | None, savings: str, kind: str = "rightsize", **fields: object
) -> Recommendation:
    return recommendation(
        "aws", source, kind, resource_id, savings, **{"account_id": "123456789012", "region": "us-east-1", **fields}
    )


def test_one_instance_named_by_three_sources_is_kept_once_from_the_hub() -> None:
    merged = merge(
        [
            rec("aws-cost-explorer", INSTANCE, "140.16"),
            rec("aws-compute-optimizer", f"arn:aws:ec2:us-east-1:123456789012:instance/{INSTANCE}", "55.5"),
            rec("aws-cost-optimization-hub", INSTANCE, "61.32", kind="modernize", detail="Hub says so."),
        ]
    )
    assert len(merged) == 1
    [kept] = merged
    assert kept.source == "aws-cost-optimization-hub"
    assert kept.monthly_savings.amount == Decimal("61.32")  # never the sum, nor the largest estimate
    assert kept.detail == (
        "Hub says so. Also recommended by aws-compute-optimizer: rightsize "
        f"arn:aws:ec2:us-east-1:123456789012:instance/{INSTANCE} (55.50 USD/month); aws-cost-explorer: "
        f"rightsize {INSTANCE} (140.16 USD/month). One saving estimated by several sources; not added together."
    )


def test_different_changes_to_one_resource_are_both_kept() -> None:
    merged = merge(
        [rec("aws-cost-optimization-hub", INSTANCE, "61.32"), rec("finops-aws-rules", INSTANCE, "90", "idle")]
    )
    assert [(r.source, r.kind) for r in merged] == [
        ("finops-aws-rules", "idle"),
        ("aws-cost-optimization-hub", "rightsize"),
    ]


def test_our_rules_give_way_to_aws_on_the_same_volume() -> None:
    merged = merge(
        [
            rec("finops-aws-rules", "vol-0f1e2d3c4b5a69788", "8.00", "unattached"),
            rec("aws-cost-explorer", "i-0fedcba9876543210", "35.04", "idle"),
            rec("aws-cost-optimization-hub", "vol-0f1e2d3c4b5a69788", "7.50", "idle"),
        ]
    )
    assert [(r.source, r.resource_id) for r in merged] == [
        ("aws-cost-explorer", "i-0fedcba9876543210"),
        ("aws-cost-optimization-hub", "vol-0f1e2d3c4b5a69788"),
    ]
    assert "finops-aws-rules" in (merged[1].detail or "")


def test_names_that_repeat_across_regions_are_different_resources() -> None:
    west = rec("aws-cost-optimization-hub", "thumbnailer", "3.25", region="eu-west-1")
    east = rec("aws-compute-optimizer", "thumbnailer", "3.00")
    assert len(merge([west, east])) == 2


def test_savings_plans_from_the_hub_and_cost_explorer_are_kept_once() -> None:
    hub = rec("aws-cost-optimization-hub", "ComputeSavingsPlans", "400", "commitment")
    hub_rds = rec("aws-cost-optimization-hub", "RdsReservedInstances", "120", "commitment")
    explorer = rec("aws-cost-explorer", "ComputeSavingsPlans", "412.3456", "commitment")
    merged = merge([explorer, hub_rds, hub])
    assert [(r.source, r.resource_id) for r in merged] == [
        ("aws-cost-optimization-hub", "ComputeSavingsPlans"),
        ("aws-cost-optimization-hub", "RdsReservedInstances"),
    ]


def test_merging_ranks_by_savings_and_changes_nothing_the_second_time() -> None:
    recs = [
        rec("aws-compute-optimizer", "vol-0000000000000001", "8"),
        rec("aws-cost-optimization-hub", INSTANCE, "61.32"),
        rec("aws-cost-explorer", INSTANCE, "140.16"),
        rec("finops-aws-rules", "eipalloc-0123456789abcdef0", "3.60", "unattached", region=None),
    ]
    once = merge(recs)
    assert [r.monthly_savings.amount for r in once] == [Decimal("61.32"), Decimal("8"), Decimal("3.60")]
    assert merge(once) == once


async def test_every_source_answers_in_one_merged_list(
    fake: AwsJsonFake, aws_context: Callable[..., AwsContext]
) -> None:
    coh.install(
        fake,
        [
            coh.recommendation(INSTANCE),
            coh.recommendation(
                "123456789012",
                action_type="PurchaseSavingsPlans",
                resource_type="ComputeSavingsPlans",
                current=None,
                recommended="$1.250/hour",
                savings=400.0,
            ),
        ],
    )
    co.install(fake, {"ec2": {"us-east-1": [co.ec2_instance(INSTANCE)]}, "ebs": {"eu-west-1": [co.ebs_volume()]}})
    ce.install(fake, [ce.modify(INSTANCE), ce.terminate()], plan=ce.savings_plans())
    recs, missing = await all_recommendations(aws_context())
    assert missing == []
    assert [(r.source, r.resource_id, r.monthly_savings.amount) for r in recs] == [
        ("aws-cost-optimization-hub", "ComputeSavingsPlans", Decimal("400.0")),
        ("aws-cost-optimization-hub", INSTANCE, Decimal("61.32")),
        ("aws-cost-explorer", "i-0fedcba9876543210", Decimal("35.04")),
        ("aws-compute-optimizer", "vol-0f1e2d3c4b5a69788", Decimal("8.0")),
    ]
    assert "aws-compute-optimizer" in (recs[1].detail or "")
    assert "aws-cost-explorer" in (recs[1].detail or "")
    assert "aws-cost-explorer" in (recs[0].detail or "")


async def test_without_compute_optimizer_the_answer_is_partial_and_says_why(
    fake: AwsJsonFake, aws_context: Callable[..., AwsContext]
) -> None:
    coh.install(fake, [coh.recommendation(INSTANCE)])
    co.install(fake, opted_in=False)
    ce.install(fake, [ce.terminate()])
    recs, missing = await all_recommendations(aws_context())
    assert [r.source for r in recs] == ["aws-cost-optimization-hub", "aws-cost-explorer"]
    assert len(missing) == 1
    assert missing[0].startswith("Compute Optimizer: aws: ")
    assert "not opted in" in missing[0]


async def test_throttled_sources_are_retried_and_answer(
    fake: AwsJsonFake, aws_context: Callable[..., AwsContext]
) -> None:
    coh.install(fake, [coh.recommendation(INSTANCE)])
    co.install(fake)
    ce.install(fake, plan=ce.savings_plans())
    fake.fail(coh.TARGET, "throttle", times=2)
    fake.fail(ce.SAVINGS_PLANS, "throttle", times=1)
    recs, missing = await all_recommendations(aws_context(max_attempts=3, regions=["us-east-1"]))
    assert missing == []
    assert len(recs) == 2
    assert len(fake.calls(coh.TARGET)) == 3
    assert len(fake.calls(ce.SAVINGS_PLANS)) == 2


async def test_when_every_source_fails_the_error_is_raised(
    fake: AwsJsonFake, aws_context: Callable[..., AwsContext]
) -> None:
    from tests.fakes.aws.json_service import AwsFault

    coh.install(fake, [], enrolled=False)
    co.install(fake, opted_in=False)
    denied = AwsFault("AccessDeniedException", "not authorized to perform ce:*", 403)
    fake.fail(ce.RIGHTSIZING, "fault", fault=denied)
    fake.fail(ce.SAVINGS_PLANS, "fault", fault=denied)
    with pytest.raises(PermissionDenied):
        await all_recommendations(aws_context())

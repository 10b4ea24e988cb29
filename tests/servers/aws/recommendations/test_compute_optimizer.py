"""Compute Optimizer findings, asked per region over Smithy RPC v2 CBOR, normalized to core Recommendations."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from finops_aws.clients import Account
from finops_aws.context import AwsContext
from finops_aws.errors import aws_errors
from finops_aws.recommendations.compute_optimizer import compute_optimizer_recommendations
from finops_core.errors import PermissionDenied
from finops_core.models import Recommendation, RemediationAction
from finops_core.money import Money

from tests.fakes.aws import compute_optimizer as co
from tests.fakes.aws.json_service import AwsJsonFake

pytestmark = pytest.mark.anyio


def by_region(kind: str, **regions: list[dict[str, object]]) -> dict[str, dict[str, list[dict[str, object]]]]:
    return {kind: {r.replace("_", "-"): items for r, items in regions.items()}}


async def test_boto3_talks_aws_json_to_compute_optimizer_and_reads_its_numbers_and_timestamps(
    fake: AwsJsonFake, aws_context: Callable[..., AwsContext]
) -> None:
    co.install(fake, by_region("ec2", us_east_1=[co.ec2_instance()]))
    ctx = aws_context()
    client = ctx.clients.client("compute-optimizer", "us-east-1")
    with aws_errors("test"):
        answer = client.get_ec2_instance_recommendations()
    [item] = answer["instanceRecommendations"]
    assert item["lastRefreshTimestamp"] == datetime(2024, 6, 20, 0, 0, 0, 500000, tzinfo=UTC)
    assert item["recommendationOptions"][1]["savingsOpportunity"]["estimatedMonthlySavings"]["value"] == 70.08
    # The model offers CBOR too, but botocore prefers JSON: this is what boto3 sends to AWS as well.
    assert client.meta.service_model.resolved_protocol == "json"
    assert not fake.requests[-1].cbor
    assert fake.requests[-1].region == "us-east-1"


async def test_an_ec2_finding_takes_the_top_ranked_option_after_discounts(
    fake: AwsJsonFake, aws_context: Callable[..., AwsContext]
) -> None:
    co.install(fake, by_region("ec2", us_east_1=[co.ec2_instance()]))
    recs, missing = await compute_optimizer_recommendations(aws_context(regions=["us-east-1"]))
    assert missing == []
    assert recs == [
        Recommendation(
            provider="aws",
            recommendation_id="compute-optimizer:arn:aws:ec2:us-east-1:123456789012:instance/i-0a1b2c3d4e5f60718",
            source="aws-compute-optimizer",
            kind="rightsize",
            title="Resize EC2 instance i-0a1b2c3d4e5f60718 (web-1) from m5.2xlarge to m5.xlarge",
            resource_id="i-0a1b2c3d4e5f60718",
            account_id="123456789012",
            region="us-east-1",
            monthly_savings=Money(amount=Decimal("55.5"), currency="USD"),
            effort="low",
            risk="low",
            detail=(
                "Compute Optimizer finding: Overprovisioned (CPUOverprovisioned, MemoryOverprovisioned); "
                "performance risk 1.0 of 4; based on 14 days of metrics. "
                "Savings are AWS's estimate, after discounts (Savings Plans, Reserved Instances)."
            ),
            action=RemediationAction(
                provider="aws",
                kind="resize_instance",
                resource_id="i-0a1b2c3d4e5f60718",
                parameters={"region": "us-east-1", "new_size": "m5.xlarge"},
            ),
        )
    ]


async def test_ebs_lambda_and_auto_scaling_findings_say_their_savings_basis(
    fake: AwsJsonFake, aws_context: Callable[..., AwsContext]
) -> None:
    co.install(
        fake,
        {
            "ebs": {"eu-west-1": [co.ebs_volume(region="eu-west-1")]},
            "lambda": {"eu-west-1": [co.lambda_function(region="eu-west-1")]},
            "asg": {"eu-west-1": [co.auto_scaling_group(region="eu-west-1")]},
        },
    )
    recs, _ = await compute_optimizer_recommendations(aws_context())
    found = {r.resource_id: r for r in recs}
    assert set(found) == {"vol-0f1e2d3c4b5a69788", "thumbnailer", "web-asg"}
    volume, function, group = found["vol-0f1e2d3c4b5a69788"], found["thumbnailer"], found["web-asg"]
    assert (volume.kind, volume.title) == (
        "storage-tier",
        "Change EBS volume vol-0f1e2d3c4b5a69788 from gp2 100 GiB to gp3 100 GiB",
    )
    assert volume.monthly_savings == Money(amount=Decimal("8.0"), currency="USD")
    assert (volume.effort, volume.risk, volume.region) == ("low", "low", "eu-west-1")
    assert volume.detail is not None
    assert volume.detail.endswith("at On-Demand prices.")
    assert function.title == "Set Lambda function thumbnailer memory from 1024 MB to 512 MB"
    assert function.monthly_savings.amount == Decimal("3.25")
    assert group.title == "Change Auto Scaling group web-asg instances from c5.2xlarge to c5.xlarge"
    assert (group.monthly_savings.amount, group.effort, group.risk) == (Decimal("140.16"), "low", "medium")
    assert all(r.action is None for r in (volume, function, group))


async def test_findings_without_savings_are_skipped(fake: AwsJsonFake, aws_context: Callable[..., AwsContext]) -> None:
    co.install(
        fake,
        by_region(
            "ec2",
            us_east_1=[
                co.ec2_instance("i-00000000000000001", finding="Optimized"),
                co.ec2_instance("i-00000000000000002", finding="Underprovisioned"),
                co.ec2_instance("i-00000000000000003", savings=0.0, after_discounts=0.0),
                co.ec2_instance("i-00000000000000004"),
            ],
        ),
    )
    recs, _ = await compute_optimizer_recommendations(aws_context(regions=["us-east-1"]))
    assert [r.resource_id for r in recs] == ["i-00000000000000004"]


async def test_each_region_answers_with_its_own_findings_over_every_page(
    fake: AwsJsonFake, aws_context: Callable[..., AwsContext]
) -> None:
    east = [co.ec2_instance(f"i-0000000000000000{n}") for n in range(5)]
    west = [co.ec2_instance("i-0eeeeeeeeeeeeeee1", region="eu-west-1")]
    co.install(fake, by_region("ec2", us_east_1=east, eu_west_1=west), page_size=2)
    recs, _ = await compute_optimizer_recommendations(aws_context())
    assert sorted((r.region, r.resource_id) for r in recs) == sorted(
        [("us-east-1", f"i-0000000000000000{n}") for n in range(5)] + [("eu-west-1", "i-0eeeeeeeeeeeeeee1")]
    )
    east_calls = [r.body.get("nextToken") for r in fake.requests if r.region == "us-east-1" and "EC2" in r.target]
    assert east_calls == [None, "co-2", "co-4"]


async def test_an_account_not_opted_in_is_told_how_to_opt_in(
    fake: AwsJsonFake, aws_context: Callable[..., AwsContext]
) -> None:
    co.install(fake, opted_in=False)
    with pytest.raises(PermissionDenied, match=r"not opted in.*Opt in"):
        await compute_optimizer_recommendations(aws_context())


async def test_a_kind_the_policy_denies_is_named_and_the_others_answer(
    fake: AwsJsonFake, aws_context: Callable[..., AwsContext]
) -> None:
    co.install(fake, by_region("ec2", us_east_1=[co.ec2_instance()]), denied=("lambda",))
    recs, missing = await compute_optimizer_recommendations(aws_context(regions=["us-east-1"]))
    assert [r.resource_id for r in recs] == ["i-0a1b2c3d4e5f60718"]
    assert len(missing) == 1
    assert missing[0].startswith("aws: The credentials may not do this: getting Compute Optimizer recommendations")
    assert "Lambda functions in us-east-1 (account 123456789012)" in missing[0]


async def test_a_member_account_s_action_names_the_account(
    fake: AwsJsonFake, aws_context: Callable[..., AwsContext]
) -> None:
    from finops_aws.partitions import AWS
    from finops_aws.recommendations.compute_optimizer import KINDS, normalize

    member = Account("210987654321", AWS, "arn:aws:iam::210987654321:role/finops")
    rec = normalize(KINDS[0], co.ec2_instance(account_id="210987654321"), "us-east-1", member)
    assert rec is not None
    assert rec.action is not None
    assert rec.action.parameters == {"region": "us-east-1", "account_id": "210987654321", "new_size": "m5.xlarge"}

"""Cost Optimization Hub recommendations, read by boto3 from the fake and normalized to core Recommendations."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest
from finops_aws.context import AwsContext
from finops_aws.recommendations.hub import hub_recommendations, normalize
from finops_core.errors import PermissionDenied
from finops_core.models import Recommendation, RemediationAction
from finops_core.money import Money

from tests.fakes.aws import cost_optimization_hub as coh
from tests.fakes.aws.json_service import AwsJsonFake

pytestmark = pytest.mark.anyio


async def test_an_ec2_rightsizing_is_normalized_exactly(
    fake: AwsJsonFake, aws_context: Callable[..., AwsContext]
) -> None:
    coh.install(fake, [coh.recommendation(account_id="210987654321", region="eu-west-1")])
    [rec] = await hub_recommendations(aws_context())
    assert rec == Recommendation(
        provider="aws",
        recommendation_id="coh-i-0a1b2c3d4e5f60718-Rightsize",
        source="aws-cost-optimization-hub",
        kind="rightsize",
        title="Rightsize EC2 instance i-0a1b2c3d4e5f60718 from m5.2xlarge to m5.xlarge",
        resource_id="i-0a1b2c3d4e5f60718",
        account_id="210987654321",
        region="eu-west-1",
        monthly_savings=Money(amount=Decimal("61.32"), currency="USD"),
        effort="medium",
        risk="medium",
        detail=(
            "Rightsize recommended by Cost Optimization Hub (from ComputeOptimizer); 50.0% of its cost; "
            "based on 14 days of usage; restart needed: yes; rollback possible: yes. "
            "Savings are AWS's estimate, after discounts."
        ),
        action=RemediationAction(
            provider="aws",
            kind="resize_instance",
            resource_id="i-0a1b2c3d4e5f60718",
            # A member account's instance: the action names the account (the credentials are the management one's).
            parameters={"region": "eu-west-1", "account_id": "210987654321", "new_size": "m5.xlarge"},
        ),
    )
    assert fake.calls(coh.TARGET) == [{"maxResults": 1000}]
    assert fake.requests[0].region == "us-east-1"  # the Hub answers from the partition's home region


async def test_every_page_is_read(fake: AwsJsonFake, aws_context: Callable[..., AwsContext]) -> None:
    items = [coh.recommendation(f"i-0000000000000000{n}", savings=10.0 + n) for n in range(5)]
    coh.install(fake, items, page_size=2)
    recs = await hub_recommendations(aws_context())
    assert [r.resource_id for r in recs] == [f"i-0000000000000000{n}" for n in range(5)]
    calls = fake.calls(coh.TARGET)
    assert [c.get("nextToken") for c in calls] == [None, "coh-page-2", "coh-page-4"]


@pytest.mark.parametrize(
    ("effort", "restart", "rollback", "expected"),
    [
        ("VeryLow", False, True, ("low", "low")),
        ("Low", True, True, ("low", "medium")),
        ("Medium", False, False, ("medium", "medium")),
        ("High", True, False, ("high", "high")),
        ("VeryHigh", False, True, ("high", "low")),
    ],
)
def test_effort_and_risk_follow_the_hub_s_levels_restart_and_rollback(
    effort: str, restart: bool, rollback: bool, expected: tuple[str, str]
) -> None:
    item = coh.recommendation(effort=effort, restart_needed=restart, rollback_possible=rollback)
    rec = normalize(item)
    assert rec is not None
    assert (rec.effort, rec.risk) == expected


def test_stopping_an_instance_and_deleting_a_volume_come_with_their_actions() -> None:
    stop = normalize(coh.recommendation(action_type="Stop", recommended=None, savings=88.0), "123456789012")
    assert stop is not None
    assert stop.kind == "idle"
    assert stop.action == RemediationAction(
        provider="aws", kind="stop_instance", resource_id="i-0a1b2c3d4e5f60718", parameters={"region": "us-east-1"}
    )
    delete = normalize(
        coh.recommendation(
            "vol-0f1e2d3c4b5a69788", action_type="Delete", resource_type="EbsVolume", current="gp2 100 GiB"
        ),
        "123456789012",
    )
    assert delete is not None
    assert delete.kind == "unattached"
    assert delete.action is not None
    assert delete.action.kind == "delete_volume"
    assert delete.action.resource_id == "vol-0f1e2d3c4b5a69788"


def test_a_savings_plans_purchase_is_a_commitment_without_action_in_the_hub_s_currency() -> None:
    item = coh.recommendation(
        "123456789012",
        action_type="PurchaseSavingsPlans",
        resource_type="ComputeSavingsPlans",
        current=None,
        recommended="$1.250/hour, 1 year, No upfront",
        savings=412.3456,
        currencyCode="EUR",
        effort="VeryLow",
        restart_needed=False,
        rollback_possible=False,
    )
    rec = normalize(item)
    assert rec is not None
    assert (rec.kind, rec.resource_id, rec.action) == ("commitment", "ComputeSavingsPlans", None)
    assert rec.title == "Purchase Compute Savings Plans: $1.250/hour, 1 year, No upfront"
    assert rec.monthly_savings == Money(amount=Decimal("412.3456"), currency="EUR")
    assert (rec.effort, rec.risk) == ("low", "medium")


def test_a_recommendation_without_savings_is_left_out() -> None:
    assert normalize(coh.recommendation(savings=0.0)) is None


def test_a_rightsizing_whose_target_is_not_an_instance_type_has_no_action() -> None:
    rec = normalize(coh.recommendation(recommended="2 vCPU, 8 GiB"))
    assert rec is not None
    assert rec.action is None


async def test_an_account_not_enrolled_says_so(fake: AwsJsonFake, aws_context: Callable[..., AwsContext]) -> None:
    coh.install(fake, [], enrolled=False)
    with pytest.raises(PermissionDenied, match="Cost Optimization Hub"):
        await hub_recommendations(aws_context())

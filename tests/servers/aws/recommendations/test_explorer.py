"""Cost Explorer rightsizing and Savings Plans recommendations: exact amounts, and paid calls made once."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest
from finops_aws.context import AwsContext
from finops_aws.recommendations.explorer import rightsizing_recommendations, savings_plans_recommendations
from finops_core.models import Recommendation, RemediationAction
from finops_core.money import Money

from tests.fakes.aws import ce_recommendations as ce
from tests.fakes.aws.json_service import AwsJsonFake

pytestmark = pytest.mark.anyio


async def test_a_modify_recommendation_takes_the_default_target_exactly(
    fake: AwsJsonFake, aws_context: Callable[..., AwsContext]
) -> None:
    ce.install(fake, [ce.modify()])
    [rec] = await rightsizing_recommendations(aws_context())
    assert rec == Recommendation(
        provider="aws",
        recommendation_id="cost-explorer-rightsizing:i-0a1b2c3d4e5f60718:MODIFY",
        source="aws-cost-explorer",
        kind="rightsize",
        title="Resize EC2 instance i-0a1b2c3d4e5f60718 (web-1) from m5.2xlarge to m5.xlarge",
        resource_id="i-0a1b2c3d4e5f60718",
        account_id="123456789012",
        region="us-east-1",
        monthly_savings=Money(amount=Decimal("140.1600000000"), currency="USD"),
        effort="medium",
        risk="medium",
        detail=(
            "Cost Explorer rightsizing: MODIFY (CPU_OVER_PROVISIONED); it costs 280.32 USD a month now. "
            "Savings are AWS's estimate."
        ),
        action=RemediationAction(
            provider="aws",
            kind="resize_instance",
            resource_id="i-0a1b2c3d4e5f60718",
            parameters={"region": "us-east-1", "new_size": "m5.xlarge"},
        ),
    )
    assert fake.calls(ce.RIGHTSIZING) == [
        {
            "Service": "AmazonEC2",
            "Configuration": {"RecommendationTarget": "SAME_INSTANCE_FAMILY", "BenefitsConsidered": True},
            "PageSize": 1000,
        }
    ]


async def test_a_terminate_recommendation_in_a_member_account_stops_it_there(
    fake: AwsJsonFake, aws_context: Callable[..., AwsContext]
) -> None:
    ce.install(fake, [ce.terminate()])
    [rec] = await rightsizing_recommendations(aws_context())
    assert (rec.kind, rec.region, rec.account_id) == ("idle", "eu-west-1", "210987654321")  # "EU (Ireland)"
    assert rec.monthly_savings == Money(amount=Decimal("35.04"), currency="USD")
    assert rec.action == RemediationAction(
        provider="aws",
        kind="stop_instance",
        resource_id="i-0fedcba9876543210",
        parameters={"region": "eu-west-1", "account_id": "210987654321"},
    )
    assert "savings are for terminating" in (rec.detail or "")


async def test_every_page_is_read_and_each_is_a_paid_call(
    fake: AwsJsonFake, aws_context: Callable[..., AwsContext]
) -> None:
    ids = [f"i-0000000000000000{n}" for n in range(5)]
    ce.install(fake, [ce.modify(i) for i in ids], page_size=2)
    ctx = aws_context()
    recs = await rightsizing_recommendations(ctx)
    assert [r.resource_id for r in recs] == ids
    assert [c.get("NextPageToken") for c in fake.calls(ce.RIGHTSIZING)] == [None, "ce-rs-2", "ce-rs-4"]
    assert ctx.paid.total_paid_calls == 3


async def test_the_savings_plans_purchase_is_one_commitment_with_exact_savings(
    fake: AwsJsonFake, aws_context: Callable[..., AwsContext]
) -> None:
    ce.install(fake, plan=ce.savings_plans())
    [rec] = await savings_plans_recommendations(aws_context())
    assert rec == Recommendation(
        provider="aws",
        recommendation_id="cost-explorer-savings-plans:d1a5c1b3-7f0e-4b71-9a44-0c8b1f6e2a10",
        source="aws-cost-explorer",
        kind="commitment",
        title="Buy a 1-year Compute Savings Plan (no upfront) of 1.25 USD/hour",
        resource_id="ComputeSavingsPlans",
        account_id="123456789012",
        monthly_savings=Money(amount=Decimal("412.3456"), currency="USD"),
        effort="low",
        risk="medium",
        detail=(
            "commit 1.25 USD an hour for 1 year, paid monthly (no upfront); 31.12% less than On-Demand for the "
            "covered usage; On-Demand compute spend in the last 30 days: 1324.85 USD. Based on the last 30 days "
            "of usage; savings are AWS's estimate."
        ),
    )
    assert fake.calls(ce.SAVINGS_PLANS) == [
        {
            "SavingsPlansType": "COMPUTE_SP",
            "TermInYears": "ONE_YEAR",
            "PaymentOption": "NO_UPFRONT",
            "LookbackPeriodInDays": "THIRTY_DAYS",
        }
    ]


async def test_no_steady_usage_means_no_savings_plan(fake: AwsJsonFake, aws_context: Callable[..., AwsContext]) -> None:
    ce.install(fake)
    assert await savings_plans_recommendations(aws_context()) == []


async def test_asking_again_makes_no_paid_call(fake: AwsJsonFake, aws_context: Callable[..., AwsContext]) -> None:
    ce.install(fake, [ce.modify(), ce.terminate()], plan=ce.savings_plans())
    first = aws_context()
    before = (await rightsizing_recommendations(first), await savings_plans_recommendations(first))
    assert first.paid.total_paid_calls == 2
    again = aws_context()  # a new server process: the answers come from the store
    after = (await rightsizing_recommendations(again), await savings_plans_recommendations(again))
    assert after == before
    assert again.paid.total_paid_calls == 0
    assert len(fake.calls(ce.RIGHTSIZING)) == 1
    assert len(fake.calls(ce.SAVINGS_PLANS)) == 1

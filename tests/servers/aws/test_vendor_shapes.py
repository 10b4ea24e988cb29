"""Our AWS fakes answer only what AWS could: every answer matches botocore's model of its operation.

The ``fake`` fixture checks every answer of every AWS test when the test ends; here each operation of each fake is
driven through real boto3 clients in all its forms (grouped, paged, empty, refused), so no answer goes unchecked
because no other test happened to ask for it. The validator itself is checked first: it must catch each kind of
mistake, or a clean result would mean nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from botocore.exceptions import ClientError
from finops_aws.context import AwsContext

from tests.conftest import AS_OF
from tests.fakes.aws import ce_recommendations, compute_optimizer, cost_optimization_hub, pricing
from tests.fakes.aws.cost_explorer import DEMO_ACCOUNTS, Commitment, demo_anomalies, demo_rows, install
from tests.fakes.aws.json_service import AwsFault, AwsJsonFake
from tests.fakes.aws.shapes import answer_problems, error_problems, operation_of, output_problems

# -- the validator catches each kind of mistake -----------------------------------------------------

GOOD_FORECAST: dict[str, Any] = {
    "Total": {"Amount": "12.5", "Unit": "USD"},
    "ForecastResultsByTime": [
        {
            "TimePeriod": {"Start": "2026-12-01", "End": "2027-01-01"},
            "MeanValue": "12.5",
            "PredictionIntervalLowerBound": "10",
            "PredictionIntervalUpperBound": "15",
        }
    ],
}


def test_a_forecast_as_aws_sends_it_has_no_problems() -> None:
    assert output_problems("ce", "GetCostForecast", GOOD_FORECAST) == []


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (lambda b: b["ForecastResultsByTime"][0].update(MeanValue=12.5), "MeanValue: a string"),
        (lambda b: b["ForecastResultsByTime"][0]["TimePeriod"].pop("End"), "TimePeriod.End: required member"),
        (lambda b: b["Total"].update(Currency="USD"), "Total.Currency: MetricValue has no such member"),
        (lambda b: b.update(ForecastResultsByTime={}), "ForecastResultsByTime: a list"),
        (lambda b: b["ForecastResultsByTime"][0]["TimePeriod"].update(Start="1.12.2026"), "does not match"),
    ],
)
def test_each_kind_of_mistake_in_a_nested_answer_is_named_with_its_path(
    change: Callable[[dict[str, Any]], object], problem: str
) -> None:
    import copy

    body = copy.deepcopy(GOOD_FORECAST)
    change(body)
    [found] = output_problems("ce", "GetCostForecast", body)
    assert problem in found


def test_enums_numbers_booleans_and_timestamps_are_checked_against_the_model() -> None:
    item = cost_optimization_hub.recommendation()
    assert output_problems("cost-optimization-hub", "ListRecommendations", {"items": [item]}) == []
    wrong = {
        **item,
        "source": "Trusted Advisor",  # not in the enum
        "estimatedMonthlySavings": "61.32",  # a double sent as text
        "restartNeeded": "true",  # a boolean sent as text
        "lastRefreshTimestamp": "2024-06-20T00:00:00Z",  # AWS JSON sends epoch seconds
        "recommendationLookbackPeriodInDays": 14.5,  # an integer
    }
    problems = output_problems("cost-optimization-hub", "ListRecommendations", {"items": [wrong]})
    assert len(problems) == 5
    assert any("'Trusted Advisor' is not one of" in p for p in problems)
    assert any("lastRefreshTimestamp: epoch seconds" in p for p in problems)
    plan = ce_recommendations.savings_plans()
    plan["SavingsPlansPurchaseRecommendation"]["SavingsPlansPurchaseRecommendationDetails"][0][
        "RecommendationDetailId"
    ] = "5b3e0c1a-detail"
    problems = output_problems("ce", "GetSavingsPlansPurchaseRecommendation", plan)
    assert [p.rpartition(": ")[2][:40] for p in problems] == [
        "15 characters, below RecommendationDetai",
        "'5b3e0c1a-detail' does not match Recomme",
    ]


def test_a_cbor_timestamp_must_be_tag_1_and_an_error_code_must_exist() -> None:
    import cbor2

    item = compute_optimizer.ec2_instance()
    as_cbor = {**item, "lastRefreshTimestamp": cbor2.CBORTag(1, item["lastRefreshTimestamp"])}
    body = {"instanceRecommendations": [as_cbor]}
    assert output_problems("compute-optimizer", "GetEC2InstanceRecommendations", body, protocol="cbor") == []
    [problem] = output_problems(
        "compute-optimizer", "GetEC2InstanceRecommendations", {"instanceRecommendations": [item]}, protocol="cbor"
    )
    assert "CBOR epoch timestamp" in problem
    assert error_problems("ce", "GetCostAndUsage", "DataUnavailableException") == []
    assert error_problems("ce", "GetCostAndUsage", "ThrottlingException") == []
    assert error_problems("ce", "GetRightsizingRecommendation", "InvalidParameterValueException") != []
    assert operation_of("AWSPriceListService.GetProducts") == ("pricing", "GetProducts")


# -- every fake's every operation, as the fakes answer real boto3 clients ---------------------------


def _refused(call: Callable[[], object]) -> str:
    with pytest.raises(ClientError) as caught:
        call()
    return str(caught.value.response["Error"]["Code"])


def test_every_answer_of_every_aws_fake_matches_botocores_model(
    fake: AwsJsonFake, aws_context: Callable[..., AwsContext]
) -> None:
    from decimal import Decimal

    sp = Commitment(Decimal(40), Decimal(36), Decimal(50), Decimal(20))
    ri = Commitment(Decimal(48), Decimal(45), Decimal("4.32"), Decimal(15))
    explorer = install(
        fake,
        demo_rows(AS_OF, days=40),
        today=AS_OF,
        account_names=DEMO_ACCOUNTS,
        anomalies=demo_anomalies(AS_OF),
        savings_plan=sp,
        reservation=ri,
        page_size=7,
    )
    ce_recommendations.install(
        fake, [ce_recommendations.modify(), ce_recommendations.terminate(), ce_recommendations.modify("i-3")]
    )
    compute_optimizer.install(
        fake,
        {
            "ec2": {"us-east-1": [compute_optimizer.ec2_instance(), compute_optimizer.ec2_instance("i-2")]},
            "ebs": {"us-east-1": [compute_optimizer.ebs_volume()]},
            "lambda": {"us-east-1": [compute_optimizer.lambda_function()]},
            "asg": {"us-east-1": [compute_optimizer.auto_scaling_group(after_discounts=99.5)]},
        },
        page_size=1,
    )
    cost_optimization_hub.install(
        fake,
        [
            cost_optimization_hub.recommendation(),
            cost_optimization_hub.recommendation("vol-1", action_type="Delete", resource_type="EbsVolume"),
            cost_optimization_hub.recommendation(
                "ComputeSavingsPlans", action_type="PurchaseSavingsPlans", resource_type="ComputeSavingsPlans"
            ),
        ],
    )
    pricing.install(
        fake,
        [pricing.product("AmazonEC2", "Compute Instance", "0.096", instanceType="m5.large", location="US East")],
    )
    ctx = aws_context()
    ce = ctx.clients.client("ce", "us-east-1")
    month = {"Start": "2026-10-01", "End": "2026-11-01"}
    days = {"Start": (AS_OF - timedelta(days=10)).isoformat(), "End": AS_OF.isoformat()}
    for request in (
        {"TimePeriod": month, "Granularity": "MONTHLY", "Metrics": ["UnblendedCost", "NetAmortizedCost"]},
        {
            "TimePeriod": days,
            "Granularity": "DAILY",
            "Metrics": ["UnblendedCost"],
            "GroupBy": [{"Type": "DIMENSION", "Key": "LINKED_ACCOUNT"}, {"Type": "TAG", "Key": "team"}],
            "Filter": {"Not": {"Dimensions": {"Key": "RECORD_TYPE", "Values": ["Tax"]}}},
        },
    ):
        token: str | None = None
        while True:  # GetCostAndUsage has no paginator in botocore
            page = ce.get_cost_and_usage(**request, **({"NextPageToken": token} if token else {}))
            assert page["ResultsByTime"]
            token = page.get("NextPageToken")
            if not token:
                break
    future = {"Start": AS_OF.isoformat(), "End": "2027-02-01"}
    ce.get_cost_forecast(TimePeriod=future, Metric="NET_AMORTIZED_COST", Granularity="MONTHLY")
    ce.get_anomalies(DateInterval={"StartDate": "2026-10-01"}, MaxResults=1)
    ce.get_savings_plans_coverage(TimePeriod=month, Granularity="MONTHLY")
    ce.get_savings_plans_utilization(TimePeriod=month, Granularity="MONTHLY")
    ce.get_reservation_coverage(TimePeriod=month, Granularity="MONTHLY")
    ce.get_reservation_utilization(TimePeriod=month, Granularity="MONTHLY")
    explorer.savings_plan = explorer.reservation = None
    assert _refused(lambda: ce.get_savings_plans_utilization(TimePeriod=month)) == "DataUnavailableException"
    assert _refused(lambda: ce.get_reservation_utilization(TimePeriod=month)) == "DataUnavailableException"
    ce.get_savings_plans_coverage(TimePeriod=month)
    assert _refused(lambda: ce.get_cost_and_usage(TimePeriod=month, Granularity="DAILY", Metrics=["Bogus"]))
    for page in ce.get_paginator("get_rightsizing_recommendation").paginate(Service="AmazonEC2"):
        assert page["RightsizingRecommendations"]
    plan = {"SavingsPlansType": "COMPUTE_SP", "TermInYears": "ONE_YEAR", "PaymentOption": "NO_UPFRONT"}
    ce.get_savings_plans_purchase_recommendation(**plan, LookbackPeriodInDays="THIRTY_DAYS")
    ce_recommendations.install(fake, [], ce_recommendations.savings_plans())
    ce.get_savings_plans_purchase_recommendation(**plan, LookbackPeriodInDays="THIRTY_DAYS")
    assert _refused(lambda: ce.get_rightsizing_recommendation(Service="AmazonRDS")) == "ValidationException"

    optimizer = ctx.clients.client("compute-optimizer", "us-east-1")
    for method in compute_optimizer.LIST_KEYS:
        target = compute_optimizer.TARGETS[method]
        operation = target.rpartition(".")[2]
        token = None
        while True:
            page = getattr(optimizer, _snake(operation))(**({"nextToken": token} if token else {}))
            token = page.get("nextToken")
            if not token:
                break
        fake.answer(target, {}, region="us-east-1", cbor=True)  # the CBOR form of the same answer
    fake.fail(compute_optimizer.TARGETS["ec2"], "fault", fault=AwsFault("OptInRequiredException", "not opted in", 403))
    assert _refused(optimizer.get_ec2_instance_recommendations) == "OptInRequiredException"

    hub = ctx.clients.client("cost-optimization-hub", "us-east-1")
    for page in hub.get_paginator("list_recommendations").paginate():
        assert page["items"]
    prices = ctx.clients.client("pricing", "us-east-1")
    prices.get_products(
        ServiceCode="AmazonEC2", Filters=[{"Type": "TERM_MATCH", "Field": "instanceType", "Value": "m5.large"}]
    )
    fake.fail(pricing.TARGET, "throttle")
    fake.fail(pricing.TARGET, "error5xx")
    assert _refused(lambda: prices.get_products(ServiceCode="AmazonEC2")) == "ThrottlingException"
    assert _refused(lambda: prices.get_products(ServiceCode="AmazonEC2")) == "ServiceUnavailableException"

    answered = {a.target for a in fake.answers if a.status == 200}
    assert answered == set(fake.handlers), f"not driven: {sorted(set(fake.handlers) - answered)}"
    assert answer_problems(fake.answers) == []


def _snake(operation: str) -> str:
    from botocore import xform_name

    return xform_name(operation)

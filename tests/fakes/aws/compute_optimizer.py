"""Compute Optimizer's Get*Recommendations on ``AwsJsonFake``.

The service model offers Smithy RPC v2 CBOR and AWS JSON 1.0; botocore 1.44 picks JSON (its protocol
priority puts JSON first), so that is what boto3 sends. The fake answers in the protocol it is asked in:
timestamps are epoch seconds in JSON and CBOR tag 1 in CBOR (the only tag botocore's CBOR parser accepts).
Each region answers with its own findings (the fake reads the region the request was signed for). Shapes as
in botocore's ``compute-optimizer`` model: savings as ``{"currency", "value"}`` with a double.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import cbor2

from tests.fakes.aws.json_service import AwsFault, AwsJsonFake

SERVICE = "ComputeOptimizerService"
TARGETS = {
    "ec2": f"{SERVICE}.GetEC2InstanceRecommendations",
    "ebs": f"{SERVICE}.GetEBSVolumeRecommendations",
    "lambda": f"{SERVICE}.GetLambdaFunctionRecommendations",
    "asg": f"{SERVICE}.GetAutoScalingGroupRecommendations",
}
LIST_KEYS = {
    "ec2": "instanceRecommendations",
    "ebs": "volumeRecommendations",
    "lambda": "lambdaFunctionRecommendations",
    "asg": "autoScalingGroupRecommendations",
}
REFRESHED = 1_718_841_600.5  # 2024-06-20T00:00:00.5Z, epoch seconds
ACCOUNT = "123456789012"


def _savings(value: float | None, currency: str = "USD", percentage: float = 40.0) -> dict[str, Any]:
    return {
        "savingsOpportunityPercentage": percentage,
        "estimatedMonthlySavings": {"currency": currency, "value": value},
    }


def _option(rank: int, savings: float, after_discounts: float | None, risk: float, **fields: Any) -> dict[str, Any]:
    option: dict[str, Any] = {"rank": rank, "performanceRisk": risk, "savingsOpportunity": _savings(savings)}
    if after_discounts is not None:
        option["savingsOpportunityAfterDiscounts"] = _savings(after_discounts)
    option.update(fields)
    return option


def ec2_instance(
    instance_id: str = "i-0a1b2c3d4e5f60718",
    *,
    region: str = "us-east-1",
    account_id: str = ACCOUNT,
    current: str = "m5.2xlarge",
    recommended: str = "m5.xlarge",
    savings: float = 70.08,
    after_discounts: float | None = 55.5,
    risk: float = 1.0,
    finding: str = "Overprovisioned",
    migration_effort: str = "Low",
) -> dict[str, Any]:
    """An EC2 finding whose rank-1 option is ``recommended``; rank 2 is a bigger saving at a higher risk."""
    return {
        "instanceArn": f"arn:aws:ec2:{region}:{account_id}:instance/{instance_id}",
        "accountId": account_id,
        "instanceName": "web-1",
        "currentInstanceType": current,
        "finding": finding,
        "findingReasonCodes": ["CPUOverprovisioned", "MemoryOverprovisioned"],
        "utilizationMetrics": [{"name": "Cpu", "statistic": "Maximum", "value": 12.5}],
        "lookBackPeriodInDays": 14.0,
        "recommendationOptions": [
            _option(2, savings * 1.5, None, 3.0, instanceType="m5.large", migrationEffort="Medium"),
            _option(
                1,
                savings,
                after_discounts,
                risk,
                instanceType=recommended,
                migrationEffort=migration_effort,
                platformDifferences=[],
                projectedUtilizationMetrics=[{"name": "Cpu", "statistic": "Maximum", "value": 25.0}],
            ),
        ],
        "recommendationSources": [
            {
                "recommendationSourceArn": f"arn:aws:ec2:{region}:{account_id}:instance/{instance_id}",
                "recommendationSourceType": "Ec2Instance",
            }
        ],
        "lastRefreshTimestamp": REFRESHED,
        "currentPerformanceRisk": "VeryLow",
        "instanceState": "running",
        "idle": "False",
        "tags": [{"key": "team", "value": "web"}],
    }


def ebs_volume(
    volume_id: str = "vol-0f1e2d3c4b5a69788",
    *,
    region: str = "us-east-1",
    account_id: str = ACCOUNT,
    savings: float = 8.0,
    finding: str = "NotOptimized",
) -> dict[str, Any]:
    """A gp2 -> gp3 finding (no after-discounts figure: savings at On-Demand prices)."""
    current = {"volumeType": "gp2", "volumeSize": 100, "volumeBaselineIOPS": 300, "volumeBurstIOPS": 3000}
    target = {"volumeType": "gp3", "volumeSize": 100, "volumeBaselineIOPS": 3000, "volumeBaselineThroughput": 125}
    return {
        "volumeArn": f"arn:aws:ec2:{region}:{account_id}:volume/{volume_id}",
        "accountId": account_id,
        "currentConfiguration": current,
        "finding": finding,
        "lookBackPeriodInDays": 14.0,
        "volumeRecommendationOptions": [
            {"configuration": target, "performanceRisk": 0.0, "rank": 1, "savingsOpportunity": _savings(savings)}
        ],
        "lastRefreshTimestamp": REFRESHED,
        "currentPerformanceRisk": "Low",
    }


def lambda_function(
    name: str = "thumbnailer",
    *,
    region: str = "us-east-1",
    account_id: str = ACCOUNT,
    savings: float = 3.25,
    finding: str = "NotOptimized",
) -> dict[str, Any]:
    return {
        "functionArn": f"arn:aws:lambda:{region}:{account_id}:function:{name}:$LATEST",
        "functionVersion": "$LATEST",
        "accountId": account_id,
        "currentMemorySize": 1024,
        "numberOfInvocations": 120000,
        "lookbackPeriodInDays": 14.0,
        "lastRefreshTimestamp": REFRESHED,
        "finding": finding,
        "findingReasonCodes": ["MemoryOverprovisioned"],
        "memorySizeRecommendationOptions": [
            {"rank": 1, "memorySize": 512, "savingsOpportunity": _savings(savings, percentage=30.0)}
        ],
        "currentPerformanceRisk": "VeryLow",
    }


def auto_scaling_group(
    name: str = "web-asg",
    *,
    region: str = "us-east-1",
    account_id: str = ACCOUNT,
    savings: float = 140.16,
    after_discounts: float | None = None,
    risk: float = 2.0,
    finding: str = "NotOptimized",
) -> dict[str, Any]:
    arn = (
        f"arn:aws:autoscaling:{region}:{account_id}:autoScalingGroup:"
        f"1f6d9b1c-3e4a-4c7b-9f52-8f0d2f1b7a11:autoScalingGroupName/{name}"
    )
    current = {"desiredCapacity": 4, "minSize": 2, "maxSize": 8, "instanceType": "c5.2xlarge"}
    return {
        "accountId": account_id,
        "autoScalingGroupArn": arn,
        "autoScalingGroupName": name,
        "finding": finding,
        "lookBackPeriodInDays": 14.0,
        "currentConfiguration": current,
        "recommendationOptions": [
            _option(
                1,
                savings,
                after_discounts,
                risk,
                configuration={**current, "instanceType": "c5.xlarge"},
                migrationEffort="VeryLow",
            )
        ],
        "lastRefreshTimestamp": REFRESHED,
        "currentPerformanceRisk": "Low",
    }


def install(
    fake: AwsJsonFake,
    findings: Mapping[str, Mapping[str, Sequence[dict[str, Any]]]] | None = None,
    *,
    page_size: int = 2,
    opted_in: bool = True,
    denied: Sequence[str] = (),
) -> None:
    """Serve ``findings[kind][region]`` (kind: ec2, ebs, lambda, asg) per region, ``page_size`` a page.

    Not ``opted_in``: every call fails with OptInRequiredException, as for an account that never opted in.
    ``denied`` kinds fail with AccessDeniedException (a policy without that permission).
    """
    findings = findings or {}

    def handler(kind: str) -> Any:
        def get(body: dict[str, Any]) -> dict[str, Any]:
            if not opted_in:
                raise AwsFault("OptInRequiredException", "The account is not opted in to AWS Compute Optimizer.", 403)
            if kind in denied:
                raise AwsFault("AccessDeniedException", f"User is not authorized to perform {TARGETS[kind]}", 403)
            limit = body.get("maxResults", 1000)
            if not isinstance(limit, int) or not 0 <= limit <= 1000:
                raise AwsFault("ValidationException", "maxResults must be between 0 and 1000")
            items = list(findings.get(kind, {}).get(fake.current_region(), ()))
            token = body.get("nextToken")
            start = int(str(token).removeprefix("co-")) if token else 0
            end = start + min(page_size, limit or page_size)
            page = items[start:end]
            if fake.current_request().cbor:
                page = [{**i, "lastRefreshTimestamp": cbor2.CBORTag(1, i["lastRefreshTimestamp"])} for i in page]
            answer: dict[str, Any] = {LIST_KEYS[kind]: page}
            if kind != "lambda":  # GetLambdaFunctionRecommendations has no per-resource errors member
                answer["errors"] = []
            if end < len(items):
                answer["nextToken"] = f"co-{end}"
            return answer

        return get

    for kind, target in TARGETS.items():
        fake.route(target, handler(kind))

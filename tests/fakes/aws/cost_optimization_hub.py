"""Cost Optimization Hub's ListRecommendations (AWS JSON 1.0) on ``AwsJsonFake``, with paging.

Shapes as in botocore's service model for ``cost-optimization-hub``: items carry camelCase fields, savings
as JSON doubles, timestamps as epoch seconds. ``recommendation(...)`` builds a realistic item.
"""

from __future__ import annotations

from typing import Any

from tests.fakes.aws.json_service import AwsFault, AwsJsonFake

TARGET = "CostOptimizationHubService.ListRecommendations"
_REQUEST_KEYS = {"filter", "orderBy", "includeAllRecommendations", "maxResults", "nextToken"}


def recommendation(
    resource_id: str = "i-0a1b2c3d4e5f60718",
    *,
    action_type: str = "Rightsize",
    resource_type: str = "Ec2Instance",
    savings: float = 61.32,
    current: str | None = "m5.2xlarge",
    recommended: str | None = "m5.xlarge",
    account_id: str = "123456789012",
    region: str = "us-east-1",
    effort: str = "Medium",
    restart_needed: bool = True,
    rollback_possible: bool = True,
    source: str = "ComputeOptimizer",
    **extra: Any,
) -> dict[str, Any]:
    """One ListRecommendations item, as the Hub returns it for an EC2 rightsizing unless told otherwise."""
    service = {"Ec2Instance": "instance", "EbsVolume": "volume"}.get(resource_type)
    item: dict[str, Any] = {
        "recommendationId": f"coh-{resource_id}-{action_type}",
        "accountId": account_id,
        "region": region,
        "resourceId": resource_id,
        "resourceArn": f"arn:aws:ec2:{region}:{account_id}:{service}/{resource_id}" if service else "",
        "currentResourceType": resource_type,
        "recommendedResourceType": resource_type,
        "estimatedMonthlySavings": savings,
        "estimatedSavingsPercentage": 50.0,
        "estimatedMonthlyCost": 61.32,
        "implementationEffort": effort,
        "restartNeeded": restart_needed,
        "actionType": action_type,
        "rollbackPossible": rollback_possible,
        "lastRefreshTimestamp": 1_718_841_600.0,
        "recommendationLookbackPeriodInDays": 14,
        "source": source,
        "tags": [{"key": "team", "value": "web"}],
    }
    if current is not None:
        item["currentResourceSummary"] = current
    if recommended is not None:
        item["recommendedResourceSummary"] = recommended
    item.update(extra)
    return item


def install(fake: AwsJsonFake, items: list[dict[str, Any]], *, page_size: int = 2, enrolled: bool = True) -> None:
    """Serve ``items``, ``page_size`` a page (capped by the request's maxResults). Not ``enrolled``: every call
    is refused as the Hub refuses an account that has not opted in."""

    def list_recommendations(body: dict[str, Any]) -> dict[str, Any]:
        unknown = set(body) - _REQUEST_KEYS
        if unknown:
            raise AwsFault("ValidationException", f"unknown fields {sorted(unknown)}")
        if not enrolled:
            raise AwsFault("AccessDeniedException", "The account is not enrolled in Cost Optimization Hub.", 403)
        limit = body.get("maxResults", 1000)
        if not isinstance(limit, int) or not 0 <= limit <= 1000:
            raise AwsFault("ValidationException", "maxResults must be between 0 and 1000")
        token = body.get("nextToken")
        if token is not None and not str(token).startswith("coh-page-"):
            raise AwsFault("ValidationException", "Invalid nextToken")
        start = int(str(token).removeprefix("coh-page-")) if token else 0
        end = start + min(page_size, limit or page_size)
        answer: dict[str, Any] = {"items": items[start:end]}
        if end < len(items):
            answer["nextToken"] = f"coh-page-{end}"
        return answer

    fake.route(TARGET, list_recommendations)

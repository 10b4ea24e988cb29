"""Cost Optimization Hub: AWS's consolidated, organization-wide savings recommendations (ListRecommendations).

The Hub answers from one region per partition (us-east-1 for the standard one) with every member account's
recommendations when asked from the management account, already de-duplicated to one per resource.
Savings are AWS's estimates, after discounts, in the currency it names (USD when it names none).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from finops_core.models import Recommendation as Rec
from finops_core.models import RecommendationKind, RemediationAction, Risk

from finops_aws.recommendations.common import (
    HUB,
    action_parameters,
    decimal_from_double,
    effort_of,
    money_from_double,
    plain_id,
    region_of_arn,
    token_pages,
)

if TYPE_CHECKING:
    from finops_aws.context import AwsContext

OPERATION = "cost-optimization-hub:ListRecommendations"

_KIND: dict[str, RecommendationKind] = {
    "Rightsize": "rightsize",
    "ScaleIn": "rightsize",
    "Stop": "idle",
    "Delete": "idle",
    "Upgrade": "modernize",
    "MigrateToGraviton": "modernize",
    "PurchaseSavingsPlans": "commitment",
    "PurchaseReservedInstances": "commitment",
}
_VERB = {
    "Rightsize": "Rightsize",
    "ScaleIn": "Scale in",
    "Stop": "Stop",
    "Delete": "Delete",
    "Upgrade": "Upgrade",
    "MigrateToGraviton": "Migrate to Graviton",
    "PurchaseSavingsPlans": "Purchase",
    "PurchaseReservedInstances": "Purchase",
}
_LABEL = {
    "Ec2Instance": "EC2 instance",
    "EbsVolume": "EBS volume",
    "LambdaFunction": "Lambda function",
    "EcsService": "ECS service",
    "Ec2AutoScalingGroup": "Auto Scaling group",
    "RdsDbInstance": "RDS instance",
    "NatGateway": "NAT gateway",
    "ComputeSavingsPlans": "Compute Savings Plans",
    "Ec2InstanceSavingsPlans": "EC2 Instance Savings Plans",
    "SageMakerSavingsPlans": "SageMaker Savings Plans",
}
_INSTANCE_TYPE = re.compile(r"[a-z][a-z0-9-]*\.[a-z0-9]+")


def fetch(client: Any) -> list[dict[str, Any]]:
    """Every recommendation, all pages (blocking)."""
    what = f"listing Cost Optimization Hub recommendations ({OPERATION} in {client.meta.region_name})"
    return [item for page in token_pages(client.list_recommendations, what) for item in page.get("items") or []]


def _risk(item: dict[str, Any]) -> Risk:
    """A restart, or a change that cannot be rolled back, each raise the risk a level."""
    score = int(bool(item.get("restartNeeded"))) + int(item.get("rollbackPossible") is False)
    return ("low", "medium", "high")[score]


def _action(
    item: dict[str, Any], resource_id: str | None, region: str | None, own: str | None
) -> RemediationAction | None:
    action_type, resource_type = item.get("actionType"), item.get("currentResourceType")
    if not resource_id or not region:
        return None
    parameters = action_parameters(region, item.get("accountId"), own)
    if resource_type == "Ec2Instance" and action_type in ("Rightsize", "MigrateToGraviton"):
        new_size = str(item.get("recommendedResourceSummary") or "")
        if not _INSTANCE_TYPE.fullmatch(new_size):
            return None
        return RemediationAction(
            provider="aws",
            kind="resize_instance",
            resource_id=resource_id,
            parameters={**parameters, "new_size": new_size},
        )
    if resource_type == "Ec2Instance" and action_type == "Stop":
        return RemediationAction(provider="aws", kind="stop_instance", resource_id=resource_id, parameters=parameters)
    if resource_type == "EbsVolume" and action_type == "Delete":
        return RemediationAction(provider="aws", kind="delete_volume", resource_id=resource_id, parameters=parameters)
    return None


def normalize(item: dict[str, Any], own_account_id: str | None = None) -> Rec | None:
    """One Hub recommendation as a core Recommendation; None when it saves nothing."""
    savings = money_from_double(item.get("estimatedMonthlySavings"), item.get("currencyCode"))
    if savings is None or savings.amount <= 0:
        return None
    action_type = str(item.get("actionType") or "")
    resource_type = str(item.get("currentResourceType") or "")
    kind = _KIND.get(action_type, "other")
    if kind == "idle" and resource_type == "EbsVolume":
        kind = "unattached"
    commitment = kind == "commitment"
    # A commitment is named by what it buys ("ComputeSavingsPlans"): no resource exists yet.
    resource_id = (resource_type or None) if commitment else plain_id(item.get("resourceId") or item.get("resourceArn"))
    region = item.get("region") or region_of_arn(item.get("resourceArn"))
    label = _LABEL.get(resource_type, resource_type or "resource")
    current, recommended = item.get("currentResourceSummary"), item.get("recommendedResourceSummary")
    title = f"{_VERB.get(action_type, action_type or 'Change')} {label}"
    if resource_id and not commitment:
        title += f" {resource_id}"
    if current and recommended and not commitment:
        title += f" from {current} to {recommended}"
    elif recommended and commitment:
        title += f": {recommended}"
    facts = [f"{action_type} recommended by Cost Optimization Hub (from {item.get('source') or 'AWS'})"]
    percentage = decimal_from_double(item.get("estimatedSavingsPercentage"))
    if percentage is not None:
        facts.append(f"{percentage}% of its cost")
    if item.get("recommendationLookbackPeriodInDays"):
        facts.append(f"based on {item['recommendationLookbackPeriodInDays']} days of usage")
    facts.append(f"restart needed: {'yes' if item.get('restartNeeded') else 'no'}")
    facts.append(f"rollback possible: {'no' if item.get('rollbackPossible') is False else 'yes'}")
    return Rec(
        provider="aws",
        recommendation_id=str(item.get("recommendationId") or f"{resource_type}:{resource_id}:{action_type}"),
        source=HUB,
        kind=kind,
        title=title,
        resource_id=resource_id,
        account_id=item.get("accountId"),
        region=region,
        monthly_savings=savings,
        effort=effort_of(item.get("implementationEffort")),
        risk=_risk(item),
        detail="; ".join(facts) + ". Savings are AWS's estimate, after discounts.",
        action=None if commitment else _action(item, resource_id, region, own_account_id),
    )


async def hub_recommendations(ctx: AwsContext) -> list[Rec]:
    """Every Cost Optimization Hub recommendation with savings (organization-wide from the management account)."""
    region = (await ctx.run(ctx.clients.partition)).billing_region
    own = (await ctx.accounts())[0].account_id
    client = await ctx.run(ctx.clients.client, "cost-optimization-hub", region)
    items = await ctx.run(fetch, client)
    return [rec for item in items if (rec := normalize(item, own)) is not None]

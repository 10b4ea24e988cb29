"""Cost Explorer: EC2 rightsizing and Savings Plans purchase recommendations.

Both are paid calls ($0.01 per request, every page billed), so they go through the paid-call cache: a question
asked again within ``cache_hours`` is answered from the store without a request. Cost Explorer sends its amounts
as decimal strings with a currency code; they are kept exact.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from finops_core.models import Effort, RecommendationKind, RemediationAction, Risk
from finops_core.models import Recommendation as Rec

from finops_aws.errors import aws_errors
from finops_aws.recommendations.common import COST_EXPLORER, action_parameters, money_from_text, region_code

if TYPE_CHECKING:
    from finops_aws.context import AwsContext

RIGHTSIZING = "ce:GetRightsizingRecommendation"
SAVINGS_PLANS = "ce:GetSavingsPlansPurchaseRecommendation"
RIGHTSIZING_REQUEST: dict[str, Any] = {
    "Service": "AmazonEC2",
    "Configuration": {"RecommendationTarget": "SAME_INSTANCE_FAMILY", "BenefitsConsidered": True},
    "PageSize": 1000,  # fewer pages, fewer billed requests
}
SAVINGS_PLANS_REQUEST: dict[str, Any] = {
    "SavingsPlansType": "COMPUTE_SP",
    "TermInYears": "ONE_YEAR",
    "PaymentOption": "NO_UPFRONT",
    "LookbackPeriodInDays": "THIRTY_DAYS",
}


def fetch_rightsizing(client: Any) -> tuple[dict[str, Any], int]:
    """All pages of EC2 rightsizing recommendations as one answer, and how many billed requests it took."""
    items: list[dict[str, Any]] = []
    first: dict[str, Any] = {}
    token: str | None = None
    pages = 0
    while True:
        request = {**RIGHTSIZING_REQUEST, **({"NextPageToken": token} if token else {})}
        with aws_errors(f"getting EC2 rightsizing recommendations ({RIGHTSIZING} in {client.meta.region_name})"):
            page = client.get_rightsizing_recommendation(**request)
        pages += 1
        first = first or page
        items.extend(page.get("RightsizingRecommendations") or [])
        next_token = page.get("NextPageToken")
        if not next_token or next_token == token:
            break
        token = next_token
    body = {
        "Metadata": first.get("Metadata") or {},
        "Summary": first.get("Summary") or {},
        "RightsizingRecommendations": items,
    }
    return body, pages


def fetch_savings_plans(client: Any) -> tuple[dict[str, Any], int]:
    """The Compute Savings Plans purchase recommendation: one billed request. Its summary covers every detail,
    so further pages of details (each billed) are not fetched."""
    with aws_errors(
        f"getting the Savings Plans purchase recommendation ({SAVINGS_PLANS} in {client.meta.region_name})"
    ):
        page = client.get_savings_plans_purchase_recommendation(**SAVINGS_PLANS_REQUEST)
    page.pop("ResponseMetadata", None)
    return page, 1


def _target(detail: dict[str, Any]) -> dict[str, Any] | None:
    targets: list[dict[str, Any]] = detail.get("TargetInstances") or []
    default = [t for t in targets if t.get("DefaultTargetInstance")]
    if default:
        return default[0]

    def savings(t: dict[str, Any]) -> Decimal:
        money = money_from_text(t.get("EstimatedMonthlySavings"), t.get("CurrencyCode"))
        return money.amount if money is not None else Decimal(0)

    return max(targets, key=savings, default=None)


def normalize_rightsizing(item: dict[str, Any], own_account_id: str | None = None) -> Rec | None:
    """One rightsizing recommendation (MODIFY or TERMINATE) as a Recommendation; None when it saves nothing."""
    current = item.get("CurrentInstance") or {}
    resource_id = current.get("ResourceId")
    ec2 = (current.get("ResourceDetails") or {}).get("EC2ResourceDetails") or {}
    region = region_code(ec2.get("Region"))
    account_id = item.get("AccountId")
    name = current.get("InstanceName")
    label = f"{resource_id} ({name})" if name else str(resource_id)
    kind_of_change = item.get("RightsizingType")
    reasons = ", ".join(item.get("FindingReasonCodes") or [])
    facts = [f"Cost Explorer rightsizing: {kind_of_change}" + (f" ({reasons})" if reasons else "")]
    if current.get("MonthlyCost"):
        facts.append(f"it costs {current['MonthlyCost']} {current.get('CurrencyCode') or 'USD'} a month now")
    action = None
    kind: RecommendationKind
    effort: Effort
    risk: Risk
    if kind_of_change == "MODIFY":
        target = _target(item.get("ModifyRecommendationDetail") or {})
        if target is None:
            return None
        savings = money_from_text(target.get("EstimatedMonthlySavings"), target.get("CurrencyCode"))
        new_size = ((target.get("ResourceDetails") or {}).get("EC2ResourceDetails") or {}).get("InstanceType")
        title = f"Resize EC2 instance {label} from {ec2.get('InstanceType')} to {new_size}"
        kind, effort = "rightsize", "medium"
        differences = target.get("PlatformDifferences") or []
        risk = "high" if differences else "medium"  # a resize restarts the instance
        if differences:
            facts.append("platform differences: " + ", ".join(differences))
        if resource_id and region and new_size:
            action = RemediationAction(
                provider="aws",
                kind="resize_instance",
                resource_id=resource_id,
                parameters={**action_parameters(region, account_id, own_account_id), "new_size": str(new_size)},
            )
    elif kind_of_change == "TERMINATE":
        detail = item.get("TerminateRecommendationDetail") or {}
        savings = money_from_text(detail.get("EstimatedMonthlySavings"), detail.get("CurrencyCode"))
        title = f"Stop or terminate idle EC2 instance {label} ({ec2.get('InstanceType')})"
        kind, effort, risk = "idle", "low", "medium"
        facts.append("the savings are for terminating; a stopped instance still pays for its EBS volumes")
        if resource_id and region:  # stopping is the reversible way to realize most of it
            action = RemediationAction(
                provider="aws",
                kind="stop_instance",
                resource_id=resource_id,
                parameters=action_parameters(region, account_id, own_account_id),
            )
    else:
        return None
    if savings is None or savings.amount <= 0:
        return None
    return Rec(
        provider="aws",
        recommendation_id=f"cost-explorer-rightsizing:{resource_id}:{kind_of_change}",
        source=COST_EXPLORER,
        kind=kind,
        title=title,
        resource_id=resource_id,
        account_id=account_id,
        region=region,
        monthly_savings=savings,
        effort=effort,
        risk=risk,
        detail="; ".join(facts) + ". Savings are AWS's estimate.",
        action=action,
    )


def normalize_savings_plans(body: dict[str, Any], own_account_id: str | None = None) -> Rec | None:
    """The Savings Plans purchase recommendation's summary as one Recommendation; None when it saves nothing."""
    recommendation = body.get("SavingsPlansPurchaseRecommendation") or {}
    summary = recommendation.get("SavingsPlansPurchaseRecommendationSummary") or {}
    currency = summary.get("CurrencyCode")
    savings = money_from_text(summary.get("EstimatedMonthlySavingsAmount"), currency)
    if savings is None or savings.amount <= 0:
        return None
    hourly = summary.get("HourlyCommitmentToPurchase")
    metadata = body.get("Metadata") or {}
    facts = [f"commit {hourly} {savings.currency} an hour for 1 year, paid monthly (no upfront)"]
    if summary.get("EstimatedSavingsPercentage"):
        facts.append(f"{summary['EstimatedSavingsPercentage']}% less than On-Demand for the covered usage")
    if summary.get("CurrentOnDemandSpend"):
        facts.append(
            f"On-Demand compute spend in the last 30 days: {summary['CurrentOnDemandSpend']} {savings.currency}"
        )
    return Rec(
        provider="aws",
        recommendation_id=f"cost-explorer-savings-plans:{metadata.get('RecommendationId') or 'COMPUTE_SP'}",
        source=COST_EXPLORER,
        kind="commitment",
        title=f"Buy a 1-year Compute Savings Plan (no upfront) of {hourly} {savings.currency}/hour",
        resource_id="ComputeSavingsPlans",  # what it buys, as Cost Optimization Hub names it (see merge)
        account_id=own_account_id,
        monthly_savings=savings,
        effort="low",
        risk="medium",  # a commitment cannot be cancelled; it pays off only if the usage stays
        detail="; ".join(facts) + ". Based on the last 30 days of usage; savings are AWS's estimate.",
    )


async def _paid(ctx: AwsContext, operation: str, request: dict[str, Any], fetch: Any) -> dict[str, Any]:
    region = (await ctx.run(ctx.clients.partition)).billing_region
    own = (await ctx.accounts())[0].account_id
    client = await ctx.run(ctx.clients.client, "ce", region)
    # The payer account is part of the key: another profile's answer must not be served from the cache.
    answer = await ctx.run(ctx.paid.call, operation, {"account": own, **request}, lambda: fetch(client))
    return answer.body


async def rightsizing_recommendations(ctx: AwsContext) -> list[Rec]:
    """EC2 rightsizing from Cost Explorer (organization-wide from the management account); a paid call, cached."""
    own = (await ctx.accounts())[0].account_id
    body = await _paid(ctx, RIGHTSIZING, RIGHTSIZING_REQUEST, fetch_rightsizing)
    items: list[dict[str, Any]] = body.get("RightsizingRecommendations") or []
    return [rec for item in items if (rec := normalize_rightsizing(item, own)) is not None]


async def savings_plans_recommendations(ctx: AwsContext) -> list[Rec]:
    """Cost Explorer's Compute Savings Plans purchase (1 year, no upfront, 30 days); a paid call, cached."""
    own = (await ctx.accounts())[0].account_id
    body = await _paid(ctx, SAVINGS_PLANS, SAVINGS_PLANS_REQUEST, fetch_savings_plans)
    rec = normalize_savings_plans(body, own)
    return [rec] if rec is not None else []

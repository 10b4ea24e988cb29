"""Compute Optimizer: rightsizing for EC2 instances, EBS volumes, Lambda functions and Auto Scaling groups.

Asked per account and region (it answers for the region it is called in). Each finding's top-ranked option
gives the savings: after discounts (Savings Plans, Reserved Instances) when Compute Optimizer has that figure,
else at On-Demand prices; the detail says which. Findings without savings are skipped.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from finops_core.errors import FinOpsError
from finops_core.models import Effort, RemediationAction, Risk
from finops_core.models import Recommendation as Rec
from finops_core.money import Money

from finops_aws.clients import Account
from finops_aws.recommendations.common import (
    COMPUTE_OPTIMIZER,
    action_parameters,
    decimal_from_double,
    effort_of,
    money_from_double,
    plain_id,
    risk_of_score,
    token_pages,
)

if TYPE_CHECKING:
    from finops_aws.context import AwsContext

NO_SAVINGS_FINDINGS = frozenset({"Optimized", "Underprovisioned", "Unavailable"})


@dataclass(frozen=True)
class Finding:
    """What one call of a region's Compute Optimizer answered about one resource, before it becomes a Rec."""

    item: dict[str, Any]
    region: str
    account: Account


@dataclass(frozen=True)
class Kind:
    label: str  # "EC2 instances"
    method: str  # boto3 method
    key: str  # the list in the answer
    options_key: str
    normalize: Callable[[Finding, dict[str, Any], Money, str], Rec]


def top_option(options: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The option Compute Optimizer ranks first (rank 1)."""
    return min(options, key=lambda o: o.get("rank") or 1_000_000, default=None)


def savings_of(option: dict[str, Any]) -> tuple[Money, str] | None:
    """(monthly savings, basis): after discounts when present, else at On-Demand prices."""
    for key, basis in (
        ("savingsOpportunityAfterDiscounts", "after discounts (Savings Plans, Reserved Instances)"),
        ("savingsOpportunity", "at On-Demand prices"),
    ):
        estimate = (option.get(key) or {}).get("estimatedMonthlySavings") or {}
        money = money_from_double(estimate.get("value"), estimate.get("currency"))
        if money is not None:
            return money, basis
    return None


def _detail(f: Finding, option: dict[str, Any], basis: str, reasons_key: str = "findingReasonCodes") -> str:
    finding = f.item.get("finding") or "NotOptimized"
    reasons = ", ".join(f.item.get(reasons_key) or [])
    parts = [f"Compute Optimizer finding: {finding}" + (f" ({reasons})" if reasons else "")]
    risk = decimal_from_double(option.get("performanceRisk"))
    if risk is not None:
        parts.append(f"performance risk {risk} of 4")
    if option.get("platformDifferences"):
        parts.append("platform differences: " + ", ".join(option["platformDifferences"]))
    lookback = decimal_from_double(f.item.get("lookBackPeriodInDays") or f.item.get("lookbackPeriodInDays"))
    if lookback is not None:
        parts.append(f"based on {lookback.normalize():f} days of metrics")
    if f.item.get("idle") == "True":
        parts.append("Compute Optimizer marks it idle")
    return "; ".join(parts) + f". Savings are AWS's estimate, {basis}."


def _base(f: Finding, arn: str, option: dict[str, Any], savings: Money, basis: str) -> dict[str, Any]:
    return {
        "provider": "aws",
        "source": COMPUTE_OPTIMIZER,
        "recommendation_id": f"compute-optimizer:{arn}",
        "resource_id": plain_id(arn),
        "account_id": f.item.get("accountId") or f.account.account_id,
        "region": f.region,
        "monthly_savings": savings,
        "detail": _detail(f, option, basis),
    }


def _risk(option: dict[str, Any], default: Risk = "medium") -> Risk:
    risk = risk_of_score(option.get("performanceRisk"), default)
    if option.get("platformDifferences") and risk == "low":
        return "medium"  # a different hypervisor, network or storage interface needs checking first
    return risk


def _own(f: Finding) -> str | None:
    return f.account.account_id if f.account.role_arn is None else None


def _ec2(f: Finding, option: dict[str, Any], savings: Money, basis: str) -> Rec:
    arn = str(f.item.get("instanceArn") or "")
    base = _base(f, arn, option, savings, basis)
    name = f.item.get("instanceName")
    current, new = f.item.get("currentInstanceType"), option.get("instanceType")
    effort: Effort = effort_of(option.get("migrationEffort"))
    action = None
    if base["resource_id"] and new:
        parameters = action_parameters(f.region, base["account_id"], _own(f))
        action = RemediationAction(
            provider="aws",
            kind="resize_instance",
            resource_id=base["resource_id"],
            parameters={**parameters, "new_size": str(new)},
        )
    label = f"{base['resource_id']} ({name})" if name and name != base["resource_id"] else base["resource_id"]
    return Rec(
        **base,
        kind="rightsize",
        title=f"Resize EC2 instance {label} from {current} to {new}",
        effort=effort,
        risk=_risk(option),
        action=action,
    )


def _ebs(f: Finding, option: dict[str, Any], savings: Money, basis: str) -> Rec:
    arn = str(f.item.get("volumeArn") or "")
    base = _base(f, arn, option, savings, basis)
    now, to = f.item.get("currentConfiguration") or {}, option.get("configuration") or {}

    def describe(c: dict[str, Any]) -> str:
        return f"{c.get('volumeType')} {c.get('volumeSize')} GiB"

    return Rec(
        **base,
        kind="storage-tier" if now.get("volumeType") != to.get("volumeType") else "rightsize",
        title=f"Change EBS volume {base['resource_id']} from {describe(now)} to {describe(to)}",
        effort="low",  # ModifyVolume works on a volume in use
        risk=_risk(option, "low"),
    )


def _lambda(f: Finding, option: dict[str, Any], savings: Money, basis: str) -> Rec:
    arn = str(f.item.get("functionArn") or "")
    base = _base(f, arn, option, savings, basis)
    return Rec(
        **base,
        kind="rightsize",
        title=(
            f"Set Lambda function {base['resource_id']} memory from {f.item.get('currentMemorySize')} MB "
            f"to {option.get('memorySize')} MB"
        ),
        effort="low",
        risk="low",  # one setting, changed back as easily; Lambda options carry no performance risk score
    )


def _asg(f: Finding, option: dict[str, Any], savings: Money, basis: str) -> Rec:
    arn = str(f.item.get("autoScalingGroupArn") or "")
    base = _base(f, arn, option, savings, basis)
    if not base["resource_id"]:
        base["resource_id"] = f.item.get("autoScalingGroupName")
    now, to = f.item.get("currentConfiguration") or {}, option.get("configuration") or {}
    return Rec(
        **base,
        kind="rightsize",
        title=(
            f"Change Auto Scaling group {base['resource_id']} instances from {now.get('instanceType')} "
            f"to {to.get('instanceType')}"
        ),
        effort=effort_of(option.get("migrationEffort")),
        risk=_risk(option),
    )


KINDS: tuple[Kind, ...] = (
    Kind("EC2 instances", "get_ec2_instance_recommendations", "instanceRecommendations", "recommendationOptions", _ec2),
    Kind("EBS volumes", "get_ebs_volume_recommendations", "volumeRecommendations", "volumeRecommendationOptions", _ebs),
    Kind(
        "Lambda functions",
        "get_lambda_function_recommendations",
        "lambdaFunctionRecommendations",
        "memorySizeRecommendationOptions",
        _lambda,
    ),
    Kind(
        "Auto Scaling groups",
        "get_auto_scaling_group_recommendations",
        "autoScalingGroupRecommendations",
        "recommendationOptions",
        _asg,
    ),
)


def normalize(kind: Kind, item: dict[str, Any], region: str, account: Account) -> Rec | None:
    """One finding as a Recommendation from its top-ranked option; None when it saves nothing."""
    if item.get("finding") in NO_SAVINGS_FINDINGS:
        return None
    option = top_option(item.get(kind.options_key) or [])
    found = savings_of(option) if option is not None else None
    if option is None or found is None or found[0].amount <= 0:
        return None
    return kind.normalize(Finding(item, region, account), option, *found)


def fetch(client: Any, kind: Kind, what: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(findings, per-resource errors) over all pages (blocking)."""
    items: list[dict[str, Any]] = []
    errors: list[dict[str, Any]] = []
    for page in token_pages(getattr(client, kind.method), what):
        items.extend(page.get(kind.key) or [])
        errors.extend(page.get("errors") or [])
    return items, errors


def region_recommendations(ctx: AwsContext, account: Account, region: str) -> tuple[list[Rec], list[str]]:
    """Every kind's findings in one account and region (blocking): (recommendations, what is missing).

    A kind that fails is named in the missing list; when every kind fails the first error is raised, so the
    region itself is reported missing (e.g. the account has not opted in to Compute Optimizer)."""
    client = ctx.clients.client("compute-optimizer", region, account)
    recs: list[Rec] = []
    missing: list[str] = []
    failures: list[FinOpsError] = []
    for kind in KINDS:
        what = f"getting Compute Optimizer recommendations for {kind.label} in {region} ({account})"
        try:
            items, errors = fetch(client, kind, what)
        except FinOpsError as exc:
            failures.append(exc)
            missing.append(str(exc))  # it says which kind, region and account, and what to do
            continue
        recs.extend(rec for item in items if (rec := normalize(kind, item, region, account)) is not None)
        if errors:
            codes = ", ".join(sorted({str(e.get("code")) for e in errors}))
            missing.append(f"{len(errors)} of the {kind.label} in {region} ({account}) could not be assessed: {codes}")
    if len(failures) == len(KINDS):
        raise failures[0]
    return recs, missing


async def compute_optimizer_recommendations(ctx: AwsContext) -> tuple[list[Rec], list[str]]:
    """Findings with savings in every account and region: (recommendations, what is missing).

    Raises the first error when no account or region answered at all."""
    out = await ctx.fan_out(lambda account, region: region_recommendations(ctx, account, region))
    recs = [rec for found, _ in out.results for rec in found]
    missing = [line for _, lines in out.results for line in lines] + list(out.missing)
    return recs, missing

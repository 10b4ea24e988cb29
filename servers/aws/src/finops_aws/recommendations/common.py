"""What every recommendation source shares: source names, money from AWS numbers, effort, ids from ARNs."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator
from decimal import Decimal, InvalidOperation
from typing import Any

from finops_core.findings import rules_source
from finops_core.models import Effort, Risk
from finops_core.money import Money

from finops_aws.errors import aws_errors

HUB = "aws-cost-optimization-hub"
COMPUTE_OPTIMIZER = "aws-compute-optimizer"
COST_EXPLORER = "aws-cost-explorer"
RULES = rules_source("aws")

# Which source wins when two name the same change (first wins).
PRIORITY: tuple[str, ...] = (HUB, COMPUTE_OPTIMIZER, COST_EXPLORER, RULES)

PAGE_SIZE = 1000  # the maximum of Cost Optimization Hub's and Compute Optimizer's lists: fewer round trips


def token_pages(call: Callable[..., dict[str, Any]], what: str) -> Iterator[dict[str, Any]]:
    """Every page of a list that pages with ``nextToken`` (blocking), its errors mapped as ``what``."""
    token: str | None = None
    seen: set[str] = set()
    while True:
        request: dict[str, Any] = {"maxResults": PAGE_SIZE}
        if token:
            request["nextToken"] = token
        with aws_errors(what):
            page = call(**request)
        yield page
        token = page.get("nextToken")
        if not token or token in seen:  # a repeated token would loop forever
            return
        seen.add(token)


_EFFORT: dict[str, Effort] = {"VeryLow": "low", "Low": "low", "Medium": "medium", "High": "high", "VeryHigh": "high"}


def effort_of(level: str | None, default: Effort = "medium") -> Effort:
    """AWS's five effort levels (VeryLow..VeryHigh) on our three."""
    return _EFFORT.get(level or "", default)


def risk_of_score(score: float | None, default: Risk = "medium") -> Risk:
    """Compute Optimizer's performance risk (0 very low .. 4 very high) on our three levels."""
    if score is None:
        return default
    if score <= 1:
        return "low"
    return "medium" if score <= 2 else "high"


def decimal_from_double(value: object) -> Decimal | None:
    """The exact decimal AWS sent as a JSON/CBOR double. ``repr`` gives the shortest text that round-trips, which
    is the text on the wire, so 12.34 stays 12.34 (``Decimal(12.34)`` would carry the float's binary error)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    amount = Decimal(repr(float(value))) if isinstance(value, float) else Decimal(value)
    return amount if amount.is_finite() else None


def money_from_double(value: object, currency: str | None) -> Money | None:
    """Money from a JSON/CBOR double (see ``decimal_from_double``); USD when AWS names no currency."""
    amount = decimal_from_double(value)
    return None if amount is None else Money(amount=amount, currency=currency or "USD")


def money_from_text(value: object, currency: str | None) -> Money | None:
    """Money from Cost Explorer's decimal strings, exactly."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        amount = Decimal(value.strip())
    except InvalidOperation:
        return None
    return Money(amount=amount, currency=currency or "USD") if amount.is_finite() else None


def plain_id(resource: str | None) -> str | None:
    """The plain id for an ARN (``arn:aws:ec2:us-east-1:1:instance/i-1`` -> ``i-1``); other ids unchanged.

    Lambda functions and Auto Scaling groups are named by their name; a Lambda version suffix is dropped.
    """
    if not resource or not resource.startswith("arn:"):
        return resource or None
    parts = resource.split(":", 5)
    if len(parts) < 6:
        return resource
    service, rest = parts[2], parts[5]
    if service == "lambda" and rest.startswith("function:"):
        return rest.split(":")[1]
    if service == "autoscaling" and "autoScalingGroupName/" in rest:
        return rest.split("autoScalingGroupName/", 1)[1]
    if service == "s3":
        return rest.split("/", 1)[0]
    return re.split(r"[/:]", rest)[-1]


def region_of_arn(resource: str | None) -> str | None:
    if resource and resource.startswith("arn:") and resource.count(":") >= 5:
        return resource.split(":")[3] or None
    return None


@functools.cache
def _region_names() -> dict[str, str]:
    """Region display names as Cost Explorer writes them ("US East (N. Virginia)", "EU (Ireland)") -> codes."""
    import botocore.session

    names: dict[str, str] = {}
    for partition in botocore.session.get_session().get_data("endpoints")["partitions"]:
        for code, region in partition["regions"].items():
            description = str(region.get("description") or "")
            if description:
                names[description.lower()] = code
                if description.startswith("Europe ("):  # the price list's older spelling
                    names["eu " + description[len("Europe ") :].lower()] = code
    return names


def region_code(name: str | None) -> str | None:
    """A region code from a code or a display name; None when neither is recognised."""
    if not name:
        return None
    if re.fullmatch(r"[a-z]{2}(-[a-z]+)+-\d", name):
        return name
    return _region_names().get(name.strip().lower())


def action_parameters(region: str, account_id: str | None, own_account_id: str | None) -> dict[str, str]:
    """A RemediationAction's parameters: the region, and the account when it is not the credentials' own."""
    parameters = {"region": region}
    if account_id and account_id != own_account_id:
        parameters["account_id"] = account_id
    return parameters

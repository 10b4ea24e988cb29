"""Our own waste rules over the inventory and CloudWatch (source ``finops-aws-rules``).

Each finding names the resource, the evidence, and an estimated monthly saving at on-demand list prices.
A rule needs evidence to fire: an instance without CloudWatch data is unknown, not idle. NAT gateways and
load balancers are different: CloudWatch publishes ``RequestCount`` only when there are requests, so a
load balancer older than the window with no datapoints had no traffic.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from finops_core.errors import FinOpsError
from finops_core.findings import estimate_text, estimated_savings, finding
from finops_core.models import Effort, Recommendation, RecommendationKind, Risk
from finops_core.money import Money
from finops_core.provider import ResourceType

from finops_aws.clients import Account
from finops_aws.inventory.metrics import Series, daily_values, window
from finops_aws.inventory.pricing import PriceBook
from finops_aws.inventory.resources import Found, currency_of, gather, price_all

if TYPE_CHECKING:
    from finops_aws.context import AwsContext

# Trusted Advisor's "low utilization" line for network I/O.
IDLE_NETWORK_MB_PER_DAY = 5.0
# A NAT gateway that sent less than this in the whole window is idle.
IDLE_NAT_BYTES = 1_000_000.0
# AWS puts this id on snapshots copied from another snapshot or made for an AMI.
PLACEHOLDER_VOLUME = "vol-ffffffff"

Place = tuple[str, str]  # (account id, region)
Values = dict[tuple[str, str], list[float]]


def _place(f: Found) -> Place:
    return f.account.account_id, f.resource.region or ""


def _money(f: Found | None, amount: Decimal | None = None) -> Money:
    """``amount`` (default: the resource's estimate), or zero when no list price is known."""
    return estimated_savings(f.resource if f else None, amount, currency_of(f.resource.region or "") if f else None)


def _estimate(money: Money) -> str:
    return estimate_text(money, "on-demand list prices")


def _recommendation(
    f: Found,
    rule: str,
    kind: RecommendationKind,
    title: str,
    detail: str,
    savings: Money,
    effort: Effort,
    risk: Risk,
    action: str | None = None,
    **parameters: str,
) -> Recommendation:
    r = f.resource
    params = {"region": r.region or "", **parameters}
    if f.account.role_arn is not None:  # not the credentials' own account
        params["account_id"] = f.account.account_id
    key = f"{r.account_id}/{r.region}/{r.resource_id}"
    return finding(
        r,
        rule=rule,
        kind=kind,
        title=title,
        detail=detail,
        savings=savings,
        effort=effort,
        risk=risk,
        action=action,
        parameters=params,
        key=key,
    )


# -- metrics ---------------------------------------------------------------------------------------


def _series(f: Found) -> list[Series]:
    r = f.resource
    if r.resource_type == "instance" and r.state == "running":
        dims = (("InstanceId", r.resource_id),)
        return [
            Series((r.resource_id, "cpu"), "AWS/EC2", "CPUUtilization", dims, "Average"),
            Series((r.resource_id, "in"), "AWS/EC2", "NetworkIn", dims, "Sum"),
            Series((r.resource_id, "out"), "AWS/EC2", "NetworkOut", dims, "Sum"),
        ]
    if r.resource_type == "nat_gateway" and r.state == "available":
        dims = (("NatGatewayId", r.resource_id),)
        return [Series((r.resource_id, "bytes"), "AWS/NATGateway", "BytesOutToDestination", dims, "Sum")]
    if r.resource_type == "load_balancer":
        dims = (("LoadBalancer", str(f.extra.get("dimension"))),)
        if f.extra.get("type") == "application":
            return [Series((r.resource_id, "traffic"), "AWS/ApplicationELB", "RequestCount", dims, "Sum")]
        if f.extra.get("type") == "network":
            return [Series((r.resource_id, "traffic"), "AWS/NetworkELB", "ActiveFlowCount", dims, "Maximum")]
    return []


async def _metrics(
    ctx: AwsContext, by_place: dict[Place, list[Found]], start: datetime, end: datetime
) -> tuple[dict[Place, Values], list[str]]:
    wanted = {place: [s for f in found for s in _series(f)] for place, found in by_place.items()}
    wanted = {place: series for place, series in wanted.items() if series}
    if not wanted:
        return {}, []
    regions = sorted({region for _, region in wanted})

    def fetch(account: Account, region: str) -> tuple[Place, Values]:
        place = (account.account_id, region)
        series = wanted.get(place)
        if not series:
            return place, {}
        client = ctx.clients.client("cloudwatch", region, account)
        return place, daily_values(client, series, start, end, f"reading CloudWatch metrics in {region} ({account})")

    try:
        out = await ctx.fan_out(fetch, regions=regions)
    except FinOpsError as exc:
        return {}, [f"CloudWatch metrics (idle instances, NAT gateways and load balancers not checked): {exc}"]
    return dict(out.results), [f"CloudWatch metrics: {line}" for line in out.missing]


# -- the rules -------------------------------------------------------------------------------------


def _unattached_volume(f: Found) -> Recommendation:
    r = f.resource
    savings = _money(f)
    created = f", created {r.created_at.date()}" if r.created_at else ""
    return _recommendation(
        f,
        "unattached-volume",
        "unattached",
        f"Delete unattached EBS volume {r.resource_id} ({r.size})",
        f"{r.size} volume attached to nothing{created}; {_estimate(savings)}. Deleting it takes a "
        "snapshot first, whose storage costs less than the volume.",
        savings,
        "low",
        "medium",
        "delete_volume",
        snapshot_first="true",
    )


def _idle_address(f: Found) -> Recommendation:
    r = f.resource
    savings = _money(f)
    ip = f.extra.get("public_ip") or r.resource_id
    return _recommendation(
        f,
        "unassociated-ip",
        "unattached",
        f"Release unassociated Elastic IP {ip}",
        f"Elastic IP {ip} ({r.resource_id}) is associated with nothing; {_estimate(savings)}. "
        "A released address cannot always be got back: check that nothing allow-lists it.",
        savings,
        "low",
        "medium",
        "release_ip",
    )


def _orphan_snapshot(f: Found, age_days: int) -> Recommendation:
    r = f.resource
    savings = _money(f)
    source = str(f.extra.get("volume_id") or "")
    origin = (
        "was copied or made for an image (no source volume)"
        if source in ("", PLACEHOLDER_VOLUME)
        else f"its source volume {source} no longer exists"
    )
    return _recommendation(
        f,
        "orphan-snapshot",
        "other",
        f"Delete old snapshot {r.resource_id} ({age_days} days, source volume gone)",
        f"Snapshot of {r.size}, {age_days} days old; {origin} and no AMI of ours uses it; {_estimate(savings)} "
        "(an upper bound: snapshots store only changed blocks).",
        savings,
        "low",
        "medium",
        "delete_snapshot",
    )


def _stopped_instance(f: Found, volumes: list[Found]) -> Recommendation:
    r = f.resource
    costs = [v.resource.monthly_cost.amount for v in volumes if v.resource.monthly_cost]
    savings = _money(f, sum(costs, Decimal(0)) if len(costs) == len(volumes) else Decimal("0.00"))
    gib = sum(int(v.extra.get("size_gib") or 0) for v in volumes)
    listed = ", ".join(f"{v.resource.resource_id} ({v.resource.size})" for v in volumes)
    reason = str(f.extra.get("state_reason") or "")
    since = f" ({reason})" if reason else ""
    return _recommendation(
        f,
        "stopped-instance-storage",
        "other",
        f"Stopped instance {r.resource_id} still pays for {gib} GiB of EBS storage",
        f"{r.size} instance stopped{since}; its volumes {listed} still bill: {_estimate(savings)}. If it is no "
        "longer needed, snapshot its volumes and terminate it.",
        savings,
        "medium",
        "medium",
    )


def _idle_instance(f: Found, values: Values, min_days: int, days: int, cpu_limit: float) -> Recommendation | None:
    r = f.resource
    cpu = values.get((r.resource_id, "cpu")) or []
    received = values.get((r.resource_id, "in")) or []
    sent = values.get((r.resource_id, "out")) or []
    if len(cpu) < min_days or not (received or sent):
        return None  # unknown: too little data to call it idle
    avg_cpu = sum(cpu) / len(cpu)
    mb_per_day = (sum(received) + sum(sent)) / max(len(received), len(sent)) / 1_000_000
    if avg_cpu >= cpu_limit or mb_per_day >= IDLE_NETWORK_MB_PER_DAY:
        return None
    savings = _money(f)
    return _recommendation(
        f,
        "idle-instance",
        "idle",
        f"Stop idle instance {r.resource_id} ({r.size})",
        f"avg CPU {avg_cpu:.1f}%, network {mb_per_day:.1f} MB/day over {len(cpu)} of the last {days} days "
        f"(CloudWatch); stopping saves its compute: {_estimate(savings)}. Its EBS volumes still bill.",
        savings,
        "low",
        "medium",
        "stop_instance",
    )


def _idle_network(f: Found, values: Values, start: datetime, days: int) -> Recommendation | None:
    r = f.resource
    key = (r.resource_id, "bytes" if r.resource_type == "nat_gateway" else "traffic")
    if key not in values:
        return None
    points = values[key]
    old_enough = r.created_at is not None and r.created_at <= start
    if not points and not old_enough:
        return None  # too young to judge from silence
    total = sum(points)
    savings = _money(f)
    if r.resource_type == "nat_gateway":
        if total >= IDLE_NAT_BYTES:
            return None
        what, evidence = f"NAT gateway {r.resource_id}", f"{total / 1_000_000:.2f} MB sent to destinations"
        advice = "Delete it if no private subnet routes through it (hourly charge only; data is extra)."
    else:
        if total > 0:
            return None
        label = "requests" if f.extra.get("type") == "application" else "active flows"
        what, evidence = f"load balancer {r.name or r.resource_id}", f"no {label}"
        advice = "Delete it if nothing points at it (hourly charge only; capacity units are extra)."
    return _recommendation(
        f,
        "idle-" + r.resource_type.replace("_", "-"),
        "idle",
        f"Idle {what}",
        f"{evidence} over the last {days} days (CloudWatch); {_estimate(savings)}. {advice}",
        savings,
        "medium",
        "medium",
    )


async def waste_findings(ctx: AwsContext, prices: PriceBook | None = None) -> tuple[list[Recommendation], list[str]]:
    """Waste found by our rules across every configured account and region, largest saving first, and what
    could not be checked (regions, accounts, prices or metrics that failed)."""
    settings = ctx.settings
    regions = await ctx.regions()
    kinds: Sequence[ResourceType] = ("instance", "volume", "snapshot", "ip", "nat_gateway", "load_balancer")
    gathered = await gather(ctx, kinds, regions, with_images=True)
    missing = list(gathered.missing)
    pricing_error = await price_all(ctx, prices or PriceBook(), gathered.found)
    if pricing_error is not None:
        missing.append(f"savings estimates (the AWS Price List API failed): {pricing_error}")

    by_place: dict[Place, list[Found]] = defaultdict(list)
    for f in gathered.found:
        by_place[_place(f)].append(f)
    today = ctx.today()
    start, end = window(today, settings.idle_days)
    metrics, metrics_missing = await _metrics(ctx, by_place, start, end)
    missing.extend(metrics_missing)
    min_days = max(1, settings.idle_days // 2)

    findings: list[Recommendation] = []
    for place, found in by_place.items():
        volumes = {f.resource.resource_id: f for f in found if f.resource.resource_type == "volume"}
        values = metrics.get(place, {})
        for f in found:
            r = f.resource
            if r.resource_type == "volume" and r.state == "unattached":
                findings.append(_unattached_volume(f))
            elif r.resource_type == "ip" and r.state == "unattached":
                findings.append(_idle_address(f))
            elif r.resource_type == "snapshot" and r.created_at is not None:
                age = (today - r.created_at.date()).days
                orphan = str(f.extra.get("volume_id") or "") not in volumes and not f.extra.get("image_id")
                if orphan and age >= settings.old_snapshot_days:
                    findings.append(_orphan_snapshot(f, age))
            elif r.resource_type == "instance" and r.state == "stopped":
                attached = [volumes[v] for v in f.extra.get("volume_ids") or [] if v in volumes]
                if attached:
                    findings.append(_stopped_instance(f, attached))
            elif r.resource_type == "instance" and r.state == "running":
                idle = _idle_instance(f, values, min_days, settings.idle_days, settings.idle_cpu_percent)
                if idle is not None:
                    findings.append(idle)
            elif r.resource_type in ("nat_gateway", "load_balancer"):
                idle = _idle_network(f, values, start, settings.idle_days)
                if idle is not None:
                    findings.append(idle)
    findings.sort(key=lambda rec: (-rec.monthly_savings.amount, rec.recommendation_id))
    return findings, sorted(missing)

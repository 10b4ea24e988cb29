"""Our own waste rules over the inventory and CloudWatch (source ``finops-aws-rules``).

Each finding names the resource, the evidence, and an estimated monthly saving at on-demand list prices.
A rule needs evidence to fire: an instance without CloudWatch data is unknown, not idle. NAT gateways and
load balancers are different: CloudWatch publishes ``RequestCount`` only when there are requests, so a
load balancer older than the window with no datapoints had no traffic.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from finops_core.errors import FinOpsError
from finops_core.findings import Rule, WasteRules, created, ranked
from finops_core.inventory import survey
from finops_core.models import Recommendation, Resource
from finops_core.provider import ResourceType

from finops_aws.clients import Account
from finops_aws.inventory.metrics import Series, daily_values, window
from finops_aws.inventory.pricing import PriceBook
from finops_aws.inventory.resources import AwsInventory, Found, currency_of

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


def _key(r: Resource) -> str:
    return f"{r.account_id}/{r.region}/{r.resource_id}"


def _parameters(f: Found, rule: Mapping[str, str]) -> dict[str, str]:
    params = {"region": f.resource.region or "", **rule}
    if f.account.role_arn is not None:  # not the credentials' own account
        params["account_id"] = f.account.account_id
    return params


def _currency(f: Found) -> str:
    return currency_of(f.resource.region or "")


RULES = WasteRules[Found]("on-demand list prices", key=_key, parameters=_parameters, currency=_currency)
UNATTACHED_VOLUME = Rule(
    "unattached-volume", "unattached", "low", "medium", "delete_volume", {"snapshot_first": "true"}
)
UNASSOCIATED_IP = Rule("unassociated-ip", "unattached", "low", "medium", "release_ip")
ORPHAN_SNAPSHOT = Rule("orphan-snapshot", "other", "low", "medium", "delete_snapshot")
STOPPED_INSTANCE = Rule("stopped-instance-storage", "other", "medium", "medium")
IDLE_INSTANCE = Rule("idle-instance", "idle", "low", "medium", "stop_instance")
IDLE_NAT_GATEWAY = Rule("idle-nat-gateway", "idle", "medium", "medium")
IDLE_LOAD_BALANCER = Rule("idle-load-balancer", "idle", "medium", "medium")


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
    savings = RULES.savings(f)
    return RULES.finding(
        UNATTACHED_VOLUME,
        f,
        f"Delete unattached EBS volume {r.resource_id} ({r.size})",
        f"{r.size} volume attached to nothing{created(r)}; {RULES.estimate(savings)}. Deleting it takes a "
        "snapshot first, whose storage costs less than the volume.",
        savings,
    )


def _idle_address(f: Found) -> Recommendation:
    r = f.resource
    savings = RULES.savings(f)
    ip = f.extra.get("public_ip") or r.resource_id
    return RULES.finding(
        UNASSOCIATED_IP,
        f,
        f"Release unassociated Elastic IP {ip}",
        f"Elastic IP {ip} ({r.resource_id}) is associated with nothing; {RULES.estimate(savings)}. "
        "A released address cannot always be got back: check that nothing allow-lists it.",
        savings,
    )


def _orphan_snapshot(f: Found, age_days: int) -> Recommendation:
    r = f.resource
    savings = RULES.savings(f)
    source = str(f.extra.get("volume_id") or "")
    origin = (
        "was copied or made for an image (no source volume)"
        if source in ("", PLACEHOLDER_VOLUME)
        else f"its source volume {source} no longer exists"
    )
    return RULES.finding(
        ORPHAN_SNAPSHOT,
        f,
        f"Delete old snapshot {r.resource_id} ({age_days} days, source volume gone)",
        f"Snapshot of {r.size}, {age_days} days old; {origin} and no AMI of ours uses it; "
        f"{RULES.estimate(savings)} (an upper bound: snapshots store only changed blocks).",
        savings,
    )


def _stopped_instance(f: Found, volumes: list[Found]) -> Recommendation:
    r = f.resource
    costs = [v.resource.monthly_cost.amount for v in volumes if v.resource.monthly_cost]
    savings = RULES.savings(f, sum(costs, Decimal(0)) if len(costs) == len(volumes) else Decimal("0.00"))
    gib = sum(int(v.extra.get("size_gib") or 0) for v in volumes)
    listed = ", ".join(f"{v.resource.resource_id} ({v.resource.size})" for v in volumes)
    reason = str(f.extra.get("state_reason") or "")
    since = f" ({reason})" if reason else ""
    return RULES.finding(
        STOPPED_INSTANCE,
        f,
        f"Stopped instance {r.resource_id} still pays for {gib} GiB of EBS storage",
        f"{r.size} instance stopped{since}; its volumes {listed} still bill: {RULES.estimate(savings)}. If it is "
        "no longer needed, snapshot its volumes and terminate it.",
        savings,
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
    savings = RULES.savings(f)
    return RULES.finding(
        IDLE_INSTANCE,
        f,
        f"Stop idle instance {r.resource_id} ({r.size})",
        f"avg CPU {avg_cpu:.1f}%, network {mb_per_day:.1f} MB/day over {len(cpu)} of the last {days} days "
        f"(CloudWatch); stopping saves its compute: {RULES.estimate(savings)}. Its EBS volumes still bill.",
        savings,
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
    savings = RULES.savings(f)
    if r.resource_type == "nat_gateway":
        if total >= IDLE_NAT_BYTES:
            return None
        rule, what = IDLE_NAT_GATEWAY, f"NAT gateway {r.resource_id}"
        evidence = f"{total / 1_000_000:.2f} MB sent to destinations"
        advice = "Delete it if no private subnet routes through it (hourly charge only; data is extra)."
    else:
        if total > 0:
            return None
        label = "requests" if f.extra.get("type") == "application" else "active flows"
        rule, what, evidence = IDLE_LOAD_BALANCER, f"load balancer {r.name or r.resource_id}", f"no {label}"
        advice = "Delete it if nothing points at it (hourly charge only; capacity units are extra)."
    return RULES.finding(
        rule,
        f,
        f"Idle {what}",
        f"{evidence} over the last {days} days (CloudWatch); {RULES.estimate(savings)}. {advice}",
        savings,
    )


async def waste_findings(ctx: AwsContext, prices: PriceBook | None = None) -> tuple[list[Recommendation], list[str]]:
    """Waste found by our rules across every configured account and region, largest saving first, and what
    could not be checked (regions, accounts, prices or metrics that failed)."""
    settings = ctx.settings
    regions = await ctx.regions()
    kinds: Sequence[ResourceType] = ("instance", "volume", "snapshot", "ip", "nat_gateway", "load_balancer")
    gathered = await survey(AwsInventory(ctx, prices or PriceBook(), regions, with_images=True), kinds)
    missing = gathered.missing

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
    return ranked(findings, missing)

"""The AWS resource inventory: what runs (and what lingers) in each configured account and region.

Every ``describe_*`` is paged to the end. Regions and accounts are read concurrently (``ctx.fan_out``); one
that fails is named in the answer's note while the rest still answer. Costs are on-demand list-price
estimates (``pricing.py``); when the Price List API fails, resources are still listed, without a cost.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any, ClassVar

from finops_core.fanout import FanOut
from finops_core.inventory import Gathered, Read, check_request, kinds_asked, list_priced, read_all, refusal
from finops_core.models import Resource, ResourceState
from finops_core.money import Money, normalize_amount
from finops_core.provider import ResourceInventory, ResourceType

from finops_aws.clients import Account
from finops_aws.errors import aws_errors
from finops_aws.inventory import pricing
from finops_aws.inventory.pricing import PriceBook, PriceKey
from finops_aws.partitions import CHINA, partition_of

if TYPE_CHECKING:
    from botocore.client import BaseClient

    from finops_aws.context import AwsContext

# The kinds this inventory lists, in the order a person reads them.
KINDS: tuple[ResourceType, ...] = (
    "instance",
    "volume",
    "snapshot",
    "ip",
    "nat_gateway",
    "load_balancer",
    "database",
    "bucket",
)
REGIONAL: tuple[ResourceType, ...] = tuple(k for k in KINDS if k != "bucket")
COST_NOTE = (
    "monthly_cost is an estimate at on-demand list prices from the AWS Price List API (730 hours a month; "
    "no discounts, spot prices, data transfer, requests, IOPS, capacity units or RDS storage)"
)


@dataclass
class Found:
    """A resource as listed, how to price it, and the facts the waste rules need."""

    account: Account
    resource: Resource
    # (price, quantity) parts summed into the monthly cost: quantity 1 for hourly things, GiB for storage.
    parts: tuple[tuple[PriceKey, Decimal], ...] = ()
    # Costs nothing in its state (a stopped instance's compute); its storage is listed as its volumes.
    free: bool = False
    extra: dict[str, Any] = field(default_factory=lambda: dict[str, Any]())


def currency_of(region: str) -> str:
    return "CNY" if partition_of(region) is CHINA else "USD"


def _tags(items: Iterable[dict[str, Any]] | None) -> dict[str, str]:
    return {str(t["Key"]): str(t.get("Value") or "") for t in items or () if "Key" in t}


def _resource(account: Account, region: str, **fields: Any) -> Resource:
    tags: dict[str, str] = fields.get("tags") or {}
    fields.setdefault("name", tags.get("Name"))
    return Resource(provider="aws", account_id=account.account_id, region=region, **fields)


def _pages(client: Any, operation: str, key: str, **request: Any) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    for page in client.get_paginator(operation).paginate(**request):
        items.extend(page.get(key) or [])
    return items


def _listed(client: BaseClient, what: str, operation: str, key: str, **request: Any) -> list[dict[str, Any]]:
    """Every item of one paged list call of ``client`` (``what``: the items and where, for an error). The client
    is made by the caller, where the IAM policy test reads which service the code calls."""
    with aws_errors(f"listing {what}"):
        return _pages(client, operation, key, **request)


# -- one region -----------------------------------------------------------------------------------


def _instances(ctx: AwsContext, account: Account, region: str) -> list[Found]:
    ec2 = ctx.clients.client("ec2", region, account)
    reservations = _listed(ec2, f"EC2 instances in {region} ({account})", "describe_instances", "Reservations")
    states: dict[str, ResourceState] = {"running": "running", "stopping": "stopped", "stopped": "stopped"}
    out: list[Found] = []
    for reservation in reservations:
        for i in reservation.get("Instances") or []:
            native = str((i.get("State") or {}).get("Name") or "")
            if native == "terminated":
                continue
            state = states.get(native, "other")
            itype = str(i.get("InstanceType") or "")
            resource = _resource(
                account,
                region,
                resource_id=i["InstanceId"],
                resource_type="instance",
                native_type="AWS::EC2::Instance",
                state=state,
                size=itype,
                tags=_tags(i.get("Tags")),
                created_at=i.get("LaunchTime"),
            )
            volumes = [m["Ebs"]["VolumeId"] for m in i.get("BlockDeviceMappings") or [] if "Ebs" in m]
            key = pricing.ec2_instance(
                region,
                itype,
                pricing.operating_system(str(i.get("PlatformDetails") or "")),
                pricing.TENANCIES.get(str((i.get("Placement") or {}).get("Tenancy") or "default"), "Shared"),
            )
            # Spot prices are not in the Price List: a spot instance is listed without a cost.
            priced = state != "stopped" and itype and i.get("InstanceLifecycle") != "spot"
            out.append(
                Found(
                    account,
                    resource,
                    parts=((key, Decimal(1)),) if priced else (),
                    free=state == "stopped",
                    extra={"volume_ids": volumes, "state_reason": str(i.get("StateTransitionReason") or "")},
                )
            )
    return out


def _volumes(ctx: AwsContext, account: Account, region: str) -> list[Found]:
    ec2 = ctx.clients.client("ec2", region, account)
    volumes = _listed(ec2, f"EBS volumes in {region} ({account})", "describe_volumes", "Volumes")
    states: dict[str, ResourceState] = {"in-use": "in-use", "available": "unattached"}
    out: list[Found] = []
    for v in volumes:
        size, vtype = int(v.get("Size") or 0), str(v.get("VolumeType") or "")
        resource = _resource(
            account,
            region,
            resource_id=v["VolumeId"],
            resource_type="volume",
            native_type="AWS::EC2::Volume",
            state=states.get(str(v.get("State")), "other"),
            size=f"{size} GiB {vtype}".strip(),
            tags=_tags(v.get("Tags")),
            created_at=v.get("CreateTime"),
        )
        attached = [a["InstanceId"] for a in v.get("Attachments") or [] if a.get("InstanceId")]
        out.append(
            Found(
                account,
                resource,
                parts=((pricing.ebs_volume(region, vtype), Decimal(size)),),
                extra={"attached_to": attached, "size_gib": size, "volume_type": vtype},
            )
        )
    return out


def _snapshots(ctx: AwsContext, account: Account, region: str, with_images: bool) -> list[Found]:
    ec2 = ctx.clients.client("ec2", region, account)
    snapshots = _listed(
        ec2, f"EBS snapshots in {region} ({account})", "describe_snapshots", "Snapshots", OwnerIds=["self"]
    )
    image_snapshots: dict[str, str] = {}
    if with_images:  # a snapshot behind one of our AMIs cannot be deleted while the AMI exists
        for image in _listed(ec2, f"our AMIs in {region} ({account})", "describe_images", "Images", Owners=["self"]):
            for m in image.get("BlockDeviceMappings") or []:
                snapshot_id = (m.get("Ebs") or {}).get("SnapshotId")
                if snapshot_id:
                    image_snapshots[str(snapshot_id)] = str(image["ImageId"])
    out: list[Found] = []
    for s in snapshots:
        size = int(s.get("VolumeSize") or 0)
        resource = _resource(
            account,
            region,
            resource_id=s["SnapshotId"],
            resource_type="snapshot",
            native_type="AWS::EC2::Snapshot",
            state="available" if s.get("State") == "completed" else "other",
            size=f"{size} GiB",
            tags=_tags(s.get("Tags")),
            created_at=s.get("StartTime"),
        )
        out.append(
            Found(
                account,
                resource,
                # The source volume's size: an upper bound, as snapshots store only changed blocks.
                parts=((pricing.ebs_snapshot(region), Decimal(size)),),
                extra={
                    "volume_id": str(s.get("VolumeId") or ""),
                    "start_time": s.get("StartTime"),
                    "image_id": image_snapshots.get(str(s["SnapshotId"])),
                    "size_gib": size,
                },
            )
        )
    return out


def _addresses(ctx: AwsContext, account: Account, region: str) -> list[Found]:
    ec2 = ctx.clients.client("ec2", region, account)
    with aws_errors(f"listing Elastic IPs in {region} ({account})"):
        addresses: list[dict[str, Any]] = ec2.describe_addresses().get("Addresses") or []  # not paged by AWS
    out: list[Found] = []
    for a in addresses:
        associated = bool(a.get("AssociationId") or a.get("InstanceId") or a.get("NetworkInterfaceId"))
        tags = _tags(a.get("Tags"))
        resource = _resource(
            account,
            region,
            resource_id=str(a.get("AllocationId") or a.get("PublicIp")),
            name=tags.get("Name") or a.get("PublicIp"),
            resource_type="ip",
            native_type="AWS::EC2::EIP",
            state="in-use" if associated else "unattached",
            tags=tags,
        )
        out.append(
            Found(
                account,
                resource,
                parts=((pricing.elastic_ip(region, associated), Decimal(1)),),
                extra={"associated": associated, "public_ip": str(a.get("PublicIp") or "")},
            )
        )
    return out


def _nat_gateways(ctx: AwsContext, account: Account, region: str) -> list[Found]:
    ec2 = ctx.clients.client("ec2", region, account)
    gateways = _listed(ec2, f"NAT gateways in {region} ({account})", "describe_nat_gateways", "NatGateways")
    out: list[Found] = []
    for g in gateways:
        native = str(g.get("State") or "")
        if native in ("deleted", "deleting"):
            continue
        resource = _resource(
            account,
            region,
            resource_id=g["NatGatewayId"],
            resource_type="nat_gateway",
            native_type="AWS::EC2::NatGateway",
            state="available" if native == "available" else "other",
            tags=_tags(g.get("Tags")),
            created_at=g.get("CreateTime"),
        )
        out.append(Found(account, resource, parts=((pricing.nat_gateway(region), Decimal(1)),)))
    return out


def _load_balancers(ctx: AwsContext, account: Account, region: str) -> list[Found]:
    elb = ctx.clients.client("elbv2", region, account)
    with aws_errors(f"listing load balancers in {region} ({account})"):
        balancers = _pages(elb, "describe_load_balancers", "LoadBalancers")
        arns = [str(b["LoadBalancerArn"]) for b in balancers]
        tags: dict[str, dict[str, str]] = {}
        for start in range(0, len(arns), 20):  # DescribeTags takes at most 20 ARNs
            for d in elb.describe_tags(ResourceArns=arns[start : start + 20]).get("TagDescriptions") or []:
                tags[str(d["ResourceArn"])] = _tags(d.get("Tags"))
    out: list[Found] = []
    for b in balancers:
        arn, lb_type = str(b["LoadBalancerArn"]), str(b.get("Type") or "")
        key = pricing.load_balancer(region, lb_type)
        resource = _resource(
            account,
            region,
            resource_id=arn,
            name=b.get("LoadBalancerName"),
            resource_type="load_balancer",
            native_type="AWS::ElasticLoadBalancingV2::LoadBalancer",
            state="available" if (b.get("State") or {}).get("Code") == "active" else "other",
            size=lb_type or None,
            tags=tags.get(arn, {}),
            created_at=b.get("CreatedTime"),
        )
        out.append(
            Found(
                account,
                resource,
                parts=((key, Decimal(1)),) if key else (),
                # CloudWatch's LoadBalancer dimension: the ARN after "loadbalancer/" (app/name/id).
                extra={"type": lb_type, "dimension": arn.split(":loadbalancer/", 1)[-1]},
            )
        )
    return out


def _databases(ctx: AwsContext, account: Account, region: str) -> list[Found]:
    rds = ctx.clients.client("rds", region, account)
    instances = _listed(rds, f"RDS instances in {region} ({account})", "describe_db_instances", "DBInstances")
    states: dict[str, ResourceState] = {"available": "running", "stopped": "stopped", "stopping": "stopped"}
    out: list[Found] = []
    for d in instances:
        state = states.get(str(d.get("DBInstanceStatus")), "other")
        klass, engine = str(d.get("DBInstanceClass") or ""), str(d.get("Engine") or "")
        storage = f"{d.get('AllocatedStorage') or 0} GiB {d.get('StorageType') or ''}".strip()
        key = pricing.rds_instance(region, klass, engine, bool(d.get("MultiAZ")))
        resource = _resource(
            account,
            region,
            resource_id=d["DBInstanceIdentifier"],
            name=d["DBInstanceIdentifier"],
            resource_type="database",
            native_type="AWS::RDS::DBInstance",
            state=state,
            size=f"{klass} {engine} {storage}",
            tags=_tags(d.get("TagList")),
            created_at=d.get("InstanceCreateTime"),
        )
        stopped = state == "stopped"
        out.append(Found(account, resource, parts=((key, Decimal(1)),) if key and not stopped else (), free=stopped))
    return out


def _collect_region(
    ctx: AwsContext, account: Account, region: str, kinds: Sequence[ResourceType], with_images: bool
) -> list[Found]:
    readers: dict[ResourceType, Callable[[], list[Found]]] = {
        "instance": lambda: _instances(ctx, account, region),
        "volume": lambda: _volumes(ctx, account, region),
        "snapshot": lambda: _snapshots(ctx, account, region, with_images),
        "ip": lambda: _addresses(ctx, account, region),
        "nat_gateway": lambda: _nat_gateways(ctx, account, region),
        "load_balancer": lambda: _load_balancers(ctx, account, region),
        "database": lambda: _databases(ctx, account, region),
    }
    found: list[Found] = []
    for kind in kinds:
        found.extend(readers[kind]())
    return found


# -- S3: one global list per account ---------------------------------------------------------------


def _collect_buckets(ctx: AwsContext, account: Account, home: str, regions: set[str]) -> list[Found]:
    from botocore.exceptions import ClientError

    s3 = ctx.clients.client("s3", home, account)
    buckets = _listed(s3, f"S3 buckets ({account})", "list_buckets", "Buckets")
    out: list[Found] = []
    for b in buckets:
        name = str(b["Name"])
        region = b.get("BucketRegion")
        if not region:  # older S3 answers lack BucketRegion
            with aws_errors(f"finding the region of S3 bucket {name} ({account})"):
                constraint = s3.get_bucket_location(Bucket=name).get("LocationConstraint")
            region = {None: "us-east-1", "": "us-east-1", "EU": "eu-west-1"}.get(constraint, constraint)
        region = str(region)
        if region not in regions:
            continue
        tags: dict[str, str] = {}
        with aws_errors(f"reading the tags of S3 bucket {name} in {region} ({account})"):
            try:
                tags = _tags(ctx.clients.client("s3", region, account).get_bucket_tagging(Bucket=name).get("TagSet"))
            except ClientError as exc:
                if exc.response.get("Error", {}).get("Code") != "NoSuchTagSet":
                    raise
        resource = _resource(
            account,
            region,
            resource_id=name,
            name=name,
            resource_type="bucket",
            native_type="AWS::S3::Bucket",
            state="available",
            tags=tags,
            created_at=b.get("CreationDate"),
        )
        out.append(Found(account, resource))
    return out


# -- gathering and pricing -------------------------------------------------------------------------


async def gather(
    ctx: AwsContext, kinds: Sequence[ResourceType], regions: Sequence[str], *, with_images: bool = False
) -> Gathered[Found]:
    """Every resource of ``kinds`` in ``regions`` of every account, and what could not be read.

    Raises the error itself only when nothing at all could be read.
    """
    reads: list[Read[Found]] = []
    regional: list[ResourceType] = [k for k in kinds if k in REGIONAL]
    if regional:

        def region_fn(account: Account, region: str) -> list[Found]:
            return _collect_region(ctx, account, region, regional, with_images)

        async def read_regions() -> Gathered[Found]:
            out: FanOut[list[Found]] = await ctx.fan_out(region_fn, regions=regions)
            return Gathered([f for part in out.results for f in part], out.missing)

        reads.append(Read(read_regions, lambda exc: f"every region ({', '.join(regions)}): {exc}"))
    if "bucket" in kinds:
        home = await ctx.run(ctx.clients.home_region)
        wanted = set(regions)

        def bucket_fn(account: Account, region: str) -> list[Found]:
            return _collect_buckets(ctx, account, region, wanted)

        async def read_buckets() -> Gathered[Found]:
            out: FanOut[list[Found]] = await ctx.fan_out(bucket_fn, regions=[home])
            return Gathered([f for part in out.results for f in part], [f"S3 buckets: {line}" for line in out.missing])

        reads.append(Read(read_buckets, lambda exc: f"S3 buckets: {exc}"))
    return await read_all(reads)


@dataclass
class AwsInventory:
    """The AWS parts of the inventory template: ``regions`` of every account, priced from ``book``."""

    ctx: AwsContext
    book: PriceBook
    regions: Sequence[str]
    with_images: bool = False  # read our AMIs too: the waste rules spare the snapshots behind them
    prices_failed: ClassVar[str] = "the AWS Price List API failed"

    async def gather(self, kinds: Sequence[ResourceType]) -> Gathered[Found]:
        return await gather(self.ctx, kinds, self.regions, with_images=self.with_images)

    async def price(self, found: list[Found]) -> str | None:
        """Fill each resource's estimated ``monthly_cost``; the Price List API's error if prices are missing."""
        keys = [key for f in found for key, _ in f.parts]
        prices, error = await self.book.resolve(self.ctx, keys)
        for f in found:
            currency = currency_of(f.resource.region or "")
            total: Decimal | None = Decimal(0) if f.free or f.parts else None
            for key, quantity in f.parts:
                price = prices.get(key)
                monthly = price.monthly(quantity) if price is not None and price.currency == currency else None
                if monthly is None or total is None:
                    total = None
                    break
                total += monthly
            if total is not None:
                cost = Money(amount=normalize_amount(total), currency=currency)
                f.resource = f.resource.model_copy(update={"monthly_cost": cost, "monthly_cost_is_estimate": True})
        return error


def _source(accounts: int | None, regions: Sequence[str]) -> str:
    scope = f"{accounts} account{'s' if accounts != 1 else ''}; " if accounts is not None else ""
    return f"AWS EC2, ELBv2, RDS and S3 APIs ({scope}regions {', '.join(regions)}). {COST_NOTE}."


async def list_resources(
    ctx: AwsContext,
    resource_type: ResourceType | None = None,
    region: str | None = None,
    limit: int = 100,
    prices: PriceBook | None = None,
) -> ResourceInventory:
    """Resources of every configured account and region, most expensive first (estimated monthly cost).

    ``prices`` is the provider's ``PriceBook`` (kept for its lifetime); a fresh one is used without it.
    """
    check_request(resource_type, limit)
    configured = await ctx.regions()
    if region is not None and region not in configured:
        return refusal(
            "aws",
            _source(None, configured),
            f"Region {region} is not configured for the AWS server; it inventories {', '.join(configured)}. "
            "Ask for one of those, or add the region to regions in [aws] of finops.toml.",
        )
    if resource_type == "other":
        note = f"The AWS inventory lists {', '.join(KINDS)}; nothing is classed 'other'. Ask for one of those."
        return refusal("aws", _source(None, configured), note)
    regions = [region] if region is not None else list(configured)
    listing = await list_priced(AwsInventory(ctx, prices or PriceBook(), regions), kinds_asked(resource_type, KINDS))
    accounts = len(await ctx.accounts())
    what = f"{resource_type} resources" if resource_type else "resources"
    accounts_named = f" for any of the {accounts} accounts." if accounts > 1 else "."
    retry = " Try without the type filter, or another region." if resource_type or region else ""
    return listing.answer(
        "aws",
        limit,
        source=_source(accounts, regions),
        nothing_found=f"No {what} found in {', '.join(regions)}{accounts_named}{retry}",
    )

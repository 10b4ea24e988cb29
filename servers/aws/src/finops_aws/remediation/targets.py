"""Finding the resource an action names: which kind it is, in which account and region, and its current record.

An action names a plain id (``i-...``, ``vol-...``, ``snap-...``, ``eipalloc-...`` or a public IPv4 address, or an
S3 bucket name) and, in ``parameters``, its ``region`` and ``account_id``. Without ``account_id`` the credentials'
own account is used; without ``region`` every configured region is searched. A bucket's region is asked of S3.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import anyio
from finops_core.errors import FinOpsError, InvalidInput, NotFound

from finops_aws.clients import Account
from finops_aws.errors import aws_errors

if TYPE_CHECKING:
    from finops_aws.context import AwsContext

TargetKind = Literal["instance", "volume", "snapshot", "ip", "bucket"]
KIND_NAMES: dict[TargetKind, str] = {
    "instance": "an EC2 instance (i-...)",
    "volume": "an EBS volume (vol-...)",
    "snapshot": "an EBS snapshot (snap-...)",
    "ip": "an Elastic IP (eipalloc-... or its address)",
    "bucket": "an S3 bucket (its name)",
}
# Parameters that say where the resource is; every other parameter belongs to the action (set_tags: the tags).
PLACE_PARAMETERS = ("region", "account_id")
_BUCKET = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
_PREFIXES: tuple[tuple[str, TargetKind], ...] = (
    ("i-", "instance"),
    ("vol-", "volume"),
    ("snap-", "snapshot"),
    ("eipalloc-", "ip"),
)


@dataclass(frozen=True)
class Target:
    """A resource found: its kind, id, where it is, a client for its service there, and its described record."""

    kind: TargetKind
    resource_id: str
    account: Account
    region: str
    client: Any = field(repr=False)
    record: dict[str, Any] = field(repr=False)

    @property
    def where(self) -> str:
        return f"in {self.region}, account {self.account.account_id}"

    @property
    def tags(self) -> dict[str, str]:
        return tags_of(self.record)

    def label(self) -> str:
        """``i-0abc (web-1)``: the id, with its Name tag when it has one."""
        name = self.tags.get("Name")
        return f"{self.resource_id} ({name})" if name else self.resource_id


def tags_of(record: dict[str, Any]) -> dict[str, str]:
    """``Tags``/``TagSet`` ([{Key, Value}]) as a dict."""
    pairs = record.get("Tags") or record.get("TagSet") or []
    return {str(t["Key"]): str(t.get("Value", "")) for t in pairs}


def kind_of_id(resource_id: str) -> TargetKind:
    """Which kind of resource ``resource_id`` names, from its form, or an ``InvalidInput`` saying which forms work."""
    for prefix, kind in _PREFIXES:
        if resource_id.startswith(prefix):
            return kind
    try:
        if isinstance(ipaddress.ip_address(resource_id), ipaddress.IPv4Address):
            return "ip"
    except ValueError:
        pass
    if _BUCKET.match(resource_id) and ".." not in resource_id:
        return "bucket"
    raise InvalidInput(
        f"{resource_id!r} is not an id this server can change: use an instance (i-...), volume (vol-...), snapshot "
        "(snap-...), Elastic IP (eipalloc-... or its address) or S3 bucket name, as listed by aws_list_resources."
    )


async def resolve(ctx: AwsContext, resource_id: str, parameters: dict[str, str]) -> Target:
    """The resource ``resource_id`` names, found in ``parameters['account_id']``'s account (default: the
    credentials' own) and ``parameters['region']`` (default: each configured region in turn)."""
    kind = kind_of_id(resource_id)
    account = await _account(ctx, parameters.get("account_id"))
    if kind == "bucket":
        return await ctx.run(_bucket, ctx, resource_id, account)
    region = (parameters.get("region") or "").strip()
    regions = [region] if region else await ctx.regions()
    found: list[Target] = []
    errors: list[tuple[str, FinOpsError]] = []

    async def look(r: str) -> None:  # never raises: an exception in a task group arrives as an ExceptionGroup
        try:
            target = await ctx.run(_ec2_target, ctx, kind, resource_id, account, r)
        except NotFound:
            return
        except FinOpsError as exc:
            errors.append((r, exc))
            return
        if target is not None:
            found.append(target)

    async with anyio.create_task_group() as tg:
        for r in regions:
            tg.start_soon(look, r)
    if found:
        return found[0]
    if errors and len(errors) == len(regions):
        raise errors[0][1]
    unreachable = "".join(f" Could not search {r}: {exc}" for r, exc in sorted(errors, key=lambda e: e[0]))
    raise NotFound(
        f"No {KIND_NAMES[kind]} {resource_id!r} in {account} ({', '.join(regions)}).{unreachable} Check the id with "
        "aws_list_resources and pass parameters.region (and parameters.account_id for a member account).",
        provider="aws",
    )


async def _account(ctx: AwsContext, account_id: str | None) -> Account:
    accounts = await ctx.accounts()
    if not account_id:
        return accounts[0]
    for account in accounts:
        if account.account_id == account_id.strip():
            return account
    known = ", ".join(a.account_id for a in accounts)
    raise NotFound(
        f"Account {account_id} is not one this server reaches (it reaches {known}). Add its role to role_arns in "
        "[aws] of finops.toml, or pass one of these account ids.",
        provider="aws",
    )


def _ec2_target(ctx: AwsContext, kind: TargetKind, resource_id: str, account: Account, region: str) -> Target | None:
    ec2 = ctx.clients.client("ec2", region, account)
    record = describe_ec2(ec2, kind, resource_id, f"{region}, {account}")
    if record is None:
        return None
    real_id = str(record.get("AllocationId") or resource_id) if kind == "ip" else resource_id
    return Target(kind, real_id, account, region, ec2, record)


def describe_ec2(ec2: Any, kind: TargetKind, resource_id: str, where: str) -> dict[str, Any] | None:
    """The describe_* record of an EC2 resource, or None when it does not exist (NotFound is raised by the call)."""
    with aws_errors(f"describing {resource_id} in {where}"):
        if kind == "instance":
            reservations = ec2.describe_instances(InstanceIds=[resource_id])["Reservations"]
            found = [i for r in reservations for i in r["Instances"]]
        elif kind == "volume":
            found = ec2.describe_volumes(VolumeIds=[resource_id])["Volumes"]
        elif kind == "snapshot":
            found = ec2.describe_snapshots(SnapshotIds=[resource_id])["Snapshots"]
        elif resource_id.startswith("eipalloc-"):
            found = ec2.describe_addresses(AllocationIds=[resource_id])["Addresses"]
        else:
            found = ec2.describe_addresses(PublicIps=[resource_id])["Addresses"]
    return found[0] if found else None


def _bucket(ctx: AwsContext, bucket: str, account: Account) -> Target:
    home = ctx.clients.home_region()
    with aws_errors(f"finding the region of S3 bucket {bucket} ({account})"):
        location = ctx.clients.client("s3", home, account).get_bucket_location(Bucket=bucket)
    # us-east-1 answers no constraint; very old eu-west-1 buckets answer "EU".
    region = {None: "us-east-1", "": "us-east-1", "EU": "eu-west-1"}.get(
        location.get("LocationConstraint"), str(location.get("LocationConstraint"))
    )
    s3 = ctx.clients.client("s3", region, account)
    return Target("bucket", bucket, account, region, s3, {"TagSet": bucket_tags(s3, bucket, f"{region}, {account}")})


def bucket_tags(s3: Any, bucket: str, where: str) -> list[dict[str, str]]:
    """The bucket's tag set; a bucket never tagged answers NoSuchTagSet, which is an empty set."""
    from botocore.exceptions import ClientError

    with aws_errors(f"reading the tags of S3 bucket {bucket} ({where})"):
        try:
            return list(s3.get_bucket_tagging(Bucket=bucket)["TagSet"])
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == "NoSuchTagSet":
                return []
            raise

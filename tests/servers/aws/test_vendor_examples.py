"""AWS's own examples, replayed through the adapter: what the service teams wrote as an answer is what we read.

botocore ships example answers (``examples-1.json``) for these operations we call: Pricing GetProducts,
Organizations DescribeOrganization, STS GetCallerIdentity, EC2 DescribeVolumes / DescribeSnapshots /
DescribeImages / DescribeAddresses / DescribeNatGateways / DescribeRegions, Elastic Load Balancing
DescribeLoadBalancers / DescribeTags, and S3 GetBucketLocation / GetBucketTagging / GetBucketLifecycleConfiguration /
GetBucketVersioning.
``ExampleFake`` serves each over HTTP in its service's protocol; the normalized result is asserted field by field.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from decimal import Decimal
from xml.etree import ElementTree

import pytest
from finops_aws.clients import Account
from finops_aws.context import AwsContext
from finops_aws.costs import CostExplorer
from finops_aws.inventory import PriceBook
from finops_aws.inventory.pricing import UnitPrice, ebs_volume
from finops_aws.inventory.resources import gather
from finops_aws.partitions import AWS

from tests.fakes.aws.examples import ExampleFake
from tests.fakes.aws.json_service import AwsJsonFake
from tests.servers.aws.conftest import endpoints

pytestmark = pytest.mark.anyio


@pytest.fixture
def examples() -> Iterator[ExampleFake]:
    with ExampleFake() as served:
        yield served


@pytest.fixture
def on_examples(
    aws_context: Callable[..., AwsContext], moto: str, fake: AwsJsonFake, examples: ExampleFake
) -> Callable[..., AwsContext]:
    """``on_examples(*services, **settings)``: a context whose ``services`` answer from the examples (the rest
    from moto and the JSON fake, never from AWS itself)."""

    def make(*services: str, **settings: object) -> AwsContext:
        urls = {**endpoints(moto, fake), **dict.fromkeys(services, examples.url)}
        return aws_context(endpoint_urls=urls, **settings)

    return make


async def test_the_price_list_example_is_read_as_its_exact_price_across_its_pages(
    on_examples: Callable[..., AwsContext], examples: ExampleFake
) -> None:
    examples.serve("pricing", "GetProducts")  # io1 storage in Canada (Central), as a PriceList JSON string
    book = PriceBook()
    key = ebs_volume("ca-central-1", "io1")
    prices, error = await book.resolve(on_examples("pricing"), [key])
    assert error is None
    assert prices == {key: UnitPrice(Decimal("0.1380000000"), "GB-Mo", "USD")}
    assert prices[key].monthly(Decimal(100)) == Decimal("13.8000000000")
    assert examples.calls == [("pricing", "GetProducts")] * 2  # the example's NextToken was followed
    assert book.requests == 2


@pytest.mark.parametrize("index", [0, 1, 2], ids=["user", "assumed-role", "federated-user"])
async def test_each_caller_identity_example_names_its_account(
    on_examples: Callable[..., AwsContext], examples: ExampleFake, index: int
) -> None:
    examples.serve("sts", "GetCallerIdentity", index)
    assert await on_examples("sts").accounts() == [Account("123456789012", AWS)]


async def test_the_organization_example_names_the_payer_account(
    on_examples: Callable[..., AwsContext], examples: ExampleFake
) -> None:
    examples.serve("sts", "GetCallerIdentity")
    examples.serve("organizations", "DescribeOrganization")
    assert await CostExplorer(on_examples("sts", "organizations")).payer_account() == "111111111111"


async def test_the_ec2_and_load_balancer_examples_become_the_inventory(
    on_examples: Callable[..., AwsContext], examples: ExampleFake
) -> None:
    examples.serve("sts", "GetCallerIdentity")
    for operation in ("DescribeVolumes", "DescribeSnapshots", "DescribeImages", "DescribeAddresses"):
        examples.serve("ec2", operation)
    examples.serve("ec2", "DescribeNatGateways")
    examples.serve("elbv2", "DescribeLoadBalancers")
    examples.serve("elbv2", "DescribeTags")
    ctx = on_examples("sts", "ec2", "elbv2", regions=["us-west-2"])
    kinds = ["volume", "snapshot", "ip", "nat_gateway", "load_balancer"]
    gathered = await gather(ctx, kinds, ["us-west-2"], with_images=True)  # type: ignore[arg-type]
    assert gathered.missing == []
    found = {(f.resource.resource_type, f.resource.resource_id): f for f in gathered.found}
    assert sorted(found) == [
        ("ip", "198.51.100.0"),  # an EC2-Classic address has no allocation id: its IP names it
        ("ip", "eipalloc-12345678"),
        (
            "load_balancer",
            "arn:aws:elasticloadbalancing:us-west-2:123456789012:loadbalancer/app/my-load-balancer/50dc6c495c0c9188",
        ),
        ("nat_gateway", "nat-05dba92075d71c408"),
        ("snapshot", "snap-1234567890abcdef0"),
        ("volume", "vol-049df61146c4d7901"),
    ]
    volume = found[("volume", "vol-049df61146c4d7901")]
    assert (volume.resource.state, volume.resource.size) == ("in-use", "8 GiB standard")
    assert volume.resource.created_at == datetime(2013, 12, 18, 22, 35, tzinfo=UTC)
    assert volume.extra["attached_to"] == ["i-1234567890abcdef0"]
    snapshot = found[("snapshot", "snap-1234567890abcdef0")]
    assert (snapshot.resource.state, snapshot.resource.size) == ("available", "8 GiB")
    assert snapshot.extra["volume_id"] == "vol-049df61146c4d7901"
    assert snapshot.extra["image_id"] == "ami-5731123e"  # the DescribeImages example's AMI is built on it
    assert {f.resource.state for (kind, _), f in found.items() if kind == "ip"} == {"in-use"}
    assert found[("nat_gateway", "nat-05dba92075d71c408")].resource.state == "available"
    [balancer] = [f for (kind, _), f in found.items() if kind == "load_balancer"]
    assert balancer.resource.name == "my-load-balancer"
    assert (balancer.resource.state, balancer.resource.size) == ("available", "application")
    assert balancer.resource.tags == {"project": "lima", "department": "digital-media"}
    assert balancer.extra["dimension"] == "app/my-load-balancer/50dc6c495c0c9188"
    assert {f.resource.account_id for f in gathered.found} == {"123456789012"}


async def test_with_every_region_asked_for_the_regions_example_is_the_list(
    on_examples: Callable[..., AwsContext], examples: ExampleFake
) -> None:
    examples.serve("ec2", "DescribeRegions")
    regions = await on_examples("ec2", regions=["all"]).regions()
    assert regions == sorted(regions)
    assert len(regions) == 11
    assert {"us-east-1", "eu-west-1", "ap-south-1", "sa-east-1"} <= set(regions)


async def test_a_lifecycle_rule_added_next_to_the_examples_pre_v2_rule_takes_its_form(
    on_examples: Callable[..., AwsContext], examples: ExampleFake
) -> None:
    from finops_aws.remediation import apply_remediation, plan_remediation
    from finops_core.models import RemediationAction

    examples.serve("sts", "GetCallerIdentity")
    examples.serve("s3", "GetBucketLocation")  # us-west-2
    examples.serve("s3", "GetBucketTagging")  # key1=value1, key2=value2
    legacy = examples.serve("s3", "GetBucketLifecycleConfiguration")["output"]["Rules"][0]
    examples.serve("s3", "GetBucketVersioning")  # Enabled
    assert "Prefix" in legacy
    assert "Filter" not in legacy  # the form S3 had before lifecycle V2
    ctx = on_examples("sts", "s3")
    action = RemediationAction(
        provider="aws", kind="add_lifecycle_rule", resource_id="examplebucket", parameters={"expire_days": "30"}
    )
    plan = await plan_remediation(ctx, action)
    assert "us-west-2" in plan.summary
    assert "the bucket is versioned" in plan.summary
    assert plan.before["lifecycle_rules"] == [legacy]
    ours = {"ID": "finops-expire-30d", "Prefix": "", "Status": "Enabled", "Expiration": {"Days": 30}}
    assert plan.expected_after["lifecycle_rules"] == [legacy, ours]
    await apply_remediation(ctx, action)
    [sent] = examples.bodies["PutBucketLifecycleConfiguration"]
    ns = "{http://s3.amazonaws.com/doc/2006-03-01/}"
    rules = ElementTree.fromstring(sent).findall(f"{ns}Rule")
    # S3 refuses a Filter next to a pre-V2 rule ("Filter element can only be used in Lifecycle V2").
    assert [[child.tag.removeprefix(ns) for child in rule] for rule in rules] == [
        ["ID", "Prefix", "Status", "Transition"],
        ["ID", "Prefix", "Status", "Expiration"],
    ]
    assert [rule.findtext(f"{ns}Prefix") for rule in rules] == ["TaxDocs", ""]

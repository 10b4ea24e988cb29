"""The inventory over moto (EC2, ELBv2, RDS, S3) with list prices from the Price List fake."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from finops_aws.context import AwsContext
from finops_aws.inventory import PriceBook, list_resources
from finops_core.money import Money

from tests.fakes.aws.json_service import AwsJsonFake
from tests.fakes.aws.pricing import TARGET
from tests.servers.aws.inventory.conftest import MEMBER_ROLE, run_instance, subnets

pytestmark = pytest.mark.anyio

Aws = Callable[..., Any]


def usd(amount: str) -> Money:
    return Money(amount=Decimal(amount), currency="USD")


def build_estate(aws: Aws) -> dict[str, str]:
    """A little of everything in us-east-1, an instance and a bucket in eu-west-1."""
    ec2 = aws("ec2")
    ids: dict[str, str] = {}
    ids["web"] = run_instance(ec2, "t3.micro", Name="web", team="shop")
    ids["batch"] = run_instance(ec2, "m5.large")
    ec2.stop_instances(InstanceIds=[ids["batch"]])
    ids["data"] = ec2.create_volume(
        AvailabilityZone="us-east-1a",
        Size=100,
        VolumeType="gp3",
        TagSpecifications=[{"ResourceType": "volume", "Tags": [{"Key": "team", "Value": "data"}]}],
    )["VolumeId"]
    ids["snap"] = ec2.create_snapshot(VolumeId=ids["data"])["SnapshotId"]
    ids["eip"] = ec2.allocate_address(Domain="vpc")["AllocationId"]
    subnet_ids = subnets(ec2)
    nat_ip = ec2.allocate_address(Domain="vpc")["AllocationId"]
    ids["nat_ip"] = nat_ip
    ids["nat"] = ec2.create_nat_gateway(SubnetId=subnet_ids[0], AllocationId=nat_ip)["NatGateway"]["NatGatewayId"]
    lb = aws("elbv2").create_load_balancer(Name="shop", Subnets=subnet_ids, Type="application")["LoadBalancers"][0]
    ids["lb"] = lb["LoadBalancerArn"]
    aws("elbv2").add_tags(ResourceArns=[ids["lb"]], Tags=[{"Key": "team", "Value": "shop"}])
    aws("rds").create_db_instance(
        DBInstanceIdentifier="orders",
        DBInstanceClass="db.t3.micro",
        Engine="postgres",
        AllocatedStorage=20,
        MasterUsername="admin",
        MasterUserPassword="password-password",
        Tags=[{"Key": "team", "Value": "shop"}],
    )
    aws("s3").create_bucket(Bucket="finops-logs-use1")
    eu_s3 = aws("s3", "eu-west-1")
    eu_s3.create_bucket(Bucket="finops-data-euw1", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    eu_s3.put_bucket_tagging(Bucket="finops-data-euw1", Tagging={"TagSet": [{"Key": "team", "Value": "data"}]})
    ids["eu_web"] = run_instance(aws("ec2", "eu-west-1"), "t3.micro", Name="eu-web")
    return ids


async def test_the_inventory_lists_every_kind_in_both_regions_with_states_tags_and_list_price_costs(
    aws_context: Callable[..., AwsContext], aws: Aws, prices: AwsJsonFake
) -> None:
    ids = build_estate(aws)
    inventory = await list_resources(aws_context(), limit=100)

    by_id = {r.resource_id: r for r in inventory.resources}
    assert inventory.note is None
    assert inventory.total == len(inventory.resources)
    assert not inventory.truncated
    assert "list prices" in inventory.source
    assert "estimate" in inventory.source
    assert {r.region for r in inventory.resources} == {"us-east-1", "eu-west-1"}

    web = by_id[ids["web"]]
    assert (web.resource_type, web.native_type, web.state, web.size) == (
        "instance",
        "AWS::EC2::Instance",
        "running",
        "t3.micro",
    )
    assert web.name == "web"
    assert web.tags == {"Name": "web", "team": "shop"}
    assert web.monthly_cost == usd("7.592")
    assert web.monthly_cost_is_estimate
    assert by_id[ids["eu_web"]].monthly_cost == usd("8.322")
    assert (by_id[ids["batch"]].state, by_id[ids["batch"]].monthly_cost) == ("stopped", usd("0.00"))
    data = by_id[ids["data"]]
    assert (data.state, data.size, data.tags, data.monthly_cost) == (
        "unattached",
        "100 GiB gp3",
        {"team": "data"},
        usd("8.00"),
    )
    assert by_id[ids["snap"]].monthly_cost == usd("5.00")  # 100 GiB × 0.05 (standard tier, not archive)
    assert (by_id[ids["eip"]].state, by_id[ids["eip"]].monthly_cost) == ("unattached", usd("3.65"))
    assert (by_id[ids["nat_ip"]].state, by_id[ids["nat_ip"]].monthly_cost) == ("in-use", usd("3.65"))
    assert by_id[ids["nat"]].monthly_cost == usd("32.85")
    lb = by_id[ids["lb"]]
    assert (lb.resource_type, lb.name, lb.size, lb.tags, lb.monthly_cost) == (
        "load_balancer",
        "shop",
        "application",
        {"team": "shop"},
        usd("16.425"),
    )
    db = by_id["orders"]
    assert (db.resource_type, db.state, db.size, db.tags, db.monthly_cost) == (
        "database",
        "running",
        "db.t3.micro postgres 20 GiB gp2",
        {"team": "shop"},
        usd("13.14"),
    )
    buckets = {r.resource_id: r for r in inventory.resources if r.resource_type == "bucket"}
    assert {b: (r.region, r.tags, r.monthly_cost) for b, r in buckets.items()} == {
        "finops-logs-use1": ("us-east-1", {}, None),
        "finops-data-euw1": ("eu-west-1", {"team": "data"}, None),
    }
    costs = [r.monthly_cost.amount if r.monthly_cost else Decimal(-1) for r in inventory.resources]
    assert costs == sorted(costs, reverse=True)
    assert inventory.resources[0].resource_id == ids["nat"]


async def test_a_limit_keeps_the_most_expensive_and_says_how_many_matched(
    aws_context: Callable[..., AwsContext], aws: Aws, prices: AwsJsonFake
) -> None:
    build_estate(aws)
    everything = await list_resources(aws_context())
    top = await list_resources(aws_context(), limit=2)
    assert top.total == everything.total > 2
    assert top.truncated
    assert [r.resource_id for r in top.resources] == [r.resource_id for r in everything.resources[:2]]


async def test_type_and_region_filters_narrow_the_answer(
    aws_context: Callable[..., AwsContext], aws: Aws, prices: AwsJsonFake
) -> None:
    ids = build_estate(aws)
    ctx = aws_context()
    instances = await list_resources(ctx, resource_type="instance")
    assert {r.resource_id for r in instances.resources} == {ids["web"], ids["batch"], ids["eu_web"]}
    in_eu = await list_resources(ctx, region="eu-west-1")
    assert {r.resource_id for r in in_eu.resources} == {ids["eu_web"], "finops-data-euw1"} | {
        r.resource_id for r in in_eu.resources if r.resource_type == "volume"
    }
    assert all(r.region == "eu-west-1" for r in in_eu.resources)
    eu_buckets = await list_resources(ctx, resource_type="bucket", region="eu-west-1")
    assert [r.resource_id for r in eu_buckets.resources] == ["finops-data-euw1"]


async def test_a_filter_that_matches_nothing_says_why(
    aws_context: Callable[..., AwsContext], aws: Aws, prices: AwsJsonFake
) -> None:
    ctx = aws_context()
    elsewhere = await list_resources(ctx, region="ap-south-1")
    assert elsewhere.resources == []
    assert elsewhere.total == 0
    assert "ap-south-1 is not configured" in (elsewhere.note or "")
    assert "us-east-1, eu-west-1" in (elsewhere.note or "")

    none = await list_resources(ctx, resource_type="nat_gateway", region="eu-west-1")
    assert none.resources == []
    assert "No nat_gateway resources found in eu-west-1" in (none.note or "")


async def test_a_region_that_cannot_be_read_is_named_and_the_rest_still_answer(
    aws_context: Callable[..., AwsContext], aws: Aws, prices: AwsJsonFake
) -> None:
    web = run_instance(aws("ec2"))
    # moto has no such region and answers 500: the same as a region whose endpoint is down.
    ctx = aws_context(regions=["us-east-1", "xx-nowhere-1"])
    inventory = await list_resources(ctx, resource_type="instance")
    assert [r.resource_id for r in inventory.resources] == [web]
    assert inventory.note is not None
    assert "Partial answer" in inventory.note
    assert "xx-nowhere-1" in inventory.note


async def test_when_the_price_list_api_fails_resources_are_listed_without_costs(
    aws_context: Callable[..., AwsContext], aws: Aws, prices: AwsJsonFake
) -> None:
    web = run_instance(aws("ec2"))
    prices.fail(TARGET, "error5xx", times=1)
    inventory = await list_resources(aws_context(), resource_type="instance")
    assert [(r.resource_id, r.monthly_cost) for r in inventory.resources] == [(web, None)]
    assert "Price List API failed" in (inventory.note or "")
    assert len(prices.calls(TARGET)) == 1  # one failure stops the other price look-ups


async def test_prices_are_fetched_once_per_price_book(
    aws_context: Callable[..., AwsContext], aws: Aws, prices: AwsJsonFake
) -> None:
    run_instance(aws("ec2"))
    run_instance(aws("ec2"))
    book, ctx = PriceBook(), aws_context()
    first = await list_resources(ctx, resource_type="instance", prices=book)
    calls = len(prices.calls(TARGET))
    again = await list_resources(ctx, resource_type="instance", prices=book)
    assert calls >= 1
    assert len(prices.calls(TARGET)) == calls
    assert first.resources == again.resources
    assert [r.monthly_cost for r in again.resources] == [usd("7.592")] * 2


async def test_every_account_behind_a_role_is_inventoried_too(
    aws_context: Callable[..., AwsContext], aws: Aws, member: Aws, prices: AwsJsonFake
) -> None:
    own = run_instance(aws("ec2"))
    theirs = member("ec2").create_volume(AvailabilityZone="us-east-1a", Size=100, VolumeType="gp3")["VolumeId"]
    inventory = await list_resources(aws_context(role_arns=[MEMBER_ROLE]), region="us-east-1")
    accounts = {r.resource_id: r.account_id for r in inventory.resources}
    assert accounts[own] == "123456789012"
    assert accounts[theirs] == "222233334444"
    assert "2 accounts" in inventory.source

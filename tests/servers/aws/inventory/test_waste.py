"""Our waste rules over moto and CloudWatch datapoints put in moto, with list prices from the fake."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from finops_aws.context import AwsContext
from finops_aws.inventory import waste_findings
from finops_core.models import Recommendation
from finops_core.money import Money

from tests.fakes.aws.json_service import AwsJsonFake
from tests.fakes.aws.pricing import TARGET
from tests.servers.aws.inventory.conftest import MEMBER_ROLE, put_daily, run_instance, subnets

pytestmark = pytest.mark.anyio

Aws = Callable[..., Any]
# moto stamps resources with the real clock, so rules are judged from the real today (moved by the tests).
TODAY = datetime.now(UTC).date()


def usd(amount: str) -> Money:
    return Money(amount=Decimal(amount), currency="USD")


def context(make: Callable[..., AwsContext], today: date = TODAY, **settings: Any) -> AwsContext:
    ctx = make(**settings)
    ctx.today = lambda: today
    return ctx


def by_rule(findings: list[Recommendation], rule: str) -> dict[str, Recommendation]:
    return {f.resource_id or "": f for f in findings if f"/{rule}/" in f.recommendation_id}


def only(findings: list[Recommendation], rule: str, resource_id: str) -> Recommendation:
    """The one finding of ``rule``, which must be about ``resource_id`` alone."""
    found = by_rule(findings, rule)
    assert list(found) == [resource_id]
    return found[resource_id]


async def test_an_unattached_volume_is_waste_and_an_attached_one_is_not(
    aws_context: Callable[..., AwsContext], aws: Aws, prices: AwsJsonFake
) -> None:
    ec2 = aws("ec2")
    loose = ec2.create_volume(AvailabilityZone="us-east-1a", Size=100, VolumeType="gp3")["VolumeId"]
    web = run_instance(ec2)  # its root volume is attached
    findings, missing = await waste_findings(context(aws_context))
    volume = only(findings, "unattached-volume", loose)
    finding = volume
    assert (finding.source, finding.kind, finding.account_id, finding.region) == (
        "finops-aws-rules",
        "unattached",
        "123456789012",
        "us-east-1",
    )
    assert finding.monthly_savings == usd("8.00")
    assert "estimate" in (finding.detail or "")
    assert finding.action is not None
    assert (finding.action.kind, finding.action.resource_id, finding.action.parameters) == (
        "delete_volume",
        loose,
        {"region": "us-east-1", "snapshot_first": "true"},
    )
    assert missing == []
    assert web not in {f.resource_id for f in findings}


async def test_an_unassociated_elastic_ip_is_waste_and_an_associated_one_is_not(
    aws_context: Callable[..., AwsContext], aws: Aws, prices: AwsJsonFake
) -> None:
    ec2 = aws("ec2")
    idle = ec2.allocate_address(Domain="vpc")["AllocationId"]
    used = ec2.allocate_address(Domain="vpc")["AllocationId"]
    ec2.associate_address(AllocationId=used, InstanceId=run_instance(ec2))
    findings, _ = await waste_findings(context(aws_context))
    ip = only(findings, "unassociated-ip", idle)
    assert ip.monthly_savings == usd("3.65")
    action = ip.action
    assert action is not None
    assert (action.kind, action.parameters) == ("release_ip", {"region": "us-east-1"})


async def test_an_old_snapshot_of_a_deleted_volume_is_waste_but_not_a_new_one_or_one_whose_volume_lives(
    aws_context: Callable[..., AwsContext], aws: Aws, prices: AwsJsonFake
) -> None:
    ec2 = aws("ec2")
    gone = ec2.create_volume(AvailabilityZone="us-east-1a", Size=10, VolumeType="gp3")["VolumeId"]
    orphan = ec2.create_snapshot(VolumeId=gone)["SnapshotId"]
    ec2.delete_volume(VolumeId=gone)
    kept = run_instance(ec2)
    root = ec2.describe_instances(InstanceIds=[kept])["Reservations"][0]["Instances"][0]["BlockDeviceMappings"][0]
    ec2.create_snapshot(VolumeId=root["Ebs"]["VolumeId"])
    # The snapshot's own day, not the module's TODAY: a run that crosses midnight UTC stamps it a day later.
    made = ec2.describe_snapshots(SnapshotIds=[orphan])["Snapshots"][0]["StartTime"].astimezone(UTC).date()

    now, _ = await waste_findings(context(aws_context, made))
    assert by_rule(now, "orphan-snapshot") == {}

    later, _ = await waste_findings(context(aws_context, made + timedelta(days=91)))
    found = only(later, "orphan-snapshot", orphan)
    assert found.monthly_savings == usd("0.50")  # 10 GiB × 0.05
    assert "91 days" in found.title
    assert gone in (found.detail or "")
    action = found.action
    assert action is not None
    assert action.kind == "delete_snapshot"

    stricter, _ = await waste_findings(context(aws_context, made + timedelta(days=91), old_snapshot_days=120))
    assert by_rule(stricter, "orphan-snapshot") == {}


async def test_a_snapshot_behind_one_of_our_images_is_not_waste_until_the_image_goes(
    aws_context: Callable[..., AwsContext], aws: Aws, prices: AwsJsonFake
) -> None:
    ec2 = aws("ec2")
    image = ec2.register_image(
        Name="golden",
        RootDeviceName="/dev/sda1",
        BlockDeviceMappings=[{"DeviceName": "/dev/sda1", "Ebs": {"VolumeSize": 8}}],
    )["ImageId"]
    mappings = ec2.describe_images(ImageIds=[image])["Images"][0]["BlockDeviceMappings"]
    snapshot = mappings[0]["Ebs"]["SnapshotId"]  # moto makes the image's snapshot itself
    ctx = context(aws_context, TODAY + timedelta(days=200))
    with_image, _ = await waste_findings(ctx)
    assert snapshot not in by_rule(with_image, "orphan-snapshot")
    ec2.deregister_image(ImageId=image)
    without_image, _ = await waste_findings(ctx)
    assert snapshot in by_rule(without_image, "orphan-snapshot")


async def test_a_stopped_instance_is_reported_for_the_storage_it_still_pays_for(
    aws_context: Callable[..., AwsContext], aws: Aws, prices: AwsJsonFake
) -> None:
    ec2 = aws("ec2")
    stopped = run_instance(ec2, "m5.large")
    run_instance(ec2)  # a running one: its storage is in use
    ec2.stop_instances(InstanceIds=[stopped])
    findings, _ = await waste_findings(context(aws_context))
    stored = only(findings, "stopped-instance-storage", stopped)  # not the running one
    assert stored.monthly_savings == usd("0.80")  # its 8 GiB gp2 root volume
    assert stored.action is None
    assert "8 GiB" in stored.title


async def test_an_instance_idle_by_cloudwatch_is_waste_a_busy_one_is_not_and_one_without_data_is_unknown(
    aws_context: Callable[..., AwsContext], aws: Aws, prices: AwsJsonFake
) -> None:
    ec2, cw = aws("ec2"), aws("cloudwatch")
    idle, busy = run_instance(ec2), run_instance(ec2)
    run_instance(ec2)  # silent: no metrics, so unknown, not idle
    for instance, cpu, network in ((idle, 0.8, 50_000.0), (busy, 40.0, 900_000_000.0)):
        put_daily(cw, "AWS/EC2", "CPUUtilization", ("InstanceId", instance), [cpu] * 14, TODAY)
        put_daily(cw, "AWS/EC2", "NetworkIn", ("InstanceId", instance), [network] * 14, TODAY)
        put_daily(cw, "AWS/EC2", "NetworkOut", ("InstanceId", instance), [network] * 14, TODAY)
    findings, missing = await waste_findings(context(aws_context))
    finding = only(findings, "idle-instance", idle)  # not the busy one, nor the one without data
    assert finding.kind == "idle"
    assert finding.monthly_savings == usd("7.592")
    assert "avg CPU 0.8%, network 0.1 MB/day over 14 of the last 14 days" in (finding.detail or "")
    assert finding.action is not None
    assert finding.action.kind == "stop_instance"
    assert finding.action.parameters == {"region": "us-east-1"}
    assert missing == []


async def test_idle_cpu_threshold_comes_from_the_settings(
    aws_context: Callable[..., AwsContext], aws: Aws, prices: AwsJsonFake
) -> None:
    ec2, cw = aws("ec2"), aws("cloudwatch")
    instance = run_instance(ec2)
    put_daily(cw, "AWS/EC2", "CPUUtilization", ("InstanceId", instance), [2.0] * 7, TODAY)
    put_daily(cw, "AWS/EC2", "NetworkIn", ("InstanceId", instance), [0.0] * 7, TODAY)
    assert by_rule((await waste_findings(context(aws_context, idle_days=7)))[0], "idle-instance")
    strict = context(aws_context, idle_days=7, idle_cpu_percent=1.0)
    assert by_rule((await waste_findings(strict))[0], "idle-instance") == {}


async def test_an_idle_nat_gateway_is_reported_without_an_action_and_a_busy_one_is_not(
    aws_context: Callable[..., AwsContext], aws: Aws, prices: AwsJsonFake
) -> None:
    ec2, cw = aws("ec2"), aws("cloudwatch")
    subnet = subnets(ec2)[0]
    gateways = [
        ec2.create_nat_gateway(SubnetId=subnet, AllocationId=ec2.allocate_address(Domain="vpc")["AllocationId"])
        for _ in range(2)
    ]
    quiet, busy = (g["NatGateway"]["NatGatewayId"] for g in gateways)
    put_daily(cw, "AWS/NATGateway", "BytesOutToDestination", ("NatGatewayId", quiet), [0.0] * 14, TODAY)
    put_daily(cw, "AWS/NATGateway", "BytesOutToDestination", ("NatGatewayId", busy), [5e9] * 14, TODAY)
    findings, _ = await waste_findings(context(aws_context))
    nat = only(findings, "idle-nat-gateway", quiet)
    assert nat.monthly_savings == usd("32.85")
    assert nat.action is None
    assert "0.00 MB sent to destinations over the last 14 days" in (nat.detail or "")


async def test_a_load_balancer_without_requests_is_idle_once_older_than_the_window(
    aws_context: Callable[..., AwsContext], aws: Aws, prices: AwsJsonFake
) -> None:
    ec2, elb, cw = aws("ec2"), aws("elbv2"), aws("cloudwatch")
    subnet_ids = subnets(ec2)
    arns = [
        elb.create_load_balancer(Name=name, Subnets=subnet_ids, Type="application")["LoadBalancers"][0][
            "LoadBalancerArn"
        ]
        for name in ("quiet", "serving")
    ]
    quiet, serving = arns
    later = TODAY + timedelta(days=30)
    dimension = serving.split(":loadbalancer/")[1]
    put_daily(cw, "AWS/ApplicationELB", "RequestCount", ("LoadBalancer", dimension), [1200.0] * 14, later)

    young, _ = await waste_findings(context(aws_context))
    assert by_rule(young, "idle-load-balancer") == {}  # silence from a new load balancer proves nothing

    findings, _ = await waste_findings(context(aws_context, later))
    lb = only(findings, "idle-load-balancer", quiet)
    assert lb.monthly_savings == usd("16.425")
    assert lb.action is None
    assert "no requests over the last 14 days" in (lb.detail or "")


async def test_without_prices_findings_still_come_with_the_gap_named(
    aws_context: Callable[..., AwsContext], aws: Aws, prices: AwsJsonFake
) -> None:
    loose = aws("ec2").create_volume(AvailabilityZone="us-east-1a", Size=100)["VolumeId"]
    prices.fail(TARGET, "error5xx")
    findings, missing = await waste_findings(context(aws_context))
    assert [f.resource_id for f in findings] == [loose]
    assert findings[0].monthly_savings == usd("0.00")
    assert "not estimated" in (findings[0].detail or "")
    assert len(missing) == 1
    assert "Price List API" in missing[0]


async def test_a_region_that_cannot_be_read_is_named_in_what_is_missing(
    aws_context: Callable[..., AwsContext], aws: Aws, prices: AwsJsonFake
) -> None:
    loose = aws("ec2").create_volume(AvailabilityZone="us-east-1a", Size=100)["VolumeId"]
    findings, missing = await waste_findings(context(aws_context, regions=["us-east-1", "xx-nowhere-1"]))
    assert [f.resource_id for f in findings] == [loose]
    assert len(missing) == 1
    assert missing[0].startswith("xx-nowhere-1")


async def test_an_action_in_a_member_account_names_that_account(
    aws_context: Callable[..., AwsContext], member: Aws, prices: AwsJsonFake
) -> None:
    loose = member("ec2").create_volume(AvailabilityZone="us-east-1a", Size=100, VolumeType="gp3")["VolumeId"]
    findings, _ = await waste_findings(context(aws_context, role_arns=[MEMBER_ROLE]))
    volume = by_rule(findings, "unattached-volume")[loose]
    assert volume.account_id == "222233334444"
    assert volume.action is not None
    assert volume.action.parameters == {"region": "us-east-1", "snapshot_first": "true", "account_id": "222233334444"}

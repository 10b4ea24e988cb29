"""AWS remediation over moto: a plan changes nothing, apply changes, records before/after and says how to undo."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from finops_aws.context import AwsContext
from finops_aws.remediation import ACTIONS, apply_remediation, plan_remediation
from finops_aws.remediation.dry_run import dry_run_outcome
from finops_core.errors import InvalidInput, NotFound, PermissionDenied, RemediationRefused
from finops_core.models import ACTION_KINDS, RemediationAction, RemediationPlan, RemediationResult

pytestmark = pytest.mark.anyio
ACCOUNT = "123456789012"  # moto's account
# One of moto's built-in AMIs (Amazon Linux, x86_64, EBS root), in every region. Named rather than listed:
# describe_images(Owners=["amazon"]) takes seconds over moto's 1300 images.
AMI = "ami-760aaa0f"


def _action(kind: str, resource_id: str, **parameters: str) -> RemediationAction:
    return RemediationAction(provider="aws", kind=kind, resource_id=resource_id, parameters=parameters)


def _ec2(ctx: AwsContext, region: str = "us-east-1") -> Any:
    return ctx.clients.client("ec2", region)


def _s3(ctx: AwsContext) -> Any:
    return ctx.clients.client("s3", "us-east-1")


def _instance(ctx: AwsContext, region: str = "us-east-1", tags: dict[str, str] | None = None) -> str:
    ec2 = _ec2(ctx, region)
    request: dict[str, Any] = {"ImageId": AMI, "MinCount": 1, "MaxCount": 1, "InstanceType": "t3.large"}
    if tags:
        tag_list = [{"Key": k, "Value": v} for k, v in tags.items()]
        request["TagSpecifications"] = [{"ResourceType": "instance", "Tags": tag_list}]
    return ec2.run_instances(**request)["Instances"][0]["InstanceId"]


def _instance_record(ctx: AwsContext, instance_id: str) -> dict[str, Any]:
    return _ec2(ctx).describe_instances(InstanceIds=[instance_id])["Reservations"][0]["Instances"][0]


def _ec2_world(ctx: AwsContext) -> tuple[Any, ...]:
    """Everything a remediation could change in us-east-1, to compare before and after a plan."""
    ec2 = _ec2(ctx)
    instances = [
        (i["InstanceId"], i["State"]["Name"], i["InstanceType"], i.get("Tags"))
        for r in ec2.describe_instances()["Reservations"]
        for i in r["Instances"]
    ]
    volumes = [(v["VolumeId"], v["State"], v.get("Tags")) for v in ec2.describe_volumes()["Volumes"]]
    snapshots = _snapshots(ctx, [v[0] for v in volumes])
    addresses = [
        (a["AllocationId"], a.get("AssociationId"), a.get("Tags")) for a in ec2.describe_addresses()["Addresses"]
    ]
    return instances, volumes, snapshots, addresses


def _snapshots(ctx: AwsContext, volumes: list[str]) -> list[tuple[str, str, dict[str, str]]]:
    """Snapshots of ``volumes`` (moto's own AMIs come with 1300 snapshots in the account: leave them out)."""
    found = _ec2(ctx).describe_snapshots(Filters=[{"Name": "volume-id", "Values": volumes}])["Snapshots"]
    return [(s["SnapshotId"], s["State"], {t["Key"]: t["Value"] for t in s.get("Tags", [])}) for s in found]


@pytest.fixture
def ctx(aws_context: Callable[..., AwsContext]) -> AwsContext:
    """An ``AwsContext`` over the emulators, with the default settings."""
    return aws_context()


async def _plan_then_apply(ctx: AwsContext, action: RemediationAction) -> tuple[RemediationPlan, RemediationResult]:
    """Plan (asserting that nothing changed), then apply."""
    world = _ec2_world(ctx)
    plan = await plan_remediation(ctx, action)
    assert _ec2_world(ctx) == world
    assert plan.dry_run_ok
    assert plan.is_demo is False
    return plan, await apply_remediation(ctx, action)


def test_every_core_action_kind_has_an_aws_implementation() -> None:
    assert set(ACTIONS) == set(ACTION_KINDS)


async def test_a_stop_is_planned_without_change_then_applied_with_before_after_and_undo(ctx: AwsContext) -> None:
    instance = _instance(ctx, tags={"Name": "web-1"})
    plan, result = await _plan_then_apply(ctx, _action("stop_instance", instance, region="us-east-1"))
    assert instance in plan.summary
    assert "us-east-1" in plan.summary
    assert ACCOUNT in plan.summary
    assert "web-1" in plan.summary
    assert plan.before["state"] == "running"
    assert plan.expected_after["state"] == "stopped"
    assert plan.monthly_savings is None  # no price looked up: none invented
    assert result.applied
    assert (result.before["state"], result.after["state"]) == ("running", "stopped")
    assert _instance_record(ctx, instance)["State"]["Name"] == "stopped"
    assert result.undo is not None
    assert f"start_instance on {instance}" in result.undo


async def test_stopping_a_stopped_instance_says_so_and_changes_nothing(ctx: AwsContext) -> None:
    instance = _instance(ctx)
    _ec2(ctx).stop_instances(InstanceIds=[instance])
    result = await apply_remediation(ctx, _action("stop_instance", instance, region="us-east-1"))
    assert not result.applied
    assert "is already stopped: applying this changes nothing" in result.message
    assert result.before == result.after


async def test_a_stopped_instance_is_started(ctx: AwsContext) -> None:
    instance = _instance(ctx)
    _ec2(ctx).stop_instances(InstanceIds=[instance])
    _, result = await _plan_then_apply(ctx, _action("start_instance", instance, region="us-east-1"))
    assert (result.before["state"], result.after["state"]) == ("stopped", "running")
    assert result.undo == f"stop_instance on {instance}"


async def test_an_instance_in_an_auto_scaling_group_is_not_stopped(ctx: AwsContext) -> None:
    instance = _instance(ctx, tags={"aws:autoscaling:groupName": "web-asg"})
    with pytest.raises(RemediationRefused, match="Auto Scaling group web-asg"):
        await plan_remediation(ctx, _action("stop_instance", instance, region="us-east-1"))
    assert _instance_record(ctx, instance)["State"]["Name"] == "running"


async def test_resizing_a_running_instance_is_refused_with_stop_it_first(ctx: AwsContext) -> None:
    instance = _instance(ctx)
    with pytest.raises(RemediationRefused, match="stop it first") as refused:
        await apply_remediation(ctx, _action("resize_instance", instance, region="us-east-1", new_size="t3.small"))
    assert "Nothing was changed" in str(refused.value)
    assert _instance_record(ctx, instance)["InstanceType"] == "t3.large"


async def test_a_stopped_instance_is_resized_to_an_existing_type_only(ctx: AwsContext) -> None:
    instance = _instance(ctx)
    _ec2(ctx).stop_instances(InstanceIds=[instance])
    with pytest.raises(InvalidInput, match="does not exist"):
        await plan_remediation(ctx, _action("resize_instance", instance, region="us-east-1", new_size="t3.gigantic"))
    with pytest.raises(InvalidInput, match="new_size"):
        await plan_remediation(ctx, _action("resize_instance", instance, region="us-east-1"))
    action = _action("resize_instance", instance, region="us-east-1", new_size="t3.small")
    plan, result = await _plan_then_apply(ctx, action)
    assert plan.expected_after["instance_type"] == "t3.small"
    assert (result.before["instance_type"], result.after["instance_type"]) == ("t3.large", "t3.small")
    assert _instance_record(ctx, instance)["InstanceType"] == "t3.small"
    assert result.undo is not None
    assert "new_size=t3.large" in result.undo


async def test_deleting_a_volume_takes_a_tagged_snapshot_first_and_names_it_in_the_undo(ctx: AwsContext) -> None:
    ec2 = _ec2(ctx)
    volume = ec2.create_volume(
        AvailabilityZone="us-east-1a",
        Size=100,
        VolumeType="gp3",
        TagSpecifications=[{"ResourceType": "volume", "Tags": [{"Key": "team", "Value": "data"}]}],
    )["VolumeId"]
    plan, result = await _plan_then_apply(ctx, _action("delete_volume", volume, region="us-east-1"))
    assert "after taking a snapshot" in plan.summary
    assert "100 GiB gp3" in plan.summary
    assert result.applied
    assert (result.before["state"], result.after["state"]) == ("available", "deleted")
    assert ec2.describe_volumes(Filters=[{"Name": "volume-id", "Values": [volume]}])["Volumes"] == []
    [(snapshot_id, state, tags)] = _snapshots(ctx, [volume])
    assert state == "completed"
    assert tags["finops:source-volume"] == volume
    assert tags["team"] == "data"
    assert result.undo is not None
    assert f"create a volume from snapshot {snapshot_id}" in result.undo


async def test_deleting_a_volume_without_a_snapshot_says_it_cannot_be_undone(ctx: AwsContext) -> None:
    volume = _ec2(ctx).create_volume(AvailabilityZone="us-east-1a", Size=8)["VolumeId"]
    action = _action("delete_volume", volume, region="us-east-1", snapshot_first="false")
    plan, result = await _plan_then_apply(ctx, action)
    assert "data is gone" in plan.undo
    assert result.undo is not None
    assert "data is gone" in result.undo
    assert _snapshots(ctx, [volume]) == []


async def test_an_attached_volume_is_not_deleted(ctx: AwsContext) -> None:
    instance = _instance(ctx)
    volume = _instance_record(ctx, instance)["BlockDeviceMappings"][0]["Ebs"]["VolumeId"]
    with pytest.raises(RemediationRefused, match=f"attached to {instance}: detach it first"):
        await apply_remediation(ctx, _action("delete_volume", volume, region="us-east-1"))
    assert _ec2(ctx).describe_volumes(VolumeIds=[volume])["Volumes"][0]["State"] == "in-use"


async def test_a_snapshot_behind_a_registered_ami_is_kept_and_an_unused_one_is_deleted(ctx: AwsContext) -> None:
    ec2 = _ec2(ctx)
    image = ec2.create_image(InstanceId=_instance(ctx), Name="golden-image")["ImageId"]
    used = ec2.describe_images(ImageIds=[image])["Images"][0]["BlockDeviceMappings"][0]["Ebs"]["SnapshotId"]
    with pytest.raises(RemediationRefused, match=f"registered AMI {image} \\(golden-image\\): deregister"):
        await plan_remediation(ctx, _action("delete_snapshot", used, region="us-east-1"))
    volume = ec2.create_volume(AvailabilityZone="us-east-1a", Size=8)["VolumeId"]
    unused = ec2.create_snapshot(VolumeId=volume)["SnapshotId"]
    plan, result = await _plan_then_apply(ctx, _action("delete_snapshot", unused, region="us-east-1"))
    assert "cannot be restored" in plan.undo
    assert (result.before["state"], result.after["state"]) == ("completed", "deleted")
    assert ec2.describe_snapshots(SnapshotIds=[used])["Snapshots"]
    assert _snapshots(ctx, [volume]) == []


async def test_an_associated_elastic_ip_is_refused_and_an_unassociated_one_released(ctx: AwsContext) -> None:
    ec2 = _ec2(ctx)
    instance = _instance(ctx)
    associated = ec2.allocate_address(Domain="vpc")["AllocationId"]
    ec2.associate_address(AllocationId=associated, InstanceId=instance)
    world = _ec2_world(ctx)
    with pytest.raises(RemediationRefused, match=f"associated with {instance}") as refused:
        await apply_remediation(ctx, _action("release_ip", associated, region="us-east-1"))
    assert "Disassociate it first" in str(refused.value)
    assert _ec2_world(ctx) == world
    free = ec2.allocate_address(Domain="vpc")
    by_address = _action("release_ip", free["PublicIp"], region="us-east-1")  # the address itself also names it
    plan, result = await _plan_then_apply(ctx, by_address)
    assert free["AllocationId"] in plan.summary
    assert "allocate-address" in plan.undo
    assert (result.before["state"], result.after["state"]) == ("unassociated", "deleted")
    left = {a["AllocationId"] for a in ec2.describe_addresses()["Addresses"]}
    assert left == {associated}


async def test_tags_are_merged_on_an_instance_and_the_undo_restores_old_values_and_drops_new_keys(
    ctx: AwsContext,
) -> None:
    instance = _instance(ctx, tags={"team": "web", "env": "prod"})
    action = _action("set_tags", instance, region="us-east-1", team="data", owner="ana")
    plan, result = await _plan_then_apply(ctx, action)
    assert plan.expected_after["tags"] == {"team": "data", "env": "prod", "owner": "ana"}
    assert result.after["tags"] == {"team": "data", "env": "prod", "owner": "ana"}  # region is not a tag
    assert result.undo is not None
    assert "{'team': 'web'}" in result.undo
    assert "delete the new tag(s) owner" in result.undo
    again = await apply_remediation(ctx, action)
    assert not again.applied


async def test_bucket_tags_are_merged_not_replaced(ctx: AwsContext) -> None:
    s3 = _s3(ctx)
    s3.create_bucket(Bucket="finops-logs")
    s3.put_bucket_tagging(Bucket="finops-logs", Tagging={"TagSet": [{"Key": "team", "Value": "web"}]})
    plan = await plan_remediation(ctx, _action("set_tags", "finops-logs", owner="ana"))
    assert s3.get_bucket_tagging(Bucket="finops-logs")["TagSet"] == [{"Key": "team", "Value": "web"}]
    assert "us-east-1" in plan.summary
    result = await apply_remediation(ctx, _action("set_tags", "finops-logs", owner="ana"))
    assert result.after["tags"] == {"team": "web", "owner": "ana"}


async def test_a_lifecycle_rule_is_merged_with_the_existing_rules_and_the_undo_restores_them(ctx: AwsContext) -> None:
    s3 = ctx.clients.client("s3", "eu-west-1")
    s3.create_bucket(Bucket="finops-archive", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    old = {"ID": "old", "Status": "Enabled", "Filter": {"Prefix": "tmp/"}, "Expiration": {"Days": 7}}
    s3.put_bucket_lifecycle_configuration(Bucket="finops-archive", LifecycleConfiguration={"Rules": [old]})
    action = _action(
        "add_lifecycle_rule", "finops-archive", prefix="logs/", transition_days="30", storage_class="standard_ia"
    )
    plan = await plan_remediation(ctx, action)
    assert s3.get_bucket_lifecycle_configuration(Bucket="finops-archive")["Rules"] == [old]  # the plan wrote nothing
    assert "eu-west-1" in plan.summary
    assert ACCOUNT in plan.summary
    assert plan.before["lifecycle_rules"] == [old]
    assert [r["ID"] for r in plan.expected_after["lifecycle_rules"]] == ["old", "finops-logs-standard_ia-30d"]
    assert "before.lifecycle_rules" in plan.undo
    result = await apply_remediation(ctx, action)
    assert result.applied
    rules = s3.get_bucket_lifecycle_configuration(Bucket="finops-archive")["Rules"]
    assert [r["ID"] for r in rules] == ["old", "finops-logs-standard_ia-30d"]
    assert rules[0] == old
    assert rules[1]["Transitions"] == [{"Days": 30, "StorageClass": "STANDARD_IA"}]
    assert result.before["lifecycle_rules"] == [old]
    assert len(result.after["lifecycle_rules"]) == 2
    again = await apply_remediation(ctx, action)
    assert not again.applied
    assert "already has" in again.message


async def test_a_first_lifecycle_rule_is_undone_by_deleting_the_configuration(ctx: AwsContext) -> None:
    _s3(ctx).create_bucket(Bucket="finops-scratch")
    with pytest.raises(InvalidInput, match="at least 30 days"):
        await plan_remediation(
            ctx, _action("add_lifecycle_rule", "finops-scratch", transition_days="7", storage_class="STANDARD_IA")
        )
    with pytest.raises(InvalidInput, match="needs transition_days"):
        await plan_remediation(ctx, _action("add_lifecycle_rule", "finops-scratch", prefix="x/"))
    result = await apply_remediation(ctx, _action("add_lifecycle_rule", "finops-scratch", expire_days="90"))
    assert result.before["lifecycle_rules"] == []
    assert result.undo is not None
    assert "delete-bucket-lifecycle" in result.undo
    assert [r["Expiration"] for r in result.after["lifecycle_rules"]] == [{"Days": 90}]


async def test_resources_tagged_protect_are_refused(ctx: AwsContext) -> None:
    instance = _instance(ctx, tags={"finops:protect": "true"})
    with pytest.raises(RemediationRefused, match="finops:protect=true"):
        await plan_remediation(ctx, _action("stop_instance", instance, region="us-east-1"))
    s3 = _s3(ctx)
    s3.create_bucket(Bucket="finops-keep")
    s3.put_bucket_tagging(Bucket="finops-keep", Tagging={"TagSet": [{"Key": "finops:protect", "Value": "True"}]})
    with pytest.raises(RemediationRefused, match="finops:protect=true"):
        await apply_remediation(ctx, _action("add_lifecycle_rule", "finops-keep", expire_days="30"))
    assert _instance_record(ctx, instance)["State"]["Name"] == "running"


async def test_an_id_without_a_region_is_found_in_the_configured_regions(ctx: AwsContext) -> None:
    instance = _instance(ctx, region="eu-west-1")
    plan = await plan_remediation(ctx, _action("stop_instance", instance))
    assert "eu-west-1" in plan.summary


async def test_unknown_ids_and_accounts_are_not_found_with_advice(ctx: AwsContext) -> None:
    with pytest.raises(NotFound, match=r"us-east-1, eu-west-1.*aws_list_resources"):
        await plan_remediation(ctx, _action("stop_instance", "i-0123456789abcdef0"))
    with pytest.raises(NotFound, match="Check the id"):
        await plan_remediation(ctx, _action("delete_volume", "vol-0123456789abcdef0", region="us-east-1"))
    with pytest.raises(NotFound, match="role_arns"):
        await plan_remediation(ctx, _action("stop_instance", "i-0123456789abcdef0", account_id="999999999999"))
    with pytest.raises(NotFound, match="Not found"):
        await plan_remediation(ctx, _action("set_tags", "no-such-bucket-here", team="x"))


async def test_an_action_on_the_wrong_kind_of_resource_says_which_kind_it_needs(ctx: AwsContext) -> None:
    with pytest.raises(InvalidInput, match="an EC2 instance"):
        await plan_remediation(ctx, _action("stop_instance", "vol-0123456789abcdef0"))
    with pytest.raises(InvalidInput, match="an S3 bucket"):
        await plan_remediation(ctx, _action("add_lifecycle_rule", "i-0123456789abcdef0", expire_days="3"))


def test_a_dry_run_answer_becomes_success_a_permission_to_grant_or_a_refusal() -> None:
    what = "stop i-1 in us-east-1"
    assert dry_run_outcome("DryRunOperation", "Request would have succeeded", 412, operation="X", what=what) is None
    denied = dry_run_outcome("UnauthorizedOperation", "no", 403, operation="StopInstances", what=what)
    assert isinstance(denied, PermissionDenied)
    assert "Grant ec2:StopInstances" in str(denied)
    refused = dry_run_outcome(
        "UnsupportedOperation", "one-time Spot Instances cannot be stopped", 400, operation="StopInstances", what=what
    )
    assert isinstance(refused, RemediationRefused)
    assert "Spot Instances cannot be stopped" in str(refused)
    assert "Nothing was changed" in str(refused)


# -- through the MCP server ------------------------------------------------------------------------

"""The orchestrator's plan / approve / execute loop (``tests.servers.remediation.RemediationWorkflow``) on AWS over
moto: EC2 instances, stopped for real."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.fakes.aws.json_service import AwsJsonFake
from tests.servers.aws.conftest import fixed_session
from tests.servers.aws.test_provider import aws_provider
from tests.servers.remediation import EmulatedCloud, RemediationWorkflow


class Ec2(EmulatedCloud):
    cloud = "aws"
    protect = ("finops:protect", "true")
    running, stopped = "running", ("stopping", "stopped")
    read_back = ("state", "stopped")

    def __init__(self, moto: str, fake: AwsJsonFake, home: Path) -> None:
        self.provider = aws_provider(moto, fake, home)
        self.ec2: Any = fixed_session().client("ec2", region_name="us-east-1", endpoint_url=moto)

    def add_instance(self, name: str, tags: dict[str, str] | None = None) -> str:
        request: dict[str, Any] = {"ImageId": "ami-12c6146b", "MinCount": 1, "MaxCount": 1, "InstanceType": "t3.large"}
        if tags:
            request["TagSpecifications"] = [
                {"ResourceType": "instance", "Tags": [{"Key": k, "Value": v} for k, v in tags.items()]}
            ]
        return self.ec2.run_instances(**request)["Instances"][0]["InstanceId"]

    def stop(self, resource_id: str) -> dict[str, Any]:
        return {
            "provider": "aws",
            "kind": "stop_instance",
            "resource_id": resource_id,
            "parameters": {"region": "us-east-1"},
        }

    def tag(self, resource_id: str, **tags: str) -> None:
        self.ec2.create_tags(Resources=[resource_id], Tags=[{"Key": k, "Value": v} for k, v in tags.items()])

    def state(self, resource_id: str) -> str:
        reservations = self.ec2.describe_instances(InstanceIds=[resource_id])["Reservations"]
        return reservations[0]["Instances"][0]["State"]["Name"]

    def snapshot(self) -> object:
        found = self.ec2.describe_instances()["Reservations"]
        return sorted(
            (i["InstanceId"], i["State"]["Name"], sorted((t["Key"], t["Value"]) for t in i.get("Tags", [])))
            for r in found
            for i in r["Instances"]
        )


class TestOnAws(RemediationWorkflow):
    @pytest.fixture
    def emulated(self, moto: str, fake: AwsJsonFake, home: Path) -> EmulatedCloud:
        return Ec2(moto, fake, home)

"""An estate to inventory: boto3 clients on the moto server, list prices on the Price List fake, and
CloudWatch datapoints for idle and busy resources."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import boto3
import pytest

from tests.fakes.aws.json_service import AwsJsonFake
from tests.fakes.aws.pricing import install, product
from tests.servers.aws.conftest import fixed_session

EC2_LINUX = {"operatingSystem": "Linux", "tenancy": "Shared", "preInstalledSw": "NA", "capacitystatus": "Used"}


def _instance(region: str, itype: str, price: str, **extra: str) -> dict[str, Any]:
    attrs = {**EC2_LINUX, **extra}
    return product("AmazonEC2", "Compute Instance", price, instanceType=itype, regionCode=region, **attrs)


# Decoys come first: the code must pick its product by filters and usage type, not by position.
PRICES = [
    _instance("us-east-1", "t3.micro", "0.0196000000", operatingSystem="Windows", usagetype="BoxUsage:t3.micro"),
    _instance("us-east-1", "t3.micro", "0.0104000000", usagetype="BoxUsage:t3.micro"),
    _instance("eu-west-1", "t3.micro", "0.0114000000", usagetype="EU-BoxUsage:t3.micro"),
    _instance("us-east-1", "m5.large", "0.0960000000", usagetype="BoxUsage:m5.large"),
    product("AmazonEC2", "Storage", "0.0800000000", "GB-Mo", volumeApiName="gp3", regionCode="us-east-1"),
    product("AmazonEC2", "Storage", "0.1000000000", "GB-Mo", volumeApiName="gp2", regionCode="us-east-1"),
    product("AmazonEC2", "Storage", "0.1100000000", "GB-Mo", volumeApiName="gp2", regionCode="eu-west-1"),
    product(
        "AmazonEC2",
        "Storage Snapshot",
        "0.0125000000",
        "GB-Mo",
        regionCode="us-east-1",
        usagetype="EBS:SnapshotArchiveStorage",
    ),
    product(
        "AmazonEC2", "Storage Snapshot", "0.0500000000", "GB-Mo", regionCode="us-east-1", usagetype="EBS:SnapshotUsage"
    ),
    product("AmazonEC2", "IP Address", "0.1000000000", "Count", regionCode="us-east-1", usagetype="ElasticIP:Remap"),
    product("AmazonEC2", "IP Address", "0.0050000000", regionCode="us-east-1", usagetype="ElasticIP:IdleAddress"),
    product(
        "AmazonVPC",
        "VPC Public IPv4 Address",
        "0.0050000000",
        regionCode="us-east-1",
        usagetype="USE1-PublicIPv4:InUseAddress",
    ),
    product("AmazonEC2", "NAT Gateway", "0.0450000000", "GB", regionCode="us-east-1", usagetype="NatGateway-Bytes"),
    product("AmazonEC2", "NAT Gateway", "0.0450000000", regionCode="us-east-1", usagetype="NatGateway-Hours"),
    product(
        "AWSELB", "Load Balancer-Application", "0.0080000000", "LCU-Hrs", regionCode="us-east-1", usagetype="LCUUsage"
    ),
    product(
        "AWSELB", "Load Balancer-Application", "0.0225000000", regionCode="us-east-1", usagetype="LoadBalancerUsage"
    ),
    product(
        "AmazonRDS",
        "Database Instance",
        "0.0180000000",
        instanceType="db.t3.micro",
        regionCode="us-east-1",
        databaseEngine="PostgreSQL",
        deploymentOption="Single-AZ",
    ),
]


@pytest.fixture(autouse=True)
def no_default_amis(monkeypatch: pytest.MonkeyPatch) -> None:
    """moto's ~1300 stock AMI snapshots would bury the account's own (read when a region's backend is made)."""
    monkeypatch.setenv("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")


@pytest.fixture
def prices(fake: AwsJsonFake) -> AwsJsonFake:
    install(fake, PRICES, page_size=1)  # every answer with a decoy takes two pages
    return fake


MEMBER_ROLE = "arn:aws:iam::222233334444:role/finops-read"


@pytest.fixture
def member(moto: str) -> Callable[..., Any]:
    """``member(service, region)``: a client in the member account behind ``MEMBER_ROLE`` (moto keeps one
    backend per account and maps assumed-role credentials to it)."""
    sts = fixed_session().client("sts", region_name="us-east-1", endpoint_url=moto)  # pyright: ignore
    creds = sts.assume_role(RoleArn=MEMBER_ROLE, RoleSessionName="estate")["Credentials"]
    session = boto3.Session(
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
    )

    def client(service: str, region: str = "us-east-1") -> Any:
        return session.client(service, region_name=region, endpoint_url=moto)  # pyright: ignore

    return client


@pytest.fixture
def aws(moto: str) -> Callable[[str, str], Any]:
    """``aws(service, region)``: a boto3 client on the moto server, to build the estate with."""
    session = fixed_session()

    def client(service: str, region: str = "us-east-1") -> Any:
        return session.client(service, region_name=region, endpoint_url=moto)  # pyright: ignore

    return client


def run_instance(ec2: Any, itype: str = "t3.micro", **tag_values: str) -> str:
    spec: dict[str, Any] = {"ImageId": "ami-12c6146b", "MinCount": 1, "MaxCount": 1, "InstanceType": itype}
    if tag_values:
        spec["TagSpecifications"] = [
            {"ResourceType": "instance", "Tags": [{"Key": k, "Value": v} for k, v in tag_values.items()]}
        ]
    return ec2.run_instances(**spec)["Instances"][0]["InstanceId"]


def subnets(ec2: Any, region: str = "us-east-1") -> list[str]:
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    return [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{i}.0/24", AvailabilityZone=f"{region}{zone}")["Subnet"][
            "SubnetId"
        ]
        for i, zone in enumerate("ab", start=1)
    ]


def put_daily(
    cw: Any, namespace: str, metric: str, dimension: tuple[str, str], values: list[float], today: date
) -> None:
    """One datapoint per day (at noon UTC) for the days before ``today``, most recent first."""
    noon = datetime(today.year, today.month, today.day, 12, tzinfo=UTC)
    cw.put_metric_data(
        Namespace=namespace,
        MetricData=[
            {
                "MetricName": metric,
                "Dimensions": [{"Name": dimension[0], "Value": dimension[1]}],
                "Timestamp": noon - timedelta(days=day),
                "Value": value,
            }
            for day, value in enumerate(values, start=1)
        ],
    )

"""Partitions other than ``aws``: GovCloud and China differ in ARNs, endpoints and where billing APIs answer."""

from __future__ import annotations

import pytest
from finops_aws.clients import AwsClients
from finops_aws.partitions import AWS, CHINA, GOVCLOUD, account_of_arn, arn, partition_of, partition_of_arn
from finops_aws.settings import AwsSettings

from tests.servers.aws.conftest import fixed_session


@pytest.mark.parametrize(
    ("region", "partition"),
    [("us-east-1", AWS), ("eu-west-1", AWS), ("us-gov-west-1", GOVCLOUD), ("cn-north-1", CHINA)],
)
def test_a_region_belongs_to_its_partition(region: str, partition: object) -> None:
    assert partition_of(region) is partition


def test_role_arns_name_their_partition_and_account() -> None:
    role = "arn:aws-us-gov:iam::123456789012:role/finops-read"
    assert partition_of_arn(role) is GOVCLOUD
    assert partition_of_arn("arn:aws-cn:iam::1:role/x") is CHINA
    assert account_of_arn(role) == "123456789012"
    assert arn(CHINA, "ec2", "cn-north-1", "1", "volume/vol-1") == "arn:aws-cn:ec2:cn-north-1:1:volume/vol-1"


@pytest.mark.parametrize(
    ("regions", "billing_endpoint", "pricing_endpoint"),
    [
        (["eu-west-1"], "https://ce.us-east-1.amazonaws.com", "https://api.pricing.us-east-1.amazonaws.com"),
        (
            ["cn-north-1"],
            "https://ce.cn-northwest-1.amazonaws.com.cn",
            "https://api.pricing.cn-northwest-1.amazonaws.com.cn",
        ),
    ],
)
def test_billing_and_price_clients_go_to_the_partition_s_own_endpoints(
    regions: list[str], billing_endpoint: str, pricing_endpoint: str
) -> None:
    clients = AwsClients(AwsSettings(regions=regions), fixed_session)
    partition = clients.partition()
    ce = clients.client("ce", partition.billing_region)
    pricing = clients.client("pricing", partition.pricing_region)
    assert ce.meta.endpoint_url == billing_endpoint
    assert pricing.meta.endpoint_url == pricing_endpoint

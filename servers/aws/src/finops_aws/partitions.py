"""AWS partitions: the standard one, GovCloud and China differ in ARNs and in where global services live."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Partition:
    name: str
    # Cost Explorer, Budgets and the like answer from one region per partition.
    billing_region: str
    # The Pricing API lives in few regions; China's prices come from cn-northwest-1.
    pricing_region: str


AWS = Partition("aws", billing_region="us-east-1", pricing_region="us-east-1")
GOVCLOUD = Partition("aws-us-gov", billing_region="us-gov-west-1", pricing_region="us-east-1")
CHINA = Partition("aws-cn", billing_region="cn-northwest-1", pricing_region="cn-northwest-1")


def partition_of(region: str) -> Partition:
    if region.startswith("cn-"):
        return CHINA
    if region.startswith("us-gov-"):
        return GOVCLOUD
    return AWS


def partition_of_arn(arn: str) -> Partition:
    """The partition an ARN (``arn:aws-us-gov:iam::123:role/x``) names."""
    name = arn.split(":")[1] if arn.count(":") >= 5 else "aws"
    return {p.name: p for p in (AWS, GOVCLOUD, CHINA)}.get(name, AWS)


def account_of_arn(arn: str) -> str:
    return arn.split(":")[4]


def arn(partition: Partition, service: str, region: str, account: str, resource: str) -> str:
    return f"arn:{partition.name}:{service}:{region}:{account}:{resource}"

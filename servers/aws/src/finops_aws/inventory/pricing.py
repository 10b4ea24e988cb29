"""Estimated monthly costs from the AWS Price List API (``pricing:GetProducts``, free of charge).

A resource's estimate is its on-demand list price: hourly prices × 730 hours, storage prices × GiB per
month. It ignores discounts (Savings Plans, Reserved Instances, credits), data transfer and per-request
charges, so it is always flagged as an estimate. Prices are kept in memory for the provider's lifetime
(``PriceBook``): they change a few times a year, and a price list answer is large.

Prices are parsed from the PriceList documents (a JSON string per product) exactly, as ``Decimal``;
China's prices are in CNY, the rest in USD.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from finops_core.errors import ProviderError
from finops_core.list_prices import ListPrice, PriceCache, first_alone

from finops_aws.errors import aws_errors
from finops_aws.partitions import partition_of

if TYPE_CHECKING:
    from finops_aws.context import AwsContext

# The Price List API names engines its own way (databaseEngine attribute).
RDS_ENGINES = {
    "mysql": "MySQL",
    "postgres": "PostgreSQL",
    "mariadb": "MariaDB",
    "aurora-mysql": "Aurora MySQL",
    "aurora-postgresql": "Aurora PostgreSQL",
    "oracle-ee": "Oracle",
    "oracle-se2": "Oracle",
    "sqlserver-ee": "SQL Server",
    "sqlserver-se": "SQL Server",
    "sqlserver-ex": "SQL Server",
    "sqlserver-web": "SQL Server",
    "db2-se": "Db2",
    "db2-ae": "Db2",
}
# Load balancer Type -> productFamily of its hourly charge.
LB_FAMILIES = {
    "application": "Load Balancer-Application",
    "network": "Load Balancer-Network",
    "gateway": "Load Balancer-Gateway",
}


@dataclass(frozen=True)
class PriceKey:
    """One GetProducts question: a service code and TERM_MATCH filters, in ``region``'s partition.

    When several products match (a NAT gateway's hours and its bytes), the one whose ``usagetype`` ends
    with ``usagetype_suffix`` is the price; without a suffix, the first product the API returns.
    """

    region: str
    service: str
    filters: tuple[tuple[str, str], ...]
    usagetype_suffix: str = ""

    def describe(self) -> str:
        terms = ", ".join(f"{k}={v}" for k, v in self.filters if k != "regionCode")
        return f"{self.service} [{terms}] in {self.region}"


class UnitPrice(ListPrice):
    """An on-demand price per ``unit`` (``Hrs``, ``GB-Mo``) in ``currency``: 1 for hourly things, GiB for storage."""

    HOURLY = frozenset({"hrs", "hr", "hours", "hour"})
    MONTHLY = frozenset({"gb-mo", "gb-month"})

    def unit_key(self) -> str:
        return self.unit.lower()


# -- what to ask for each kind of resource ---------------------------------------------------------


# DescribeInstances' PlatformDetails (prefix) -> the Price List's operatingSystem; anything else is Linux.
OPERATING_SYSTEMS = (
    ("Windows", "Windows"),
    ("Red Hat", "RHEL"),
    ("SUSE", "SUSE"),
    ("Ubuntu Pro", "Ubuntu Pro"),
)
# Placement.Tenancy -> tenancy.
TENANCIES = {"default": "Shared", "dedicated": "Dedicated", "host": "Host"}


def operating_system(platform_details: str) -> str:
    for prefix, name in OPERATING_SYSTEMS:
        if platform_details.startswith(prefix):
            return name
    return "Linux"


def _family(region: str, service: str, family: str, usagetype_suffix: str) -> PriceKey:
    """A product family's price in ``region``, told apart from the family's other charges by its usage type."""
    return PriceKey(
        region, service, (("productFamily", family), ("regionCode", region)), usagetype_suffix=usagetype_suffix
    )


def ec2_instance(region: str, instance_type: str, os: str = "Linux", tenancy: str = "Shared") -> PriceKey:
    """An instance's hours for its operating system and tenancy, without pre-installed software (SQL Server
    licences are not counted)."""
    return PriceKey(
        region,
        "AmazonEC2",
        (
            ("instanceType", instance_type),
            ("regionCode", region),
            ("operatingSystem", os),
            ("tenancy", tenancy),
            ("preInstalledSw", "NA"),
            ("capacitystatus", "Used"),
        ),
    )


def ebs_volume(region: str, volume_type: str) -> PriceKey:
    """Storage per GiB-month of an EBS volume type (gp3, io2, ...); IOPS and throughput are extra."""
    return PriceKey(
        region,
        "AmazonEC2",
        (("productFamily", "Storage"), ("volumeApiName", volume_type), ("regionCode", region)),
    )


def ebs_snapshot(region: str) -> PriceKey:
    """Standard-tier snapshot storage per GiB-month."""
    return _family(region, "AmazonEC2", "Storage Snapshot", "EBS:SnapshotUsage")


def elastic_ip(region: str, associated: bool) -> PriceKey:
    """A public IPv4 address's hours: idle Elastic IPs bill as EC2, in-use public IPv4 as VPC."""
    if associated:
        return _family(region, "AmazonVPC", "VPC Public IPv4 Address", "PublicIPv4:InUseAddress")
    return _family(region, "AmazonEC2", "IP Address", "ElasticIP:IdleAddress")


def nat_gateway(region: str) -> PriceKey:
    """A NAT gateway's hours (data processed per GB is extra)."""
    return _family(region, "AmazonEC2", "NAT Gateway", "NatGateway-Hours")


def load_balancer(region: str, lb_type: str) -> PriceKey | None:
    """An ELBv2 load balancer's hours (capacity units are extra); None for a type we cannot price."""
    family = LB_FAMILIES.get(lb_type)
    if family is None:
        return None
    return _family(region, "AWSELB", family, "LoadBalancerUsage")


def rds_instance(region: str, instance_class: str, engine: str, multi_az: bool) -> PriceKey | None:
    """An RDS instance's hours for its engine and deployment (storage and I/O are extra)."""
    name = RDS_ENGINES.get(engine)
    if name is None:
        return None
    return PriceKey(
        region,
        "AmazonRDS",
        (
            ("instanceType", instance_class),
            ("regionCode", region),
            ("databaseEngine", name),
            ("deploymentOption", "Multi-AZ" if multi_az else "Single-AZ"),
        ),
    )


# -- parsing ---------------------------------------------------------------------------------------


def parse_product(document: str | dict[str, Any]) -> tuple[str, UnitPrice] | None:
    """``(usagetype, on-demand price)`` of one PriceList document, or None when it has no on-demand price.

    The first tier (``beginRange`` 0) is the price: tiered storage gets cheaper only past many TiB.
    """
    # boto3 hands each product over as the JSON string AWS sends (the model's jsonvalue trait is not applied).
    doc: dict[str, Any] = document if isinstance(document, dict) else json.loads(document)
    attributes: dict[str, Any] = (doc.get("product") or {}).get("attributes") or {}
    usagetype = str(attributes.get("usagetype") or "")
    for term in ((doc.get("terms") or {}).get("OnDemand") or {}).values():
        dimensions = list(((term or {}).get("priceDimensions") or {}).values())
        dimensions.sort(key=lambda d: Decimal(str(d.get("beginRange") or "0")))
        for dimension in dimensions:
            per_unit: dict[str, str] = dimension.get("pricePerUnit") or {}
            if not per_unit:
                continue
            currency = "USD" if "USD" in per_unit else sorted(per_unit)[0]
            return usagetype, UnitPrice(Decimal(per_unit[currency]), str(dimension.get("unit") or ""), currency)
    return None


def choose(products: Iterable[tuple[str, UnitPrice]], usagetype_suffix: str) -> UnitPrice | None:
    for usagetype, price in products:
        if usagetype.endswith(usagetype_suffix):
            return price
    return None


# -- the cache -------------------------------------------------------------------------------------


class PriceBook(PriceCache[PriceKey, UnitPrice]):
    """Prices fetched so far, kept for the provider's lifetime (hold one per provider).

    A price that does not exist (an instance type the API does not list) is remembered as None; a failed
    call is not remembered, so the next question tries again. ``requests`` counts GetProducts pages.
    """

    async def resolve(self, ctx: AwsContext, keys: Iterable[PriceKey]) -> tuple[dict[PriceKey, UnitPrice], str | None]:
        """The price of each key that has one, and why some are missing if the Price List API failed.

        The first unknown price is fetched alone: when the API is down, that one failure stops the rest.
        """
        wanted, todo = self.unknown(keys)

        async def fetch(key: PriceKey) -> None:
            await ctx.run(self._fetch, ctx, key)

        error = await first_alone(todo, fetch)
        return self.known(wanted), error

    def _fetch(self, ctx: AwsContext, key: PriceKey) -> None:
        pricing_region = partition_of(key.region).pricing_region
        client = ctx.clients.client("pricing", pricing_region)
        request: dict[str, Any] = {
            "ServiceCode": key.service,
            "FormatVersion": "aws_v1",
            "Filters": [{"Type": "TERM_MATCH", "Field": f, "Value": v} for f, v in key.filters],
        }
        products: list[tuple[str, UnitPrice]] = []
        with aws_errors(f"reading list prices ({key.describe()}) from the AWS Price List API in {pricing_region}"):
            for page in client.get_paginator("get_products").paginate(**request):
                self.count_request()
                for document in page.get("PriceList") or []:
                    try:
                        parsed = parse_product(document)
                    except (ValueError, TypeError, AttributeError, ArithmeticError) as exc:
                        raise ProviderError(
                            f"The AWS Price List API answered with a product we could not read ({key.describe()}).",
                            provider="aws",
                        ) from exc
                    if parsed is not None:
                        products.append(parsed)
        self.remember(key, choose(products, key.usagetype_suffix))

"""Reading PriceList documents exactly, and batching CloudWatch queries."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from finops_aws.inventory.metrics import Series, daily_values
from finops_aws.inventory.pricing import UnitPrice, operating_system, parse_product

from tests.fakes.aws.pricing import product
from tests.servers.aws.inventory.conftest import put_daily


def test_a_price_is_read_exactly_in_its_own_currency() -> None:
    usd = product("AmazonEC2", "NAT Gateway", "0.0450000000", usagetype="NatGateway-Hours")
    cny = product("AmazonEC2", "NAT Gateway", "0.4870000000", currency="CNY", usagetype="CNW1-NatGateway-Hours")
    assert parse_product(json.dumps(usd)) == ("NatGateway-Hours", UnitPrice(Decimal("0.0450000000"), "Hrs", "USD"))
    parsed = parse_product(json.dumps(cny))
    assert parsed is not None
    usagetype, price = parsed
    assert usagetype == "CNW1-NatGateway-Hours"
    assert price == UnitPrice(Decimal("0.4870000000"), "Hrs", "CNY")
    assert price.monthly(Decimal(1)) == Decimal("355.51")  # 0.487 × 730, no float on the way


def test_storage_is_priced_per_gib_month_and_unknown_units_are_not_guessed() -> None:
    assert UnitPrice(Decimal("0.08"), "GB-Mo", "USD").monthly(Decimal(100)) == Decimal("8.00")
    assert UnitPrice(Decimal("0.10"), "Count", "USD").monthly(Decimal(1)) is None


def test_a_product_without_on_demand_terms_has_no_price() -> None:
    document = product("AmazonEC2", "Compute Instance", "0.01")
    document["terms"] = {"Reserved": document["terms"]["OnDemand"]}
    assert parse_product(json.dumps(document)) is None


def test_more_than_500_series_take_one_request_per_500(aws: Callable[..., Any]) -> None:
    cw = aws("cloudwatch")
    today = datetime.now(UTC).date()
    put_daily(cw, "AWS/EC2", "CPUUtilization", ("InstanceId", "i-0000"), [1.5, 2.5], today)
    requests: list[int] = []
    cw.meta.events.register(
        "before-parameter-build.cloudwatch.GetMetricData",
        lambda params, **_: requests.append(len(params["MetricDataQueries"])),
    )
    series = [
        Series((f"i-{n:04d}", "cpu"), "AWS/EC2", "CPUUtilization", (("InstanceId", f"i-{n:04d}"),), "Average")
        for n in range(501)
    ]
    end = datetime(today.year, today.month, today.day, tzinfo=UTC)
    values = daily_values(cw, series, end - timedelta(days=14), end, "reading CloudWatch metrics in us-east-1")
    assert requests == [500, 1]
    assert sorted(values[("i-0000", "cpu")]) == [1.5, 2.5]
    assert values[("i-0500", "cpu")] == []


def test_an_instance_is_priced_for_its_operating_system() -> None:
    platforms = ("Linux/UNIX", "Windows with SQL Server Standard", "Red Hat Enterprise Linux")
    assert [operating_system(p) for p in platforms] == ["Linux", "Windows", "RHEL"]

"""The Azure inventory over the Resource Graph and Retail Prices fakes: mapping, paging, filters, estimates."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from finops_azure.context import AzureContext
from finops_azure.inventory import PriceBook, list_resources
from finops_core.errors import InvalidInput, PermissionDenied

from tests.fakes.azure.arm import ArmFake
from tests.fakes.azure.resource_graph import ResourceGraphFake
from tests.fakes.azure.retail_prices import RetailPricesFake
from tests.servers.azure.conftest import SUBSCRIPTIONS, TOKEN
from tests.servers.azure.inventory.conftest import (
    A,
    B,
    arm_id,
    database,
    disk,
    load_balancer,
    plan,
    public_ip,
    snapshot,
    vm,
)

pytestmark = pytest.mark.anyio
Ctx = Callable[..., AzureContext]


def _one_of_each(graph: ResourceGraphFake) -> None:
    os_disk = arm_id(A, "Microsoft.Compute/disks", "web-os")
    graph.add(
        vm(A, "web", disks=(os_disk,), tags={"env": "prod"}),
        disk(
            A,
            "web-os",
            sku="Premium_LRS",
            size_gb=100,
            managed_by=arm_id(A, "Microsoft.Compute/virtualMachines", "web"),
        ),
        snapshot(B, "web-os-snap", size_gb=128, created="2026-01-02T03:04:05Z", source=os_disk),
        public_ip(B, "web-ip", attached_to=arm_id(B, "Microsoft.Network/networkInterfaces", "nic")),
        load_balancer(B, "web-lb"),
        plan(B, "web-plan", sites=2),
        database(A, "sql1", "orders"),
        database(A, "sql1", "master"),
    )


async def test_each_resource_type_is_mapped_with_state_size_tags_and_an_estimate(
    azure_context: Ctx, graph: ResourceGraphFake, retail: RetailPricesFake
) -> None:
    _one_of_each(graph)
    answer = await list_resources(azure_context())
    by_name = {r.name: r for r in answer.resources}
    assert set(by_name) == {"web", "web-os", "web-os-snap", "web-ip", "web-lb", "web-plan", "orders"}  # not master
    web = by_name["web"]
    assert (web.resource_type, web.native_type, web.state, web.size) == (
        "instance",
        "microsoft.compute/virtualmachines",
        "running",
        "Standard_D2s_v5",
    )
    assert web.resource_id == arm_id(A, "Microsoft.Compute/virtualMachines", "web")
    assert (web.account_id, web.region, web.tags) == (A, "westeurope", {"env": "prod"})
    assert web.created_at == datetime(2025, 3, 1, 10, tzinfo=UTC)
    costs = {r.name: r.monthly_cost.amount if r.monthly_cost else None for r in answer.resources}
    assert costs == {
        "web": Decimal("70.08"),  # 0.096 x 730
        "web-os": Decimal("19.71"),  # 100 GB Premium -> P10
        "web-os-snap": Decimal("6.40"),  # 128 GB x 0.05
        "web-ip": Decimal("3.65"),  # 0.005 x 730
        "web-lb": Decimal("18.25"),  # 0.025 x 730
        "web-plan": Decimal("123.37"),  # 0.169 x 730, Linux
        "orders": None,  # SQL databases are not estimated
    }
    assert all(
        r.monthly_cost_is_estimate and (r.monthly_cost is None or r.monthly_cost.currency == "USD")
        for r in answer.resources
    )
    states = {r.name: (r.resource_type, r.state, r.size) for r in answer.resources}
    assert states["web-os"] == ("volume", "in-use", "100 GiB Premium_LRS (P10)")
    assert states["web-os-snap"] == ("snapshot", "available", "128 GiB Standard_LRS")
    assert states["web-ip"] == ("ip", "in-use", "Standard Static")
    assert states["web-lb"] == ("load_balancer", "available", "Standard")
    assert states["web-plan"] == ("other", "available", "P1v3 x1")
    assert states["orders"] == ("database", "available", "GP_Gen5_2")
    # Most expensive first; the unpriced database last.
    assert [r.name for r in answer.resources][:2] == ["web-plan", "web"]
    assert answer.resources[-1].name == "orders"
    assert "retail list prices" in answer.source
    assert "estimate" in answer.source
    assert (answer.total, answer.truncated, answer.note) == (7, False, None)


async def test_one_resource_graph_query_covers_every_subscription(
    azure_context: Ctx, graph: ResourceGraphFake, retail: RetailPricesFake
) -> None:
    _one_of_each(graph)
    await list_resources(azure_context())
    (request,) = graph.resource_queries()
    assert sorted(request["subscriptions"]) == sorted(SUBSCRIPTIONS)
    assert request["options"] == {"$top": 1000, "resultFormat": "objectArray", "allowPartialScopes": False}
    assert "type in~ ('microsoft.compute/virtualmachines'" in request["query"]


async def test_pages_are_followed_with_the_skip_token(
    azure_context: Ctx, arm: ArmFake, graph: ResourceGraphFake, retail: RetailPricesFake
) -> None:
    graph.page_size = 2
    graph.add(*(disk(A, f"d{i}", sku="StandardSSD_LRS", size_gb=128, state="Unattached") for i in range(5)))
    answer = await list_resources(azure_context())
    assert sorted(r.name or "" for r in answer.resources) == ["d0", "d1", "d2", "d3", "d4"]
    requests = graph.resource_queries()
    assert len(requests) == 3
    assert [r["options"].get("$skipToken") for r in requests] == [None, "token-1", "token-2"]
    assert {r["query"] for r in requests} == {requests[0]["query"]}


async def test_limit_keeps_the_most_expensive_and_says_how_many_matched(
    azure_context: Ctx, graph: ResourceGraphFake, retail: RetailPricesFake
) -> None:
    _one_of_each(graph)
    answer = await list_resources(azure_context(), limit=2)
    assert [r.name for r in answer.resources] == ["web-plan", "web"]
    assert (answer.total, answer.truncated) == (7, True)
    with pytest.raises(InvalidInput):
        await list_resources(azure_context(), limit=0)


async def test_type_and_region_filters_go_into_the_query(
    azure_context: Ctx, graph: ResourceGraphFake, retail: RetailPricesFake
) -> None:
    graph.add(vm(A, "web"), vm(B, "batch", location="northeurope"), disk(A, "data", state="Unattached"))
    answer = await list_resources(azure_context(), resource_type="instance", region="westeurope")
    assert [r.name for r in answer.resources] == ["web"]
    query = graph.resource_queries()[-1]["query"]
    assert "type in~ ('microsoft.compute/virtualmachines')" in query
    assert "location =~ 'westeurope'" in query
    assert "region westeurope" in answer.source


async def test_no_match_says_so_and_suggests_widening(
    azure_context: Ctx, graph: ResourceGraphFake, retail: RetailPricesFake
) -> None:
    graph.add(vm(A, "web"))
    answer = await list_resources(azure_context(), resource_type="snapshot", region="eastus")
    assert (answer.resources, answer.total) == ([], 0)
    assert answer.note is not None
    assert "No snapshot resources found in eastus" in answer.note
    assert "Try without the type filter" in answer.note
    kinds = await list_resources(azure_context(), resource_type="bucket")
    assert kinds.note is not None
    assert "no bucket resources" in kinds.note
    injected = await list_resources(azure_context(), region="westeurope' or 1==1")
    assert injected.resources == []
    assert injected.note is not None
    assert "No Azure location is named" in injected.note
    assert all("1==1" not in str(q) for q in graph.queries())  # never sent into a query


async def test_windows_vms_are_priced_with_their_licence_and_hybrid_benefit_without(
    azure_context: Ctx, graph: ResourceGraphFake, retail: RetailPricesFake
) -> None:
    graph.add(
        vm(A, "win", os="Windows"),
        vm(A, "ahb", os="Windows", license_type="Windows_Server"),
        vm(A, "small", size="Standard_B2s"),
        vm(A, "off", power="deallocated"),
        vm(A, "huge", size="Standard_M416s_8_v2"),
    )
    answer = await list_resources(azure_context(), resource_type="instance")
    costs = {r.name: r.monthly_cost.amount if r.monthly_cost else None for r in answer.resources}
    assert costs == {
        "win": Decimal("137.24"),  # 0.188 x 730
        "ahb": Decimal("70.08"),
        "small": Decimal("30.368"),  # 0.0416 x 730, exactly
        "off": Decimal("0.00"),  # deallocated: compute not billed
        "huge": None,  # not in the price list
    }
    assert {r.name: r.state for r in answer.resources}["off"] == "stopped"


async def test_prices_are_cached_for_the_book_lifetime_and_asked_without_credentials(
    azure_context: Ctx, arm: ArmFake, graph: ResourceGraphFake, retail: RetailPricesFake
) -> None:
    _one_of_each(graph)
    book = PriceBook()
    ctx = azure_context()
    await list_resources(ctx, prices=book)
    asked = book.requests
    assert asked == len(retail.filters()) > 0
    await list_resources(ctx, prices=book)
    assert book.requests == asked
    assert all("authorization" not in r.headers for r in arm.calls("retail-prices"))
    assert (
        "serviceName eq 'Virtual Machines' and armRegionName eq 'westeurope' and armSkuName eq 'Standard_D2s_v5' "
        "and priceType eq 'Consumption'"
    ) in retail.filters()


async def test_retail_price_pages_are_followed(
    azure_context: Ctx, arm: ArmFake, graph: ResourceGraphFake, retail: RetailPricesFake
) -> None:
    retail.page_size = 1  # Spot, Low Priority, Windows, Linux (priceType leaves out the Reservation): page 4
    graph.add(vm(A, "web"))
    answer = await list_resources(azure_context())
    assert answer.resources[0].monthly_cost is not None
    assert answer.resources[0].monthly_cost.amount == Decimal("70.08")
    assert len(arm.calls("retail-prices")) == 4


async def test_resources_are_listed_without_cost_when_the_retail_prices_api_is_down(
    azure_context: Ctx, arm: ArmFake, graph: ResourceGraphFake, retail: RetailPricesFake, waits: list[float]
) -> None:
    graph.add(vm(A, "web"), disk(A, "data"))
    arm.fail("retail-prices", "error5xx", times=50)
    answer = await list_resources(azure_context())
    assert {r.name for r in answer.resources} == {"web", "data"}
    assert all(r.monthly_cost is None for r in answer.resources)
    assert answer.note is not None
    assert "Costs are missing because the Azure Retail Prices API failed" in answer.note
    assert "HTTP 503" in answer.note
    assert waits  # retried after waiting, through ctx.sleep


async def test_every_subscription_refusing_is_an_error_that_says_what_to_do(
    azure_context: Ctx, graph: ResourceGraphFake, retail: RetailPricesFake
) -> None:
    graph.denied = {A, B}
    with pytest.raises(PermissionDenied) as raised:
        await list_resources(azure_context())
    assert "Resource Graph" in str(raised.value)
    assert "azure-role.json" in str(raised.value)
    assert TOKEN not in str(raised.value)


async def test_more_than_a_thousand_subscriptions_go_in_batches(
    azure_context: Ctx, graph: ResourceGraphFake, retail: RetailPricesFake
) -> None:
    many = [f"00000000-0000-0000-0000-{i:012d}" for i in range(1001)]
    for subscription in many:
        graph.add_subscription(subscription)
    graph.add(vm(many[0], "first"), vm(many[-1], "last"))
    answer = await list_resources(azure_context(subscriptions=many))
    assert sorted(r.name or "" for r in answer.resources) == ["first", "last"]
    assert answer.note is None
    assert [len(q["subscriptions"]) for q in graph.resource_queries()] == [1000, 1]

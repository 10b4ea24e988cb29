"""The inventory against Microsoft's own examples and documents: Resource Graph's answer shape and its silence about
subscriptions the credentials cannot read, the ARM records of VMs, disks, snapshots and public IPs, and the Retail
Prices items Microsoft Learn documents."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from finops_azure.context import AzureContext
from finops_azure.inventory import list_resources

from tests.fakes.azure.arm import ArmFake, ArmRequest
from tests.fakes.azure.monitor import MonitorFake
from tests.fakes.azure.resource_graph import API_VERSION, ResourceGraphFake
from tests.fakes.azure.retail_prices import RetailPricesFake, price_item
from tests.fakes.azure.vendor import documented, example, shape_problems
from tests.servers.azure.conftest import SUBSCRIPTIONS, TOKEN
from tests.servers.azure.inventory.conftest import A, B, disk, public_ip, snapshot, vm

pytestmark = pytest.mark.anyio
Ctx = Callable[..., AzureContext]
VM = "compute/VirtualMachine_Get.json"
INSTANCE_VIEW = "compute/VirtualMachine_Get_InstanceViewAutoPlacedOnDedicatedHostGroup.json"
DISK = "compute/Disk_Get.json"
SNAPSHOT = "compute/Snapshot_Get.json"
IP = "network/PublicIpAddressGet.json"
# What Resource Graph adds to a resource provider's record, documented by Resource Graph, not by the provider.
GRAPH_COLUMNS = {
    "subscriptionId": "a Resource Graph column (the Resources table's schema)",
    "resourceGroup": "a Resource Graph column (the Resources table's schema)",
    "kind": "a Resource Graph column; null for these types",
    "managedBy": "a Resource Graph column; Disk_Get shows it, the other examples omit it",
    "properties.extended": "Resource Graph's own addition: properties.extended.instanceView.powerState (Learn: "
    "'Resource Graph sample queries', VMs by power state)",
}


def _from_graph(body: dict[str, Any], subscription: str) -> dict[str, Any]:
    """A resource provider's record as Resource Graph returns it: the same JSON plus the table's columns."""
    group = body["id"].split("/")[4]
    return {"kind": "", "managedBy": "", **body, "subscriptionId": subscription, "resourceGroup": group}


def test_the_resource_graph_fake_answers_in_the_shape_of_microsofts_example(graph: ResourceGraphFake) -> None:
    graph.add(vm(A, "web"))
    body = {"subscriptions": [A], "query": "Resources | project id, name, type, location, tags"}
    request = ArmRequest("POST", "/providers/Microsoft.ResourceGraph/resources", {"api-version": API_VERSION}, body, {})
    answer = graph._answer(request)  # pyright: ignore[reportPrivateUsage]
    assert shape_problems(answer, documented("resource-graph/ResourcesBasicQuery.json")) == []


def test_the_inventory_fakes_records_have_the_shape_of_microsofts_get_examples() -> None:
    why = GRAPH_COLUMNS | {
        "properties.diskState": "documented in DiskProperties (read-only); Disk_Get's example leaves it out",
        "sku.tier": "documented in DiskSku / PublicIPAddressSku; the examples leave it out",
        "sku": "documented in PublicIPAddress (sku); PublicIpAddressGet's example leaves it out",
        "properties.incremental": "documented in SnapshotProperties; Snapshot_Get's example leaves it out",
        "properties.ipAddress": "documented in PublicIPAddressPropertiesFormat; the example's address is dynamic",
        "tags": "every ARM resource's tags (Resource); PublicIpAddressGet's example has none",
    }
    for record, name in (
        (vm(A, "web", disks=("/subscriptions/x/resourceGroups/g/providers/Microsoft.Compute/disks/os",)), VM),
        (disk(A, "data"), DISK),
        (snapshot(A, "snap", created="2026-01-01T00:00:00Z"), SNAPSHOT),
        (public_ip(A, "ip", attached_to="/subscriptions/x/resourceGroups/g/providers/Microsoft.Network/nic"), IP),
    ):
        assert shape_problems(record, documented(name), why) == [], name


async def test_microsofts_get_examples_read_as_resources_with_their_sizes_states_and_links(
    azure_context: Ctx, graph: ResourceGraphFake, retail: RetailPricesFake
) -> None:
    vm_record = _from_graph(documented(VM), A)
    # Resource Graph carries the power state under properties.extended.instanceView; the instance view example
    # is where Azure documents its code.
    (power,) = [s for s in documented(INSTANCE_VIEW)["statuses"] if s["code"].startswith("PowerState/")]
    vm_record["properties"]["extended"] = {"instanceView": {"powerState": power}}
    graph.add(vm_record, _from_graph(documented(DISK), A), _from_graph(documented(SNAPSHOT), A))
    graph.add(_from_graph(documented(IP), B))
    answer = await list_resources(azure_context())
    got = {r.name: (r.resource_type, r.state, r.size, r.region, r.account_id) for r in answer.resources}
    assert got == {
        "myVM": ("instance", "running", "Standard_DS3_v2", "West US", A),
        "myManagedDisk": ("volume", "other", "10 GiB Standard_LRS (S4)", "westus", A),  # no diskState: not idle
        "mySnapshot": ("snapshot", "available", "100 GiB Standard_LRS", "westus", A),
        "testDNS-ip": ("ip", "in-use", "Basic Dynamic", "westus", B),  # ipConfiguration: associated
    }
    assert {r.name: r.tags for r in answer.resources}["myManagedDisk"] == {
        "department": "Development",
        "project": "ManagedDisks",
    }


async def test_a_subscription_the_credentials_cannot_read_is_named_though_resource_graph_answers_200(
    azure_context: Ctx, graph: ResourceGraphFake, retail: RetailPricesFake
) -> None:
    # Microsoft Learn, "Permissions in Azure Resource Graph": with a subscription list, "the query results are
    # returned for the subscriptions the user has access to ... without any indication that the result might be
    # partial"; a 403 comes only when the caller can read none of them. Our answer must say what it left out.
    graph.add(vm(A, "web"), vm(B, "batch"))
    graph.denied = {B}
    answer = await list_resources(azure_context())
    assert [r.name for r in answer.resources] == ["web"]
    assert answer.note is not None
    assert f"Partial answer; missing: subscription {B}: the credentials cannot read it" in answer.note
    assert f"subscription {A}" not in answer.note
    assert TOKEN not in answer.note
    assert sorted(graph.resource_queries()[0]["subscriptions"]) == sorted(SUBSCRIPTIONS)
    # Resource Graph answered for A and dropped B silently; one more query asked which of them it can see.
    resources, visible = graph.queries()
    assert sorted(resources["subscriptions"]) == sorted(visible["subscriptions"]) == sorted(SUBSCRIPTIONS)
    assert visible["query"].startswith("ResourceContainers")


async def test_microsofts_documented_price_items_are_never_taken_for_pay_as_you_go(
    azure_context: Ctx, graph: ResourceGraphFake, arm: ArmFake
) -> None:
    # Microsoft Learn's Retail Prices examples: a Spot meter ("F16s Spot") listed as type Consumption (and as
    # DevTestConsumption), and a reservation. None of them is the pay-as-you-go price of a Standard_F16s.
    retail = RetailPricesFake(arm)
    items: list[dict[str, Any]] = example("retail-prices/documented-items.json")["Items"]
    retail.add(*items)
    for item in items:
        ours = price_item(service="s", region="r", price=1.0, unit="u", meter="m", product="p")
        assert shape_problems(ours, item) == []
    graph.add(vm(A, "f16", size="Standard_F16s", os="Windows"))
    answer = await list_resources(azure_context(subscriptions=[A]))
    (found,) = answer.resources
    assert found.monthly_cost is None  # not 0.6176 EUR x 730 hours from the Spot meter
    assert retail.filters() == [
        "serviceName eq 'Virtual Machines' and armRegionName eq 'westeurope' and armSkuName eq 'Standard_F16s' "
        "and priceType eq 'Consumption'"
    ]
    eur = next(i for i in items if i["type"] == "Consumption")
    assert (eur["meterName"], eur["skuName"], eur["retailPrice"]) == ("F16s Spot", "F16s Spot", Decimal("0.6176"))


def test_the_monitor_fake_answers_in_the_shape_of_microsofts_metrics_example(monitor: MonitorFake) -> None:
    resource = "/subscriptions/x/resourceGroups/g/providers/Microsoft.Compute/virtualMachines/web"
    monitor.set_daily(resource, "Percentage CPU", {date(2026, 11, 24): 1.5})
    query = {
        "api-version": "2024-02-01",
        "timespan": "2026-11-24T00:00:00Z/2026-11-26T00:00:00Z",
        "interval": "P1D",
        "metricnames": "Percentage CPU",
        "aggregation": "Average",
    }
    answer = monitor._answer(ArmRequest("GET", f"{resource}/providers/Microsoft.Insights/metrics", query, None, {}))  # pyright: ignore[reportPrivateUsage]
    assert shape_problems(answer, documented("monitor/GetMetric.json")) == []
    (metric,) = answer["value"]
    assert [p.get("average") for p in metric["timeseries"][0]["data"]] == [1.5, None]  # a day without data: no average

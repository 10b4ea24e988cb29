"""Resource Graph, Retail Prices and Azure Monitor fakes on the ``arm`` fake, ARM records as Resource Graph
returns them, and a small retail price list (USD, westeurope)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.fakes.azure.arm import ArmFake
from tests.fakes.azure.monitor import MonitorFake
from tests.fakes.azure.resource_graph import ResourceGraphFake
from tests.fakes.azure.retail_prices import RetailPricesFake, price_item
from tests.servers.azure.conftest import SUBSCRIPTIONS

A, B = SUBSCRIPTIONS
WE = "westeurope"


@pytest.fixture
def graph(arm: ArmFake) -> ResourceGraphFake:
    fake = ResourceGraphFake(arm)
    for subscription in SUBSCRIPTIONS:
        fake.add_subscription(subscription)
    return fake


@pytest.fixture
def retail(arm: ArmFake) -> RetailPricesFake:
    fake = RetailPricesFake(arm)
    fake.add(*PRICE_LIST)
    return fake


@pytest.fixture
def monitor(arm: ArmFake) -> MonitorFake:
    return MonitorFake(arm)


def _hourly(service: str, price: float, meter: str, product: str, sku_name: str, arm_sku: str = "") -> dict[str, Any]:
    return price_item(
        service=service,
        region=WE,
        price=price,
        unit="1 Hour",
        meter=meter,
        product=product,
        sku_name=sku_name,
        arm_sku=arm_sku,
    )


def _vm_price(size: str, price: float, product: str, sku_name: str) -> dict[str, Any]:
    return _hourly("Virtual Machines", price, sku_name, product, sku_name, arm_sku=size)


def _storage(price: float, unit: str, meter: str, product: str, sku_name: str) -> dict[str, Any]:
    return price_item(
        service="Storage", region=WE, price=price, unit=unit, meter=meter, product=product, sku_name=sku_name
    )


PRICE_LIST = [
    # Spot and Low Priority come first: they must never be chosen.
    _vm_price("Standard_D2s_v5", 0.0192, "Virtual Machines Dsv5 Series", "D2s v5 Spot"),
    _vm_price("Standard_D2s_v5", 0.0192, "Virtual Machines Dsv5 Series", "D2s v5 Low Priority"),
    _vm_price("Standard_D2s_v5", 0.188, "Virtual Machines Dsv5 Series Windows", "D2s v5"),
    _vm_price("Standard_D2s_v5", 0.096, "Virtual Machines Dsv5 Series", "D2s v5"),
    {**_vm_price("Standard_D2s_v5", 0.061, "Virtual Machines Dsv5 Series", "D2s v5"), "type": "Reservation"},
    _vm_price("Standard_B2s", 0.0416, "Virtual Machines BS Series", "B2s"),
    _storage(19.71, "1/Month", "P10 LRS Disk", "Premium SSD Managed Disks", "P10 LRS"),
    _storage(2.4, "1/Month", "P10 LRS Disk Mount", "Premium SSD Managed Disks", "P10 LRS"),
    _storage(0.002, "10K", "E10 LRS Disk Operations", "Standard SSD Managed Disks", "E10 LRS"),
    _storage(9.6, "1/Month", "E10 LRS Disk", "Standard SSD Managed Disks", "E10 LRS"),
    _storage(1.54, "1/Month", "S4 LRS Disk", "Standard HDD Managed Disks", "S4 LRS"),
    _storage(0.05, "1 GB/Month", "LRS Snapshot", "Standard HDD Managed Disks", "Snapshots"),
    _storage(0.132, "1 GB/Month", "LRS Snapshot", "Premium SSD Managed Disks", "Snapshots"),
    _hourly("Virtual Network", 0.005, "Standard IPv4 Static Public IP", "IP Addresses", "Standard"),
    _hourly("Virtual Network", 0.0036, "Basic IPv4 Static Public IP", "IP Addresses", "Basic"),
    _hourly("Load Balancer", 0.025, "Standard Included LB Rules and Outbound Rules", "Load Balancer", "Standard"),
    _hourly("Azure App Service", 0.169, "P1 v3 App", "Azure App Service Premium v3 Plan - Linux", "P1 v3"),
    _hourly("Azure App Service", 0.3, "P1 v3 App", "Azure App Service Premium v3 Plan", "P1 v3"),
]


# -- ARM records, as Resource Graph returns them ---------------------------------------------------------


def arm_id(subscription: str, provider: str, name: str, group: str = "rg-app") -> str:
    return f"/subscriptions/{subscription}/resourceGroups/{group}/providers/{provider}/{name}"


def _record(subscription: str, provider: str, name: str, location: str = WE, **fields: Any) -> dict[str, Any]:
    return {
        "id": arm_id(subscription, provider, name),
        "name": name.rsplit("/", 1)[-1],
        "type": provider.lower(),
        "location": location,
        "subscriptionId": subscription,
        "resourceGroup": "rg-app",
        "tags": fields.pop("tags", None) or {},
        "sku": fields.pop("sku", None),
        "kind": fields.pop("kind", ""),
        "managedBy": fields.pop("managed_by", ""),
        "properties": fields.pop("properties", {}),
        **fields,
    }


def vm(
    subscription: str,
    name: str,
    *,
    size: str = "Standard_D2s_v5",
    power: str = "running",
    os: str = "Linux",
    disks: tuple[str, ...] = (),
    location: str = WE,
    created: str | None = "2025-03-01T10:00:00Z",
    license_type: str | None = None,
    tags: dict[str, str] | None = None,
) -> dict[str, Any]:
    properties: dict[str, Any] = {
        "vmId": f"vm-{name}",
        "hardwareProfile": {"vmSize": size},
        "storageProfile": {
            "osDisk": {"osType": os, "name": f"{name}-os", "managedDisk": {"id": disks[0] if disks else ""}},
            "dataDisks": [{"lun": i, "managedDisk": {"id": d}} for i, d in enumerate(disks[1:])],
        },
        "extended": {"instanceView": {"powerState": {"code": f"PowerState/{power}", "displayStatus": f"VM {power}"}}},
        "provisioningState": "Succeeded",
    }
    if created:
        properties["timeCreated"] = created
    if license_type:
        properties["licenseType"] = license_type
    return _record(subscription, "Microsoft.Compute/virtualMachines", name, location, tags=tags, properties=properties)


def disk(
    subscription: str,
    name: str,
    *,
    sku: str = "Premium_LRS",
    size_gb: int = 128,
    state: str = "Attached",
    managed_by: str = "",
    location: str = WE,
    created: str = "2025-03-01T10:00:00Z",
) -> dict[str, Any]:
    return _record(
        subscription,
        "Microsoft.Compute/disks",
        name,
        location,
        sku={"name": sku, "tier": sku.split("_")[0]},
        managed_by=managed_by,
        properties={"diskSizeGB": size_gb, "diskState": state, "timeCreated": created, "osType": "Linux"},
    )


def snapshot(
    subscription: str, name: str, *, size_gb: int = 128, created: str, source: str = "", sku: str = "Standard_LRS"
) -> dict[str, Any]:
    return _record(
        subscription,
        "Microsoft.Compute/snapshots",
        name,
        sku={"name": sku, "tier": "Standard"},
        properties={
            "diskSizeGB": size_gb,
            "timeCreated": created,
            "incremental": True,
            "creationData": {"createOption": "Copy", "sourceResourceId": source},
        },
    )


def public_ip(
    subscription: str, name: str, *, sku: str = "Standard", allocation: str = "Static", attached_to: str = ""
) -> dict[str, Any]:
    properties: dict[str, Any] = {"publicIPAllocationMethod": allocation, "ipAddress": "20.1.2.3"}
    if attached_to:
        properties["ipConfiguration"] = {"id": f"{attached_to}/ipConfigurations/ipconfig1"}
    return _record(
        subscription,
        "Microsoft.Network/publicIPAddresses",
        name,
        sku={"name": sku, "tier": "Regional"},
        properties=properties,
    )


def load_balancer(subscription: str, name: str, *, sku: str = "Standard") -> dict[str, Any]:
    return _record(
        subscription,
        "Microsoft.Network/loadBalancers",
        name,
        sku={"name": sku, "tier": "Regional"},
        properties={"loadBalancingRules": [{"name": "http"}], "backendAddressPools": [{"name": "pool"}]},
    )


def plan(
    subscription: str, name: str, *, sku: str = "P1v3", sites: int = 1, linux: bool = True, capacity: int = 1
) -> dict[str, Any]:
    return _record(
        subscription,
        "Microsoft.Web/serverFarms",
        name,
        kind="linux" if linux else "app",
        sku={"name": sku, "tier": "PremiumV3", "size": sku, "family": "Pv3", "capacity": capacity},
        properties={"numberOfSites": sites, "reserved": linux, "status": "Ready"},
    )


def database(
    subscription: str, server: str, name: str, *, sku: str = "GP_Gen5_2", status: str = "Online"
) -> dict[str, Any]:
    record = _record(
        subscription,
        "Microsoft.Sql/servers",
        server,
        sku={"name": sku, "tier": "GeneralPurpose"},
        kind="v12.0,user,vcore",
        properties={"status": status, "creationDate": "2024-06-01T08:30:00Z"},
    )
    return {**record, "id": f"{record['id']}/databases/{name}", "name": name, "type": "microsoft.sql/servers/databases"}

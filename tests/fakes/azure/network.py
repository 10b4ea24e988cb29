"""``Microsoft.Network`` public IP addresses on ``ArmFake``, kept in memory: ``GET`` and long-running ``DELETE``
of ``.../publicIPAddresses/{name}``. An address in use has ``properties.ipConfiguration.id`` (a NIC's or load
balancer's IP configuration) or ``properties.natGateway``; Azure refuses to delete it (400 PublicIPAddressInUse).
Status requests of the long-running deletes are counted under ``network-operation``."""

from __future__ import annotations

from typing import Any

from tests.fakes.azure import resources
from tests.fakes.azure.arm import ArmError, ArmFake, ArmRequest, ArmResponse
from tests.fakes.azure.lro import Operations

IP = r"/subscriptions/[^/]+/resourceGroups/[^/]+/providers/Microsoft\.Network/publicIPAddresses/[^/]+"


class NetworkFake:
    def __init__(self, arm: ArmFake) -> None:
        self.arm = arm
        self.ips: dict[str, dict[str, Any]] = {}
        self.operations = Operations(arm, "Microsoft.Network", "network-operation")
        arm.route("network-ip-get", "GET", IP, self._get)
        arm.route("network-ip-delete", "DELETE", IP, self._delete)

    def add_ip(
        self,
        subscription: str,
        group: str,
        name: str,
        *,
        address: str = "20.1.2.3",
        location: str = "westeurope",
        attached_to: str | None = None,
        tags: dict[str, str] | None = None,
        sku: str = "Standard",
    ) -> str:
        properties: dict[str, Any] = {
            "ipAddress": address,
            "publicIPAllocationMethod": "Static",
            "publicIPAddressVersion": "IPv4",
            "provisioningState": "Succeeded",
        }
        if attached_to:
            properties["ipConfiguration"] = {"id": attached_to}
        rid = resources.resource_id(subscription, group, "Microsoft.Network/publicIPAddresses", name)
        self.ips[rid.lower()] = resources.resource(
            rid, location, properties, tags=tags, sku={"name": sku, "tier": "Regional"}
        )
        return rid

    def find(self, resource_id: str) -> dict[str, Any] | None:
        return self.ips.get(resource_id.lower())

    def _get(self, request: ArmRequest) -> dict[str, Any]:
        return resources.get(request, self.ips, "Microsoft.Network/publicIPAddresses")

    def _delete(self, request: ArmRequest) -> ArmResponse:
        return resources.delete(request, self.ips, self.operations, _in_use)


def _in_use(record: dict[str, Any]) -> ArmError | None:
    if record["properties"].get("ipConfiguration") or record["properties"].get("natGateway"):
        return ArmError(400, "PublicIPAddressInUse", f"Public IP address {record['id']} is in use.")
    return None

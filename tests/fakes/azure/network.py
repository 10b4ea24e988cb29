"""``Microsoft.Network`` public IP addresses on ``ArmFake``, kept in memory: ``GET`` and long-running ``DELETE``
of ``.../publicIPAddresses/{name}``. An address in use has ``properties.ipConfiguration.id`` (a NIC's or load
balancer's IP configuration) or ``properties.natGateway``; Azure refuses to delete it (400 PublicIPAddressInUse).
Status requests of the long-running deletes are counted under ``network-operation``."""

from __future__ import annotations

import copy
from typing import Any

from tests.fakes.azure.arm import ArmError, ArmFake, ArmRequest, ArmResponse
from tests.fakes.azure.lro import Operations, not_found, parse_id

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
        rid = (
            f"/subscriptions/{subscription}/resourceGroups/{group}/providers/Microsoft.Network/publicIPAddresses/{name}"
        )
        properties: dict[str, Any] = {
            "ipAddress": address,
            "publicIPAllocationMethod": "Static",
            "publicIPAddressVersion": "IPv4",
            "provisioningState": "Succeeded",
        }
        if attached_to:
            properties["ipConfiguration"] = {"id": attached_to}
        self.ips[rid.lower()] = {
            "id": rid,
            "name": name,
            "type": "Microsoft.Network/publicIPAddresses",
            "location": location,
            "tags": dict(tags or {}),
            "sku": {"name": sku, "tier": "Regional"},
            "properties": properties,
        }
        return rid

    def find(self, resource_id: str) -> dict[str, Any] | None:
        return self.ips.get(resource_id.lower())

    def _key(self, request: ArmRequest) -> str:
        if "api-version" not in request.query:
            raise ArmError(400, "MissingApiVersionParameter", "The api-version query parameter is required.")
        return request.path.rstrip("/").lower()

    def _get(self, request: ArmRequest) -> dict[str, Any]:
        found = self.ips.get(self._key(request))
        if found is None:
            raise not_found("Microsoft.Network/publicIPAddresses", parse_id(request.path)[2])
        return copy.deepcopy(found)

    def _delete(self, request: ArmRequest) -> ArmResponse:
        key = self._key(request)
        found = self.ips.get(key)
        if found is None:
            return ArmResponse(204)
        if found["properties"].get("ipConfiguration") or found["properties"].get("natGateway"):
            raise ArmError(400, "PublicIPAddressInUse", f"Public IP address {found['id']} is in use.")
        found["properties"]["provisioningState"] = "Deleting"

        def finish() -> None:
            self.ips.pop(key, None)

        return self.operations.accepted(parse_id(request.path)[0], found["location"], finish)

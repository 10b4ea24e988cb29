"""``Microsoft.Compute`` on ``ArmFake``: virtual machines, managed disks and snapshots kept in memory.

Implements what the remediation uses, with the documented REST shapes (api-versions checked present):

- ``GET .../virtualMachines/{vm}`` (``$expand=instanceView`` adds ``properties.instanceView.statuses`` with the
  ``PowerState/...`` code), ``PATCH`` (``properties.hardwareProfile.vmSize``, ``tags``: a long-running update),
  ``POST .../deallocate`` and ``.../start`` (long-running), ``GET .../vmSizes``;
- ``GET``/``PATCH``/``DELETE .../disks/{disk}`` (``properties.diskState``: Unattached, Attached, Reserved ...);
- ``GET``/``PUT``/``PATCH``/``DELETE .../snapshots/{snapshot}`` (PUT with ``properties.creationData``
  ``{createOption: Copy, sourceResourceId}`` copies the source disk's size).

Changes are long-running operations (see ``lro.Operations``): status requests are counted under the route name
``compute-operation``.
"""

from __future__ import annotations

import copy
import threading
from typing import Any

from tests.fakes.azure import resources
from tests.fakes.azure.arm import ArmError, ArmFake, ArmRequest, ArmResponse
from tests.fakes.azure.lro import Operations
from tests.fakes.azure.resources import not_found, parse_id

RG = r"/subscriptions/[^/]+/resourceGroups/[^/]+/providers/Microsoft\.Compute"
DEFAULT_SIZES = ("Standard_B2s", "Standard_D2s_v5", "Standard_D4s_v5", "Standard_D8s_v5")


class ComputeFake:
    """In-memory VMs, disks and snapshots; ``install`` registers the routes on an ``ArmFake``."""

    def __init__(self, arm: ArmFake) -> None:
        self.arm = arm
        self.vms: dict[str, dict[str, Any]] = {}
        self.power: dict[str, str] = {}  # vm id (lower) -> running, deallocating, deallocated, starting, stopped
        self.sizes: dict[str, tuple[str, ...]] = {}
        self.disks: dict[str, dict[str, Any]] = {}
        self.snapshots: dict[str, dict[str, Any]] = {}
        self.restarts: list[str] = []  # VMs a resize restarted (they were running)
        self._lock = threading.Lock()
        self.operations = Operations(arm, "Microsoft.Compute", "compute-operation")
        self._install()

    # -- building the world --------------------------------------------------------------------------

    def add_vm(
        self,
        subscription: str,
        group: str,
        name: str,
        *,
        size: str = "Standard_D8s_v5",
        power: str = "running",
        location: str = "westeurope",
        tags: dict[str, str] | None = None,
        sizes: tuple[str, ...] = DEFAULT_SIZES,
        scale_set: str | None = None,
    ) -> str:
        properties: dict[str, Any] = {
            "vmId": f"vm-{len(self.vms):04d}",
            "hardwareProfile": {"vmSize": size},
            "provisioningState": "Succeeded",
            "storageProfile": {"osDisk": {"name": f"{name}-os", "osType": "Linux"}},
        }
        if scale_set:
            properties["virtualMachineScaleSet"] = {"id": scale_set}
        rid = resources.resource_id(subscription, group, "Microsoft.Compute/virtualMachines", name)
        self.vms[rid.lower()] = resources.resource(rid, location, properties, tags=tags)
        self.power[rid.lower()] = power
        self.sizes[rid.lower()] = sizes
        return rid

    def add_disk(
        self,
        subscription: str,
        group: str,
        name: str,
        *,
        size_gb: int = 128,
        state: str = "Unattached",
        sku: str = "Premium_LRS",
        location: str = "westeurope",
        tags: dict[str, str] | None = None,
        managed_by: str | None = None,
    ) -> str:
        properties = {
            "diskSizeGB": size_gb,
            "diskState": state,
            "provisioningState": "Succeeded",
            "timeCreated": "2025-01-10T09:00:00Z",
            "creationData": {"createOption": "Empty"},
        }
        rid = resources.resource_id(subscription, group, "Microsoft.Compute/disks", name)
        disk = resources.resource(rid, location, properties, tags=tags, sku={"name": sku, "tier": sku.split("_")[0]})
        if managed_by:
            disk["managedBy"] = managed_by
        self.disks[rid.lower()] = disk
        return rid

    def add_snapshot(
        self,
        subscription: str,
        group: str,
        name: str,
        *,
        size_gb: int = 64,
        location: str = "westeurope",
        tags: dict[str, str] | None = None,
    ) -> str:
        properties = {
            "diskSizeGB": size_gb,
            "provisioningState": "Succeeded",
            "timeCreated": "2025-03-01T09:00:00Z",
            "creationData": {"createOption": "Empty"},
        }
        rid = resources.resource_id(subscription, group, "Microsoft.Compute/snapshots", name)
        sku = {"name": "Standard_LRS", "tier": "Standard"}
        self.snapshots[rid.lower()] = resources.resource(rid, location, properties, tags=tags, sku=sku)
        return rid

    def find(self, resource_id: str) -> dict[str, Any] | None:
        """The stored record of any compute resource (for the Tags API fake)."""
        key = resource_id.lower()
        return self.vms.get(key) or self.disks.get(key) or self.snapshots.get(key)

    # -- routes ----------------------------------------------------------------------------------------

    def _install(self) -> None:
        a = self.arm
        vm = rf"{RG}/virtualMachines/[^/]+"
        a.route("compute-vm-get", "GET", vm, self._vm_get)
        a.route("compute-vm-update", "PATCH", vm, self._vm_update)
        a.route("compute-vm-deallocate", "POST", rf"{vm}/deallocate", self._vm_power("deallocating", "deallocated"))
        a.route("compute-vm-start", "POST", rf"{vm}/start", self._vm_power("starting", "running"))
        a.route("compute-vm-sizes", "GET", rf"{vm}/vmSizes", self._vm_sizes)
        disk = rf"{RG}/disks/[^/]+"
        a.route("compute-disk-get", "GET", disk, lambda r: resources.get(r, self.disks, "Microsoft.Compute/disks"))
        a.route("compute-disk-delete", "DELETE", disk, lambda r: self._delete(r, self.disks))
        snap = rf"{RG}/snapshots/[^/]+"
        a.route(
            "compute-snapshot-get",
            "GET",
            snap,
            lambda r: resources.get(r, self.snapshots, "Microsoft.Compute/snapshots"),
        )
        a.route("compute-snapshot-put", "PUT", snap, self._snapshot_put)
        a.route("compute-snapshot-delete", "DELETE", snap, lambda r: self._delete(r, self.snapshots))

    def _vm(self, request: ArmRequest) -> dict[str, Any]:
        found = self.vms.get(resources.key(request))
        if found is None:
            raise not_found("Microsoft.Compute/virtualMachines", parse_id(request.path)[2])
        return found

    def _vm_body(self, key: str, with_view: bool) -> dict[str, Any]:
        body = copy.deepcopy(self.vms[key])
        if with_view:
            power = self.power[key]
            body["properties"]["instanceView"] = {
                "statuses": [
                    {"code": "ProvisioningState/succeeded", "level": "Info"},
                    {"code": f"PowerState/{power}", "level": "Info", "displayStatus": f"VM {power}"},
                ]
            }
        return body

    def _vm_get(self, request: ArmRequest) -> dict[str, Any]:
        self._vm(request)
        return self._vm_body(resources.key(request), request.query.get("$expand") == "instanceView")

    def _vm_update(self, request: ArmRequest) -> ArmResponse:
        record = self._vm(request)
        key = resources.key(request)
        body = request.body or {}
        size = ((body.get("properties") or {}).get("hardwareProfile") or {}).get("vmSize")
        if size is not None and size not in self.sizes[key]:
            raise ArmError(409, "OperationNotAllowed", f"The requested VM size {size} is not available.")
        subscription = parse_id(request.path)[0]

        def finish() -> None:
            with self._lock:
                if size is not None:
                    record["properties"]["hardwareProfile"]["vmSize"] = size
                if "tags" in body:
                    record["tags"] = dict(body["tags"])
                record["properties"]["provisioningState"] = "Succeeded"
                if size is not None and self.power[key] == "running":
                    self.restarts.append(record["id"])

        record["properties"]["provisioningState"] = "Updating"
        answer = self._vm_body(key, False)
        return self.operations.accepted(subscription, record["location"], finish, answer, status=200)

    def _vm_power(self, during: str, after: str) -> Any:
        def handle(request: ArmRequest) -> ArmResponse:
            record = self._vm(request)
            key = resources.key(request)
            self.power[key] = during

            def finish() -> None:
                self.power[key] = after

            return self.operations.accepted(parse_id(request.path)[0], record["location"], finish)

        return handle

    def _vm_sizes(self, request: ArmRequest) -> dict[str, Any]:
        self._vm(request)
        names = self.sizes[resources.key(request)]
        return {
            "value": [
                {
                    "name": n,
                    "numberOfCores": 2,
                    "memoryInMB": 8192,
                    "maxDataDiskCount": 8,
                    "osDiskSizeInMB": 1047552,
                    "resourceDiskSizeInMB": 0,
                }
                for n in names
            ]
        }

    def _delete(self, request: ArmRequest, store: resources.Store) -> ArmResponse:
        return resources.delete(request, store, self.operations, _attached)

    def _snapshot_put(self, request: ArmRequest) -> ArmResponse:
        key = resources.key(request)
        subscription, group, name = parse_id(request.path)
        body = request.body or {}
        creation = (body.get("properties") or {}).get("creationData") or {}
        if creation.get("createOption") != "Copy" or not creation.get("sourceResourceId"):
            raise ArmError(400, "InvalidParameter", "creationData needs createOption Copy and sourceResourceId.")
        source = self.disks.get(str(creation["sourceResourceId"]).lower())
        if source is None:
            raise ArmError(404, "NotFound", f"Source disk {creation['sourceResourceId']} was not found.")
        if not body.get("location"):
            raise ArmError(400, "LocationRequired", "The location property is required for this definition.")
        properties = {
            "creationData": creation,
            "diskSizeGB": source["properties"]["diskSizeGB"],
            "provisioningState": "Creating",
            "timeCreated": "2026-11-26T10:00:00Z",
            "incremental": bool((body.get("properties") or {}).get("incremental", False)),
        }
        rid = resources.resource_id(subscription, group, "Microsoft.Compute/snapshots", name)
        sku = body.get("sku") or {"name": "Standard_LRS"}
        record = resources.resource(rid, body["location"], properties, tags=body.get("tags"), sku=sku)
        self.snapshots[key] = record

        def finish() -> None:
            record["properties"]["provisioningState"] = "Succeeded"

        return self.operations.accepted(subscription, body["location"], finish, copy.deepcopy(record))


def _attached(record: dict[str, Any]) -> ArmError | None:
    if record["properties"].get("diskState") == "Attached":
        return ArmError(409, "OperationNotAllowed", "Disk is attached to a VM.")
    return None

"""Finding the resource an action names: its full ARM id parsed, the right SDK client, and its current record.

Azure resource ids are full ARM ids (``/subscriptions/<id>/resourceGroups/<rg>/providers/Microsoft.Compute/disks/
<name>``); provider and type segments are compared case-insensitively, as Azure does. The record is the
resource's REST JSON (``as_dict()`` of the SDK model), read fresh for every plan and apply.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from finops_core.errors import InvalidInput, NotFound

from finops_azure.errors import azure_errors

if TYPE_CHECKING:
    from finops_azure.context import AzureContext

TargetKind = Literal["vm", "disk", "snapshot", "ip"]
_TYPES: dict[str, TargetKind] = {
    "microsoft.compute/virtualmachines": "vm",
    "microsoft.compute/disks": "disk",
    "microsoft.compute/snapshots": "snapshot",
    "microsoft.network/publicipaddresses": "ip",
}
KIND_NAMES: dict[TargetKind, str] = {
    "vm": "a virtual machine (Microsoft.Compute/virtualMachines)",
    "disk": "a managed disk (Microsoft.Compute/disks)",
    "snapshot": "a snapshot (Microsoft.Compute/snapshots)",
    "ip": "a public IP address (Microsoft.Network/publicIPAddresses)",
}
ID_FORM = "/subscriptions/<id>/resourceGroups/<group>/providers/<Namespace>/<type>/<name>"


@dataclass(frozen=True)
class ArmId:
    """A resource's ARM id, parsed. ``resource_id`` keeps the spelling it was given."""

    resource_id: str
    subscription: str
    resource_group: str
    kind: TargetKind
    name: str


def parse_arm_id(resource_id: str) -> ArmId:
    """The parts of a VM's, disk's, snapshot's or public IP's ARM id; ``NotFound`` saying the form for text that is
    no ARM id, ``InvalidInput`` for a type this server does not change."""
    text = resource_id.strip().rstrip("/")
    parts = text.strip("/").split("/")
    lowered = [p.lower() for p in parts]
    if (
        not text.startswith("/")
        or len(parts) != 8
        or lowered[0] != "subscriptions"
        or lowered[2] != "resourcegroups"
        or lowered[4] != "providers"
        or not all(parts)
    ):
        # Not an id at all: no resource by that name exists (the contract every provider keeps), said helpfully.
        raise NotFound(
            f"{resource_id!r} names no resource: it is not a full Azure resource id ({ID_FORM}); copy it from "
            "azure_list_resources or a recommendation.",
            provider="azure",
        )
    kind = _TYPES.get(f"{lowered[5]}/{lowered[6]}")
    if kind is None:
        raise InvalidInput(
            f"{parts[5]}/{parts[6]} resources cannot be changed by this server: it changes "
            f"{', '.join(KIND_NAMES.values())}."
        )
    return ArmId(text, parts[1], parts[3], kind, parts[7])


@dataclass(frozen=True)
class Target:
    """A resource found: its id, a client for its provider, and its REST record."""

    arm: ArmId
    client: Any = field(repr=False)
    record: dict[str, Any] = field(repr=False)

    @property
    def kind(self) -> TargetKind:
        return self.arm.kind

    @property
    def resource_id(self) -> str:
        return self.arm.resource_id

    @property
    def properties(self) -> dict[str, Any]:
        return dict(self.record.get("properties") or {})

    @property
    def tags(self) -> dict[str, str]:
        return {str(k): str(v) for k, v in (self.record.get("tags") or {}).items()}

    @property
    def where(self) -> str:
        return (
            f"in resource group {self.arm.resource_group}, subscription {self.arm.subscription}"
            f" ({self.record.get('location', '?')})"
        )

    def label(self) -> str:
        return f"{self.arm.name}"


def client_for(ctx: AzureContext, arm: ArmId) -> Any:
    if arm.kind == "ip":
        from azure.mgmt.network import NetworkManagementClient

        return ctx.clients.client(NetworkManagementClient, arm.subscription)
    from azure.mgmt.compute import ComputeManagementClient

    return ctx.clients.client(ComputeManagementClient, arm.subscription)


def read_record(client: Any, arm: ArmId) -> dict[str, Any] | None:
    """The resource's REST record (a VM's with its instance view), or None when it does not exist."""
    group, name = arm.resource_group, arm.name
    try:
        with azure_errors(f"reading {arm.resource_id}"):
            if arm.kind == "vm":
                model = client.virtual_machines.get(group, name, expand="instanceView")
            elif arm.kind == "disk":
                model = client.disks.get(group, name)
            elif arm.kind == "snapshot":
                model = client.snapshots.get(group, name)
            else:
                model = client.public_ip_addresses.get(group, name)
    except NotFound:
        return None
    return dict(model.as_dict())


def resolve(ctx: AzureContext, resource_id: str) -> Target:
    """The resource ``resource_id`` names, read now (blocking: run through ``ctx.run``)."""
    arm = parse_arm_id(resource_id)
    client = client_for(ctx, arm)
    record = read_record(client, arm)
    if record is None:
        raise NotFound(
            f"No {KIND_NAMES[arm.kind].split(' (')[0].removeprefix('a ').removeprefix('an ')} {arm.name!r} in "
            f"resource group {arm.resource_group} of subscription {arm.subscription}. Check the id with "
            "azure_list_resources (it may have been deleted or moved), and that the credentials can read it.",
            provider="azure",
        )
    return Target(arm, client, record)

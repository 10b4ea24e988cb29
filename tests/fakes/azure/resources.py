"""Resource Manager resources kept in memory, for the compute and network fakes: a resource's id and record, and
the ``GET`` and long-running ``DELETE`` that every resource type answers alike.

Records are stored by their id in lower case (ARM ids are case-insensitive), in the shape ARM sends:
``{id, name, type, location, tags, sku?, properties}``.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from tests.fakes.azure.arm import ArmError, ArmRequest, ArmResponse, require_api_version
from tests.fakes.azure.lro import Operations

Store = dict[str, dict[str, Any]]


def resource_id(subscription: str, group: str, kind: str, name: str) -> str:
    """The id of a resource of ``kind`` (``Microsoft.Compute/disks``)."""
    return f"/subscriptions/{subscription}/resourceGroups/{group}/providers/{kind}/{name}"


def resource(
    rid: str,
    location: str,
    properties: dict[str, Any],
    *,
    tags: dict[str, str] | None = None,
    sku: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The resource ``rid`` as ARM sends it (its name and type read from the id)."""
    _, _, _, _, _, _, namespace, kind, name = rid.split("/")
    record: dict[str, Any] = {
        "id": rid,
        "name": name,
        "type": f"{namespace}/{kind}",
        "location": location,
        "tags": dict(tags or {}),
    }
    if sku is not None:
        record["sku"] = sku
    record["properties"] = properties
    return record


def parse_id(path: str) -> tuple[str, str, str]:
    """(subscription, resource group, name) from a request path of a resource."""
    parts = path.strip("/").split("/")
    return parts[1], parts[3], parts[7]


def not_found(kind: str, name: str) -> ArmError:
    return ArmError(404, "ResourceNotFound", f"The Resource '{kind}/{name}' was not found.")


def key(request: ArmRequest) -> str:
    """The stored key of the resource a request is about (its path may go on: ``.../virtualMachines/vm/start``)."""
    require_api_version(request)
    return "/" + "/".join(request.path.strip("/").split("/")[:8]).lower()


def get(request: ArmRequest, store: Store, kind: str) -> dict[str, Any]:
    found = store.get(key(request))
    if found is None:
        raise not_found(kind, parse_id(request.path)[2])
    return copy.deepcopy(found)


def delete(
    request: ArmRequest, store: Store, operations: Operations, refusal: Callable[[dict[str, Any]], ArmError | None]
) -> ArmResponse:
    """Delete as a long-running operation (a resource already gone answers 204), unless ``refusal`` names why the
    resource cannot go (it is in use)."""
    stored = key(request)
    found = store.get(stored)
    if found is None:
        return ArmResponse(204)
    refused = refusal(found)
    if refused is not None:
        raise refused
    found["properties"]["provisioningState"] = "Deleting"

    def finish() -> None:
        store.pop(stored, None)

    return operations.accepted(parse_id(request.path)[0], found["location"], finish)

"""The Tags API on ``ArmFake``: ``PATCH {resourceId}/providers/Microsoft.Resources/tags/default`` with
``{"operation": "Merge"|"Replace"|"Delete", "properties": {"tags": {...}}}`` (api-version 2021-04-01), answering
the resulting ``TagsResource``. Resources are looked up in the given fakes (anything with ``find(id)``)."""

from __future__ import annotations

from typing import Any, Protocol

from tests.fakes.azure.arm import ArmError, ArmFake, ArmRequest

ROUTE = "tags"


class Holds(Protocol):
    def find(self, resource_id: str) -> dict[str, Any] | None: ...


def install(arm: ArmFake, *fakes: Holds) -> None:
    def patch(request: ArmRequest) -> dict[str, Any]:
        if request.query.get("api-version") != "2021-04-01":
            raise ArmError(400, "InvalidApiVersionParameter", f"api-version {request.query.get('api-version')}")
        resource_id = request.path[: -len("/providers/Microsoft.Resources/tags/default")]
        record = next((r for f in fakes if (r := f.find(resource_id)) is not None), None)
        if record is None:
            raise ArmError(404, "ResourceNotFound", f"The Resource '{resource_id}' was not found.")
        body = request.body or {}
        operation = body.get("operation")
        tags = dict((body.get("properties") or {}).get("tags") or {})
        if operation == "Merge":
            record["tags"] = {**record.get("tags", {}), **tags}
        elif operation == "Replace":
            record["tags"] = tags
        elif operation == "Delete":
            record["tags"] = {k: v for k, v in record.get("tags", {}).items() if k not in tags}
        else:
            raise ArmError(400, "InvalidTagOperation", f"operation must be Merge, Replace or Delete, not {operation}")
        return {
            "id": f"{resource_id}/providers/Microsoft.Resources/tags/default",
            "name": "default",
            "type": "Microsoft.Resources/tags",
            "properties": {"tags": record["tags"]},
        }

    arm.route(ROUTE, "PATCH", r"/subscriptions/.+/providers/Microsoft\.Resources/tags/default", patch)

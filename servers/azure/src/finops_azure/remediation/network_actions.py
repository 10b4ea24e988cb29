"""Public IP addresses: release (delete) one that nothing uses."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from finops_core.errors import RemediationRefused

from finops_azure.remediation.lro import run_to_end
from finops_azure.remediation.plans import Done, Prepared
from finops_azure.remediation.targets import Target, read_record

if TYPE_CHECKING:
    from finops_azure.context import AzureContext


def ip_state(record: dict[str, Any]) -> dict[str, Any]:
    properties = record.get("properties") or {}
    attached = (properties.get("ipConfiguration") or {}).get("id") or (properties.get("natGateway") or {}).get("id")
    return {
        "state": "in-use" if attached else "unattached",
        "ip_address": properties.get("ipAddress"),
        "attached_to": attached,
        "allocation": properties.get("publicIPAllocationMethod"),
        "sku": (record.get("sku") or {}).get("name"),
        "location": record.get("location"),
        "tags": dict(record.get("tags") or {}),
    }


def prepare_release_ip(ctx: AzureContext, t: Target, parameters: dict[str, str]) -> Prepared:
    before = ip_state(t.record)
    if before["attached_to"]:
        raise RemediationRefused(
            f"Public IP {t.label()} ({before['ip_address']}) {t.where} is associated with {before['attached_to']}. "
            "Dissociate it first if it is really unused. Nothing was changed."
        )
    summary = f"Delete unassociated public IP {t.label()} ({before['ip_address']}, {before['sku']}) {t.where}"
    undo = (
        "none for the address itself: a new public IP gets a new address (unless it comes from a public IP prefix "
        f"you own); recreate {t.arm.name} in {t.arm.resource_group} if a resource needs one"
    )

    def perform() -> Done:
        what = f"deleting public IP {t.resource_id}"
        run_to_end(ctx, t.client.public_ip_addresses.begin_delete, what, t.arm.resource_group, t.arm.name)
        return Done(f"Deleted public IP {t.label()} ({before['ip_address']}) {t.where}.")

    def read() -> dict[str, Any]:
        record = read_record(t.client, t.arm)
        return ip_state(record) if record else {"state": "deleted"}

    return Prepared(summary, before, {**before, "state": "deleted"}, undo, perform, read)

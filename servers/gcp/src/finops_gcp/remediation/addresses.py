"""Static IP addresses: release (delete) a reserved address nothing uses; regional or global."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from finops_core.errors import RemediationRefused

from finops_gcp.remediation.operations import change
from finops_gcp.remediation.plans import Done, Prepared
from finops_gcp.remediation.targets import Target, read_back, short

if TYPE_CHECKING:
    from finops_gcp.context import GcpContext


def address_state(record: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "status": str(record.get("status") or ""),
        "address": str(record.get("address") or ""),
        "address_type": str(record.get("addressType") or "EXTERNAL"),  # Google's default when unset
        "users": [short(str(u)) for u in record.get("users") or []],
        "labels": dict(record.get("labels") or {}),
    }


async def prepare_release_ip(ctx: GcpContext, t: Target, parameters: dict[str, str]) -> Prepared:
    before = address_state(t.record)
    ip = before["address"]
    if before["status"] != "RESERVED" or before["users"]:
        users = ", ".join(before["users"]) or "a resource"
        raise RemediationRefused(
            f"{t.label()} ({ip}) {t.where} is {before['status']}, used by {users}: only a RESERVED address "
            "nobody uses is released. Detach it first if it really is not needed. Nothing was changed."
        )
    p, name = t.ref.project, t.ref.name
    regional = t.ref.scope != "global"
    flag_ = f"--region {t.ref.location}" if regional else "--global"
    undo = (
        f"reserve it again, which gets the same IP only while no one else has taken it: gcloud compute addresses "
        f"create {name} --addresses {ip} {flag_} --project {p}"
    )

    async def perform() -> Done:
        await change(ctx, "DELETE", t.ref.path, project=p, what=f"releasing {t.label()} ({ip}) {t.where}")
        return Done(f"Released {t.label()} ({ip}) {t.where}: the unused static IP no longer bills.")

    summary = f"Release unused static IP {ip} ({t.label()}) {t.where}"
    return Prepared(summary, before, {"status": "DELETED"}, undo, perform, read_back(ctx, t.ref, address_state))

"""Static IP addresses: release (delete) a reserved address nothing uses; regional or global."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from finops_core.errors import RemediationRefused

from finops_gcp.remediation.operations import change
from finops_gcp.remediation.plans import Done, Prepared
from finops_gcp.remediation.targets import Target, read_or_none, short

if TYPE_CHECKING:
    from finops_gcp.context import GcpContext


def address_state(record: Any) -> dict[str, Any]:
    return {
        "status": record.status,
        "address": record.address,
        "address_type": record.address_type,
        "users": [short(u) for u in record.users],
        "labels": dict(record.labels),
    }


async def prepare_release_ip(ctx: GcpContext, t: Target, parameters: dict[str, str]) -> Prepared:
    from google.cloud import compute_v1

    record = t.record
    before = address_state(record)
    if record.status != "RESERVED" or record.users:
        users = ", ".join(short(u) for u in record.users) or "a resource"
        raise RemediationRefused(
            f"{t.label()} ({record.address}) {t.where} is {record.status}, used by {users}: only a RESERVED address "
            "nobody uses is released. Detach it first if it really is not needed. Nothing was changed."
        )
    p, name = t.ref.project, t.ref.name
    regional = t.ref.scope != "global"
    flag_ = f"--region {t.ref.location}" if regional else "--global"
    undo = (
        f"reserve it again, which gets the same IP only while no one else has taken it: gcloud compute addresses "
        f"create {name} --addresses {record.address} {flag_} --project {p}"
    )

    async def perform() -> Done:
        if regional:
            client = ctx.clients.gapic(compute_v1.AddressesClient, "compute")
            call = lambda: client.delete_unary(project=p, region=t.ref.location, address=name)  # noqa: E731
        else:
            global_client = ctx.clients.gapic(compute_v1.GlobalAddressesClient, "compute")
            call = lambda: global_client.delete_unary(project=p, address=name)  # noqa: E731
        await change(ctx, call, project=p, what=f"releasing {t.label()} ({record.address}) {t.where}")
        return Done(f"Released {t.label()} ({record.address}) {t.where}: the unused static IP no longer bills.")

    async def read_after() -> dict[str, Any]:
        found = await ctx.run(read_or_none, ctx, t.ref)
        return address_state(found) if found is not None else {"status": "DELETED"}

    summary = f"Release unused static IP {record.address} ({t.label()}) {t.where}"
    return Prepared(summary, before, {"status": "DELETED"}, undo, perform, read_after)

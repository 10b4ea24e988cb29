"""Deleting disks (after a snapshot) and snapshots, releasing static IPs, merging labels, and marking the
Recommender's recommendation an action realizes."""

from __future__ import annotations

from typing import Any

import pytest
from finops_core.errors import InvalidInput, NotFound, RemediationRefused, Unavailable
from finops_core.models import ACTION_KINDS, RemediationAction
from finops_gcp.context import GcpContext
from finops_gcp.remediation import ACTIONS, apply_remediation, plan_remediation

from tests.fakes.gcp.compute_ops import ComputeOps
from tests.fakes.gcp.google_api import GoogleError, GoogleFake, GoogleRequest
from tests.servers.conftest import Waits
from tests.servers.gcp.remediation.conftest import (
    REGION,
    ZONE,
    P,
    address_id,
    disk_id,
    instance_id,
    snapshot_id,
    world,
)

pytestmark = pytest.mark.anyio
RECOMMENDATION = (
    f"projects/{P}/locations/{ZONE}/recommenders/google.compute.disk.IdleResourceRecommender/recommendations/r1"
)
MARK = r"/v1/(projects/[^/]+/locations/[^/]+/recommenders/[^/]+/recommendations/[^/:]+):mark(Succeeded|Failed)"


def _action(kind: str, resource_id: str, **parameters: str) -> RemediationAction:
    return RemediationAction(provider="gcp", kind=kind, resource_id=resource_id, parameters=parameters)


def test_every_core_action_kind_but_bucket_lifecycle_rules_has_a_google_implementation() -> None:
    assert set(ACTIONS) == set(ACTION_KINDS) - {"add_lifecycle_rule"}


async def test_deleting_a_disk_takes_a_labelled_snapshot_first_and_names_it_in_the_undo(
    ops: ComputeOps, google: GoogleFake, ctx: GcpContext, waits: Waits
) -> None:
    ops.add_disk(P, ZONE, "old-data", size_gb=500, labels={"team": "data"})
    action = _action("delete_volume", disk_id("old-data"))
    before = world(ops)
    plan = await plan_remediation(ctx, action)
    assert world(ops) == before
    assert "Snapshot, then delete" in plan.summary
    assert plan.before["size_gb"] == 500
    result = await apply_remediation(ctx, action)
    assert result.applied
    assert (P, ZONE, "old-data") not in ops.disks
    assert result.after == {"status": "DELETED"}
    [(_, name)] = list(ops.snapshots)
    assert name.startswith("old-data-finops-")
    snap = ops.snapshots[(P, name)]
    assert snap["sourceDisk"].endswith(f"/zones/{ZONE}/disks/old-data")
    assert snap["labels"] == {"team": "data", "finops-source-disk": "old-data", "finops-reason": "before-disk-delete"}
    assert result.undo is not None
    assert f"--source-snapshot {name}" in result.undo
    assert snapshot_id(name) in result.message
    # The snapshot's operation was waited for before the delete was even sent.
    order = [n for n, _ in google.requests if n in ("disks.createSnapshot", "operations.get", "disks.delete")]
    assert order == ["disks.createSnapshot", "operations.get", "disks.delete", "operations.get"]
    assert waits == [1.0, 1.0]


async def test_the_disk_is_deleted_only_once_its_snapshot_has_finished_uploading(
    ops: ComputeOps, google: GoogleFake, ctx: GcpContext, waits: Waits
) -> None:
    ops.snapshot_reads_to_ready = 3
    ops.add_disk(P, ZONE, "old-data")
    result = await apply_remediation(ctx, _action("delete_volume", disk_id("old-data")))
    assert result.applied
    order = [n for n, _ in google.requests if n in ("snapshots.get", "disks.delete")]
    assert order == ["snapshots.get", "snapshots.get", "snapshots.get", "disks.delete"]
    assert [s["status"] for s in ops.snapshots.values()] == ["READY"]


async def test_an_operation_that_never_finishes_is_reported_with_how_to_look_at_it(
    ops: ComputeOps, ctx: GcpContext, waits: Waits
) -> None:
    ops.polls_to_finish = 10_000
    ops.add_snapshot(P, "stuck")
    with pytest.raises(Unavailable, match=r"gcloud compute operations describe operation-\S+ --global"):
        await apply_remediation(ctx, _action("delete_snapshot", snapshot_id("stuck")))
    assert 600 <= sum(waits) <= 610
    assert max(waits) == 10.0


async def test_deleting_a_disk_without_a_snapshot_says_it_cannot_be_undone(ops: ComputeOps, ctx: GcpContext) -> None:
    ops.add_disk(P, ZONE, "scratch")
    result = await apply_remediation(ctx, _action("delete_volume", disk_id("scratch"), snapshot_first="false"))
    assert result.applied
    assert ops.snapshots == {}
    assert result.undo is not None
    assert "gone for good" in result.undo


async def test_a_disk_in_use_is_not_deleted(ops: ComputeOps, google: GoogleFake, ctx: GcpContext) -> None:
    ops.add_instance(P, ZONE, "web-1", disks=["web-1-boot"])
    with pytest.raises(RemediationRefused, match="in use by web-1: detach it first"):
        await apply_remediation(ctx, _action("delete_volume", disk_id("web-1-boot")))
    assert (P, ZONE, "web-1-boot") in ops.disks
    assert google.calls("disks.createSnapshot") == []


async def test_a_reserved_address_is_released_and_one_in_use_refused(
    ops: ComputeOps, google: GoogleFake, ctx: GcpContext
) -> None:
    ops.add_address(P, REGION, "spare-ip", ip="34.10.0.1")
    ops.add_address(P, REGION, "web-ip", ip="34.10.0.2", user=instance_id("web-1"))
    ops.add_address(P, None, "lb-ip", ip="34.120.0.9")
    with pytest.raises(RemediationRefused, match="IN_USE, used by web-1"):
        await plan_remediation(ctx, _action("release_ip", address_id("web-ip")))
    before = world(ops)
    plan = await plan_remediation(ctx, _action("release_ip", address_id("spare-ip")))
    assert world(ops) == before
    assert "34.10.0.1" in plan.summary
    result = await apply_remediation(ctx, _action("release_ip", address_id("spare-ip")))
    assert result.applied
    assert (result.before["status"], result.after["status"]) == ("RESERVED", "DELETED")
    assert result.undo is not None
    assert "--addresses 34.10.0.1 --region us-central1" in result.undo
    assert (P, f"regions/{REGION}", "spare-ip") not in ops.addresses
    result = await apply_remediation(ctx, _action("release_ip", address_id("lb-ip", region=None)))
    assert result.applied
    assert (P, "global", "lb-ip") not in ops.addresses
    assert [r.path.split("/")[-2] for r in google.calls("operations.get")] == ["operations", "operations"]
    assert "/regions/us-central1/operations/" in google.calls("operations.get")[0].path
    assert "/global/operations/" in google.calls("operations.get")[1].path
    assert (P, f"regions/{REGION}", "web-ip") in ops.addresses


async def test_a_snapshot_is_deleted_and_a_missing_one_is_not_found(ops: ComputeOps, ctx: GcpContext) -> None:
    ops.add_snapshot(P, "nightly-2024-01-01")
    result = await apply_remediation(ctx, _action("delete_snapshot", snapshot_id("nightly-2024-01-01")))
    assert result.applied
    assert result.before["status"] == "READY"
    assert result.after == {"status": "DELETED"}
    assert ops.snapshots == {}
    with pytest.raises(NotFound, match="may already be deleted"):
        await apply_remediation(ctx, _action("delete_snapshot", snapshot_id("nightly-2024-01-01")))


async def test_labels_are_merged_with_the_fingerprint_and_the_undo_restores_old_values_and_drops_new_keys(
    ops: ComputeOps, google: GoogleFake, ctx: GcpContext
) -> None:
    ops.add_instance(P, ZONE, "web-1", labels={"team": "web", "env": "prod"})
    ops.add_disk(P, ZONE, "data-1")
    ops.add_address(P, REGION, "spare-ip")
    ops.add_address(P, None, "lb-ip")
    ops.add_snapshot(P, "snap-1")
    before = world(ops)
    plan = await plan_remediation(ctx, _action("set_tags", instance_id("web-1"), team="data", owner="ana"))
    assert world(ops) == before
    assert plan.expected_after["labels"] == {"team": "data", "env": "prod", "owner": "ana"}
    result = await apply_remediation(ctx, _action("set_tags", instance_id("web-1"), team="data", owner="ana"))
    assert result.applied
    assert result.after["labels"] == {"team": "data", "env": "prod", "owner": "ana"}
    [sent] = google.calls("instances.setLabels")
    assert sent.body["labelFingerprint"] == before[0][(P, ZONE, "web-1")]["labelFingerprint"]
    assert result.undo is not None
    assert f"set_tags on {instance_id('web-1')} with {{'team': 'web'}}" in result.undo
    assert "gcloud compute instances remove-labels web-1 --labels=owner --zone us-central1-a" in result.undo
    again = await apply_remediation(ctx, _action("set_tags", instance_id("web-1"), team="data"))
    assert not again.applied
    for resource_id in (disk_id("data-1"), address_id("spare-ip"), address_id("lb-ip", None), snapshot_id("snap-1")):
        done = await apply_remediation(ctx, _action("set_tags", resource_id, owner="ana"))
        assert done.after["labels"] == {"owner": "ana"}
    with pytest.raises(InvalidInput, match=r"no ':' or '\.'"):
        await plan_remediation(ctx, _action("set_tags", instance_id("web-1"), **{"finops:owner": "x"}))
    with pytest.raises(InvalidInput, match="lowercase"):
        await plan_remediation(ctx, _action("set_tags", instance_id("web-1"), team="Data Team"))


async def test_an_applied_recommendation_is_marked_succeeded_and_a_failed_one_failed(
    ops: ComputeOps, google: GoogleFake, ctx: GcpContext
) -> None:
    marked: list[tuple[str, str, Any]] = []

    def mark(request: GoogleRequest) -> dict[str, Any]:
        name, state = request.path.removeprefix("/v1/").split(":mark")
        if request.body.get("etag") != '"e1"':
            raise GoogleError(400, "INVALID_ARGUMENT", "etag mismatch")
        marked.append((name, state, request.body))
        return {"name": name, "etag": '"e2"', "stateInfo": {"state": state.upper()}}

    google.route("recommendations.mark", "POST", MARK, mark)
    ops.add_disk(P, ZONE, "idle-1")
    ops.add_disk(P, ZONE, "idle-2")
    realizes = {"recommendation_name": RECOMMENDATION, "recommendation_etag": '"e1"'}
    plan = await plan_remediation(ctx, _action("delete_volume", disk_id("idle-1"), **realizes))
    assert plan.dry_run_ok
    assert marked == []  # a plan marks nothing
    result = await apply_remediation(ctx, _action("delete_volume", disk_id("idle-1"), **realizes))
    assert result.applied
    assert f"Marked recommendation {RECOMMENDATION} SUCCEEDED" in result.message
    assert marked == [(RECOMMENDATION, "Succeeded", {"etag": '"e1"', "stateMetadata": {"finops-mcp": "applied"}})]

    ops.fail_operation("delete", 400, "resourceInUseByAnotherResource", "in use since a moment ago")
    with pytest.raises(Exception, match="in use since a moment ago"):
        await apply_remediation(ctx, _action("delete_volume", disk_id("idle-2"), snapshot_first="false", **realizes))
    assert marked[-1][:2] == (RECOMMENDATION, "Failed")

    stale = {"recommendation_name": RECOMMENDATION, "recommendation_etag": '"old"'}
    result = await apply_remediation(ctx, _action("delete_volume", disk_id("idle-2"), snapshot_first="false", **stale))
    assert result.applied  # the change stands; the marking's failure is reported
    assert "Could not mark recommendation" in result.message
    with pytest.raises(InvalidInput, match="or neither"):
        await plan_remediation(ctx, _action("set_tags", disk_id("x"), recommendation_name=RECOMMENDATION, team="a"))

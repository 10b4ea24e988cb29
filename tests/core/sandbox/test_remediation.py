"""Sandbox remediation changes sandbox state, checks preconditions, and records how to undo."""

from __future__ import annotations

import pytest
from finops_core.errors import InvalidInput, RemediationRefused
from finops_core.models import RemediationAction
from finops_core.sandbox import SandboxProvider

from tests.conftest import AS_OF

pytestmark = pytest.mark.anyio
IDLE = "i-0b2c3d4e5f6071829"
VOLUME = "vol-0e5f60718293a4b52"


def _action(kind: str, resource_id: str, **parameters: str) -> RemediationAction:
    return RemediationAction(provider="aws", kind=kind, resource_id=resource_id, parameters=parameters)


async def test_stopping_an_idle_instance_removes_its_recommendation_and_start_undoes_it() -> None:
    provider = SandboxProvider("aws", as_of=AS_OF)
    result = await provider.apply_remediation(_action("stop_instance", IDLE))
    assert (result.before["state"], result.after["state"]) == ("running", "stopped")
    recs = await provider.list_recommendations()
    assert IDLE not in {r.resource_id for r in recs.recommendations}
    await provider.apply_remediation(_action("start_instance", IDLE))
    recs = await provider.list_recommendations()
    assert IDLE in {r.resource_id for r in recs.recommendations}


async def test_planning_to_stop_a_stopped_instance_is_refused() -> None:
    provider = SandboxProvider("aws", as_of=AS_OF)
    await provider.apply_remediation(_action("stop_instance", IDLE))
    with pytest.raises(RemediationRefused, match="Nothing was changed"):
        await provider.plan_remediation(_action("stop_instance", IDLE))


async def test_applying_a_stop_again_changes_nothing_and_says_it_was_already_done() -> None:
    provider = SandboxProvider("aws", as_of=AS_OF)
    await provider.apply_remediation(_action("stop_instance", IDLE))
    before = await provider.list_resources(limit=100)
    again = await provider.apply_remediation(_action("stop_instance", IDLE))
    assert not again.applied
    assert "already stopped" in again.message
    assert await provider.list_resources(limit=100) == before


async def test_deleting_a_deleted_volume_again_changes_nothing() -> None:
    provider = SandboxProvider("aws", as_of=AS_OF)
    await provider.apply_remediation(_action("delete_volume", VOLUME))
    again = await provider.apply_remediation(_action("delete_volume", VOLUME))
    assert not again.applied
    assert "already deleted" in again.message


async def test_deleting_a_volume_keeps_a_snapshot_by_default() -> None:
    provider = SandboxProvider("aws", as_of=AS_OF)
    result = await provider.apply_remediation(_action("delete_volume", VOLUME))
    assert "snapshot" in (result.undo or "")
    snapshots = await provider.list_resources(resource_type="snapshot")
    assert f"{VOLUME}-final-snapshot" in {r.resource_id for r in snapshots.resources}
    volumes = await provider.list_resources(resource_type="volume")
    assert VOLUME not in {r.resource_id for r in volumes.resources}


async def test_deleting_a_volume_without_a_snapshot_says_it_cannot_be_undone() -> None:
    provider = SandboxProvider("aws", as_of=AS_OF)
    plan = await provider.plan_remediation(_action("delete_volume", VOLUME, snapshot_first="false"))
    assert "gone" in plan.undo


async def test_resizing_to_the_recommended_size_realizes_the_saving() -> None:
    provider = SandboxProvider("azure", as_of=AS_OF)
    rec = next(r for r in (await provider.list_recommendations()).recommendations if r.kind == "rightsize")
    assert rec.action is not None
    plan = await provider.plan_remediation(rec.action)
    assert plan.monthly_savings == rec.monthly_savings
    await provider.apply_remediation(rec.action)
    resource = next(r for r in (await provider.list_resources()).resources if r.resource_id == rec.resource_id)
    assert resource.size == rec.action.parameters["new_size"]


async def test_an_action_for_another_cloud_or_of_an_unknown_kind_is_rejected() -> None:
    provider = SandboxProvider("gcp", as_of=AS_OF)
    with pytest.raises(InvalidInput, match="gcp provider"):
        await provider.plan_remediation(_action("stop_instance", IDLE))
    bad = RemediationAction(provider="gcp", kind="format_disk", resource_id="x")
    with pytest.raises(InvalidInput, match="Unknown action kind"):
        await provider.plan_remediation(bad)


async def test_set_tags_merges_with_existing_tags() -> None:
    provider = SandboxProvider("aws", as_of=AS_OF)
    result = await provider.apply_remediation(_action("set_tags", IDLE, owner="ana"))
    assert result.after["tags"] == {"team": "data", "owner": "ana"}


async def test_a_lifecycle_rule_is_refused_for_a_resource_that_is_not_a_bucket() -> None:
    provider = SandboxProvider("aws", as_of=AS_OF)
    before = await provider.list_resources(limit=100)
    with pytest.raises(RemediationRefused, match="add_lifecycle_rule applies to a bucket"):
        await provider.plan_remediation(_action("add_lifecycle_rule", VOLUME, expire_days="30"))
    with pytest.raises(RemediationRefused, match="applies to a bucket"):
        await provider.apply_remediation(_action("add_lifecycle_rule", IDLE, expire_days="30"))
    assert await provider.list_resources(limit=100) == before

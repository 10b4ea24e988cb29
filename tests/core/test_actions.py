"""The remediation action table every cloud plans, applies and reads tags through: its checks in order, the
protection tag from the registry (compared as the cloud compares tag keys), and apply's follow-up."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

import pytest
from finops_core.actions import Action, ActionTable
from finops_core.errors import FinOpsError, InvalidInput, RemediationRefused, Unavailable
from finops_core.models import RemediationAction
from finops_core.prepared import Done, Prepared

pytestmark = pytest.mark.anyio


@dataclass
class Machines:
    """A cloud of machines in memory: ``name -> tags``, the calls made, and a change that fails when told to."""

    tags: dict[str, dict[str, str]]
    calls: list[str] = field(default_factory=lambda: list[str]())
    failing: FinOpsError | None = None


@dataclass(frozen=True)
class Machine:
    """A machine as read: its name and tags."""

    name: str
    tags: dict[str, str]
    where: str = "in memory"

    def label(self) -> str:
        return f"machine {self.name}"


def _stop(cloud: Machines, machine: Machine, parameters: dict[str, str]) -> Prepared[Done, dict[str, Any]]:
    name = machine.name
    cloud.calls.append(f"check {name}")

    def perform() -> Done:
        cloud.calls.append(f"stop {name}")
        if cloud.failing is not None:
            raise cloud.failing
        return Done(f"Stopped {name}.")

    return Prepared(f"Stop {name}", {"state": "running"}, {"state": "stopped"}, "start it", perform, dict)


async def _read(cloud: Machines, name: str, parameters: dict[str, str]) -> Machine:
    cloud.calls.append(f"read {name}")
    return Machine(name, cloud.tags.get(name, {}))


async def _run(cloud: Machines, call: Callable[[], Any]) -> Any:
    return call()  # the machines in memory answer at once: prepare and perform are plain calls


async def _follow_up(cloud: Machines, action: RemediationAction, failure: FinOpsError | None) -> str:
    cloud.calls.append(f"follow up ({type(failure).__name__})")
    return " Noted."


def _table(cloud_id: str, **options: Any) -> ActionTable[Machines, Machine]:
    return ActionTable[Machines, Machine](
        cloud=cloud_id,
        actions={"stop_instance": Action(("machine",), _stop)},
        kind_names={"machine": "a machine", "disk": "a disk"},
        kind_of=lambda resource_id: "disk" if resource_id.startswith("disk") else "machine",
        read=_read,
        run=_run,
        follow_up=_follow_up,
        **options,
    )


def _stop_action(cloud_id: str, resource_id: str = "m1", kind: str = "stop_instance") -> RemediationAction:
    return RemediationAction(provider=cloud_id, kind=kind, resource_id=resource_id)


async def test_each_check_comes_before_anything_is_read_and_says_what_to_use() -> None:
    cloud = Machines({"m1": {}})
    table = _table("azure")
    with pytest.raises(InvalidInput, match="This is the Azure provider; the action is for aws"):
        await table.plan(cloud, _stop_action("aws"))
    with pytest.raises(InvalidInput, match="'reboot' on Azure; use one of stop_instance"):
        await table.plan(cloud, _stop_action("azure", kind="reboot"))
    with pytest.raises(InvalidInput, match="stop_instance applies to a machine; 'disk-1' is not one"):
        await table.plan(cloud, _stop_action("azure", "disk-1"))
    assert cloud.calls == []


@pytest.mark.parametrize(
    ("cloud_id", "tags", "refused"),
    [
        ("azure", {" FinOps:Protect": "TRUE"}, "is tagged finops:protect=true"),  # Azure's keys: any case
        ("aws", {"FinOps:Protect": "true"}, None),  # AWS's keys are exact: another tag
        ("gcp", {"finops-protect": "yes"}, "is labelled finops-protect=true"),
    ],
)
async def test_the_cloud_s_protection_tag_refuses_before_the_action_is_checked(
    cloud_id: str, tags: dict[str, str], refused: str | None
) -> None:
    cloud = Machines({"m1": tags})
    table = _table(cloud_id, labels=cloud_id == "gcp")
    if refused is None:
        assert (await table.plan(cloud, _stop_action(cloud_id))).dry_run_ok
        return
    with pytest.raises(RemediationRefused, match=refused):
        await table.plan(cloud, _stop_action(cloud_id))
    assert cloud.calls == ["read m1"]


async def test_apply_checks_again_changes_and_follows_up_on_success_and_on_a_failed_change() -> None:
    cloud = Machines({"m1": {}})
    result = await _table("aws").apply(cloud, _stop_action("aws"))
    assert (result.applied, result.message) == (True, "Stopped m1. Noted.")
    cloud.failing = InvalidInput("the machine is busy")
    with pytest.raises(InvalidInput, match="busy"):
        await _table("aws").apply(cloud, _stop_action("aws"))
    assert cloud.calls[-2:] == ["stop m1", "follow up (InvalidInput)"]


async def test_a_change_that_timed_out_is_not_followed_up_since_it_may_still_finish() -> None:
    cloud = Machines({"m1": {}}, failing=Unavailable("no answer in 60 s", provider="aws"))
    with pytest.raises(Unavailable):
        await _table("aws").apply(cloud, _stop_action("aws"))
    assert cloud.calls == ["read m1", "check m1", "stop m1"]


async def test_a_prepare_of_the_wrong_kind_for_the_table_s_run_is_a_clear_error_not_a_crash_later() -> None:
    async def stop_later(cloud: Machines, machine: Machine, parameters: dict[str, str]) -> Prepared[Done, Any]:
        return _stop(cloud, machine, parameters)

    table = replace(_table("aws"), actions={"stop_instance": Action(("machine",), stop_later)})
    with pytest.raises(TypeError, match="prepare gave coroutine, not a Prepared"):
        await table.plan(Machines({"m1": {}}), _stop_action("aws"))

"""The orchestrator's plan / approve / execute loop on the emulated Azure Resource Manager: refusals change nothing
in the compute fake, an approved plan deallocates the VM for real and only once, a VM tagged
``finops:protect=true`` never gets into a plan, and a VM tagged legal-hold or moved to prod after the approval is
not deallocated: by the orchestrator, or by the Azure server on its own."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from finops_core.store import Store
from finops_orchestrator.remediation.ledger import Ledger
from finops_orchestrator.remediation.policy import Policy
from mcp import Client
from mcp.server import MCPServer

from tests.fakes.azure.arm import ArmFake
from tests.fakes.azure.compute import ComputeFake
from tests.servers.azure.conftest import SUBSCRIPTIONS
from tests.servers.azure.test_provider import azure_provider
from tests.servers.conftest import Waits
from tests.servers.remediation import (
    GUARDED,
    NOW,
    approve,
    approving_server,
    remediating_orchestrator,
    signed_apply,
    text,
)

pytestmark = pytest.mark.anyio


def _orchestrator(
    arm: ArmFake, home: Path, waits: Waits, policy: Policy | None = None
) -> tuple[MCPServer, Store, ComputeFake]:
    provider, compute = azure_provider(arm, home, waits)
    store = Store(home / "finops.sqlite")
    server = remediating_orchestrator(store, provider, policy)
    return server, store, compute


def _deallocate(vm: str) -> dict[str, Any]:
    return {"provider": "azure", "kind": "stop_instance", "resource_id": vm}


def _tag(compute: ComputeFake, vm: str, **tags: str) -> None:
    """Tag the VM in Resource Manager, as someone might in the portal after the plan was approved."""
    compute.vms[vm.lower()]["tags"].update(tags)


def _power(compute: ComputeFake, vm: str) -> str:
    return compute.power[vm.lower()]


async def test_on_azure_only_an_approved_plan_deallocates_the_vm_and_only_once(
    arm: ArmFake, home: Path, waits: Waits
) -> None:
    server, store, compute = _orchestrator(arm, home, waits)
    vm = compute.add_vm(SUBSCRIPTIONS[0], "rg-web", "web-1", tags={"team": "web"})
    async with Client(server) as client:  # cannot ask a person
        made = await client.call_tool("finops_plan_remediation", {"actions": [_deallocate(vm)]})
        assert not made.is_error, text(made)
        plan = made.structured_content or {}
        assert plan["steps"][0]["resource_tags"] == {"team": "web"}
        refused = await client.call_tool("finops_execute_plan", {"plan_id": plan["plan_id"]})
        assert refused.is_error
        assert "no approval" in text(refused)
        assert _power(compute, vm) == "running"
        ledger = Ledger(store)
        ledger.approve(
            ledger.plan(plan["plan_id"]),
            approved_by="ana",
            channel="terminal",
            now=NOW - timedelta(hours=2),
            ttl=timedelta(hours=1),
        )
        expired = await client.call_tool("finops_execute_plan", {"plan_id": plan["plan_id"]})
        assert expired.is_error
        assert "expired" in text(expired)
        assert _power(compute, vm) == "running"
        assert arm.calls("compute-vm-deallocate") == []
        ledger.approve(
            ledger.plan(plan["plan_id"]), approved_by="ana", channel="terminal", now=NOW, ttl=timedelta(hours=1)
        )
        ran = await client.call_tool("finops_execute_plan", {"plan_id": plan["plan_id"]})
        assert (ran.structured_content or {})["outcome"] == "succeeded", text(ran)
        assert _power(compute, vm) == "deallocated"
        assert len(arm.calls("compute-vm-deallocate")) == 1
        reads = len(arm.calls("compute-vm-get"))
        again = await client.call_tool("finops_execute_plan", {"plan_id": plan["plan_id"]})
    assert (again.structured_content or {})["outcome"] == "already_done", text(again)
    assert len(arm.calls("compute-vm-deallocate")) == 1  # Azure was not asked again, not even to read the VM
    assert len(arm.calls("compute-vm-get")) == reads
    assert _power(compute, vm) == "deallocated"


async def test_on_azure_a_vm_tagged_finops_protect_never_gets_into_a_plan(
    arm: ArmFake, home: Path, waits: Waits
) -> None:
    server, store, compute = _orchestrator(arm, home, waits)
    free = compute.add_vm(SUBSCRIPTIONS[0], "rg-web", "web-1")
    protected = compute.add_vm(SUBSCRIPTIONS[0], "rg-web", "db-1", tags={"finops:protect": "true"})
    async with Client(server) as client:
        result = await client.call_tool(
            "finops_plan_remediation", {"actions": [_deallocate(free), _deallocate(protected)]}
        )
    assert result.is_error
    assert protected in text(result)
    assert "finops:protect" in text(result)
    assert Ledger(store).plans() == []
    assert _power(compute, free) == _power(compute, protected) == "running"
    assert arm.calls("compute-vm-deallocate") == arm.calls("compute-vm-update") == []


async def test_on_azure_vms_tagged_legal_hold_or_moved_to_prod_after_the_approval_are_not_deallocated(
    arm: ArmFake, home: Path, waits: Waits
) -> None:
    server, store, compute = _orchestrator(arm, home, waits, GUARDED)
    held = compute.add_vm(SUBSCRIPTIONS[0], "rg-web", "web-1")
    moved = compute.add_vm(SUBSCRIPTIONS[0], "rg-web", "web-2", tags={"env": "dev"})
    free = compute.add_vm(SUBSCRIPTIONS[0], "rg-web", "web-3", tags={"env": "dev"})
    actions = [_deallocate(held), _deallocate(moved), _deallocate(free)]
    async with Client(server) as client:
        made = await client.call_tool("finops_plan_remediation", {"actions": actions, "on_failure": "continue"})
        assert not made.is_error, text(made)
        plan = made.structured_content or {}
        approve(store, plan["plan_id"])
        _tag(compute, held, **{"Legal-Hold": "True"})  # Azure tag names are case-insensitive
        _tag(compute, moved, env="prod")
        ran = await client.call_tool("finops_execute_plan", {"plan_id": plan["plan_id"]})
    steps = (ran.structured_content or {})["steps"]
    assert [s["state"] for s in steps] == ["refused", "refused", "done"], text(ran)
    assert f"Azure {held} carries the protected tag legal-hold=true" in steps[0]["message"]
    assert f"stop_instance on Azure {moved} (environment prod) is not allowed" in steps[1]["message"]
    assert _power(compute, held) == _power(compute, moved) == "running"
    assert _power(compute, free) == "deallocated"
    assert len(arm.calls("compute-vm-deallocate")) == 1


async def test_on_azure_the_server_alone_refuses_a_signed_deallocation_of_a_vm_tagged_legal_hold_or_moved_to_prod(
    arm: ArmFake, home: Path, waits: Waits
) -> None:
    provider, compute = azure_provider(arm, home, waits)
    held = compute.add_vm(SUBSCRIPTIONS[0], "rg-web", "web-1")
    moved = compute.add_vm(SUBSCRIPTIONS[0], "rg-web", "web-2", tags={"env": "dev"})
    signed = {name: signed_apply(_deallocate(vm), GUARDED, name) for name, vm in (("held", held), ("moved", moved))}
    _tag(compute, held, **{"legal-hold": "true"})  # after the orchestrator signed: its own check is bypassed here
    _tag(compute, moved, env="prod")
    async with Client(approving_server(provider, home)) as client:
        refused = {name: await client.call_tool("azure_apply_remediation", args) for name, args in signed.items()}
    assert all(r.is_error for r in refused.values())
    assert f"Nothing was changed: {held} carries the protected tag legal-hold=true" in text(refused["held"])
    assert f"{moved} is in environment prod, where the policy does not allow it" in text(refused["moved"])
    assert _power(compute, held) == _power(compute, moved) == "running"
    assert arm.calls("compute-vm-deallocate") == []

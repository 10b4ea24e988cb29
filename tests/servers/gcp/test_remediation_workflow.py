"""The orchestrator's plan / approve / execute loop on the emulated Google Cloud: refusals change nothing in
Compute Engine, an approved plan stops the instance for real and only once, an instance labelled
``finops-protect=true`` never gets into a plan, an instance labelled legal-hold or moved to prod after the approval
is not stopped (by the orchestrator, or by the Google Cloud server on its own), and a plan made from a Recommender
recommendation marks it SUCCEEDED once it has run."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from finops_core.store import Store
from finops_orchestrator.remediation.ledger import Ledger
from finops_orchestrator.remediation.policy import Policy
from mcp import Client
from mcp.server import MCPServer

from tests.fakes.gcp.compute_ops import ComputeOps, fingerprint
from tests.fakes.gcp.google_api import GoogleFake
from tests.servers.conftest import Waits
from tests.servers.gcp.recommendations.samples import VM, idle_vm
from tests.servers.gcp.remediation.conftest import ZONE, P, instance_id, world
from tests.servers.gcp.test_provider import gcp_provider
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
    google: GoogleFake,
    home: Path,
    waits: Waits,
    recommendations: dict[str, list[dict[str, Any]]] | None = None,
    policy: Policy | None = None,
) -> tuple[MCPServer, Store, ComputeOps]:
    provider, ops = gcp_provider(google, home, waits, recommendations)
    store = Store(home / "finops.sqlite")
    server = remediating_orchestrator(store, provider, policy)
    return server, store, ops


def _stop(instance: str) -> dict[str, Any]:
    return {"provider": "gcp", "kind": "stop_instance", "resource_id": instance}


def _label(ops: ComputeOps, name: str, **labels: str) -> None:
    """Label the instance in Compute Engine, as someone might in the console after the plan was approved."""
    record = ops.instances[(P, ZONE, name)]
    record["labels"] = {**record["labels"], **labels}
    record["labelFingerprint"] = fingerprint(record["labels"])


def _status(ops: ComputeOps, name: str) -> str:
    return ops.instances[(P, ZONE, name)]["status"]


def _approve(store: Store, plan_id: str, at: datetime) -> None:
    ledger = Ledger(store)
    ledger.approve(ledger.plan(plan_id), approved_by="ana", channel="terminal", now=at, ttl=timedelta(hours=1))


async def test_on_google_cloud_only_an_approved_plan_stops_the_instance_and_only_once(
    google: GoogleFake, home: Path, waits: Waits
) -> None:
    server, store, ops = _orchestrator(google, home, waits)
    ops.add_instance(P, ZONE, "web-1", labels={"team": "web"})
    async with Client(server) as client:  # cannot ask a person
        made = await client.call_tool("finops_plan_remediation", {"actions": [_stop(instance_id("web-1"))]})
        assert not made.is_error, text(made)
        plan = made.structured_content or {}
        assert plan["steps"][0]["resource_tags"] == {"team": "web"}
        refused = await client.call_tool("finops_execute_plan", {"plan_id": plan["plan_id"]})
        assert refused.is_error
        assert "no approval" in text(refused)
        assert _status(ops, "web-1") == "RUNNING"
        _approve(store, plan["plan_id"], NOW - timedelta(hours=2))
        expired = await client.call_tool("finops_execute_plan", {"plan_id": plan["plan_id"]})
        assert expired.is_error
        assert "expired" in text(expired)
        assert _status(ops, "web-1") == "RUNNING"
        assert google.calls("instances.stop") == []
        _approve(store, plan["plan_id"], NOW)
        ran = await client.call_tool("finops_execute_plan", {"plan_id": plan["plan_id"]})
        assert (ran.structured_content or {})["outcome"] == "succeeded", text(ran)
        assert _status(ops, "web-1") == "TERMINATED"
        assert len(google.calls("instances.stop")) == 1
        reads = len(google.calls("instances.get"))
        again = await client.call_tool("finops_execute_plan", {"plan_id": plan["plan_id"]})
    assert (again.structured_content or {})["outcome"] == "already_done", text(again)
    assert len(google.calls("instances.stop")) == 1  # Google was not asked again, not even to read the instance
    assert len(google.calls("instances.get")) == reads
    assert _status(ops, "web-1") == "TERMINATED"


async def test_on_google_cloud_an_instance_labelled_finops_protect_never_gets_into_a_plan(
    google: GoogleFake, home: Path, waits: Waits
) -> None:
    server, store, ops = _orchestrator(google, home, waits)
    ops.add_instance(P, ZONE, "web-1")
    ops.add_instance(P, ZONE, "db-1", labels={"finops-protect": "true"})
    before = world(ops)
    protected = instance_id("db-1")
    async with Client(server) as client:
        result = await client.call_tool(
            "finops_plan_remediation", {"actions": [_stop(instance_id("web-1")), _stop(protected)]}
        )
    assert result.is_error
    assert protected in text(result)
    assert "finops-protect" in text(result)
    assert Ledger(store).plans() == []
    assert world(ops) == before
    assert google.calls("instances.stop") == []


async def test_on_google_cloud_a_plan_from_a_recommender_recommendation_marks_it_succeeded_after_it_runs(
    google: GoogleFake, home: Path, waits: Waits
) -> None:
    item = idle_vm()  # stop the idle web-1
    name = item["name"]
    server, store, ops = _orchestrator(google, home, waits, {name.split("/recommendations/")[0]: [item]})
    ops.add_instance(P, ZONE, "web-1")
    assert instance_id("web-1") == VM
    async with Client(server) as client:
        found = await client.call_tool("finops_savings", {"top_n": 50})
        assert not found.is_error, text(found)
        listed = [o["recommendation"] for o in (found.structured_content or {})["opportunities"]]
        chosen = next(r for r in listed if r["recommendation_id"] == name)
        assert chosen["action"]["kind"] == "stop_instance"
        assert chosen["action"]["parameters"]["recommendation_name"] == name  # what marks it done in Google
        made = await client.call_tool("finops_plan_remediation", {"recommendation_ids": [name]})
        assert not made.is_error, text(made)
        plan = made.structured_content or {}
        assert plan["steps"][0]["recommendation_id"] == name
        assert item["stateInfo"]["state"] == "ACTIVE"  # planning tells Google nothing
        assert google.calls("mark") == []
        _approve(store, plan["plan_id"], NOW)
        ran = await client.call_tool("finops_execute_plan", {"plan_id": plan["plan_id"]})
    assert (ran.structured_content or {})["outcome"] == "succeeded", text(ran)
    assert _status(ops, "web-1") == "TERMINATED"
    assert item["stateInfo"]["state"] == "SUCCEEDED"
    assert [c.path.rsplit(":", 1)[-1] for c in google.calls("mark")] == ["markSucceeded"]


async def test_on_google_cloud_instances_labelled_legal_hold_or_moved_to_prod_after_the_approval_are_not_stopped(
    google: GoogleFake, home: Path, waits: Waits
) -> None:
    server, store, ops = _orchestrator(google, home, waits, policy=GUARDED)
    ops.add_instance(P, ZONE, "web-1")
    ops.add_instance(P, ZONE, "web-2", labels={"env": "dev"})
    ops.add_instance(P, ZONE, "web-3", labels={"env": "dev"})
    actions = [_stop(instance_id(n)) for n in ("web-1", "web-2", "web-3")]
    async with Client(server) as client:
        made = await client.call_tool("finops_plan_remediation", {"actions": actions, "on_failure": "continue"})
        assert not made.is_error, text(made)
        plan = made.structured_content or {}
        approve(store, plan["plan_id"])
        _label(ops, "web-1", **{"legal-hold": "true"})
        _label(ops, "web-2", env="prod")
        ran = await client.call_tool("finops_execute_plan", {"plan_id": plan["plan_id"]})
    steps = (ran.structured_content or {})["steps"]
    assert [s["state"] for s in steps] == ["refused", "refused", "done"], text(ran)
    assert f"Google Cloud {instance_id('web-1')} carries the protected tag legal-hold=true" in steps[0]["message"]
    assert f"stop_instance on Google Cloud {instance_id('web-2')} (environment prod)" in steps[1]["message"]
    assert _status(ops, "web-1") == _status(ops, "web-2") == "RUNNING"
    assert _status(ops, "web-3") == "TERMINATED"
    assert len(google.calls("instances.stop")) == 1


async def test_on_google_cloud_the_server_alone_refuses_a_signed_stop_of_an_instance_labelled_legal_hold_or_moved(
    google: GoogleFake, home: Path, waits: Waits
) -> None:
    provider, ops = gcp_provider(google, home, waits)
    ops.add_instance(P, ZONE, "web-1")
    ops.add_instance(P, ZONE, "web-2", labels={"env": "dev"})
    signed = {n: signed_apply(_stop(instance_id(n)), GUARDED, n) for n in ("web-1", "web-2")}
    _label(ops, "web-1", **{"legal-hold": "true"})  # after the orchestrator signed: its own check is bypassed here
    _label(ops, "web-2", env="prod")
    async with Client(approving_server(provider, home)) as client:
        refused = {n: await client.call_tool("gcp_apply_remediation", args) for n, args in signed.items()}
    assert all(r.is_error for r in refused.values())
    held, moved = text(refused["web-1"]), text(refused["web-2"])
    assert f"Nothing was changed: {instance_id('web-1')} carries the protected tag legal-hold=true" in held
    assert f"{instance_id('web-2')} is in environment prod, where the policy does not allow it" in moved
    assert _status(ops, "web-1") == _status(ops, "web-2") == "RUNNING"
    assert google.calls("instances.stop") == []

"""The orchestrator's plan / approve / execute loop (``tests.servers.remediation.RemediationWorkflow``) on the
emulated Google Cloud: Compute Engine instances, stopped for real; and a plan made from a Recommender
recommendation marks it SUCCEEDED once it has run."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, ClassVar

import pytest
from finops_core.store import Store
from mcp import Client

from tests.fakes.gcp.compute_ops import fingerprint
from tests.fakes.gcp.google_api import GoogleFake
from tests.servers.conftest import Waits
from tests.servers.gcp.recommendations.samples import VM, idle_vm
from tests.servers.gcp.remediation.conftest import ZONE, P, instance_id, world
from tests.servers.gcp.test_provider import gcp_provider
from tests.servers.remediation import EmulatedCloud, RemediationWorkflow, approve, remediating_orchestrator, text

pytestmark = pytest.mark.anyio


class Instances(EmulatedCloud):
    cloud = "gcp"
    protect = ("finops-protect", "true")  # label keys cannot hold ':'
    running, stopped = "RUNNING", ("TERMINATED",)
    read_back = ("status", "TERMINATED")
    routes: ClassVar[Mapping[str, str]] = {"stop": "instances.stop", "read": "instances.get"}

    def __init__(self, google: GoogleFake, home: Path, waits: Waits) -> None:
        self.fake = google
        self.provider, self.ops = gcp_provider(google, home, waits)

    def _record(self, resource_id: str) -> dict[str, Any]:
        return self.ops.instances[(P, ZONE, resource_id.rsplit("/", 1)[-1])]

    def add_instance(self, name: str, tags: dict[str, str] | None = None) -> str:
        self.ops.add_instance(P, ZONE, name, labels=tags or {})
        return instance_id(name)

    def stop(self, resource_id: str) -> dict[str, Any]:
        return {"provider": "gcp", "kind": "stop_instance", "resource_id": resource_id}

    def tag(self, resource_id: str, **tags: str) -> None:
        record = self._record(resource_id)
        record["labels"] = {**record["labels"], **tags}
        record["labelFingerprint"] = fingerprint(record["labels"])

    def state(self, resource_id: str) -> str:
        return self._record(resource_id)["status"]

    def snapshot(self) -> object:
        return world(self.ops)


class TestOnGoogleCloud(RemediationWorkflow):
    @pytest.fixture
    def emulated(self, google: GoogleFake, home: Path, waits: Waits) -> EmulatedCloud:
        return Instances(google, home, waits)


async def test_on_google_cloud_a_plan_from_a_recommender_recommendation_marks_it_succeeded_after_it_runs(
    google: GoogleFake, home: Path, waits: Waits
) -> None:
    item = idle_vm()  # stop the idle web-1
    name = item["name"]
    provider, ops = gcp_provider(google, home, waits, {name.split("/recommendations/")[0]: [item]})
    store = Store(home / "finops.sqlite")
    ops.add_instance(P, ZONE, "web-1")
    assert instance_id("web-1") == VM
    async with Client(remediating_orchestrator(store, provider)) as client:
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
        approve(store, plan["plan_id"])
        ran = await client.call_tool("finops_execute_plan", {"plan_id": plan["plan_id"]})
    assert (ran.structured_content or {})["outcome"] == "succeeded", text(ran)
    assert ops.instances[(P, ZONE, "web-1")]["status"] == "TERMINATED"
    assert item["stateInfo"]["state"] == "SUCCEEDED"
    assert [c.path.rsplit(":", 1)[-1] for c in google.calls("mark")] == ["markSucceeded"]

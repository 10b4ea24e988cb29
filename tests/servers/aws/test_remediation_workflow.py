"""The orchestrator's plan / approve / execute loop on AWS over moto: refusals change nothing in EC2, an approved
plan stops the instance for real, and a protected instance never gets into a plan."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from finops_core.store import Store
from finops_orchestrator.remediation.ledger import Ledger
from mcp import Client
from mcp.server import MCPServer

from tests.fakes.aws.json_service import AwsJsonFake
from tests.servers.aws.conftest import fixed_session
from tests.servers.aws.test_provider import aws_provider
from tests.servers.remediation import NOW, remediating_orchestrator, text

pytestmark = pytest.mark.anyio


def _ec2(moto: str) -> Any:
    return fixed_session().client("ec2", region_name="us-east-1", endpoint_url=moto)


def _instance(moto: str, tags: dict[str, str] | None = None) -> str:
    request: dict[str, Any] = {"ImageId": "ami-12c6146b", "MinCount": 1, "MaxCount": 1, "InstanceType": "t3.large"}
    if tags:
        request["TagSpecifications"] = [
            {"ResourceType": "instance", "Tags": [{"Key": k, "Value": v} for k, v in tags.items()]}
        ]
    return _ec2(moto).run_instances(**request)["Instances"][0]["InstanceId"]


def _state(moto: str, instance_id: str) -> str:
    reservations = _ec2(moto).describe_instances(InstanceIds=[instance_id])["Reservations"]
    return reservations[0]["Instances"][0]["State"]["Name"]


def _stop(instance_id: str) -> dict[str, Any]:
    return {
        "provider": "aws",
        "kind": "stop_instance",
        "resource_id": instance_id,
        "parameters": {"region": "us-east-1"},
    }


def _orchestrator(store: Store, moto: str, fake: AwsJsonFake, home: Path) -> MCPServer:
    """The finops server with remediation on, over AWS on the emulators, at a fixed time."""
    provider = aws_provider(moto, fake, home)
    return remediating_orchestrator(store, provider)


async def test_on_aws_only_an_approved_plan_stops_the_instance_and_only_once(
    moto: str, fake: AwsJsonFake, home: Path
) -> None:
    instance = _instance(moto)
    store = Store(home / "finops.sqlite")
    server = _orchestrator(store, moto, fake, home)
    async with Client(server) as client:  # cannot ask a person
        made = await client.call_tool("finops_plan_remediation", {"actions": [_stop(instance)]})
        assert not made.is_error, text(made)
        plan = made.structured_content or {}
        assert plan["steps"][0]["resource_tags"] == {}
        refused = await client.call_tool("finops_execute_plan", {"plan_id": plan["plan_id"]})
        assert refused.is_error
        assert "no approval" in text(refused)
        assert _state(moto, instance) == "running"
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
        assert _state(moto, instance) == "running"
        ledger.approve(
            ledger.plan(plan["plan_id"]), approved_by="ana", channel="terminal", now=NOW, ttl=timedelta(hours=1)
        )
        ran = await client.call_tool("finops_execute_plan", {"plan_id": plan["plan_id"]})
        again = await client.call_tool("finops_execute_plan", {"plan_id": plan["plan_id"]})
    assert (ran.structured_content or {})["outcome"] == "succeeded", text(ran)
    assert _state(moto, instance) in ("stopping", "stopped")
    assert (again.structured_content or {})["outcome"] == "already_done"


async def test_on_aws_a_protected_instance_never_gets_into_a_plan(moto: str, fake: AwsJsonFake, home: Path) -> None:
    free, protected = _instance(moto), _instance(moto, {"finops:protect": "true"})
    store = Store(home / "finops.sqlite")
    server = _orchestrator(store, moto, fake, home)
    async with Client(server) as client:
        result = await client.call_tool("finops_plan_remediation", {"actions": [_stop(free), _stop(protected)]})
    assert result.is_error
    assert protected in text(result)
    assert "finops:protect" in text(result)
    assert Ledger(store).plans() == []
    assert _state(moto, free) == _state(moto, protected) == "running"

"""The orchestrator's plan / approve / execute loop on AWS over moto: refusals change nothing in EC2, an approved
plan stops the instance for real, a protected instance never gets into a plan, and an instance tagged legal-hold
or moved to prod after the approval is not stopped: by the orchestrator, or by the AWS server on its own."""

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

from tests.fakes.aws.json_service import AwsJsonFake
from tests.servers.aws.conftest import fixed_session
from tests.servers.aws.test_provider import aws_provider
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


def _tag(moto: str, instance_id: str, **tags: str) -> None:
    """Tag the instance in EC2, as someone might in the console after the plan was approved."""
    _ec2(moto).create_tags(Resources=[instance_id], Tags=[{"Key": k, "Value": v} for k, v in tags.items()])


def _stop(instance_id: str) -> dict[str, Any]:
    return {
        "provider": "aws",
        "kind": "stop_instance",
        "resource_id": instance_id,
        "parameters": {"region": "us-east-1"},
    }


def _orchestrator(store: Store, moto: str, fake: AwsJsonFake, home: Path, policy: Policy | None = None) -> MCPServer:
    """The finops server with remediation on, over AWS on the emulators, at a fixed time."""
    provider = aws_provider(moto, fake, home)
    return remediating_orchestrator(store, provider, policy)


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


async def test_on_aws_instances_tagged_legal_hold_or_moved_to_prod_after_the_approval_are_not_stopped(
    moto: str, fake: AwsJsonFake, home: Path
) -> None:
    held, moved, free = _instance(moto), _instance(moto, {"env": "dev"}), _instance(moto, {"env": "dev"})
    store = Store(home / "finops.sqlite")
    server = _orchestrator(store, moto, fake, home, GUARDED)
    async with Client(server) as client:
        made = await client.call_tool(
            "finops_plan_remediation", {"actions": [_stop(held), _stop(moved), _stop(free)], "on_failure": "continue"}
        )
        assert not made.is_error, text(made)
        plan = made.structured_content or {}
        approve(store, plan["plan_id"])
        _tag(moto, held, **{"legal-hold": "true"})
        _tag(moto, moved, env="prod")
        ran = await client.call_tool("finops_execute_plan", {"plan_id": plan["plan_id"]})
    steps = (ran.structured_content or {})["steps"]
    assert [s["state"] for s in steps] == ["refused", "refused", "done"], text(ran)
    assert f"AWS {held} carries the protected tag legal-hold=true" in steps[0]["message"]
    assert f"stop_instance on AWS {moved} (environment prod) is not allowed" in steps[1]["message"]
    assert _state(moto, held) == _state(moto, moved) == "running"
    assert _state(moto, free) in ("stopping", "stopped")


async def test_on_aws_the_server_alone_refuses_a_signed_stop_of_an_instance_tagged_legal_hold_or_moved_to_prod(
    moto: str, fake: AwsJsonFake, home: Path
) -> None:
    held, moved = _instance(moto), _instance(moto, {"env": "dev"})
    server = approving_server(aws_provider(moto, fake, home), home)
    signed = {name: signed_apply(_stop(i), GUARDED, name) for name, i in (("held", held), ("moved", moved))}
    _tag(moto, held, **{"legal-hold": "true"})  # after the orchestrator signed: its own check is bypassed here
    _tag(moto, moved, env="prod")
    async with Client(server) as client:
        refused = {name: await client.call_tool("aws_apply_remediation", args) for name, args in signed.items()}
    assert all(r.is_error for r in refused.values())
    assert f"Nothing was changed: {held} carries the protected tag legal-hold=true" in text(refused["held"])
    assert f"{moved} is in environment prod, where the policy does not allow it" in text(refused["moved"])
    assert _state(moto, held) == _state(moto, moved) == "running"

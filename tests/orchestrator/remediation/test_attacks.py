"""Each way to make a plan run without a person's approval, or beyond the guardrails, is refused with a clear
message and changes nothing (the sandbox clouds record every change)."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta

import anyio
import pytest
from anyio.streams.buffered import BufferedByteReceiveStream
from finops_core.models import RemediationAction
from finops_orchestrator.policy import Policy
from finops_orchestrator.remediation import audit
from finops_orchestrator.remediation.ledger import Ledger
from mcp.types import CallToolResult

from tests.orchestrator.remediation.conftest import Person, World, make_plan, text

pytestmark = pytest.mark.anyio
LEGAL_HOLD = Policy.model_validate({"guardrails": {"protected_tags": ["finops:protect=true", "legal-hold=true"]}})


def _approve(world: World, plan_id: str) -> None:
    ledger = Ledger(world.store)
    ledger.approve(
        ledger.plan(plan_id), approved_by="ana", channel="terminal", now=world.clock(), ttl=world.policy.approval_ttl
    )


def _nothing_changed(world: World) -> None:
    assert all(not p.applied for p in world.providers.values())


def _refused(world: World, result: CallToolResult, says: str) -> None:
    """``result`` is a refusal that says ``says``, and no cloud changed anything."""
    assert result.is_error
    assert says in text(result)
    _nothing_changed(world)


async def test_executing_without_an_approval_is_refused_and_says_how_to_approve(world: World) -> None:
    async with world.client() as client:  # a client that cannot ask a person
        plan = await make_plan(client, await world.actionable())
        result = await client.call_tool("finops_execute_plan", {"plan_id": plan["plan_id"]})
    _refused(world, result, f"finops approve {plan['plan_id']}")
    assert "Traceback" not in text(result)
    assert world.count("remediation_runs") == 0


async def test_an_approval_of_another_plan_does_not_run_this_one(world: World) -> None:
    async with world.client() as client:
        first = await make_plan(client, await world.actionable("aws", 1))
        second = await make_plan(client, await world.actionable("gcp", 1))
        _approve(world, first["plan_id"])
        result = await client.call_tool("finops_execute_plan", {"plan_id": second["plan_id"]})
    _refused(world, result, "has no approval")


async def test_an_approval_recorded_for_a_different_version_of_the_plan_is_refused(world: World) -> None:
    async with world.client() as client:
        plan = await make_plan(client, await world.actionable())
        with world.store.transaction() as conn:  # someone writes an approval for other content into the store
            conn.execute(
                "INSERT INTO remediation_approvals VALUES ('appr-forged', ?, ?, 'mallory', 'terminal', ?, ?)",
                (
                    plan["plan_id"],
                    "0" * 64,
                    world.clock().isoformat(),
                    (world.clock() + timedelta(hours=1)).isoformat(),
                ),
            )
        result = await client.call_tool("finops_execute_plan", {"plan_id": plan["plan_id"]})
    _refused(world, result, "different version of the plan")


async def test_a_plan_modified_after_its_approval_is_refused(world: World) -> None:
    async with world.client() as client:
        plan = await make_plan(client, await world.actionable("aws", 1))
        _approve(world, plan["plan_id"])
        other = (await world.actionable("aws", 2))[1]
        other_id = (await world.providers["aws"].list_recommendations(limit=500)).recommendations
        target = next(r.resource_id for r in other_id if r.recommendation_id == other)
        with world.store.transaction() as conn:  # the triggers refuse changes; a determined editor drops them
            conn.execute("DROP TRIGGER remediation_plans_no_update")
            body = conn.execute("SELECT body FROM remediation_plans").fetchone()[0]
            conn.execute(
                "UPDATE remediation_plans SET body = ?",
                (body.replace(plan["steps"][0]["action"]["resource_id"], target),),
            )
        result = await client.call_tool("finops_execute_plan", {"plan_id": plan["plan_id"]})
    _refused(world, result, "modified after it was made")


async def test_an_expired_approval_is_refused(world: World) -> None:
    async with world.client() as client:
        plan = await make_plan(client, await world.actionable())
        _approve(world, plan["plan_id"])
        world.clock.advance(minutes=61)
        result = await client.call_tool("finops_execute_plan", {"plan_id": plan["plan_id"]})
    _refused(world, result, "expired")


async def test_a_used_approval_does_not_run_the_plan_again(world: World) -> None:
    aws = world.providers["aws"]
    async with world.client() as client:
        plan = await make_plan(client, await world.actionable("aws", 2))
        aws.fail = {plan["steps"][1]["action"]["resource_id"]}
        _approve(world, plan["plan_id"])
        first = await client.call_tool("finops_execute_plan", {"plan_id": plan["plan_id"]})
        aws.fail = set()
        again = await client.call_tool("finops_execute_plan", {"plan_id": plan["plan_id"]})
    assert (first.structured_content or {})["outcome"] == "failed"
    assert again.is_error
    assert "already used" in text(again)
    assert aws.applied == [plan["steps"][0]["action"]["resource_id"]]


async def test_a_plan_touching_a_protected_resource_is_not_made(world: World) -> None:
    aws = world.providers["aws"]
    ids = await world.actionable("aws", 2)
    recs = {r.recommendation_id: r for r in (await aws.list_recommendations(limit=500)).recommendations}
    protected = recs[ids[1]].resource_id
    assert protected is not None
    await aws.apply_remediation(
        RemediationAction(provider="aws", kind="set_tags", resource_id=protected, parameters={"finops:protect": "true"})
    )
    aws.applied.clear()
    async with world.client(Person()) as client:
        result = await client.call_tool("finops_plan_remediation", {"recommendation_ids": ids})
    _refused(world, result, protected)
    assert "finops:protect" in text(result)
    assert world.count("remediation_plans") == 0


@pytest.mark.parametrize(
    ("policy", "expected"),
    [
        (Policy.model_validate({"guardrails": {"max_resources_per_plan": 1}}), "1"),
        (Policy.model_validate({"guardrails": {"max_monthly_amount_per_plan": 1}}), "1"),
        (
            Policy.model_validate({"guardrails": {"allow": [{"cloud": "aws", "actions": ["set_tags"]}]}}),
            "stop_instance",
        ),
    ],
    ids=["resources", "dollars", "action"],
)
async def test_a_plan_over_the_limits_is_not_made(world: World, policy: Policy, expected: str) -> None:
    world.policy = policy
    async with world.client(Person()) as client:
        result = await client.call_tool(
            "finops_plan_remediation", {"recommendation_ids": await world.actionable("aws", 2)}
        )
    assert result.is_error
    assert expected in text(result)
    assert "No plan was made" in text(result)
    assert world.count("remediation_plans") == 0


async def test_a_policy_tightened_after_the_plan_was_made_stops_its_execution(world: World) -> None:
    async with world.client() as client:
        plan = await make_plan(client, await world.actionable("aws", 2))
    _approve(world, plan["plan_id"])
    world.policy = Policy.model_validate({"guardrails": {"max_resources_per_plan": 1}})
    async with world.client(Person()) as client:
        result = await client.call_tool("finops_execute_plan", {"plan_id": plan["plan_id"]})
    _refused(world, result, "not allowed now")
    assert world.count("remediation_runs") == 0  # the approval is still unused


async def test_a_resource_tagged_legal_hold_after_the_approval_is_refused_just_before_its_step(world: World) -> None:
    world.policy = LEGAL_HOLD
    aws = world.providers["aws"]
    async with world.client() as client:
        plan = await make_plan(client, await world.actionable("aws", 2), on_failure="continue")
    first, second = [s["action"]["resource_id"] for s in plan["steps"]]
    _approve(world, plan["plan_id"])
    await aws.tag(first, **{"Legal-Hold": "TRUE"})  # after the approval, and spelled as a person might
    async with world.client() as client:
        result = await client.call_tool("finops_execute_plan", {"plan_id": plan["plan_id"]})
    report = result.structured_content or {}
    assert [s["state"] for s in report["steps"]] == ["refused", "done"], text(result)
    assert report["outcome"] == "failed"
    refused = report["steps"][0]["message"]
    assert "nothing was changed" in refused
    assert f"{first} carries the protected tag legal-hold=true" in refused
    assert aws.applied == [second]
    trail = audit.entries(world.store, plan_id=plan["plan_id"])
    assert [e.detail["reason"] for e in trail if e.event == "refused"] == [refused]
    assert audit.verify(world.store).intact


async def test_nobody_is_asked_to_approve_a_plan_whose_resource_was_tagged_legal_hold_after_it_was_made(
    world: World,
) -> None:
    world.policy = LEGAL_HOLD
    aws = world.providers["aws"]
    person = Person()
    async with world.client(person) as client:
        plan = await make_plan(client, await world.actionable("aws", 2))
        await aws.tag(plan["steps"][1]["action"]["resource_id"], **{"legal-hold": "true"})
        result = await client.call_tool("finops_execute_plan", {"plan_id": plan["plan_id"]})
    assert result.is_error
    assert f"plan {plan['plan_id']} is not allowed now, by the tags read from the clouds" in text(result)
    assert "carries the protected tag legal-hold=true" in text(result)
    assert person.asked == []
    _nothing_changed(world)
    assert world.count("remediation_approvals") == 0
    assert [e.event for e in audit.entries(world.store, plan_id=plan["plan_id"])] == ["plan_created", "refused"]


async def test_a_resource_moved_to_an_environment_the_policy_forbids_after_the_approval_is_refused(
    world: World,
) -> None:
    world.policy = Policy.model_validate({"guardrails": {"allow": [{"environment": "dev"}]}})
    aws = world.providers["aws"]
    ids = await world.actionable("aws", 2)
    recs = {r.recommendation_id: r.resource_id for r in (await aws.list_recommendations(limit=500)).recommendations}
    for i in ids:
        target = recs[i]
        assert target is not None
        await aws.tag(target, env="dev")
    async with world.client() as client:
        plan = await make_plan(client, ids)
    first = plan["steps"][0]["action"]["resource_id"]
    _approve(world, plan["plan_id"])
    await aws.tag(first, env="prod")
    async with world.client() as client:
        result = await client.call_tool("finops_execute_plan", {"plan_id": plan["plan_id"]})
    report = result.structured_content or {}
    assert report["outcome"] == "stopped", text(result)
    assert [s["state"] for s in report["steps"]] == ["refused", "not_run"]
    assert "(environment prod) is not allowed" in report["steps"][0]["message"]
    _nothing_changed(world)
    assert [e.event for e in audit.entries(world.store, plan_id=plan["plan_id"])].count("refused") == 1


async def test_a_step_whose_tags_cannot_be_read_just_before_it_runs_is_refused(world: World) -> None:
    aws = world.providers["aws"]
    async with world.client() as client:
        plan = await make_plan(client, await world.actionable("aws", 1))
    target = plan["steps"][0]["action"]["resource_id"]
    _approve(world, plan["plan_id"])
    aws.unreadable.add(target)
    async with world.client() as client:
        result = await client.call_tool("finops_execute_plan", {"plan_id": plan["plan_id"]})
    step = (result.structured_content or {})["steps"][0]
    assert step["state"] == "refused", text(result)
    assert f"the tags of AWS {target} could not be read" in step["message"]
    assert "not authorized to read the tags" in step["message"]
    _nothing_changed(world)


async def test_outside_the_execution_window_nothing_runs(world: World) -> None:
    world.policy = Policy.model_validate(
        {"guardrails": {"windows": [{"days": ["sat"], "start": "09:00", "end": "17:00", "timezone": "UTC"}]}}
    )
    person = Person()
    async with world.client(person) as client:
        plan = await make_plan(client, await world.actionable())
        result = await client.call_tool("finops_execute_plan", {"plan_id": plan["plan_id"]})
    assert result.is_error
    assert "window" in text(result).lower()
    assert person.asked == []  # nobody is asked to approve what would be refused
    _nothing_changed(world)


async def test_no_tool_lets_the_model_approve(world: World) -> None:
    async with world.client() as client:  # the model's side: no elicitation, any arguments it likes
        plan = await make_plan(client, await world.actionable())
        tools = (await client.list_tools()).tools
        for tool in tools:
            properties = set((tool.input_schema or {}).get("properties", {}))
            assert not {"approve", "approved", "approval", "approval_id", "confirm"} & properties, tool.name
            await client.call_tool(
                tool.name, {"plan_id": plan["plan_id"], "approve": True, "approval": "yes", "confirm": True}
            )
    assert world.count("remediation_approvals") == 0
    assert world.count("remediation_runs") == 0
    _nothing_changed(world)


async def test_two_executions_at_once_run_the_plan_once(world: World) -> None:
    aws = world.providers["aws"]
    async with world.client() as client:
        plan = await make_plan(client, await world.actionable("aws", 2))
    _approve(world, plan["plan_id"])
    aws.hold = plan["steps"][0]["action"]["resource_id"]
    results: dict[str, CallToolResult] = {}

    async def execute(name: str) -> None:
        async with world.client() as client:
            results[name] = await client.call_tool("finops_execute_plan", {"plan_id": plan["plan_id"]})

    async with anyio.create_task_group() as group:
        group.start_soon(execute, "first")
        await aws.holding.wait()  # the first execution is inside step 1
        await execute("second")
        aws.release.set()
    second = results["second"]
    assert second.is_error
    assert "being executed right now" in text(second)
    assert (results["first"].structured_content or {})["outcome"] == "succeeded"
    assert aws.applied == [s["action"]["resource_id"] for s in plan["steps"]]


async def test_an_interrupted_execution_resumes_without_repeating_finished_steps(world: World) -> None:
    aws = world.providers["aws"]
    async with world.client() as client:
        plan = await make_plan(client, await world.actionable("aws", 3))
    targets = [s["action"]["resource_id"] for s in plan["steps"]]
    _approve(world, plan["plan_id"])
    aws.hold = targets[1]

    async def execute() -> None:
        async with world.client() as client:
            await client.call_tool("finops_execute_plan", {"plan_id": plan["plan_id"]})

    async with anyio.create_task_group() as group:
        group.start_soon(execute)
        await aws.holding.wait()  # step 1 is done, step 2 is under way
        group.cancel_scope.cancel()  # the execution dies here
    aws.hold = None
    async with world.client() as client:
        result = await client.call_tool("finops_execute_plan", {"plan_id": plan["plan_id"]})
    report = result.structured_content or {}
    assert report["resumed"] is True, text(result)
    assert [s["state"] for s in report["steps"]] == ["done_earlier", "done", "done"]
    assert aws.applied == targets  # step 1 once; step 2 had not reached the cloud before the interruption
    events = [e.event for e in audit.entries(world.store, plan_id=plan["plan_id"])]
    assert "execution_resumed" in events


async def test_an_execution_killed_mid_plan_resumes_at_once_without_repeating_finished_steps(world: World) -> None:
    world.clock.at = datetime.now(UTC)  # the killed process ran on the real clock
    aws = world.providers["aws"]
    async with world.client() as client:
        plan = await make_plan(client, await world.actionable("aws", 3))
    targets = [s["action"]["resource_id"] for s in plan["steps"]]
    _approve(world, plan["plan_id"])
    command = [sys.executable, "-m", "tests.orchestrator.remediation.killable", str(world.store.path), plan["plan_id"]]
    process = await anyio.open_process(command, stdout=subprocess.PIPE)
    try:
        assert process.stdout is not None
        said = await BufferedByteReceiveStream(process.stdout).receive_until(b"\n", 100)
        assert said == b"holding"  # step 1 done, step 2 under way
    finally:
        process.kill()  # SIGKILL: no clean-up runs; its lease on the plan is still live
        await process.wait()
    async with world.client() as client:
        result = await client.call_tool("finops_execute_plan", {"plan_id": plan["plan_id"]})
    report = result.structured_content or {}
    assert report["resumed"] is True, text(result)
    assert [s["state"] for s in report["steps"]] == ["done_earlier", "done", "done"]
    assert aws.applied == targets[1:]  # this process never repeated step 1


async def test_a_recommendation_id_two_clouds_share_is_refused_naming_both_not_planned_on_either(world: World) -> None:
    # Ids are each cloud's own: one recommendation per cloud carries the same id (the demo's commitments do too).
    shared = {c: (await world.actionable(c, 1))[0] for c in ("aws", "azure")}
    for cloud, provider in world.providers.items():
        if cloud in shared:
            provider.rename = (shared[cloud], "shared-1")
    async with world.client(Person()) as client:
        result = await client.call_tool("finops_plan_remediation", {"recommendation_ids": ["shared-1"]})
    _refused(world, result, "More than one cloud has the recommendation id shared-1 (aws, azure)")
    assert world.count("remediation_plans") == 0

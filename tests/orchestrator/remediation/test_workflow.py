"""Plan, approve (in the client, or in a terminal), execute and audit, through an MCP client on the sandbox."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from finops_orchestrator.remediation import audit
from finops_orchestrator.remediation.ledger import Ledger
from finops_orchestrator.server import build_orchestrator
from finops_orchestrator.state import OrchestratorState
from mcp import Client

from tests.orchestrator.remediation.conftest import Person, World, make_plan, text

pytestmark = pytest.mark.anyio


async def test_a_plan_shows_each_steps_dry_run_savings_risk_and_undo_and_changes_nothing(world: World) -> None:
    ids = await world.actionable("aws", 2) + await world.actionable("gcp", 1)
    recs = {
        r.recommendation_id: r
        for cloud in ("aws", "gcp")
        for r in (await world.providers[cloud].list_recommendations(limit=500)).recommendations
    }
    before = {c: await p.list_resources(limit=500) for c, p in world.providers.items()}
    async with world.client() as client:
        plan = await make_plan(client, ids, title="idle")
    assert [s["recommendation_id"] for s in plan["steps"]] == ids
    for step in plan["steps"]:
        rec = recs[step["recommendation_id"]]
        assert step["dry_run"] == "passed"
        assert step["undo"]
        assert step["risk"] == rec.risk
        assert Decimal(step["monthly_savings"]["amount"]) == rec.monthly_savings.amount
    expected: dict[str, Decimal] = {}
    for i in ids:
        money = recs[i].monthly_savings
        expected[money.currency] = expected.get(money.currency, Decimal(0)) + money.amount
    assert {m["currency"]: Decimal(m["amount"]) for m in plan["monthly_savings"]} == expected
    assert plan["plan_id"].startswith(f"plan-{plan['plan_hash'][:8]}")
    assert {c: await p.list_resources(limit=500) for c, p in world.providers.items()} == before
    assert all(not p.applied for p in world.providers.values())


@pytest.mark.parametrize("mode", ["auto", "legacy"])
async def test_approving_in_the_clients_prompt_runs_every_step_once_and_the_audit_log_says_so(
    world: World, mode: str
) -> None:
    ids = await world.actionable("aws", 2)
    person = Person()
    async with world.client(person, mode=mode) as client:
        plan = await make_plan(client, ids)
        result = await client.call_tool("finops_execute_plan", {"plan_id": plan["plan_id"]})
        again = await client.call_tool("finops_execute_plan", {"plan_id": plan["plan_id"]})
    assert not result.is_error, text(result)
    report = result.structured_content or {}
    assert report["outcome"] == "succeeded"
    assert [s["state"] for s in report["steps"]] == ["done", "done"]
    assert "a person, in the client's approval prompt" in report["approved_by"]
    assert len(person.asked) == 1
    assert plan["plan_hash"][:16] in person.asked[0]
    assert plan["plan_id"] in person.asked[0]
    aws = world.providers["aws"]
    targets = [s["action"]["resource_id"] for s in plan["steps"]]
    assert aws.applied == targets
    after = {r.resource_id: r for r in (await aws.list_resources(limit=500)).resources}
    assert [(after[t].size, after[t].state) for t in targets] == [
        (s["expected_after"]["size"], s["expected_after"]["state"]) for s in plan["steps"]
    ]
    assert (again.structured_content or {})["outcome"] == "already_done"
    events = [e.event for e in audit.entries(world.store, plan_id=plan["plan_id"])]
    assert events == [
        "plan_created",
        "approved",
        "execution_started",
        "step_running",
        "step_done",
        "step_running",
        "step_done",
        "execution_finished",
    ]
    assert audit.verify(world.store).intact


async def test_a_person_who_declines_changes_nothing(world: World) -> None:
    async with world.client(Person(approve=False)) as client:
        plan = await make_plan(client, await world.actionable())
        result = await client.call_tool("finops_execute_plan", {"plan_id": plan["plan_id"]})
    assert (result.structured_content or {})["outcome"] == "not_approved"
    assert world.providers["aws"].applied == []
    assert world.count("remediation_approvals") == 0


@pytest.mark.parametrize("mode", ["auto", "legacy"])
@pytest.mark.parametrize(
    ("answer", "says"),
    [
        *(
            pytest.param({"approve": lax}, "The answer was not a plain yes or no: nothing was changed.", id=repr(lax))
            for lax in ("yes", "y", "1", "t", "true", 1, 1.0)
        ),
        pytest.param({"answered": False}, "No answer was given: nothing was changed.", id="accepted without an answer"),
    ],
)
async def test_only_the_boolean_true_approves_a_plan_not_a_value_lax_parsing_takes_for_it_nor_an_empty_answer(
    world: World, mode: str, answer: dict[str, Any], says: str
) -> None:
    async with world.client(Person(**answer), mode=mode) as client:
        plan = await make_plan(client, await world.actionable())
        result = await client.call_tool("finops_execute_plan", {"plan_id": plan["plan_id"]})
    assert result.is_error
    assert text(result).startswith(says)
    assert world.providers["aws"].applied == []
    assert world.count("remediation_approvals") == world.count("remediation_runs") == 0


async def test_an_approval_from_the_terminal_lets_a_client_without_elicitation_execute(world: World) -> None:
    async with world.client() as client:
        plan = await make_plan(client, await world.actionable())
        ledger = Ledger(world.store)
        ledger.approve(
            ledger.plan(plan["plan_id"]),
            approved_by="ana",
            channel="terminal",
            now=world.clock(),
            ttl=world.policy.approval_ttl,
        )
        result = await client.call_tool("finops_execute_plan", {"plan_id": plan["plan_id"]})
        status = await client.call_tool("finops_plan_status", {"plan_id": plan["plan_id"]})
    assert (result.structured_content or {})["outcome"] == "succeeded", text(result)
    assert (result.structured_content or {})["approved_by"] == "ana"
    answer = status.structured_content or {}
    assert [a["state"] for a in answer["approvals"]] == ["used"]
    assert {s["state"] for s in answer["steps"]} == {"done"}


async def test_with_continue_on_failure_the_other_steps_run_and_a_retry_runs_only_the_failed_one(world: World) -> None:
    aws = world.providers["aws"]
    person = Person()
    async with world.client(person) as client:
        plan = await make_plan(client, await world.actionable("aws", 3), on_failure="continue")
        targets = [s["action"]["resource_id"] for s in plan["steps"]]
        aws.fail = {targets[0]}
        first = await client.call_tool("finops_execute_plan", {"plan_id": plan["plan_id"]})
        aws.fail = set()
        retry = await client.call_tool("finops_execute_plan", {"plan_id": plan["plan_id"]})
    assert [s["state"] for s in (first.structured_content or {})["steps"]] == ["failed", "done", "done"]
    assert (first.structured_content or {})["outcome"] == "failed"
    assert [s["state"] for s in (retry.structured_content or {})["steps"]] == ["done", "done_earlier", "done_earlier"]
    assert aws.applied == [targets[1], targets[2], targets[0]]
    assert len(person.asked) == 2  # the retry needed a new approval


async def test_a_plan_that_stops_on_failure_leaves_the_later_steps_not_run(world: World) -> None:
    aws = world.providers["aws"]
    async with world.client(Person()) as client:
        plan = await make_plan(client, await world.actionable("aws", 3))
        targets = [s["action"]["resource_id"] for s in plan["steps"]]
        aws.fail = {targets[1]}
        result = await client.call_tool("finops_execute_plan", {"plan_id": plan["plan_id"]})
    report = result.structured_content or {}
    assert report["outcome"] == "stopped"
    assert [s["state"] for s in report["steps"]] == ["done", "failed", "not_run"]
    assert aws.applied == [targets[0]]


async def test_without_remediation_switched_on_no_tool_plans_or_executes(world: World) -> None:
    server = build_orchestrator(
        OrchestratorState(store=world.store, is_demo=True, providers=list(world.providers.values()))
    )
    async with Client(server) as client:
        tools = (await client.list_tools()).tools
    assert not {"finops_plan_remediation", "finops_plan_status", "finops_execute_plan"} & {t.name for t in tools}
    assert all(not (t.annotations and t.annotations.destructive_hint) for t in tools)

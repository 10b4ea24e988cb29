"""An execution meeting a busy store: its bookkeeping waits longer than other writes, so a step the cloud applied is
recorded (not left to run again) once the store is free; the other writes keep their short bound."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import anyio
import anyio.to_thread
import pytest
from finops_core.errors import StoreBusy
from finops_core.models import CLOUDS, Budget
from finops_core.money import Money
from finops_core.store import Store
from finops_orchestrator.remediation import audit

from tests.orchestrator.remediation.conftest import Clock, Person, Recording, World, make_plan, text

pytestmark = pytest.mark.anyio


async def test_a_step_the_cloud_applied_is_recorded_once_a_busy_store_is_free_not_failed_after_the_short_bound(
    tmp_path: Path,
) -> None:
    store = Store(tmp_path / "finops.sqlite", busy_seconds=0.2)
    world = World(store=store, clock=Clock(), providers={c: Recording(c) for c in CLOUDS})
    aws = world.providers["aws"]
    held, let_go = threading.Event(), threading.Event()
    outcome: dict[str, Any] = {}

    def long_ingest() -> None:
        with store.transaction("ingest of big.csv"):
            held.set()
            let_go.wait(30)

    def a_budget() -> None:
        budget = Budget(name="b", amount=Money(amount=Decimal(1), currency="USD"), period="monthly")
        store.save_budget(budget, datetime.now(UTC))

    async def scenario() -> None:  # on a loop of its own: a server that blocks its loop fails the test, not hangs it
        async with world.client(Person()) as client, anyio.create_task_group() as group:
            plan = await make_plan(client, await world.actionable("aws", 1))
            aws.hold = plan["steps"][0]["action"]["resource_id"]

            async def execute() -> None:
                result = await client.call_tool("finops_execute_plan", {"plan_id": plan["plan_id"]})
                outcome.update(result.structured_content or {"error": text(result)})

            group.start_soon(execute)
            await aws.holding.wait()  # the step is being applied in the cloud
            group.start_soon(anyio.to_thread.run_sync, long_ingest)
            await anyio.to_thread.run_sync(held.wait, 30)
            aws.release.set()  # applied: now its record waits for the store
            assert await anyio.to_thread.run_sync(lambda: store.wait_writers(2, timeout=30))
            with pytest.raises(StoreBusy):  # another write gives up after the short bound...
                await anyio.to_thread.run_sync(a_budget)
            let_go.set()  # ...while the step's record still waits, and is written now

    with anyio.fail_after(30):
        await anyio.to_thread.run_sync(anyio.run, scenario, abandon_on_cancel=True)
    assert outcome.get("outcome") == "succeeded", outcome
    assert [s["state"] for s in outcome["steps"]] == ["done"]
    assert aws.applied == [aws.hold]
    events = [e.event for e in audit.entries(store, plan_id=outcome["plan_id"])]
    assert events[-3:] == ["step_running", "step_done", "execution_finished"]

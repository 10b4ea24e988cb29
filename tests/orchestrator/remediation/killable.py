"""An execution to kill: ``python -m tests.orchestrator.remediation.killable STORE PLAN_ID`` executes the plan (an
approval must be waiting), prints ``holding`` when it reaches step 2, and waits there until it is killed."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

import anyio
from finops_core.models import CLOUDS, RemediationAction, RemediationResult
from finops_core.sandbox import SandboxProvider
from finops_core.store import Store
from finops_orchestrator.policy import Policy
from finops_orchestrator.remediation.execution import run_plan
from finops_orchestrator.remediation.ledger import Ledger, new_owner

from tests.conftest import AS_OF


class Stalling(SandboxProvider):
    def __init__(self, cloud: str, stall_on: str) -> None:
        super().__init__(cloud, as_of=AS_OF)  # type: ignore[arg-type]
        self._stall_on = stall_on

    async def apply_remediation(self, action: RemediationAction) -> RemediationResult:
        if action.resource_id == self._stall_on:
            print("holding", flush=True)
            await anyio.Event().wait()  # until the process is killed
        return await super().apply_remediation(action)


async def main(store_path: str, plan_id: str) -> None:
    with Store(Path(store_path)) as store:
        ledger = Ledger(store)
        plan = ledger.plan(plan_id)
        providers = {c: Stalling(c, plan.steps[1].action.resource_id) for c in CLOUDS}
        now = datetime.now(UTC)
        claim = ledger.claim(plan, owner=new_owner(), actor="killable", now=now)
        assert claim is not None
        await run_plan(ledger, plan, claim, providers=providers, policy=Policy(), now=lambda: now, actor="killable")  # type: ignore[arg-type]


if __name__ == "__main__":
    anyio.run(main, sys.argv[1], sys.argv[2])

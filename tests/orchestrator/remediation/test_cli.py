"""``finops approve`` (a person, in a terminal) and ``finops audit`` (the log, verified), as a user runs them."""

from __future__ import annotations

import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import anyio
import pytest
from finops_core.errors import StoreError
from finops_core.models import CLOUDS
from finops_core.sandbox import SandboxProvider
from finops_core.store import Store
from finops_orchestrator.policy import Policy
from finops_orchestrator.remediation.ledger import Ledger
from finops_orchestrator.remediation.plans import Plan, make_plan

from tests.commands import BIN, finops_env, run_finops
from tests.conftest import AS_OF


def _plan(home: Path) -> Plan:
    """A two-step plan in the demo store, made as the server would make it."""

    async def made() -> Plan:
        providers = {c: SandboxProvider(c, as_of=AS_OF) for c in CLOUDS}
        recs = (await providers["aws"].list_recommendations(limit=500)).recommendations
        chosen = [(r.action, r) for r in recs if r.action][:2]
        return await make_plan(
            title="cli",
            actions=chosen,
            providers=providers,
            policy=Policy(),
            now=datetime.now(UTC),  # type: ignore[arg-type]
            created_by="test",
            on_failure="stop",
        )

    plan = anyio.run(made)
    with Store(home / "demo.sqlite") as store:
        Ledger(store).save_plan(plan, actor="test")
    return plan


def _approvals(home: Path, plan: Plan) -> list[str]:
    with Store(home / "demo.sqlite") as store:
        return [a.channel for a in Ledger(store).approvals(plan.plan_id)]


def test_a_person_approves_in_a_terminal_after_seeing_every_step_and_the_hash(home: Path) -> None:
    plan = _plan(home)
    script = shutil.which("script")  # util-linux: runs the command on a pseudo-terminal, as a person would
    assert script, "this test needs util-linux's `script`"
    done = subprocess.run(
        [script, "-qec", f"{BIN / 'finops'} approve {plan.plan_id} --demo", "/dev/null"],
        env={**finops_env(home), "COLUMNS": "200"},
        input="y\n",
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    out = " ".join(done.stdout.split())
    assert plan.plan_hash in out
    assert all(s.summary in out for s in plan.steps)
    assert "Approved (appr-" in out
    assert _approvals(home, plan) == ["terminal"]


def test_an_answer_piped_in_instead_of_typed_in_a_terminal_approves_nothing(home: Path) -> None:
    plan = _plan(home)
    done = subprocess.run(
        [BIN / "finops", "approve", plan.plan_id, "--demo"],
        env=finops_env(home),
        input="y\n",
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    assert "terminal" in done.stderr
    assert _approvals(home, plan) == []


def test_the_audit_log_is_shown_verified_and_a_changed_row_is_detected(home: Path) -> None:
    plan = _plan(home)
    shown = run_finops(home, "audit", "--demo", COLUMNS="200")
    assert shown.returncode == 0, shown.stderr
    assert "plan_created" in shown.stdout
    assert "Hash chain intact: 1 entries" in " ".join(shown.stdout.split())
    with Store(home / "demo.sqlite") as store, store.transaction() as conn:
        conn.execute("DROP TRIGGER audit_log_no_update")
        conn.execute("UPDATE audit_log SET actor = 'someone else' WHERE plan_id = ?", (plan.plan_id,))
    tampered = run_finops(home, "audit", "--demo", COLUMNS="200")
    assert tampered.returncode == 1
    assert "TAMPERED" in tampered.stdout
    assert "entry 1 was changed" in " ".join(tampered.stdout.split())


def test_the_store_refuses_to_change_or_remove_plans_approvals_and_audit_entries(home: Path) -> None:
    plan = _plan(home)
    with Store(home / "demo.sqlite") as store:
        for sql in (
            "UPDATE remediation_plans SET body = '{}'",
            "DELETE FROM remediation_plans",
            "UPDATE audit_log SET event = 'x'",
            "DELETE FROM audit_log",
        ):
            with pytest.raises(StoreError, match="append-only"), store.transaction() as conn:
                conn.execute(sql)
        assert Ledger(store).plan(plan.plan_id) == plan

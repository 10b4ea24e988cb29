"""Plans, approvals and executions as the store keeps them, each change recorded in the audit log.

Every decision that must not race (is this approval still unused? is someone already executing this plan?) is
made inside one ``BEGIN IMMEDIATE`` transaction, which holds the store's write lock across processes; an approval
can back one execution only (a UNIQUE column), so two executions racing for it cannot both start.

An execution holds a lease on its plan while it runs. A run whose lease ran out, or whose process on this machine
is gone, was interrupted: the next execution takes it over under the same approval (while that is still valid)
and continues after the last finished step.
"""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from finops_core.errors import InvalidInput, RemediationRefused
from finops_core.processes import process_alive
from finops_core.store import Store

from finops_orchestrator.remediation import audit
from finops_orchestrator.remediation.plans import Plan

StepState = Literal["running", "done", "failed"]
LEASE = timedelta(minutes=2)
# The bookkeeping of a running execution waits longer for the store than other writes (which answer "store busy"
# after Settings.store_busy_seconds): giving up there would leave a step the cloud may have applied unrecorded
# (it would run again on resume). Half a lease, so the run keeps its lease meanwhile.
RUN_WRITE_WAIT_S = LEASE.total_seconds() / 2


@dataclass(frozen=True)
class Approval:
    approval_id: str
    plan_id: str
    plan_hash: str
    approved_by: str
    channel: str
    approved_at: datetime
    expires_at: datetime


@dataclass(frozen=True)
class Run:
    run_id: str
    plan_id: str
    approval_id: str
    owner: str
    started_at: datetime
    lease_until: float
    finished_at: datetime | None
    outcome: str | None


@dataclass(frozen=True)
class StepRecord:
    step: int
    state: StepState
    run_id: str
    updated_at: datetime
    result: dict[str, Any] | None


@dataclass(frozen=True)
class Claim:
    """An execution's right to run a plan: its run, the approval behind it, and whether it resumes one."""

    run: Run
    approval: Approval
    resumed: bool


def new_owner() -> str:
    """Who is executing: this machine and process, plus a nonce for this execution."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def _owner_gone(owner: str) -> bool:
    """True when ``owner`` ran in another process of this machine that no longer exists."""
    host, _, rest = owner.partition(":")
    pid_text = rest.partition(":")[0]
    if host != socket.gethostname() or not pid_text.isdigit() or int(pid_text) == os.getpid():
        return False
    return not process_alive(int(pid_text))


class Ledger:
    """The remediation tables of ``store``."""

    def __init__(self, store: Store) -> None:
        self._store = store

    @property
    def store(self) -> Store:
        return self._store

    def _rows(self, sql: str, *args: object) -> list[sqlite3.Row]:
        """The rows of one read, on a read-only connection (it never waits on a writer)."""
        with self._store.reader() as conn:
            return conn.execute(sql, args).fetchall()

    # -- plans ------------------------------------------------------------------------------------

    def save_plan(self, plan: Plan, *, actor: str) -> None:
        with self._store.transaction(f"saving remediation plan {plan.plan_id}") as conn:
            conn.execute(
                "INSERT INTO remediation_plans VALUES (?, ?, ?, ?)",
                (plan.plan_id, plan.plan_hash, plan.created_at.isoformat(), plan.model_dump_json()),
            )
            audit.append(
                conn,
                at=plan.created_at,
                actor=actor,
                event="plan_created",
                plan_id=plan.plan_id,
                detail={
                    "hash": plan.plan_hash,
                    "steps": [f"{s.action.provider} {s.action.kind} {s.action.resource_id}" for s in plan.steps],
                },
            )

    def plan(self, plan_id: str) -> Plan:
        """The stored plan, checked against its hash; ``InvalidInput`` when there is none, ``RemediationRefused``
        when its row no longer matches the hash it was made with."""
        with self._store.reader() as conn:
            row = conn.execute("SELECT hash, body FROM remediation_plans WHERE plan_id = ?", (plan_id,)).fetchone()
        if row is None:
            raise InvalidInput(
                f"No plan {plan_id!r}; finops_plan_status lists the plans, and finops_plan_remediation makes one."
            )
        plan = Plan.model_validate_json(row["body"])
        if not plan.intact or row["hash"] != plan.plan_hash or plan.plan_id != plan_id:
            raise RemediationRefused(
                f"Plan {plan_id} was modified after it was made (its content no longer matches its hash), so no "
                "approval can cover it. Nothing was changed; make a new plan."
            )
        return plan

    def plans(self, limit: int = 20) -> list[Plan]:
        rows = self._rows("SELECT body FROM remediation_plans ORDER BY created_at DESC LIMIT ?", limit)
        return [Plan.model_validate_json(r["body"]) for r in rows]

    # -- approvals --------------------------------------------------------------------------------

    def approve(self, plan: Plan, *, approved_by: str, channel: str, now: datetime, ttl: timedelta) -> Approval:
        """Record a person's approval of ``plan`` as it is now (bound to its hash), valid for ``ttl``, once."""
        approval = Approval(
            approval_id=f"appr-{uuid.uuid4().hex[:12]}",
            plan_id=plan.plan_id,
            plan_hash=plan.plan_hash,
            approved_by=approved_by,
            channel=channel,
            approved_at=now,
            expires_at=now + ttl,
        )
        with self._store.transaction(f"recording an approval of plan {plan.plan_id}") as conn:
            conn.execute(
                "INSERT INTO remediation_approvals VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    approval.approval_id,
                    approval.plan_id,
                    approval.plan_hash,
                    approval.approved_by,
                    approval.channel,
                    approval.approved_at.isoformat(),
                    approval.expires_at.isoformat(),
                ),
            )
            audit.append(
                conn,
                at=now,
                actor=approved_by,
                event="approved",
                plan_id=plan.plan_id,
                detail={
                    "approval_id": approval.approval_id,
                    "hash": plan.plan_hash,
                    "channel": channel,
                    "expires_at": approval.expires_at.isoformat(),
                },
            )
        return approval

    def approvals(self, plan_id: str) -> list[Approval]:
        """``plan_id``'s approvals, newest first."""
        rows = self._rows("SELECT * FROM remediation_approvals WHERE plan_id = ? ORDER BY approved_at DESC", plan_id)
        return [_approval(r) for r in rows]

    def runs(self, plan_id: str) -> list[Run]:
        rows = self._rows("SELECT * FROM remediation_runs WHERE plan_id = ? ORDER BY started_at", plan_id)
        return [_run(r) for r in rows]

    def steps(self, plan_id: str) -> dict[int, StepRecord]:
        return {r["step"]: _step(r) for r in self._rows("SELECT * FROM remediation_steps WHERE plan_id = ?", plan_id)}

    def ready(self, plan: Plan, now: datetime) -> bool:
        """True when executing ``plan`` needs no new approval: every step is done, an interrupted run can resume,
        or an unused approval is waiting."""
        with self._store.reader() as conn:
            return self._ready(conn, plan, now)

    def _ready(self, conn: sqlite3.Connection, plan: Plan, now: datetime) -> bool:
        if self._all_done(conn, plan):
            return True
        approvals = {
            a.approval_id: a
            for a in map(
                _approval, conn.execute("SELECT * FROM remediation_approvals WHERE plan_id = ?", (plan.plan_id,))
            )
        }
        used = _used_approvals(conn, plan.plan_id)
        open_run = self._open_run(conn, plan.plan_id)
        if open_run is not None:
            approval = approvals.get(open_run.approval_id)
            return approval is not None and _problem(approval, plan, now, used=False) is None
        return any(_problem(a, plan, now, used=a.approval_id in used) is None for a in approvals.values())

    # -- executions -------------------------------------------------------------------------------

    def claim(
        self, plan: Plan, *, owner: str, actor: str, now: datetime, approval_id: str | None = None
    ) -> Claim | None:
        """The right to execute ``plan`` now, or None when every step is already done.

        Resumes an interrupted run, else starts one on ``approval_id`` (or the newest unused valid approval).
        ``RemediationRefused`` (recorded in the audit log) when the plan is being executed, or no valid approval
        exists: missing, expired, already used, or given for another version of the plan.
        """
        refusal: str | None = None
        with self._store.transaction(f"starting an execution of plan {plan.plan_id}") as conn:
            if self._all_done(conn, plan):
                return None
            open_run = self._open_run(conn, plan.plan_id)
            if open_run is not None:
                if open_run.lease_until > now.timestamp() and not _owner_gone(open_run.owner):
                    until = datetime.fromtimestamp(open_run.lease_until, now.tzinfo)
                    refusal = (
                        f"Plan {plan.plan_id} is being executed right now (run {open_run.run_id}, started "
                        f"{open_run.started_at:%Y-%m-%d %H:%M:%S}). If that execution was interrupted, try again "
                        f"after {until:%H:%M:%S} UTC; it will resume after the last finished step."
                    )
                else:
                    approval = _approval(
                        conn.execute(
                            "SELECT * FROM remediation_approvals WHERE approval_id = ?", (open_run.approval_id,)
                        ).fetchone()
                    )
                    problem = _problem(approval, plan, now, used=False)
                    if problem is None:
                        conn.execute(
                            "UPDATE remediation_runs SET owner = ?, lease_until = ? WHERE run_id = ?",
                            (owner, (now + LEASE).timestamp(), open_run.run_id),
                        )
                        audit.append(
                            conn,
                            at=now,
                            actor=actor,
                            event="execution_resumed",
                            plan_id=plan.plan_id,
                            detail={"run_id": open_run.run_id, "approval_id": approval.approval_id},
                        )
                        run = _run(
                            conn.execute(
                                "SELECT * FROM remediation_runs WHERE run_id = ?", (open_run.run_id,)
                            ).fetchone()
                        )
                        return Claim(run=run, approval=approval, resumed=True)
                    # Its approval ran out: the interrupted run ends here, and the next needs a new approval.
                    conn.execute(
                        "UPDATE remediation_runs SET finished_at = ?, outcome = 'interrupted' WHERE run_id = ?",
                        (now.isoformat(), open_run.run_id),
                    )
            if refusal is None:
                approval, refusal = self._usable_approval(conn, plan, now, approval_id)
                if approval is not None:
                    run = Run(
                        run_id=f"run-{uuid.uuid4().hex[:12]}",
                        plan_id=plan.plan_id,
                        approval_id=approval.approval_id,
                        owner=owner,
                        started_at=now,
                        lease_until=(now + LEASE).timestamp(),
                        finished_at=None,
                        outcome=None,
                    )
                    conn.execute(
                        "INSERT INTO remediation_runs VALUES (?, ?, ?, ?, ?, ?, NULL, NULL)",
                        (run.run_id, run.plan_id, run.approval_id, owner, now.isoformat(), run.lease_until),
                    )
                    audit.append(
                        conn,
                        at=now,
                        actor=actor,
                        event="execution_started",
                        plan_id=plan.plan_id,
                        detail={
                            "run_id": run.run_id,
                            "approval_id": approval.approval_id,
                            "approved_by": approval.approved_by,
                        },
                    )
                    return Claim(run=run, approval=approval, resumed=False)
        assert refusal is not None
        self.record_refusal(plan.plan_id, actor=actor, now=now, reason=refusal)
        raise RemediationRefused(f"Nothing was changed: {refusal}")

    def _usable_approval(
        self, conn: sqlite3.Connection, plan: Plan, now: datetime, approval_id: str | None
    ) -> tuple[Approval | None, str | None]:
        rows = conn.execute(
            "SELECT * FROM remediation_approvals WHERE plan_id = ? ORDER BY approved_at DESC", (plan.plan_id,)
        ).fetchall()
        candidates = [a for a in map(_approval, rows) if approval_id is None or a.approval_id == approval_id]
        if not candidates:
            return None, (
                f"plan {plan.plan_id} has no approval from a person. Approve it when the client asks (MCP "
                f"elicitation), or in a terminal with `finops approve {plan.plan_id}`, then execute it again."
            )
        used = _used_approvals(conn, plan.plan_id)
        problems: list[str] = []
        for approval in candidates:
            problem = _problem(approval, plan, now, used=approval.approval_id in used)
            if problem is None:
                return approval, None
            problems.append(problem)
        return None, (
            f"no valid approval for plan {plan.plan_id}: {problems[0]}. Ask the person to approve it again "
            f"(`finops approve {plan.plan_id}`, or when the client asks)."
        )

    def _open_run(self, conn: sqlite3.Connection, plan_id: str) -> Run | None:
        row = conn.execute(
            "SELECT * FROM remediation_runs WHERE plan_id = ? AND finished_at IS NULL", (plan_id,)
        ).fetchone()
        return _run(row) if row is not None else None

    def _all_done(self, conn: sqlite3.Connection, plan: Plan) -> bool:
        done = conn.execute(
            "SELECT COUNT(*) FROM remediation_steps WHERE plan_id = ? AND state = 'done'", (plan.plan_id,)
        ).fetchone()[0]
        return done == len(plan.steps)

    def renew(self, run: Run, now: datetime) -> None:
        with self._store.transaction(f"renewing the lease of {run.run_id}", wait=RUN_WRITE_WAIT_S) as conn:
            conn.execute(
                "UPDATE remediation_runs SET lease_until = ? WHERE run_id = ? AND owner = ?",
                ((now + LEASE).timestamp(), run.run_id, run.owner),
            )

    def release(self, run: Run) -> None:
        """Give up the lease at once (an execution cancelled in this process), so a retry need not wait."""
        with self._store.transaction(f"releasing the lease of {run.run_id}", wait=RUN_WRITE_WAIT_S) as conn:
            conn.execute(
                "UPDATE remediation_runs SET lease_until = 0 WHERE run_id = ? AND owner = ?", (run.run_id, run.owner)
            )

    def record_step(
        self, run: Run, step: int, state: StepState, *, actor: str, now: datetime, result: dict[str, Any] | None = None
    ) -> None:
        what = f"recording step {step} of plan {run.plan_id} as {state}"
        with self._store.transaction(what, wait=RUN_WRITE_WAIT_S) as conn:
            conn.execute(
                "INSERT OR REPLACE INTO remediation_steps VALUES (?, ?, ?, ?, ?, ?)",
                (run.plan_id, step, state, run.run_id, now.isoformat(), json.dumps(result) if result else None),
            )
            conn.execute(
                "UPDATE remediation_runs SET lease_until = ? WHERE run_id = ?", ((now + LEASE).timestamp(), run.run_id)
            )
            audit.append(
                conn,
                at=now,
                actor=actor,
                event=f"step_{state}",
                plan_id=run.plan_id,
                detail={"run_id": run.run_id, "step": step, **(result or {})},
            )

    def finish(self, run: Run, outcome: str, *, actor: str, now: datetime) -> None:
        with self._store.transaction(f"finishing {run.run_id} of plan {run.plan_id}", wait=RUN_WRITE_WAIT_S) as conn:
            conn.execute(
                "UPDATE remediation_runs SET finished_at = ?, outcome = ?, lease_until = 0 WHERE run_id = ?",
                (now.isoformat(), outcome, run.run_id),
            )
            audit.append(
                conn,
                at=now,
                actor=actor,
                event="execution_finished",
                plan_id=run.plan_id,
                detail={"run_id": run.run_id, "outcome": outcome},
            )

    def record_refusal(self, plan_id: str | None, *, actor: str, now: datetime, reason: str) -> None:
        """Keep a refused attempt in the audit log (who tried what), in its own transaction."""
        with self._store.transaction(f"recording a refused attempt on plan {plan_id}") as conn:
            audit.append(conn, at=now, actor=actor, event="refused", plan_id=plan_id, detail={"reason": reason})


def _used_approvals(conn: sqlite3.Connection, plan_id: str) -> set[str]:
    """The approvals of ``plan_id`` that already back a run (each backs one at most)."""
    return {r[0] for r in conn.execute("SELECT approval_id FROM remediation_runs WHERE plan_id = ?", (plan_id,))}


def _problem(approval: Approval, plan: Plan, now: datetime, *, used: bool) -> str | None:
    """Why ``approval`` cannot back an execution of ``plan`` now, or None."""
    if approval.plan_id != plan.plan_id or approval.plan_hash != plan.plan_hash:
        return f"approval {approval.approval_id} was given for a different version of the plan (hash mismatch)"
    if approval.expires_at <= now:
        return f"approval {approval.approval_id} expired at {approval.expires_at:%Y-%m-%d %H:%M:%S}"
    if used:
        return f"approval {approval.approval_id} was already used (each approval runs a plan once)"
    return None


def _approval(row: sqlite3.Row) -> Approval:
    return Approval(
        approval_id=row["approval_id"],
        plan_id=row["plan_id"],
        plan_hash=row["plan_hash"],
        approved_by=row["approved_by"],
        channel=row["channel"],
        approved_at=datetime.fromisoformat(row["approved_at"]),
        expires_at=datetime.fromisoformat(row["expires_at"]),
    )


def _run(row: sqlite3.Row) -> Run:
    return Run(
        run_id=row["run_id"],
        plan_id=row["plan_id"],
        approval_id=row["approval_id"],
        owner=row["owner"],
        started_at=datetime.fromisoformat(row["started_at"]),
        lease_until=row["lease_until"],
        finished_at=datetime.fromisoformat(row["finished_at"]) if row["finished_at"] else None,
        outcome=row["outcome"],
    )


def _step(row: sqlite3.Row) -> StepRecord:
    return StepRecord(
        step=row["step"],
        state=row["state"],
        run_id=row["run_id"],
        updated_at=datetime.fromisoformat(row["updated_at"]),
        result=json.loads(row["result"]) if row["result"] else None,
    )

"""The audit log: who planned, approved and ran what, and what happened, as an append-only hash chain.

Each entry's hash covers its content and the previous entry's hash, so changing, inserting or removing a row
breaks the chain from there on; ``verify`` finds the first broken entry. The store's triggers refuse updates and
deletes besides; the chain catches what goes around them (editing the file directly). Removing the newest
entries leaves a shorter valid chain: ``finops audit`` prints the head hash, which can be kept elsewhere.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from finops_core.proof import content_hash
from finops_core.store import Store

GENESIS = "0" * 64


@dataclass(frozen=True)
class AuditEntry:
    seq: int
    at: datetime
    actor: str
    event: str
    plan_id: str | None
    detail: dict[str, Any]
    prev_hash: str
    hash: str


@dataclass(frozen=True)
class AuditCheck:
    entries: int
    head: str = GENESIS
    broken_at: int | None = None
    problem: str | None = None

    @property
    def intact(self) -> bool:
        return self.broken_at is None


def _digest(seq: int, at: str, actor: str, event: str, plan_id: str | None, detail: str, prev_hash: str) -> str:
    return content_hash([seq, at, actor, event, plan_id, detail, prev_hash])


def append(
    conn: sqlite3.Connection, *, at: datetime, actor: str, event: str, plan_id: str | None, detail: dict[str, Any]
) -> None:
    """Add an entry; call inside the transaction that makes the change it records."""
    row = conn.execute("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1").fetchone()
    seq, prev = (row[0] + 1, row[1]) if row else (1, GENESIS)
    stamp, text = at.isoformat(), json.dumps(detail, sort_keys=True, default=str)
    conn.execute(
        "INSERT INTO audit_log VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (seq, stamp, actor, event, plan_id, text, prev, _digest(seq, stamp, actor, event, plan_id, text, prev)),
    )


def entries(store: Store, *, plan_id: str | None = None, limit: int | None = None) -> list[AuditEntry]:
    """The log oldest first (only ``plan_id``'s entries when given; the newest ``limit`` when given)."""
    where, args = ("WHERE plan_id = ?", [plan_id]) if plan_id else ("", [])
    sql = f"SELECT * FROM audit_log {where} ORDER BY seq DESC"
    if limit is not None:
        sql += f" LIMIT {int(limit)}"
    with store.reader() as conn:
        rows = conn.execute(sql, args).fetchall()
    return [
        AuditEntry(
            seq=r["seq"],
            at=datetime.fromisoformat(r["at"]),
            actor=r["actor"],
            event=r["event"],
            plan_id=r["plan_id"],
            detail=json.loads(r["detail"]),
            prev_hash=r["prev_hash"],
            hash=r["hash"],
        )
        for r in reversed(rows)
    ]


def verify(store: Store) -> AuditCheck:
    """Walk the chain from the first entry; the first entry whose hash or link does not hold, if any."""
    prev, count = GENESIS, 0
    with store.reader() as conn:
        for r in conn.execute("SELECT * FROM audit_log ORDER BY seq"):
            count += 1
            seq = r["seq"]
            if seq != count:
                return AuditCheck(count, prev, seq, f"entry {count} is missing (the next is {seq})")
            if r["prev_hash"] != prev:
                return AuditCheck(count, prev, seq, f"entry {seq} does not follow entry {seq - 1}")
            expected = _digest(seq, r["at"], r["actor"], r["event"], r["plan_id"], r["detail"], r["prev_hash"])
            if r["hash"] != expected:
                return AuditCheck(count, prev, seq, f"entry {seq} was changed after it was written")
            prev = r["hash"]
    return AuditCheck(count, prev)

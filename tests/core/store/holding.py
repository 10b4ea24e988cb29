"""Another process holding the store: ``python -m tests.core.store.holding HOW STORE`` takes the store as ``HOW``
says, prints ``holding`` and keeps it until its stdin closes.

- ``ingest``: a finops write of an export ``held.csv`` (three line items written so far, its record published);
- ``sqlite``: the write lock taken with plain sqlite3, as the sqlite3 shell would (no record);
- ``exclusive``: the whole file locked (``locking_mode=EXCLUSIVE``): readers cannot read either;
- ``checkpoint``: a TRUNCATE checkpoint that waits for a reader of the test (it holds the write lock meanwhile;
  ``checkpointing`` is printed just before it starts, and its result once done).
"""

from __future__ import annotations

import sqlite3
import sys
from datetime import UTC, datetime
from pathlib import Path


def main(how: str, path: Path) -> None:
    if how == "ingest":
        # Imported here only: the MCP SDK under finops_core takes seconds to import on a busy machine.
        from finops_core.focus import Lineage
        from finops_core.store import Store

        from tests.factories import line_item

        lineage = Lineage(source="focus-export", file="/exports/held.csv", ingested_at=datetime.now(UTC))
        with Store(path) as store, store.writer(lineage, kind="export") as writer:
            writer.add_items([line_item(), line_item(), line_item()])
            print("holding", flush=True)
            sys.stdin.read()
        return
    conn = sqlite3.connect(path, isolation_level=None)
    if how == "checkpoint":
        conn.execute("PRAGMA busy_timeout = 20000")
        print("checkpointing", flush=True)
        print(conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone(), flush=True)
        sys.stdin.read()
        return
    if how == "exclusive":
        conn.execute("PRAGMA locking_mode = EXCLUSIVE")
        conn.execute("BEGIN EXCLUSIVE")
        conn.execute("DELETE FROM budgets")
        conn.execute("COMMIT")  # the file stays locked: exclusive locking mode keeps its lock until closed
    else:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("DELETE FROM budgets")
    print("holding", flush=True)
    sys.stdin.read()


if __name__ == "__main__":
    main(sys.argv[1], Path(sys.argv[2]))

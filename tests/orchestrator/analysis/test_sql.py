"""Read-only SQL: answers SELECTs, refuses anything else with a clear error, and stops runaway queries."""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
import sys
import time
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import anyio
import pytest
from finops_core.errors import InvalidInput
from finops_core.models import CostQuery
from finops_core.store import Store
from finops_orchestrator.analysis.sql import run_sql
from finops_orchestrator.server import build_orchestrator
from finops_orchestrator.state import OrchestratorState
from mcp import Client

from tests.conftest import AS_OF

pytestmark = pytest.mark.anyio


async def _call(store: Store, arguments: dict[str, Any]) -> Any:
    async with Client(build_orchestrator(OrchestratorState(store=store, is_demo=True, today=lambda: AS_OF))) as client:
        return await client.call_tool("finops_sql", arguments)


async def test_a_select_over_the_decoded_view_agrees_with_the_cost_query(demo_store: Store) -> None:
    sql = (
        "SELECT provider_name, SUM(billed_cost) FROM focus_line_items WHERE billing_currency = 'USD' "
        "AND charge_period_start >= strftime('%s', '2026-10-01') "
        "AND charge_period_start < strftime('%s', '2026-11-01') "
        "GROUP BY 1 ORDER BY 1"
    )
    body = (await _call(demo_store, {"query": sql})).structured_content
    assert body["columns"] == ["provider_name", "SUM(billed_cost)"]
    answer = demo_store.query_costs(
        CostQuery(start=date(2026, 10, 1), end=date(2026, 11, 1), metric="billed", group_by=("provider",))
    )
    expected = {r.group["provider"]: r.cost for r in answer.rows if r.currency == "USD"}
    assert {name: Decimal(nanos).scaleb(-9) for name, nanos in body["rows"]} == expected


@pytest.mark.parametrize(
    "sql",
    [
        "DELETE FROM strings",
        "INSERT INTO strings (value) VALUES ('x')",
        "UPDATE partitions SET row_count = 0",
        "DROP TABLE line_items",
        "CREATE TEMP TABLE t (x)",
        "ATTACH DATABASE ':memory:' AS other",
        "PRAGMA writable_schema = ON",
        "SELECT 1; DELETE FROM strings",
    ],
)
async def test_anything_but_reading_is_refused_and_changes_nothing(demo_store: Store, sql: str) -> None:
    before = demo_store.info()
    result = await _call(demo_store, {"query": sql})
    assert result.is_error
    text = result.content[0].text
    assert "Only reading is allowed" in text or "one statement" in text
    assert "Traceback" not in text
    assert demo_store.info() == before


async def test_rows_past_max_rows_are_cut_and_said_to_be(demo_store: Store) -> None:
    body = (await _call(demo_store, {"query": "SELECT id FROM strings", "max_rows": 5})).structured_content
    assert len(body["rows"]) == 5
    assert body["truncated"] is True
    assert "more exist" in body["note"]


async def test_a_long_query_does_not_hold_up_another_clients_call(demo_store: Store) -> None:
    # About a second of work, well inside the time limit: the other call must answer while it runs.
    long = "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n LIMIT 3000000) SELECT COUNT(*) FROM n"
    server = build_orchestrator(OrchestratorState(store=demo_store, is_demo=True, today=lambda: AS_OF))
    finished: list[str] = []
    async with Client(server) as analyst, Client(server) as other:

        async def query() -> None:
            await analyst.call_tool("finops_sql", {"query": long})
            finished.append("sql")

        with anyio.fail_after(30):
            async with anyio.create_task_group() as group:
                group.start_soon(query)
                await anyio.wait_all_tasks_blocked()  # the query is under way (or, run on the loop, already over)
                await other.call_tool("finops_store_info", {})
                finished.append("store_info")
    assert finished == ["store_info", "sql"]


async def test_a_query_past_the_concurrent_ones_allowed_is_told_the_tool_is_busy(demo_store: Store) -> None:
    endless = "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n) SELECT COUNT(*) FROM n"
    server = build_orchestrator(OrchestratorState(store=demo_store, is_demo=True, today=lambda: AS_OF))
    texts: dict[int, str] = {}
    async with Client(server) as first, Client(server) as second, Client(server) as third:

        async def query(n: int, client: Client) -> None:
            result = await client.call_tool("finops_sql", {"query": endless})
            texts[n] = result.content[0].text  # type: ignore[union-attr]

        with anyio.fail_after(60):
            async with anyio.create_task_group() as group:
                group.start_soon(query, 1, first)
                group.start_soon(query, 2, second)
                await anyio.wait_all_tasks_blocked()  # both are running
                await query(3, third)
    assert "finops_sql is busy: 2 queries are running" in texts[3]
    assert all("ran past 5 s" in texts[n] for n in (1, 2))


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="temporary files are counted through /proc")
def test_a_query_whose_temporary_files_pass_their_ceiling_is_stopped_with_a_clear_error(demo_store: Store) -> None:
    shuffled = (
        "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n) SELECT x, randomblob(1000) FROM n "
        "ORDER BY random()"
    )
    started = time.monotonic()
    with pytest.raises(InvalidInput, match=r"more than 16 MB of temporary files .* Narrow it"):
        run_sql(demo_store.path, shuffled, time_limit=60, temp_bytes=16 * 2**20)
    assert time.monotonic() - started < 30  # an upper bound only: the ceiling, not the clock, stopped it


def test_a_runaway_query_is_stopped_with_a_clear_error(demo_store: Store) -> None:
    endless = "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n) SELECT COUNT(*) FROM n"
    with pytest.raises(InvalidInput, match=r"ran past 0\.2 s and was stopped"):
        run_sql(demo_store.path, endless, time_limit=0.2)


def test_sql_errors_say_what_can_be_queried(demo_store: Store) -> None:
    with pytest.raises(InvalidInput, match=r"no such table: nope.*focus_line_items"):
        run_sql(demo_store.path, "SELECT * FROM nope")


# The hostile queries run in a process of their own, so the peak RSS read (VmHWM, reset before each query through
# /proc/self/clear_refs) is each query's alone. The sizes are big enough that an unbounded answer passes 200 MB, and
# small enough not to hurt a shared machine if it does.
_PROBE = """
import json, sys, time
from pathlib import Path
from finops_core.errors import InvalidInput
from finops_orchestrator.analysis.sql import run_sql

def peak_kib():
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmHWM:"))

path, outcomes = Path(sys.argv[1]), {}
run_sql(path, "SELECT 1")
for name, query in json.load(sys.stdin).items():
    answer = None  # the last answer is freed before the peak is reset
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")  # the peak starts again from the current RSS
    before, started = peak_kib(), time.monotonic()
    try:
        answer = run_sql(path, query, max_rows=1000, time_limit=1.0)
        outcome = {"truncated": answer.truncated, "rows": len(answer.rows), "note": answer.note}
    except InvalidInput as exc:
        outcome = {"error": str(exc)}
    outcome.update(seconds=time.monotonic() - started, grew_mib=(peak_kib() - before) / 1024)
    outcomes[name] = outcome
print(json.dumps(outcomes))
"""
_COUNT = "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n{limit})"
HOSTILE = {
    "zeroblob": "SELECT zeroblob(250000000)",
    "randomblob": "SELECT randomblob(250000000)",
    "recursive CTE doubling a string": "WITH RECURSIVE s(x, i) AS (SELECT 'ab', 0 UNION ALL SELECT x || x, i + 1 "
    "FROM s WHERE i < 27) SELECT i, length(x) FROM s",
    "recursive CTE without end": _COUNT.format(limit="") + " SELECT x FROM n ORDER BY x DESC",
    "cross join of wide rows": _COUNT.format(limit=" LIMIT 1000")
    + " SELECT a.x, b.x, zeroblob(60000), zeroblob(60000) FROM n a CROSS JOIN n b",
    "cross join sorted": _COUNT.format(limit="") + " SELECT a.x, randomblob(1000) FROM n a CROSS JOIN n b "
    "ORDER BY random()",
    "huge group_concat": _COUNT.format(limit=" LIMIT 4200") + " SELECT length(group_concat(printf('%.60000c', 'x'))) "
    "FROM n",
}


@pytest.fixture(scope="module")
def hostile_outcomes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    store = tmp_path_factory.mktemp("sql") / "any.sqlite"
    with sqlite3.connect(store) as conn:
        conn.execute("CREATE TABLE t (x)")
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, str(store)],
        input=json.dumps(HOSTILE),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(done.stdout)


@pytest.mark.parametrize("name", HOSTILE)
def test_a_hostile_query_gets_a_bounded_answer_in_bounded_time_and_memory(
    hostile_outcomes: dict[str, dict[str, Any]], name: str
) -> None:
    outcome = hostile_outcomes[name]
    assert outcome["seconds"] < 3, outcome
    assert outcome["grew_mib"] < 200, outcome
    if "error" in outcome:
        assert re.search(r"ceiling for one value|ran past 1 s", outcome["error"]), outcome
    else:
        assert outcome["truncated"] is True, outcome
        assert re.search(r"ceiling of [\d,]+ bytes|time limit", outcome["note"]), outcome

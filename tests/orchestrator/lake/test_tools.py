"""The cross-cloud tools answer from the lake over MCP with the store's answers, name the lake as their source,
keep the event loop free while the lake works, and turn an unreachable lake into an error saying what to do."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import anyio
import pytest
from finops_core.settings import LakeSettings
from finops_core.store import Store
from finops_orchestrator.lake.engines import DuckDBEngine, Rows
from finops_orchestrator.lake.reader import LakeReader
from finops_orchestrator.lake.rollups import RollupReader, sync_rollups
from finops_orchestrator.server import build_orchestrator
from finops_orchestrator.state import OrchestratorState
from mcp import Client

from tests.conftest import AS_OF

pytestmark = pytest.mark.anyio

CALLS: dict[str, dict[str, Any]] = {
    "finops_cost_query": {"start": "2026-09-01", "end": "2026-11-01", "group_by": ["provider", "service"]},
    "finops_explain_change": {"start": "2026-10-01", "end": "2026-11-01", "drill_down": "provider"},
    "finops_tag_coverage": {"tag_key": "team", "start": "2026-09-01", "end": "2026-11-01"},
    "finops_commitments": {"start": "2026-09-01", "end": "2026-11-01"},
    "finops_anomalies": {"days": 60, "end": "2026-11-26"},
}


def _server(store: Store, reader: Any = None) -> Any:
    return build_orchestrator(OrchestratorState(store=store, reader=reader, is_demo=False, today=lambda: AS_OF))


async def _ask(server: Any, tool: str, arguments: dict[str, Any]) -> dict[str, Any]:
    async with Client(server) as client:
        result = await client.call_tool(tool, arguments)
    assert not result.is_error, result.content
    assert result.structured_content is not None
    return result.structured_content


@pytest.mark.parametrize("tool", list(CALLS))
async def test_each_tool_answers_from_the_lake_as_from_the_store_naming_the_lake(
    tool: str, lake_store: Store, lake_path: Path
) -> None:
    lake = LakeReader(LakeSettings(engine="duckdb", path=str(lake_path)))
    from_lake = await _ask(
        build_orchestrator(OrchestratorState(store=lake_store, reader=lake, is_demo=False, today=lambda: AS_OF)),
        tool,
        CALLS[tool],
    )
    from_store = await _ask(
        build_orchestrator(OrchestratorState(store=lake_store, is_demo=False, today=lambda: AS_OF)), tool, CALLS[tool]
    )
    assert from_lake.pop("source") == f"lake (duckdb {lake_path})"
    assert from_store.pop("source") == f"local store {lake_store.path}"
    assert from_lake == from_store


async def test_answers_from_synced_rollups_say_how_old_they_are(
    lake_store: Store, lake_path: Path, tmp_path: Path
) -> None:
    settings = LakeSettings(engine="duckdb", path=str(lake_path), answer_from="rollups")
    store = Store(tmp_path / "rollups.sqlite")
    synced = datetime(2026, 11, 25, 18, 0, tzinfo=UTC)
    sync_rollups(
        store,
        LakeReader(settings),
        start=AS_OF.replace(month=1),
        end=AS_OF.replace(month=12, day=1),
        now=lambda: synced,
    )
    reader = RollupReader(store, settings, now=lambda: datetime(2026, 11, 26, 12, 0, tzinfo=UTC))
    body = await _ask(
        build_orchestrator(OrchestratorState(store=store, reader=reader, is_demo=False, today=lambda: AS_OF)),
        "finops_cost_query",
        CALLS["finops_cost_query"],
    )
    assert (
        body["source"]
        == f"local daily rollups of the lake (duckdb {lake_path}), synced 2026-11-25 18:00 UTC (18.0 hours old)"
    )
    direct = await _ask(
        build_orchestrator(OrchestratorState(store=lake_store, is_demo=False, today=lambda: AS_OF)),
        "finops_cost_query",
        CALLS["finops_cost_query"],
    )
    assert body["rows"] == direct["rows"]
    assert body["totals"] == direct["totals"]


async def test_an_unreachable_lake_answers_each_call_with_an_error_saying_what_to_do(
    tmp_path: Path, lake_store: Store
) -> None:
    lake = LakeReader(LakeSettings(engine="duckdb", path=str(tmp_path / "gone")))
    server = _server(lake_store, lake)  # starts all the same
    async with Client(server) as client:
        for tool, arguments in CALLS.items():
            result = await client.call_tool(tool, arguments)
            assert result.is_error, tool
            text = result.content[0].text  # type: ignore[union-attr]
            assert f"The lake (duckdb {tmp_path / 'gone'}) could not answer: " in text
            assert "finops lake sync" in text
            assert "Traceback" not in text


class _WaitsWhenArmed:
    """An engine whose first query after ``armed`` is set waits (at most 10 s) until the test lets it go: if the tool
    ran it on the event loop, no other call could be served meanwhile."""

    def __init__(self, inner: DuckDBEngine) -> None:
        self.inner, self.name, self.target = inner, inner.name, inner.target
        self.armed = threading.Event()
        self.go = threading.Event()
        self.started = threading.Event()
        self._lock = threading.Lock()

    def run(self, sql: str) -> Rows:
        with self._lock:
            first = self.armed.is_set() and not self.started.is_set()
            if first:
                self.started.set()
        if first:
            assert self.go.wait(10), "the second call was never served: the first held the event loop"
        return self.inner.run(sql)

    def close(self) -> None:
        self.inner.close()


BUDGET = {"name": "lake", "amount": "1000"}
# The call made slow, after the calls that set it up.
SLOW: dict[str, tuple[list[tuple[str, dict[str, Any]]], dict[str, Any]]] = {
    "finops_cost_query": ([], CALLS["finops_cost_query"]),
    "finops_budget_set": ([], BUDGET),
    "finops_budget_status": ([("finops_budget_set", BUDGET)], {}),
}


@pytest.mark.parametrize("tool", list(SLOW))
async def test_a_slow_lake_query_leaves_the_event_loop_free_for_other_clients(
    tool: str, lake_store: Store, lake_path: Path
) -> None:
    settings = LakeSettings(engine="duckdb", path=str(lake_path))
    engine = _WaitsWhenArmed(DuckDBEngine(settings))
    server = _server(lake_store, LakeReader(settings, engine))
    setup, arguments = SLOW[tool]
    answers: dict[str, Any] = {}

    async def slow(client: Client) -> None:
        answers["slow"] = await client.call_tool(tool, arguments)

    async with Client(server) as first, Client(server) as second:
        for name, given in setup:
            assert not (await first.call_tool(name, given)).is_error
        engine.armed.set()
        async with anyio.create_task_group() as group:
            group.start_soon(slow, first)
            with anyio.fail_after(10):
                await anyio.to_thread.run_sync(engine.started.wait, 10)
                answers["fast"] = await second.call_tool("finops_tag_coverage", CALLS["finops_tag_coverage"])
            engine.go.set()
    assert not answers["fast"].is_error
    assert not answers["slow"].is_error, answers["slow"].content


async def test_the_forecast_reads_its_history_from_the_lake(lake_store: Store, lake_path: Path) -> None:
    lake = LakeReader(LakeSettings(engine="duckdb", path=str(lake_path)))
    arguments = {"by": "total", "horizon_days": 7, "top_n": 1}
    from_lake = await _ask(_server(lake_store, lake), "finops_forecast", arguments)
    from_store = await _ask(_server(lake_store), "finops_forecast", arguments)
    assert from_lake["source"] == f"lake (duckdb {lake_path})"

    def actuals(body: dict[str, Any]) -> list[tuple[str, str, str]]:
        return sorted((s["series"], s["currency"], s["month_to_date"]) for s in body["series"])

    assert actuals(from_lake) == actuals(from_store)
    assert len(actuals(from_lake)) == 2  # one total per currency

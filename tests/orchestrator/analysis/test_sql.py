"""Read-only SQL: answers SELECTs, refuses anything else with a clear error, and stops runaway queries."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from finops_core.errors import InvalidInput
from finops_core.models import CostQuery
from finops_core.store import Store
from finops_orchestrator.analysis.sql import run_sql
from finops_orchestrator.server import build_orchestrator
from mcp import Client

from tests.conftest import AS_OF

pytestmark = pytest.mark.anyio


async def _call(store: Store, arguments: dict[str, Any]) -> Any:
    async with Client(build_orchestrator(store, is_demo=True, today=lambda: AS_OF)) as client:
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


def test_a_runaway_query_is_stopped_with_a_clear_error(demo_store: Store) -> None:
    endless = "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n) SELECT COUNT(*) FROM n"
    with pytest.raises(InvalidInput, match=r"ran past 0\.2 s and was stopped"):
        run_sql(demo_store.path, endless, time_limit=0.2)


def test_sql_errors_say_what_can_be_queried(demo_store: Store) -> None:
    with pytest.raises(InvalidInput, match=r"no such table: nope.*focus_line_items"):
        run_sql(demo_store.path, "SELECT * FROM nope")

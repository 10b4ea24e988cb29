"""Whatever arguments an assistant sends, every tool answers: a result, or a clear error without a traceback,
and a refused call writes nothing. Arguments are generated from each tool's own input schema (hypothesis):
values the schema allows, values of the wrong type, and values aimed at known edges (dates, dimensions, tag
keys, SQL that writes)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import anyio
import pytest
from finops_core.models import CLOUDS
from finops_core.sandbox import SandboxProvider
from finops_core.store import Store
from finops_orchestrator.server import build_orchestrator
from hypothesis import HealthCheck, given, settings
from mcp import Client
from mcp.types import CallToolResult

from tests.answer_schema import check_answer
from tests.conftest import AS_OF
from tests.orchestrator.conftest import copy_of
from tests.schema_arguments import arguments_for, check_clear

# Values that once failed with an error naming nothing (date arithmetic overflowing on the last and the first day
# a date can be, a currency that is no code, amounts too large or too fine to store), each tried on every tool
# that takes the argument; their refusals must name it.
OUT_OF_RANGE = ["9999-12-31", "0001-01-01"]
NAMED: dict[str, list[Any]] = {
    "start": OUT_OF_RANGE,
    "end": OUT_OF_RANGE,
    "baseline_start": OUT_OF_RANGE,
    "baseline_end": OUT_OF_RANGE,
    "currency": ["U$D", "US", "EURO", "€€€", " "],
    "amount": ["1e400", "1e-999999999", "-1e20"],
    "min_impact": ["1e400", "1e-999999999"],
    "min_monthly_savings": ["1e400", "1e-999999999"],
    "month": ["9999-12", "0001-01"],
}
EDGES: dict[str, list[Any]] = {
    "start": ["2026-02-30", "2006-01-01", "26-1-1", "", "2026-11-26T00:00:00", *OUT_OF_RANGE],
    "end": ["2046-01-01", "2026-10-01", "tomorrow", *OUT_OF_RANGE],
    "baseline_start": ["2001-01-01", "2026-11-20", *OUT_OF_RANGE],
    "baseline_end": OUT_OF_RANGE,
    "currency": ["usd", *NAMED["currency"]],
    "dimension": ["colour", "SERVICE"],
    "group_by": [["service", "service", "region"], ["tag"]],
    "tag_key": ["", "a\nb", "x" * 500, "team"],
    "query": ["DELETE FROM strings", "ATTACH ':memory:' AS x", "PRAGMA journal_mode = DELETE", "SELECT 1; SELECT 2"],
    "amount": ["NaN", "-1", "0", *NAMED["amount"]],
    "min_impact": ["inf", "ten", *NAMED["min_impact"]],
    "min_monthly_savings": ["NaN", "x", *NAMED["min_monthly_savings"]],
    "days": [0, -5, 10_000],
    "top_n": [0, 10_000],
    "paths": [[], ["/etc/passwd"], ["s3://"], ["/no/such/file.csv"], ["gs://b/../../x"]],
    "month": ["2026-13", "2027-01", "2026-11", "1999-12", " 2026-10 ", "0000-00", *NAMED["month"]],
    "plan_id": ["", "plan-00000000-0000", "'; DROP TABLE remediation_plans; --"],
    "recommendation_ids": [[], ["demo-idle-nothing"], ["demo-idle-batch-legacy", "demo-idle-batch-legacy"]],
    "actions": [[{"provider": "aws", "kind": "delete_volume", "resource_id": "vol-nope"}], [{"provider": "aws"}]],
}


def _tools(store: Store) -> list[dict[str, Any]]:
    async def listed() -> list[dict[str, Any]]:
        async with Client(build_orchestrator(store, is_demo=True, today=lambda: AS_OF, remediation=True)) as client:
            return [t.model_dump(mode="json") for t in (await client.list_tools()).tools]

    return anyio.run(listed)


@pytest.fixture(scope="module")
def store(demo_store: Store, tmp_path_factory: pytest.TempPathFactory) -> Store:
    return copy_of(demo_store, Path(tmp_path_factory.mktemp("copy")))


def _state(store: Store) -> str:
    """What a refused call must leave as it was. (A refused execution is recorded in the audit log, by design.)"""
    with store.reader() as conn:
        remediation = [
            conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
            for t in ("remediation_plans", "remediation_approvals", "remediation_runs", "remediation_steps")
        ]
    info = store.info().model_dump(mode="json")
    return json.dumps([info, [b.model_dump(mode="json") for b in store.budgets()], remediation])


def _check(store: Store, tool: str, arguments: dict[str, Any], output_schema: dict[str, Any]) -> str | None:
    before = _state(store)

    async def call() -> Any:
        providers = [SandboxProvider(c, as_of=AS_OF) for c in CLOUDS]
        server = build_orchestrator(store, is_demo=True, today=lambda: AS_OF, providers=providers, remediation=True)
        async with Client(server) as client:
            return await client.call_tool(tool, arguments)

    result = anyio.run(call)
    text = check_clear(tool, arguments, result)
    check_answer(tool, output_schema, result)  # any answer that is not an error fits its schema
    if text is not None:
        assert _state(store) == before, f"{tool}({arguments}) was refused but wrote"
    return text


TOOL_NAMES = [
    "finops_cost_query",
    "finops_explain_change",
    "finops_anomalies",
    "finops_tag_coverage",
    "finops_budget_set",
    "finops_budget_status",
    "finops_commitments",
    "finops_forecast",
    "finops_savings",
    "finops_tag_policy",
    "finops_sql",
    "finops_store_info",
    "finops_sync",
    "finops_ingest",
    "finops_report",
    "finops_plan_remediation",
    "finops_plan_status",
    "finops_execute_plan",
]

EXAMPLES = {
    "finops_report": 8,  # each accepted month draws three charts (about a second): fewer, edges included
    "finops_tag_policy": 10,  # one integer argument: a few draws plus its edges cover it
}


def test_the_property_covers_every_tool(store: Store) -> None:
    assert sorted(t["name"] for t in _tools(store)) == sorted(TOOL_NAMES)


@pytest.mark.parametrize("tool", TOOL_NAMES)
def test_any_arguments_get_an_answer_or_a_clear_error_and_refusals_write_nothing(store: Store, tool: str) -> None:
    listed = next(t for t in _tools(store) if t["name"] == tool)
    schema = listed["input_schema"]

    @settings(
        max_examples=EXAMPLES.get(tool, 30), deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None
    )
    @given(arguments_for(schema, EDGES))
    def run(arguments: dict[str, Any]) -> None:
        _check(store, tool, arguments, listed["output_schema"])

    run()


def test_each_value_that_once_failed_unnamed_gets_an_error_naming_its_argument_from_every_tool(store: Store) -> None:
    # Deterministic (the property above draws among the edges); other arguments as the tool requires.
    required = {"finops_tag_coverage": {"tag_key": "team"}, "finops_budget_set": {"name": "edge", "amount": "10"}}
    required |= {"finops_sql": {"query": "SELECT 1"}, "finops_ingest": {"paths": ["/no/such/file.csv"]}}
    required |= {"finops_execute_plan": {"plan_id": "plan-none"}}
    cases = [
        (t["name"], {**required.get(t["name"], {}), name: value}, name)
        for t in _tools(store)
        for name in t["input_schema"].get("properties", {})
        for value in NAMED.get(name, [])
    ]
    assert len({tool for tool, _, _ in cases}) == 9  # every tool taking a date, a currency or an amount

    async def answers() -> list[tuple[str, dict[str, Any], str, CallToolResult, bool]]:
        providers = [SandboxProvider(c, as_of=AS_OF) for c in CLOUDS]
        server = build_orchestrator(store, is_demo=True, today=lambda: AS_OF, providers=providers, remediation=True)
        found: list[tuple[str, dict[str, Any], str, CallToolResult, bool]] = []
        async with Client(server) as client:
            for tool, arguments, name in cases:
                before = _state(store)
                result = await client.call_tool(tool, arguments)
                found.append((tool, arguments, name, result, _state(store) == before))
        return found

    for tool, arguments, name, result, unchanged in anyio.run(answers):
        text = check_clear(tool, arguments, result)
        assert text is not None, f"{tool}({arguments}) was answered"
        assert unchanged, f"{tool}({arguments}) was refused but wrote"
        assert name in text, f"{tool}({arguments}): {text}"

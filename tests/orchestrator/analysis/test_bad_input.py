"""Whatever arguments an assistant sends, every tool answers: a result, or a clear error without a traceback,
and a refused call writes nothing. Arguments are generated from each tool's own input schema (hypothesis):
values the schema allows, values of the wrong type, and values aimed at known edges (dates, dimensions, tag
keys, SQL that writes)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import anyio
import pytest
from finops_core.models import CLOUDS
from finops_core.sandbox import SandboxProvider
from finops_core.store import Store
from finops_orchestrator.server import build_orchestrator
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mcp import Client

from tests.conftest import AS_OF
from tests.orchestrator.conftest import copy_of

EDGES: dict[str, list[Any]] = {
    "start": ["2026-02-30", "2006-01-01", "26-1-1", "", "2026-11-26T00:00:00"],
    "end": ["2046-01-01", "2026-10-01", "tomorrow"],
    "baseline_start": ["2001-01-01", "2026-11-20"],
    "dimension": ["colour", "SERVICE"],
    "group_by": [["service", "service", "region"], ["tag"]],
    "tag_key": ["", "a\nb", "x" * 500, "team"],
    "query": ["DELETE FROM strings", "ATTACH ':memory:' AS x", "PRAGMA journal_mode = DELETE", "SELECT 1; SELECT 2"],
    "amount": ["NaN", "-1", "1e400", "0"],
    "min_impact": ["inf", "ten"],
    "min_monthly_savings": ["NaN", "x"],
    "days": [0, -5, 10_000],
    "top_n": [0, 10_000],
    "paths": [[], ["/etc/passwd"], ["s3://"], ["/no/such/file.csv"], ["gs://b/../../x"]],
    "month": ["2026-13", "2027-01", "2026-11", "1999-12", " 2026-10 ", "0000-00"],
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


def _check(store: Store, tool: str, arguments: dict[str, Any]) -> None:
    before = _state(store)

    async def call() -> Any:
        providers = [SandboxProvider(c, as_of=AS_OF) for c in CLOUDS]
        server = build_orchestrator(store, is_demo=True, today=lambda: AS_OF, providers=providers, remediation=True)
        async with Client(server) as client:
            return await client.call_tool(tool, arguments)

    result = anyio.run(call)
    text = "".join(getattr(c, "text", "") for c in result.content)
    if result.is_error:
        # A bare "Error executing tool X" is what the SDK says for an unexpected exception: no message for anyone.
        assert not re.fullmatch(r"Error executing tool \w+:?", text.strip()), f"{tool}({arguments}) failed silently"
        assert "Traceback" not in text, text
        assert 'File "' not in text, text
        assert _state(store) == before, f"{tool}({arguments}) was refused but wrote"
    else:
        assert isinstance(result.structured_content, dict), f"{tool}({arguments}) answered without structure"


ANYTHING = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=30), st.lists(st.text()))


def _value(schema: dict[str, Any], defs: dict[str, Any]) -> st.SearchStrategy[Any]:
    """Values for one JSON-schema property: what it allows (the subset pydantic emits for our tools)."""
    if "$ref" in schema:
        return _value(defs[schema["$ref"].rsplit("/", 1)[-1]], defs)
    if "anyOf" in schema:
        return st.one_of([_value(s, defs) for s in schema["anyOf"]])
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    kind = schema.get("type")
    if kind == "string":
        return st.text(min_size=schema.get("minLength", 0), max_size=min(schema.get("maxLength", 40), 40))
    if kind == "integer":
        return st.integers(schema.get("minimum"), schema.get("maximum"))
    if kind == "number":
        return st.floats(schema.get("minimum"), schema.get("maximum"), allow_nan=False)
    if kind == "boolean":
        return st.booleans()
    if kind == "array":
        return st.lists(_value(schema.get("items", {}), defs), max_size=schema.get("maxItems", 3))
    if kind == "null":
        return st.none()
    return ANYTHING


def _arguments(schema: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    defs = schema.get("$defs", {})
    properties: dict[str, Any] = schema.get("properties", {})
    required = set(schema.get("required", []))

    def field(name: str, spec: dict[str, Any]) -> st.SearchStrategy[Any]:
        edges = [st.sampled_from(EDGES[name])] if name in EDGES else []
        return st.one_of(_value(spec, defs), ANYTHING, *edges)

    return st.fixed_dictionaries(
        {n: field(n, p) for n, p in properties.items() if n in required},
        optional={n: field(n, p) for n, p in properties.items() if n not in required},
    )


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
    schema = next(t["input_schema"] for t in _tools(store) if t["name"] == tool)

    @settings(
        max_examples=EXAMPLES.get(tool, 30), deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None
    )
    @given(_arguments(schema))
    def run(arguments: dict[str, Any]) -> None:
        _check(store, tool, arguments)

    run()

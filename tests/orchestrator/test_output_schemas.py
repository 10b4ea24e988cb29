"""Every tool of the ``finops`` server publishes an outputSchema, and its answer to valid arguments validates against
it (``jsonschema``, as a client checks it): over the demo company with remediation on, a plan approved and run, and
an export ingested on a server over real data. A tool added without arguments here fails the coverage check."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from finops_core.models import CLOUDS
from finops_core.sandbox import SandboxProvider
from finops_core.store import Store
from finops_orchestrator.server import build_orchestrator
from jsonschema import Draft202012Validator
from mcp import Client
from mcp.client import ClientRequestContext
from mcp.types import CallToolResult, ElicitRequestParams, ElicitResult

from tests.answer_schema import check_answer
from tests.conftest import AS_OF, SHARED
from tests.orchestrator.conftest import copy_of

pytestmark = pytest.mark.anyio
SAMPLE = SHARED / "data/focus-samples/FOCUS-1.0/focus_sample_1000.csv"
# Valid arguments for each tool; the remediation tools get theirs from the answers before them.
ARGUMENTS: dict[str, list[dict[str, Any]]] = {
    "finops_store_info": [{}],
    "finops_cost_query": [
        {},
        {"group_by": ["provider", "service"], "granularity": "weekly", "start": "2026-09-01", "top_n": 3},
    ],
    "finops_explain_change": [{"drill_down": "region"}],
    "finops_anomalies": [{"days": 60, "drops": True}],
    "finops_tag_coverage": [{"tag_key": "team"}],
    "finops_budget_set": [{"name": "platform", "amount": "25000"}],
    "finops_budget_status": [{}],
    "finops_commitments": [{}],
    "finops_savings": [{}],
    "finops_tag_policy": [{}],
    "finops_forecast": [{"horizon_days": 7, "by": "total"}],
    "finops_sql": [
        {"query": "SELECT provider_name, SUM(billed_cost) / 1e9 AS billed FROM focus_line_items GROUP BY 1"}
    ],
    "finops_report": [{}],
    "finops_sync": [{"start": "2026-11-01"}],
    "finops_plan_status": [{}],
}


async def approve(context: ClientRequestContext, params: ElicitRequestParams) -> ElicitResult:
    return ElicitResult(action="accept", content={"approve": True})


async def test_every_tool_answers_valid_arguments_within_its_published_output_schema(
    demo_store: Store, tmp_path: Path
) -> None:
    store = copy_of(demo_store, tmp_path)
    providers = [SandboxProvider(c, as_of=AS_OF) for c in CLOUDS]
    server = build_orchestrator(store, is_demo=True, today=lambda: AS_OF, providers=providers, remediation=True)
    answered: dict[str, list[CallToolResult]] = {}
    async with Client(server, elicitation_callback=approve) as client:
        tools = {t.name: t for t in (await client.list_tools()).tools}

        async def call(name: str, arguments: dict[str, Any]) -> dict[str, Any]:
            result = await client.call_tool(name, arguments)
            assert not result.is_error, f"{name}({arguments}): {result.content}"
            answered.setdefault(name, []).append(result)
            assert result.structured_content is not None
            return result.structured_content

        for name, calls in ARGUMENTS.items():
            for arguments in calls:
                await call(name, arguments)
        savings = answered["finops_savings"][0].structured_content or {}
        ids = _recommendation_ids(savings)[:2]
        plan = await call("finops_plan_remediation", {"recommendation_ids": ids, "title": "schema check"})
        await call("finops_plan_status", {"plan_id": plan["plan_id"]})
        await call("finops_execute_plan", {"plan_id": plan["plan_id"]})
    # finops_ingest refuses on the demo store: it answers on a server over real data.
    with Store(tmp_path / "real.sqlite") as real:
        ingesting = build_orchestrator(real, is_demo=False, today=lambda: AS_OF, ingest_roots=[SAMPLE.parent])
        async with Client(ingesting) as client:
            answered["finops_ingest"] = [await client.call_tool("finops_ingest", {"paths": [str(SAMPLE)]})]

    assert set(answered) == set(tools), f"no valid arguments here for {set(tools) - set(answered)}"
    for name, results in answered.items():
        schema = tools[name].output_schema
        assert schema is not None, name
        Draft202012Validator.check_schema(schema)
        for result in results:
            assert not result.is_error, f"{name}: {result.content}"
            check_answer(name, schema, result)


def _recommendation_ids(savings: dict[str, Any]) -> list[str]:
    """The ids in ``finops_savings``' answer, whichever way its opportunities are tabulated."""
    table = savings["opportunities"]
    if isinstance(table, dict):  # columns and rows
        column = next(i for i, c in enumerate(table["columns"]) if c.endswith("recommendation_id"))
        return [row[column] for row in table["rows"] if row[column]]
    return [o["recommendation"]["recommendation_id"] for o in table]

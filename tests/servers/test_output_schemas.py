"""Every tool of every per-cloud server publishes an outputSchema that is a valid JSON Schema, and on each demo
server every tool's answer to valid arguments validates against it (``jsonschema``, as a client checks it), a change
confirmed and applied included. The cloud-native tools (Cost Explorer, Cost Management, BigQuery) answer through
their emulators in their own tests (``*/costs/test_answer_shape.py``, ``aws/test_athena.py``), checked the same way."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from finops_core.models import CLOUDS
from finops_core.store import Store
from jsonschema import Draft202012Validator
from mcp import Client
from mcp.types import CallToolResult

from tests.answer_schema import check_answer
from tests.every_server import build, every_tool, label
from tests.servers.elicitation import Person

pytestmark = pytest.mark.anyio
LISTED = [(c, r, t) for c, r, t in every_tool() if c != "finops --demo"]


@pytest.mark.parametrize(
    ("command", "remediation", "tool"), LISTED, ids=[f"{label(c, r)}:{t.name}" for c, r, t in LISTED]
)
def test_every_tool_publishes_an_output_schema_that_is_a_json_schema(
    command: str, remediation: bool, tool: Any
) -> None:
    assert tool.output_schema is not None, f"{label(command, remediation)}: {tool.name}"
    Draft202012Validator.check_schema(tool.output_schema)
    assert "$ref" not in str(tool.output_schema)  # whole: a client resolves no references outside the schema


@pytest.mark.parametrize("cloud", CLOUDS)
async def test_every_tool_of_a_demo_server_answers_within_its_output_schema(cloud: str, tmp_path: Path) -> None:
    server = build(f"finops-{cloud} --demo", True, tmp_path, Store(tmp_path / "unused.sqlite"))
    answered: dict[str, list[CallToolResult]] = {}
    async with Client(server, elicitation_callback=Person("accept", {"confirm": True})) as client:
        tools = {t.name: t for t in (await client.list_tools()).tools}

        async def call(name: str, arguments: dict[str, Any]) -> dict[str, Any]:
            result = await client.call_tool(f"{cloud}_{name}", arguments)
            assert not result.is_error, f"{cloud}_{name}({arguments}): {result.content}"
            answered.setdefault(f"{cloud}_{name}", []).append(result)
            assert result.structured_content is not None
            return result.structured_content

        await call("provider_info", {})
        await call("cost_query", {})
        await call("cost_query", {"group_by": ["service", "region"], "granularity": "daily", "top_n": 2})
        await call("list_resources", {"limit": 5})
        await call("daily_costs", {"start": "2026-11-01", "end": "2026-11-08"})
        found = await call("list_recommendations", {})
        action = next(r["action"] for r in found["recommendations"] if r.get("action"))
        change = {"kind": action["kind"], "resource_id": action["resource_id"], "parameters": action["parameters"]}
        await call("plan_remediation", change)
        await call("resource_tags", {"resource_id": change["resource_id"], "parameters": change["parameters"]})
        await call("apply_remediation", change)

    assert set(answered) == set(tools), f"not called here: {set(tools) - set(answered)}"
    for name, results in answered.items():
        for result in results:
            check_answer(name, tools[name].output_schema, result)

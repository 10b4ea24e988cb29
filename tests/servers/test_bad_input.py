"""Whatever arguments an assistant sends a per-cloud server, every tool answers: a result, or a clear error without
a traceback. Arguments are generated from each tool's own input schema (hypothesis) on the demo servers, whose
sandbox needs no cloud; and every date argument of every tool, the real account's too, refuses the days that once
overflowed into an error that named nothing (nothing reaches a cloud: the date is read first)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import anyio
import pytest
from finops_core.store import Store
from hypothesis import HealthCheck, given, settings
from mcp import Client
from mcp.server import MCPServer

from tests.answer_schema import check_answer
from tests.every_server import build, every_tool, label
from tests.schema_arguments import arguments_for, check_clear

BAD_DAYS = ["9999-12-31", "0001-01-01", "2026-02-30", "yesterday"]
EDGES: dict[str, list[Any]] = {
    "start": [*BAD_DAYS, "2026-11-26", ""],
    "end": [*BAD_DAYS, "2026-10-01", ""],
    "region": ["", "us-east-1", "../.."],
    "tag_key": ["", "a\nb", "team"],
    "resource_id": ["", "i-nope", "vol-0000"],
    "approval": ["", "x.y", "not-a-token"],
    "parameters": [{}, {"new_size": ""}, {"snapshot_first": "maybe"}],
}
ALL = every_tool()
TOOLS = [(c, t) for c, remediation, t in ALL if remediation and c.endswith("--demo") and c != "finops --demo"]
DATED = [
    (command, tool.name, name)
    for command, remediation, tool in ALL
    if remediation and command != "finops --demo"
    for name in tool.input_schema.get("properties", {})
    if name in ("start", "end")
]


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> dict[str, MCPServer]:
    home = tmp_path_factory.mktemp("home")
    store = Store(Path(home) / "unused.sqlite")
    return {command: build(command, True, home, store) for command in {c for c, _, _ in DATED}}


@pytest.mark.parametrize(("command", "tool"), TOOLS, ids=[f"{label(c, True)}:{t.name}" for c, t in TOOLS])
def test_any_arguments_get_an_answer_or_a_clear_error(servers: dict[str, MCPServer], command: str, tool: Any) -> None:
    server = servers[command]

    @settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None)
    @given(arguments_for(tool.input_schema, EDGES))
    def run(arguments: dict[str, Any]) -> None:
        async def call() -> Any:
            async with Client(server) as client:
                return await client.call_tool(tool.name, arguments)

        result = anyio.run(call)
        check_clear(tool.name, arguments, result)
        check_answer(tool.name, tool.output_schema, result)  # any answer that is not an error fits its schema

    run()


@pytest.mark.parametrize(("command", "tool", "name"), DATED, ids=[f"{label(c, True)}:{t}:{n}" for c, t, n in DATED])
def test_a_day_out_of_range_or_not_a_day_is_refused_naming_the_argument(
    servers: dict[str, MCPServer], command: str, tool: str, name: str
) -> None:
    async def answers() -> list[tuple[str, Any]]:
        async with Client(servers[command]) as client:
            # The other date a valid day, so the refusal is about this one.
            other = {"start": "2026-10-01", "end": "2026-11-01"}
            return [(day, await client.call_tool(tool, {**other, name: day})) for day in BAD_DAYS]

    for day, result in anyio.run(answers):
        text = check_clear(tool, {name: day}, result)
        assert text is not None, f"{tool}({name}={day!r}) was answered"
        assert f"{name}={day!r}" in text, text
        assert "YYYY-MM-DD" in text, text

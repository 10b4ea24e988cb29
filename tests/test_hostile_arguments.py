"""A hostile client sends a megabyte in an argument: it gets a clear error in under a second, and another client's
call made at the same time is answered as usual, promptly.

Every string argument of every tool of every server (remediation on: the widest tool lists) is tried, wherever it
sits (a list's item, a mapping's key or value, a field of an object in a list), as tools/list describes it: a new
tool or argument is covered without a change here. The servers log at DEBUG through the project's redacting
logging, where the megabyte once took minutes (a quadratic pattern), while the other client waited.
"""

from __future__ import annotations

import io
import time
from collections.abc import Iterator
from typing import Any

import anyio
import pytest
from finops_core.settings import HttpSettings
from finops_core.store import Store
from mcp import Client
from mcp.server import MCPServer
from mcp.types import CallToolResult, Tool

from tests.captured_logs import captured_json_logs
from tests.every_server import build, every_tool, label
from tests.serving import client_with, serving

HOSTILE = "A" * 1_000_000  # the reproduction: a run with no separator
ANSWER_WITHIN = 1.0  # seconds, an upper bound: the refusal takes milliseconds
OTHER_WITHIN = 5.0  # seconds, an upper bound for the other client's ordinary call on a busy machine


def _resolve(schema: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = defs[schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def _plain(schema: dict[str, Any], defs: dict[str, Any]) -> Any:
    """A small value ``schema`` accepts (what a required argument gets while another one is hostile)."""
    schema = _resolve(schema, defs)
    if "anyOf" in schema:
        return _plain(next(s for s in schema["anyOf"] if s.get("type") != "null"), defs)
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    if kind == "object":
        properties = schema.get("properties", {})
        return {n: _plain(properties[n], defs) for n in schema.get("required", [])}
    plain: dict[str, Any] = {"string": "x", "integer": schema.get("minimum", 1), "number": 1, "boolean": False}
    return plain.get(str(kind), [])


def _placements(schema: dict[str, Any], defs: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    """``(where, value)``: ``value`` fits ``schema`` but for one string, the hostile one, at ``where``."""
    schema = _resolve(schema, defs)
    for part in schema.get("anyOf", []):
        if part.get("type") != "null":
            yield from _placements(part, defs)
    kind = schema.get("type")
    if kind == "string":
        yield "", HOSTILE
    elif kind == "array":
        for where, value in _placements(schema.get("items", {}), defs):
            yield f"[]{where}", [value]
    elif kind == "object":
        for name, part in schema.get("properties", {}).items():
            for where, value in _placements(part, defs):
                yield f".{name}{where}", {**_plain(schema, defs), name: value}
        extra = schema.get("additionalProperties")
        if isinstance(extra, dict):
            yield " key", {HOSTILE: _plain(extra, defs)}  # pyright: ignore[reportUnknownArgumentType]
            for where, value in _placements(extra, defs):  # pyright: ignore[reportUnknownArgumentType]
                yield f"{{}}{where}", {"k": value}


def _cases() -> list[tuple[str, Tool, str, dict[str, Any]]]:
    cases: list[tuple[str, Tool, str, dict[str, Any]]] = []
    for command, remediation, tool in every_tool():
        if not remediation:
            continue  # the same tools and arguments, fewer of them
        schema = tool.input_schema
        defs = schema.get("$defs", {})
        required = {n: _plain(schema["properties"][n], defs) for n in schema.get("required", [])}
        for name, part in schema.get("properties", {}).items():
            for where, value in _placements(part, defs):
                cases.append((command, tool, f"{name}{where}", {**required, name: value}))
    return cases


CASES = _cases()


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> dict[str, MCPServer]:
    home = tmp_path_factory.mktemp("home")
    store = Store(home / "finops.sqlite")
    return {command: build(command, True, home, store) for command, _, _, _ in CASES}


@pytest.fixture
def logged() -> Iterator[io.StringIO]:
    with captured_json_logs() as stream:
        yield stream


async def _ordinary(client: Client, command: str) -> bool:
    """Another client's everyday request: a cost query where it needs no cloud, else the tool list."""
    if command.endswith("--demo"):
        prefix = "finops" if command.startswith("finops --") else command.split()[0].removeprefix("finops-")
        result = await client.call_tool(f"{prefix}_cost_query", {})
        return not result.is_error and result.structured_content is not None
    return bool((await client.list_tools()).tools)


@pytest.mark.parametrize(
    ("command", "tool", "where", "arguments"),
    CASES,
    ids=[f"{label(c, True)}:{t.name}:{w}" for c, t, w, _ in CASES],
)
def test_a_megabyte_argument_is_refused_clearly_at_once_and_another_client_is_served_meanwhile(
    servers: dict[str, MCPServer],
    logged: io.StringIO,
    command: str,
    tool: Tool,
    where: str,
    arguments: dict[str, Any],
) -> None:
    server = servers[command]
    timings: dict[str, float] = {}
    answers: dict[str, Any] = {}

    async def timed(name: str, call: Any) -> None:
        started = time.perf_counter()
        answers[name] = await call
        timings[name] = time.perf_counter() - started

    async def both() -> None:
        async with Client(server) as hostile, Client(server) as other, anyio.create_task_group() as group:
            group.start_soon(timed, "hostile", hostile.call_tool(tool.name, arguments))
            group.start_soon(timed, "other", _ordinary(other, command))

    anyio.run(both)
    refused: CallToolResult = answers["hostile"]
    text = "".join(getattr(c, "text", "") for c in refused.content)
    assert refused.is_error, text[:300]
    assert where.split(".")[0].split("[")[0].split("{")[0].split(" ")[0] in text, text[:300]
    assert "at most" in text or "Input should be" in text, text[:300]  # too long, or not one of an enum
    assert len(text) < 2_000, "the refusal echoes the argument"
    # Under a second; on a machine so loaded that the other client's ordinary call is slower still, no slower than it
    # (both wait on the same starved process, not on the megabyte), with a margin for their different starts.
    assert timings["hostile"] < max(ANSWER_WITHIN, 1.5 * timings["other"]), timings
    assert answers["other"] is True
    assert timings["other"] < OTHER_WITHIN, timings
    assert len(logged.getvalue()) < 200_000, "the megabyte reached the log whole"


@pytest.mark.anyio
async def test_over_http_a_megabyte_date_is_refused_at_once_while_another_client_is_served(
    servers: dict[str, MCPServer], logged: io.StringIO
) -> None:
    # The reproduction as it was found: finops_cost_query start="A"*1_000_000 over streamable HTTP (80,000
    # characters took 44 s and held the other client as long), here through the same HTTP app `finops serve` runs.
    answers: dict[str, CallToolResult] = {}
    waited: dict[str, float] = {}
    async with (
        serving(servers["finops --demo"], HttpSettings()) as url,
        client_with(url, None) as hostile,
        client_with(url, None) as other,
    ):
        started = time.perf_counter()

        async def call(name: str, client: Client, arguments: dict[str, Any]) -> None:
            answers[name] = await client.call_tool("finops_cost_query", arguments)
            waited[name] = time.perf_counter() - started

        async with anyio.create_task_group() as group:
            group.start_soon(call, "hostile", hostile, {"start": HOSTILE})
            group.start_soon(call, "other", other, {"group_by": ["provider"]})
    text = answers["hostile"].content[0].text  # type: ignore[union-attr]
    assert answers["hostile"].is_error
    assert "start: String should have at most 32 characters (it has 1,000,000)" in text
    assert waited["hostile"] < ANSWER_WITHIN + 1.0, waited  # plus the HTTP round trip of a megabyte
    assert answers["other"].is_error is False
    assert waited["other"] < OTHER_WITHIN, waited
    assert len(logged.getvalue()) < 200_000, "the megabyte reached the log whole"

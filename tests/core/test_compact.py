"""``CompactServer``: tool lists without the schema keywords a model does not need, and short refusals that name
what was wrong (the argument and its limit, the unknown tool or prompt) without echoing what was sent."""

from __future__ import annotations

from typing import Annotated

import pytest
from finops_core.bounds import Day, IdMap
from finops_core.compact import CompactServer
from mcp import Client, MCPError
from pydantic import Field

pytestmark = pytest.mark.anyio
MB = 1_000_000


def _server() -> CompactServer:
    server = CompactServer(name="t")

    @server.tool()
    def echo(
        start: Annotated[Day | None, Field(description="A day.")] = None,
        parameters: Annotated[IdMap | None, Field(description="Names to values.")] = None,
    ) -> str:
        return f"{start} {parameters}"

    return server


async def test_a_refused_argument_is_named_with_its_limit_and_the_value_is_not_echoed() -> None:
    async with Client(_server()) as client:
        long = await client.call_tool("echo", {"start": "A" * MB})
        key = await client.call_tool("echo", {"parameters": {"k" * MB: "v"}})
        both = await client.call_tool("echo", {"start": "A" * 40, "parameters": {f"{i}": "v" for i in range(100)}})
    texts = [r.content[0].text for r in (long, key, both)]  # type: ignore[union-attr]
    assert all(r.is_error for r in (long, key, both))
    assert texts[0] == (
        "echo was not run: start: String should have at most 32 characters (it has 1,000,000). Correct the "
        "argument named and call again (the tool's input schema lists each one's type and limits)."
    )
    assert f"parameters.{'k' * 64}….[key]: String should have at most 512 characters (it has 1,000,000)" in texts[1]
    assert (
        "start: String should have at most 32 characters (it has 40); parameters: Dictionary should have at most 64"
        in texts[2]
    )
    assert all(len(t) < 500 for t in texts)


async def test_an_unknown_tool_or_prompt_is_named_short_and_what_exists_is_said() -> None:
    async with Client(_server()) as client:
        tool = await client.call_tool("x" * MB, {})
        with pytest.raises(MCPError) as prompt:
            await client.get_prompt("p" * MB, {})
    assert tool.is_error
    assert tool.content[0].text == f"Unknown tool '{'x' * 64}…': tools/list names the tools of this server."  # type: ignore[union-attr]
    assert prompt.value.error.message == f"Unknown prompt '{'p' * 64}…': this server has no prompts."


async def test_published_schemas_carry_bounds_but_no_titles_or_null_defaults() -> None:
    async with Client(_server()) as client:
        (tool,) = (await client.list_tools()).tools
    start = tool.input_schema["properties"]["start"]
    assert start == {"anyOf": [{"maxLength": 32, "type": "string"}, {"type": "null"}], "description": "A day."}
    assert "title" not in tool.input_schema

"""An answer checked against the ``outputSchema`` its tool publishes, with ``jsonschema`` as a client would (issue 20).

An error result (``isError``) carries no structured content: the message is its text, its kind is in ``_meta``, and
no schema applies to it (the MCP client validates only answers that are not errors)."""

from __future__ import annotations

from typing import Any

from jsonschema import Draft202012Validator
from mcp import Client
from mcp.types import CallToolResult


def check_answer(tool: str, schema: dict[str, Any] | None, result: CallToolResult) -> None:
    if result.is_error:
        assert result.structured_content is None, f"{tool}: an error carries structured content"
        return
    assert schema is not None, f"{tool} answers with structure but publishes no outputSchema"
    assert result.structured_content is not None, f"{tool} publishes an outputSchema but answered without structure"
    errors = sorted(Draft202012Validator(schema).iter_errors(result.structured_content), key=str)
    assert not errors, f"{tool}: {[f'{list(e.absolute_path)}: {e.message[:200]}' for e in errors[:5]]}"


async def checked_call(client: Client, tool: str, arguments: dict[str, Any]) -> CallToolResult:
    """``client.call_tool(tool, arguments)``, its answer checked against the outputSchema ``tool`` publishes."""
    schema = next(t.output_schema for t in (await client.list_tools()).tools if t.name == tool)
    result = await client.call_tool(tool, arguments)
    check_answer(tool, schema, result)
    return result

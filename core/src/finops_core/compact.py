"""``CompactServer``: an ``MCPServer`` whose tool list costs an assistant less context, and whose confirmation
questions refuse clearly when a person's answer cannot be used.

pydantic gives every parameter of a tool's input schema a ``title`` repeating its name ("Start" for ``start``).
A host pays for the whole tool list before its first question, and those titles were a tenth of it.
"""

from __future__ import annotations

from typing import Any

from mcp.server import MCPServer
from mcp.server.mcpserver import Context
from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import CallToolResult, InputRequiredResult, TextContent, Tool

from finops_core.confirmation import refusal_for
from finops_core.errors import ERROR_META_KEY, RemediationRefused, error_kind


class CompactServer(MCPServer):
    async def list_tools(self) -> list[Tool]:
        return [t.model_copy(update={"input_schema": untitled(t.input_schema)}) for t in await super().list_tools()]

    async def call_tool(
        self, name: str, arguments: dict[str, Any], context: Context[Any, Any] | None = None
    ) -> CallToolResult | InputRequiredResult:
        try:
            return await super().call_tool(name, arguments, context)
        except ToolError as exc:
            # An answer the SDK rejected before the tool ran (none, or not a boolean): a refusal, not its raw error.
            refusal = refusal_for(exc)
            if refusal is None:
                raise
            kind = error_kind(RemediationRefused(refusal))
            return CallToolResult(
                content=[TextContent(type="text", text=refusal)], is_error=True, _meta={ERROR_META_KEY: kind}
            )


def untitled(schema: Any) -> Any:
    """``schema`` without the ``title`` keywords pydantic generates (a parameter named ``title`` stays)."""
    if isinstance(schema, list):
        return [untitled(s) for s in schema]  # pyright: ignore[reportUnknownVariableType]
    if not isinstance(schema, dict):
        return schema
    out: dict[str, Any] = {}
    for key, value in schema.items():  # pyright: ignore[reportUnknownVariableType]
        if key == "title" and isinstance(value, str):
            continue
        if key in ("properties", "$defs") and isinstance(value, dict):
            out[key] = {name: untitled(s) for name, s in value.items()}  # pyright: ignore[reportUnknownVariableType]
        else:
            out[key] = untitled(value)
    return out

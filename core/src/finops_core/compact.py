"""``CompactServer``: an ``MCPServer`` whose tool list costs an assistant less context.

pydantic gives every parameter of a tool's input schema a ``title`` repeating its name ("Start" for ``start``).
A host pays for the whole tool list before its first question, and those titles were a tenth of it.
"""

from __future__ import annotations

from typing import Any

from mcp.server import MCPServer
from mcp.types import Tool


class CompactServer(MCPServer):
    async def list_tools(self) -> list[Tool]:
        return [t.model_copy(update={"input_schema": untitled(t.input_schema)}) for t in await super().list_tools()]


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

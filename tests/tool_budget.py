"""What the tool-list budgets count: what a host hands a model of each tool, its name, description and input schema
(issue 20). The ``outputSchema`` is for the client, which checks answers against it, and for code written against the
tool; a host does not put it in the model's context, so it is reported beside the budget, not in it."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from mcp.types import Tool


def hosted(tool: Tool) -> dict[str, Any]:
    return {"name": tool.name, "description": tool.description, "inputSchema": tool.input_schema}


def hosted_bytes(tools: Iterable[Tool], *, separators: tuple[str, str] | None = None) -> int:
    """The bytes of ``tools`` as a host hands them to a model (JSON; ``separators`` as ``json.dumps`` takes them)."""
    return len(json.dumps([hosted(t) for t in tools], separators=separators))


def listed_bytes(tools: Iterable[dict[str, Any]]) -> int:
    """``hosted_bytes`` of tools as a client prints them (the MCP Inspector's JSON), compact."""
    kept = [{k: t.get(k) for k in ("name", "description", "inputSchema")} for t in tools]
    return len(json.dumps(kept, separators=(",", ":")))

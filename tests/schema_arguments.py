"""Tool arguments generated from a tool's own input schema (hypothesis): values the schema allows, values of the
wrong type, and values aimed at known edges. Shared by the bad-input property tests of every server."""

from __future__ import annotations

import re
from typing import Any

from hypothesis import strategies as st
from mcp.types import CallToolResult

ANYTHING = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=30), st.lists(st.text()))
# What the SDK says for an unexpected exception: no message for anyone.
_BARE = re.compile(r"Error executing tool \w+:?")


def value_of(schema: dict[str, Any], defs: dict[str, Any]) -> st.SearchStrategy[Any]:
    """Values for one JSON-schema property: what it allows (the subset pydantic emits for our tools)."""
    if "$ref" in schema:
        return value_of(defs[schema["$ref"].rsplit("/", 1)[-1]], defs)
    if "anyOf" in schema:
        return st.one_of([value_of(s, defs) for s in schema["anyOf"]])
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
        return st.lists(value_of(schema.get("items", {}), defs), max_size=min(schema.get("maxItems", 3), 3))
    if kind == "null":
        return st.none()
    return ANYTHING


def arguments_for(schema: dict[str, Any], edges: dict[str, list[Any]]) -> st.SearchStrategy[dict[str, Any]]:
    """Whole argument sets for a tool with input ``schema``; ``edges`` are values to try per argument name."""
    defs = schema.get("$defs", {})
    properties: dict[str, Any] = schema.get("properties", {})
    required = set(schema.get("required", []))

    def field(name: str, spec: dict[str, Any]) -> st.SearchStrategy[Any]:
        tried = [st.sampled_from(edges[name])] if name in edges else []
        return st.one_of(value_of(spec, defs), ANYTHING, *tried)

    return st.fixed_dictionaries(
        {n: field(n, p) for n, p in properties.items() if n in required},
        optional={n: field(n, p) for n, p in properties.items() if n not in required},
    )


def check_clear(tool: str, arguments: dict[str, Any], result: CallToolResult) -> str | None:
    """The error text of ``result`` after checking it is clear (no bare SDK message, no traceback), or None when
    the tool answered; then it must have answered with structure."""
    text = "".join(getattr(c, "text", "") for c in result.content)
    if not result.is_error:
        assert isinstance(result.structured_content, dict), f"{tool}({arguments}) answered without structure"
        return None
    assert not _BARE.fullmatch(text.strip()), f"{tool}({arguments}) failed silently"
    assert "Traceback" not in text, text
    assert 'File "' not in text, text
    return text

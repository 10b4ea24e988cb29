"""Every argument of every tool of every server is bounded in its input schema: each string has a maxLength, each
array a maxItems, each mapping a maxProperties and bounded keys. The SDK refuses a longer value before the tool
runs, so no tool ever sees a megabyte it did not ask for."""

from __future__ import annotations

from typing import Any

import pytest

from tests.every_server import every_tool, label

TOOLS = every_tool()


def unbounded(schema: dict[str, Any], defs: dict[str, Any], where: str) -> list[str]:
    """The paths inside ``schema`` whose strings, arrays or mappings have no upper bound."""
    if "$ref" in schema:
        return unbounded(defs[schema["$ref"].rsplit("/", 1)[-1]], defs, where)
    found: list[str] = []
    for key in ("anyOf", "oneOf", "allOf"):
        for part in schema.get(key, []):
            found += unbounded(part, defs, where)
    kind = schema.get("type")
    if kind == "string" and "maxLength" not in schema and "enum" not in schema and "const" not in schema:
        found.append(f"{where}: a string without maxLength")
    if kind == "array":
        if "maxItems" not in schema:
            found.append(f"{where}: an array without maxItems")
        found += unbounded(schema.get("items", {}), defs, f"{where}[]")
    if kind == "object":
        for name, part in schema.get("properties", {}).items():
            found += unbounded(part, defs, f"{where}.{name}")
        extra = schema.get("additionalProperties")
        if isinstance(extra, dict):
            if "maxProperties" not in schema:
                found.append(f"{where}: a mapping without maxProperties")
            found += unbounded({"type": "string", **schema.get("propertyNames", {})}, defs, f"{where} keys")
            found += unbounded(extra, defs, f"{where}{{}}")  # pyright: ignore[reportUnknownArgumentType]
    return found


@pytest.mark.parametrize(
    ("command", "remediation", "tool"),
    TOOLS,
    ids=[f"{label(c, r)}:{t.name}" for c, r, t in TOOLS],
)
def test_every_string_array_and_mapping_argument_is_bounded(command: str, remediation: bool, tool: Any) -> None:
    schema: dict[str, Any] = tool.input_schema
    assert unbounded(schema, schema.get("$defs", {}), tool.name) == []


def test_the_walk_finds_what_is_unbounded() -> None:
    schema = {
        "type": "object",
        "$defs": {"Step": {"type": "object", "properties": {"id": {"type": "string"}}}},
        "properties": {
            "a": {"anyOf": [{"type": "string"}, {"type": "null"}]},
            "b": {"type": "array", "items": {"type": "string", "maxLength": 3}},
            "c": {"type": "object", "additionalProperties": {"type": "string", "maxLength": 3}, "maxProperties": 2},
            "d": {"type": "array", "maxItems": 2, "items": {"$ref": "#/$defs/Step"}},
            "e": {"enum": ["x"], "type": "string"},
        },
    }
    assert unbounded(schema, schema["$defs"], "t") == [
        "t.a: a string without maxLength",
        "t.b: an array without maxItems",
        "t.c keys: a string without maxLength",
        "t.d[].id: a string without maxLength",
    ]


def test_every_server_and_configuration_is_covered() -> None:
    covered = {(c, r) for c, r, _ in TOOLS}
    assert len(covered) == 14  # finops --demo and the three clouds, real and demo, remediation off and on
    names = {t.name for _, _, t in TOOLS}
    assert {"finops_execute_plan", "aws_cur_query", "azure_cost_by", "gcp_costs_by", "aws_apply_remediation"} <= names

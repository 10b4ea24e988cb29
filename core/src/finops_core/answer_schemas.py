"""The ``outputSchema`` every tool publishes: its answer's shape, derived from the tool's pydantic return model.

A tool answers with its model dumped to JSON (``compact_answer``), with the model made a table
(``answer_tables.table_answer``), or with a shape of its own that has a model describing it (the cost query's
``CostAnswer``). Each schema here says what that dump holds: serialization mode (exact amounts are strings), keys
that ``exclude_none`` leaves out not required, and the cache fields an answer from the cache of paid calls adds.

Error results (``isError``) carry no structured content, so no schema applies to them (the MCP client validates
only answers that are not errors); the message is the text, the error's kind is in ``_meta``.

The schema reaches the SDK as the model of ``Annotated[CallToolResult, model]`` (``published``): a ``RootModel``
over a plain mapping whose JSON schema is replaced by ours. The SDK's own check on each answer is then only "a
mapping", cheap on the event loop; the client checks the schema itself (``jsonschema``), as do the tests. The
schemas hold no ``$ref``: pydantic's generator, which the SDK runs over them, resolves only references it made.
"""

from __future__ import annotations

import copy
from typing import Any, cast

from pydantic import BaseModel, ConfigDict, RootModel

from finops_core.answer_tables import CostLines
from finops_core.compact import compact_schema

Schema = dict[str, Any]

# The fields an answer from the cache of paid calls carries (``cached.cache_fields``).
CACHE_PROPERTIES: Schema = {
    "cached": {"type": "boolean", "description": "From the cache of paid calls."},
    "cached_at": {"type": "string", "description": "When a cached answer was fetched (UTC)."},
    "cached_age_minutes": {"type": "integer", "description": "How old a cached answer is."},
}
# An answer cut to fit the byte ceiling says what it left out (``cost_tables.Cut``, ``answer_tables``).
CUT: Schema = {"type": "object", "description": "Present when the answer was cut to fit; what to ask for the rest."}
TABLE: Schema = {
    "type": "object",
    "properties": {"columns": {"type": "array", "items": {"type": "string"}}, "rows": {"type": "array"}},
    "required": ["columns", "rows"],
}
ROWS: Schema = {"type": "array", "items": {"type": "array"}}


def model_schema(model: type[BaseModel], *, exclude_none: bool = False) -> Schema:
    """The schema of ``model.model_dump(mode="json", by_alias=True, exclude_none=exclude_none)``, plus the cache
    fields when the model says whether it was cached (``compact_answer`` adds its age)."""
    schema = _serialized(model)
    if exclude_none:
        _not_required_when_null(schema)
    if "cached" in schema.get("properties", {}):
        schema["properties"] = {**CACHE_PROPERTIES, **schema["properties"]}
    defs: dict[str, Schema] = schema.pop("$defs", {})
    return compact_schema(_inline(schema, defs))


def table_schema(model: type[BaseModel]) -> Schema:
    """The schema of ``table_answer(model)``: each list of records a table (``columns`` and ``rows``), the model's
    own ``rows`` and ``other`` the top table, the cache fields as ``cache_fields`` writes them."""
    schema = _serialized(model)
    _not_required_when_null(schema)  # table_answer leaves nulls out
    defs: dict[str, Schema] = schema.pop("$defs", {})
    properties: dict[str, Schema] = dict(schema.get("properties", {}))
    for name in ("cached", "cached_at"):
        properties.pop(name, None)
    required = [r for r in schema.get("required", []) if r in properties and r not in ("rows", "other")]
    if issubclass(model, CostLines):  # a cost table: the other fields as they are, totals per currency
        out = {k: _inline(v, defs) for k, v in properties.items() if k not in ("rows", "other", "totals")}
        out |= {"columns": {"type": "array", "items": {"type": "string"}}, "rows": ROWS, "other": ROWS}
        if "totals" in properties:
            totals = _tabulated(properties["totals"], defs)
            out["totals"] = {"anyOf": [{"type": "object", "additionalProperties": {"type": "string"}}, totals]}
        out["truncated"] = {"type": "boolean"}
        required = [r for r in required if r != "totals"]
    else:
        out = {k: _tabulated(v, defs) for k, v in properties.items()}
        if _is_records(properties.get("rows"), defs):  # hoisted: columns, rows, other at the top
            out |= {"columns": {"type": "array", "items": {"type": "string"}}, "rows": {"anyOf": [ROWS, TABLE]}}
            if "other" in properties:
                out["other"] = {"anyOf": [ROWS, out["other"]]}
    if "cached" in schema.get("properties", {}):
        out |= CACHE_PROPERTIES
    out["cut"] = CUT
    table: Schema = {"type": "object", "properties": out, "required": required}
    if "description" in schema:
        table["description"] = schema["description"]
    return compact_schema(table)


def published(schema: Schema, name: str) -> type[BaseModel]:
    """A model whose JSON schema is ``schema``, for ``Annotated[CallToolResult, model]``: the SDK publishes it as
    the tool's ``outputSchema`` and checks only that an answer's structured content is a mapping."""

    def replace(target: dict[str, Any]) -> None:
        target.clear()
        target.update(copy.deepcopy(schema))

    return type(name, (RootModel[dict[str, Any]],), {"model_config": ConfigDict(json_schema_extra=replace)})


def _serialized(model: type[BaseModel]) -> Schema:
    return model.model_json_schema(mode="serialization", by_alias=True)


def _not_required_when_null(schema: Schema) -> None:
    """Drop from every object's ``required`` the properties that may be null: ``exclude_none`` leaves them out."""
    for part in [schema, *schema.get("$defs", {}).values()]:
        properties: dict[str, Schema] = part.get("properties", {})
        if "required" in part:
            part["required"] = [r for r in part["required"] if not _nullable(properties.get(r, {}))]


def _nullable(schema: Schema) -> bool:
    return schema.get("type") == "null" or any(s.get("type") == "null" for s in schema.get("anyOf", []))


def _resolve(schema: Schema, defs: dict[str, Schema]) -> Schema:
    while "$ref" in schema:
        schema = defs[str(schema["$ref"]).rsplit("/", 1)[-1]]
    return schema


def _is_records(schema: Schema | None, defs: dict[str, Schema]) -> bool:
    if schema is None:
        return False
    schema = _resolve(schema, defs)
    if any(_is_records(s, defs) for s in schema.get("anyOf", [])):
        return True
    return schema.get("type") == "array" and _resolve(schema.get("items", {}), defs).get("type") == "object"


def _inline(schema: Schema, defs: dict[str, Schema], within: tuple[str, ...] = ()) -> Schema:
    """``schema`` with its references replaced by what they name. A model inside itself (a driver's drivers) is
    written out once more, then as any object."""
    while "$ref" in schema:
        name = str(schema["$ref"]).rsplit("/", 1)[-1]
        if within.count(name) > 1:
            return {"type": "object", "description": f"A {name}, as above."}
        within = (*within, name)
        schema = {**defs[name], **{k: v for k, v in schema.items() if k != "$ref"}}
    out: Schema = {}
    for key, value in schema.items():
        if isinstance(value, dict):
            out[key] = _inline(cast(Schema, value), defs, within)
        elif isinstance(value, list):
            items = cast(list[Any], value)
            out[key] = [_inline(cast(Schema, v), defs, within) if isinstance(v, dict) else v for v in items]
        else:
            out[key] = value
    return out


def _tabulated(schema: Schema, defs: dict[str, Schema]) -> Schema:
    """The schema of ``answer_tables.tabulated(value)`` for a ``value`` that ``schema`` describes: a non-empty list
    of records becomes a table (an empty one stays a list), a mapping's values are tabulated in turn."""
    schema = _resolve(schema, defs)
    if "anyOf" in schema:
        return {**schema, "anyOf": [_tabulated(s, defs) for s in schema["anyOf"]]}
    if _is_records(schema, defs):
        return {"anyOf": [TABLE, {"type": "array", "maxItems": 0}], **_described(schema)}
    if schema.get("type") == "object":
        out = dict(schema)
        if "properties" in schema:
            out["properties"] = {k: _tabulated(v, defs) for k, v in schema["properties"].items()}
        extra = schema.get("additionalProperties")
        if isinstance(extra, dict):
            out["additionalProperties"] = _tabulated(cast(Schema, extra), defs)
        return out
    return _inline(schema, defs)


def _described(schema: Schema) -> Schema:
    return {"description": schema["description"]} if "description" in schema else {}

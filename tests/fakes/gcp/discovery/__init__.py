"""Google's own descriptions of the REST APIs the adapter calls (discovery documents, see README.md), and a checker
that holds every request to the fakes and every answer they give to them.

``check(method, path, query, body, status, answer)`` finds the API method whose path template matches (any of the
documents), then returns what is wrong, as sentences: a path no method has, a query parameter the method does
not take (or a required one missing, or a value outside its enum), a request body or a 2xx answer that does not
fit the method's request / response schema (a field the schema lacks, a wrong JSON type, an int64 that is not a
decimal string, an enum value it does not list, a duration or timestamp in the wrong form). ``GoogleFake`` runs it
on every exchange and the tests fail on anything it finds.
"""

from __future__ import annotations

import functools
import json
import lzma
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
DOCUMENTS = ("bigquery.v2", "billingbudgets.v1", "cloudbilling.v1", "compute.v1", "iamcredentials.v1",
             "monitoring.v3", "recommender.v1", "sqladmin.v1")  # fmt: skip
# Query parameters a Google client library sends that the method's document does not list; the API takes them.
LIBRARY_PARAMETERS = {
    ("bigquery.jobs.get", "projection"),  # google-cloud-bigquery's get_job / reload always adds projection=full
}
_INT64 = re.compile(r"^-?\d+$")
_DURATION = re.compile(r"^-?\d+(\.\d{1,9})?s$")


@functools.cache
def document(name: str) -> dict[str, Any]:
    """A discovery document (``compute.v1``), as Google publishes it."""
    with lzma.open(HERE / f"{name}.json.xz", "rt", encoding="utf-8") as f:
        return json.load(f)


@dataclass(frozen=True)
class Method:
    api: str  # the document's name
    id: str  # compute.instances.aggregatedList
    http: str
    pattern: re.Pattern[str]
    spec: dict[str, Any]


def _pattern(service_path: str, template: str) -> re.Pattern[str]:
    regex = ""
    for part in re.split(r"(\{\+?[^}]+\})", "/" + service_path + template):
        if part.startswith("{+"):
            regex += r".+"
        elif part.startswith("{"):
            regex += r"[^/:]+"
        else:
            regex += re.escape(part)
    return re.compile(regex)


def _methods(name: str, node: Mapping[str, Any]) -> list[Method]:
    doc = document(name)
    found: list[Method] = []
    for spec in (node.get("methods") or {}).values():
        template = spec.get("flatPath") or spec["path"]
        found.append(Method(name, spec["id"], spec["httpMethod"], _pattern(doc["servicePath"], template), spec))
    for child in (node.get("resources") or {}).values():
        found.extend(_methods(name, child))
    return found


@functools.cache
def methods() -> tuple[Method, ...]:
    return tuple(m for name in DOCUMENTS for m in _methods(name, document(name)))


def find_id(method_id: str) -> Method | None:
    """The method named ``method_id`` (``compute.instances.stop``)."""
    return next((m for m in methods() if m.id == method_id), None)


def find(http: str, path: str) -> Method | None:
    """The one method for ``http`` on ``path``; the most literal template wins where two match (a fixed
    ``.../aggregated/disks`` before ``.../zones/{zone}``)."""
    matches = [m for m in methods() if m.http == http and m.pattern.fullmatch(path)]
    if not matches:
        return None
    return max(matches, key=lambda m: len(m.pattern.pattern.replace("[^/:]+", "").replace(".+", "")))


def check(
    http: str, path: str, query: Mapping[str, str], body: Any, status: int, answer: Any
) -> tuple[str | None, list[str]]:
    """(the method's id, what is wrong with this exchange)."""
    method = find(http, path)
    if method is None:
        return None, [f"{http} {path}: no method of {', '.join(DOCUMENTS)} has this path"]
    doc = document(method.api)
    problems: list[str] = []
    known = {**doc.get("parameters", {}), **method.spec.get("parameters", {})}
    for key, value in query.items():
        # Nested ones are named in full (Monitoring's ``interval.startTime``); system parameters may be written
        # ``$alt`` as well as ``alt`` (Google's system parameters page), as the generated REST clients do.
        spec = known.get(key) or (doc.get("parameters", {}).get(key[1:]) if key.startswith("$") else None)
        if spec is None and (method.id, key) in LIBRARY_PARAMETERS:
            continue
        if spec is None:
            problems.append(f"{method.id}: query parameter {key!r} is not one the method takes")
        elif key == "$alt" and value == "json;enum-encoding=int":
            continue  # the generated REST clients' form: JSON with enums as numbers (names parse as well)
        elif spec.get("location") != "path" and "enum" in spec and value not in spec["enum"]:
            problems.append(f"{method.id}: query parameter {key}={value!r} is not one of {spec['enum']}")
    for key, spec in method.spec.get("parameters", {}).items():
        if spec.get("required") and spec.get("location") == "query" and key not in query:
            problems.append(f"{method.id}: required query parameter {key!r} is missing")
    schemas = doc["schemas"]
    request = method.spec.get("request")
    if request is not None and body is not None:
        found = _value(schemas, {"$ref": request["$ref"]}, body, "$", method.id)
        problems.extend(f"{method.id} request: {p}" for p in found)
    elif body is not None and body != {}:
        problems.append(f"{method.id}: takes no request body, got {str(body)[:80]}")
    response = method.spec.get("response")
    if 200 <= status < 300 and response is not None and not isinstance(answer, bytes):
        problems.extend(f"{method.id} response: {p}" for p in _value(schemas, {"$ref": response["$ref"]}, answer, "$"))
    return method.id, problems


def validate(api: str, schema: str, value: Any) -> list[str]:
    """What is wrong with ``value`` as the document ``api``'s schema ``schema`` (a sample, an example)."""
    return _value(document(api)["schemas"], {"$ref": schema}, value, "$")


def _value(
    schemas: Mapping[str, Any], spec: Mapping[str, Any], value: Any, where: str, method: str | None = None
) -> list[str]:
    """What is wrong with ``value`` as ``spec``; ``method`` (a request's) also checks the fields Compute Engine
    marks required for that method (``annotations.required``)."""
    if "$ref" in spec:
        spec = schemas[spec["$ref"]]
    kind = spec.get("type")
    if value is None:
        return []  # JSON null: an unset field
    if kind == "object" or "properties" in spec or "additionalProperties" in spec:
        if not isinstance(value, dict):
            return [f"{where}: {type(value).__name__} where the schema has an object"]
        out: list[str] = []
        props: Mapping[str, Any] = spec.get("properties") or {}
        extra = spec.get("additionalProperties")
        for key, item in value.items():
            if key in props:
                out.extend(_value(schemas, props[key], item, f"{where}.{key}", method))
            elif extra is not None:
                out.extend(_value(schemas, extra, item, f"{where}[{key!r}]", method))
            else:
                out.append(f"{where}: field {key!r} is not in the schema {spec.get('id', '')}".rstrip())
        for key, item in props.items():
            needed = item.get("required") or method in (item.get("annotations") or {}).get("required", ())
            if needed and key not in value:
                out.append(f"{where}: required field {key!r} is missing")
        return out
    if kind == "array":
        if not isinstance(value, list):
            return [f"{where}: {type(value).__name__} where the schema has an array"]
        return [
            p for n, item in enumerate(value) for p in _value(schemas, spec["items"], item, f"{where}[{n}]", method)
        ]
    if kind == "any":
        return []
    if kind == "boolean":
        return [] if isinstance(value, bool) else [f"{where}: {value!r} is not a boolean"]
    if kind == "integer":
        ok = isinstance(value, int) and not isinstance(value, bool)
        return [] if ok else [f"{where}: {value!r} is not an integer"]
    if kind == "number":
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        if isinstance(value, str) and value in ("NaN", "Infinity", "-Infinity"):
            ok = True
        return [] if ok else [f"{where}: {value!r} is not a number"]
    if kind == "string":
        return _string(spec, value, where)
    return [f"{where}: the schema's type {kind!r} is not understood by this checker"]


def _string(spec: Mapping[str, Any], value: Any, where: str) -> list[str]:
    if not isinstance(value, str):
        return [f"{where}: {value!r} is not a string (the schema says {spec.get('format') or 'string'})"]
    fmt = spec.get("format")
    if fmt in ("int64", "uint64") and not _INT64.match(value):
        return [f"{where}: {value!r} is not an {fmt} (a decimal string)"]
    if fmt == "google-duration" and not _DURATION.match(value):
        return [f"{where}: {value!r} is not a duration ('123.5s')"]
    if fmt in ("google-datetime", "date-time"):
        try:
            datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return [f"{where}: {value!r} is not an RFC 3339 timestamp"]
    if "enum" in spec and value not in spec["enum"]:
        return [f"{where}: {value!r} is not one of {spec['enum']}"]
    return []

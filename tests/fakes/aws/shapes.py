"""Check an answer of our AWS fakes against the operation's output shape in botocore's service model.

botocore's ``ParamValidator`` checks request (input) shapes only, and its parsers accept almost anything: a
member the model does not have is dropped without a word, a string where a number belongs passes through. So a
fake that sends what AWS never would can hide a bug in the adapter. ``output_problems`` walks the answer as it
goes on the wire (AWS JSON 1.0/1.1, or Smithy RPC v2 CBOR) against ``botocore.model`` shapes and lists every
disagreement with its path: a required member missing, a member the model lacks, a wrong type, a value outside
its enum, a length or range outside ``min``/``max``, a timestamp not in the protocol's form, a union with other
than one member set. ``error_problems`` checks an error answer's ``__type``.

    problems = output_problems("ce", "GetCostAndUsage", body)   # [] when it conforms
"""

from __future__ import annotations

import base64
import binascii
import math
import re
from collections.abc import Iterable, Mapping
from functools import cache
from typing import Any, cast

import botocore.session
from botocore.model import ListShape, MapShape, ServiceModel, Shape, StructureShape

from tests.fakes.aws.json_service import Answer

# The services our fakes speak for, found by the ``X-Amz-Target`` prefix (or CBOR service name) of a request.
FAKED_SERVICES = ("ce", "compute-optimizer", "cost-optimization-hub", "pricing", "athena", "budgets", "organizations")
# Errors every AWS JSON service may answer though few models list them (the APIs' "Common Errors" pages, and
# ValidationException, which Cost Explorer sends for a bad request without modeling it).
COMMON_ERRORS = frozenset(
    {
        "AccessDeniedException",
        "IncompleteSignature",
        "InternalFailure",
        "InvalidClientTokenId",
        "NotAuthorized",
        "OptInRequired",
        "RequestExpired",
        "ServiceUnavailable",
        "ServiceUnavailableException",
        "ThrottlingException",
        "UnknownOperationException",
        "UnrecognizedClientException",
        "ValidationError",
        "ValidationException",
    }
)


class ShapeMismatch(AssertionError):
    """An answer that does not match its operation's output shape; the message lists every problem."""


@cache
def _session() -> botocore.session.Session:
    return botocore.session.get_session()


@cache
def service_model(service: str) -> ServiceModel:
    return _session().get_service_model(service)


@cache
def _services_by_prefix() -> dict[str, str]:
    return {str(service_model(s).metadata["targetPrefix"]): s for s in FAKED_SERVICES}


def operation_of(target: str) -> tuple[str, str]:
    """``AWSInsightsIndexService.GetCostAndUsage`` -> ``("ce", "GetCostAndUsage")``."""
    prefix, _, operation = target.rpartition(".")
    service = _services_by_prefix().get(prefix)
    if service is None:
        raise KeyError(f"no botocore service has the target prefix {prefix!r} (known: {sorted(_services_by_prefix())})")
    return service, operation


def output_problems(service: str, operation: str, body: Mapping[str, Any], *, protocol: str = "json") -> list[str]:
    """Every way ``body`` differs from ``operation``'s output shape; ``protocol`` is ``json`` or ``cbor``."""
    shape = cast(StructureShape | None, service_model(service).operation_model(operation).output_shape)
    if shape is None:
        return [] if not body else [f"{operation} has no output, but the answer has {sorted(body)}"]
    problems: list[str] = []
    _walk(shape, body, operation, protocol, problems)
    return problems


def error_problems(service: str, operation: str, code: str) -> list[str]:
    """An error answer's ``__type`` must be an error the service models, or one every AWS API may send."""
    model = service_model(service)
    errors = cast(list[StructureShape], model.error_shapes)
    modeled = {str(e.error_code) for e in errors} | {e.name for e in errors}
    if code in modeled or code in COMMON_ERRORS:
        return []
    return [f"{operation} error {code!r} is neither modeled for {service} nor a common AWS error"]


def answer_problems(answers: Iterable[Answer]) -> list[str]:
    """Every problem of a fake's recorded answers (``fake.answers``), each line naming its operation. A body of raw
    bytes is a deliberately malformed answer (the ``bad_body`` fault) and is not checked."""
    problems: list[str] = []
    for answer in answers:
        if isinstance(answer.body, bytes):
            continue
        service, operation = operation_of(answer.target)
        if answer.status == 200:
            found = output_problems(service, operation, answer.body, protocol="cbor" if answer.cbor else "json")
        else:
            found = error_problems(service, operation, str(answer.body.get("__type", "")))
        problems.extend(f"{service} {operation}: {p}" for p in found)
    return list(dict.fromkeys(problems))  # one line per distinct problem, in order


def check_output(service: str, operation: str, body: Mapping[str, Any], *, protocol: str = "json") -> None:
    problems = output_problems(service, operation, body, protocol=protocol)
    if problems:
        raise ShapeMismatch(f"{service} {operation} answer breaks the botocore model:\n  " + "\n  ".join(problems))


# -- the walk ---------------------------------------------------------------------------------------
# botocore's model properties are ``CachedProperty`` descriptors without types: these say what they hold.


def _metadata(shape: Shape) -> dict[str, Any]:
    return cast(dict[str, Any], shape.metadata)


def _members(shape: StructureShape) -> dict[str, Shape]:
    return cast(dict[str, Shape], shape.members)


def _required(shape: StructureShape) -> list[str]:
    return cast(list[str], shape.required_members)


def _serialization(shape: Shape) -> dict[str, Any]:
    return cast(dict[str, Any], shape.serialization)


def _walk(shape: Shape, value: object, path: str, protocol: str, problems: list[str]) -> None:
    if isinstance(shape, StructureShape):
        _structure(shape, value, path, protocol, problems)
    elif isinstance(shape, ListShape):
        if not isinstance(value, list):
            problems.append(f"{path}: a list ({shape.name}) expected, got {_kind(value)}")
            return
        items = cast(list[Any], value)
        _bounds(shape, len(items), path, "items", problems)
        for i, item in enumerate(items):
            _walk(cast(Shape, shape.member), item, f"{path}[{i}]", protocol, problems)
    elif isinstance(shape, MapShape):
        if not isinstance(value, dict):
            problems.append(f"{path}: a map ({shape.name}) expected, got {_kind(value)}")
            return
        entries = cast(dict[Any, Any], value)
        _bounds(shape, len(entries), path, "entries", problems)
        for key, item in entries.items():
            _walk(cast(Shape, shape.key), key, f"{path}<key {key!r}>", protocol, problems)
            _walk(cast(Shape, shape.value), item, f"{path}[{key!r}]", protocol, problems)
    else:
        _scalar(shape, value, path, protocol, problems)


def _structure(shape: StructureShape, value: object, path: str, protocol: str, problems: list[str]) -> None:
    if shape.is_document_type:
        return  # any JSON value
    if not isinstance(value, dict):
        problems.append(f"{path}: a structure ({shape.name}) expected, got {_kind(value)}")
        return
    members, fields = _members(shape), cast(dict[str, Any], value)
    for name in _required(shape):
        if name not in fields:
            problems.append(f"{path}.{name}: required member of {shape.name} is missing")
    present = sorted(name for name, item in fields.items() if item is not None)
    if shape.is_tagged_union and len(present) != 1:
        problems.append(f"{path}: union {shape.name} must have exactly one member set, has {present}")
    for name, item in fields.items():
        member = members.get(name)
        if member is None:
            problems.append(f"{path}.{name}: {shape.name} has no such member (botocore drops it)")
        elif item is not None:
            _walk(member, item, f"{path}.{name}", protocol, problems)


def _scalar(shape: Shape, value: object, path: str, protocol: str, problems: list[str]) -> None:
    kind = shape.type_name
    if kind == "string":
        if not isinstance(value, str):
            problems.append(f"{path}: a string ({shape.name}) expected, got {_kind(value)}")
            return
        enum: list[str] = _metadata(shape).get("enum") or []
        if enum and value not in enum:
            problems.append(f"{path}: {value!r} is not one of {shape.name}'s values {enum}")
        _bounds(shape, len(value), path, "characters", problems)
        pattern = _metadata(shape).get("pattern")
        if pattern and not _matches(pattern, value):
            problems.append(f"{path}: {value!r} does not match {shape.name}'s pattern {pattern!r}")
    elif kind in ("integer", "long"):
        if isinstance(value, bool) or not isinstance(value, int):
            problems.append(f"{path}: an integer ({shape.name}) expected, got {_kind(value)}")
        else:
            _bounds(shape, value, path, "", problems)
    elif kind in ("double", "float"):
        if isinstance(value, str) and value in ("NaN", "Infinity", "-Infinity"):
            return
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            problems.append(f"{path}: a number ({shape.name}) expected, got {_kind(value)}")
        else:
            _bounds(shape, value, path, "", problems)
    elif kind == "boolean":
        if not isinstance(value, bool):
            problems.append(f"{path}: a boolean ({shape.name}) expected, got {_kind(value)}")
    elif kind == "timestamp":
        _timestamp(shape, value, path, protocol, problems)
    elif kind == "blob":
        if protocol == "cbor":
            if not isinstance(value, bytes):
                problems.append(f"{path}: a byte string ({shape.name}) expected, got {_kind(value)}")
        elif not isinstance(value, str) or not _is_base64(value):
            problems.append(f"{path}: base64 text ({shape.name}) expected, got {_kind(value)}")
    else:
        problems.append(f"{path}: the validator does not know botocore type {kind!r} ({shape.name})")


def _timestamp(shape: Shape, value: object, path: str, protocol: str, problems: list[str]) -> None:
    """AWS JSON sends epoch seconds unless the member says ``timestampFormat``; CBOR sends tag 1 (epoch)."""
    if protocol == "cbor":
        tag, inner = getattr(value, "tag", None), getattr(value, "value", None)
        if tag != 1 or isinstance(inner, bool) or not isinstance(inner, int | float):
            problems.append(f"{path}: a CBOR epoch timestamp (tag 1) expected, got {_kind(value)}")
        return
    declared = _serialization(shape).get("timestampFormat", "unixTimestamp")
    if declared == "unixTimestamp":
        if isinstance(value, bool) or not isinstance(value, int | float):
            problems.append(f"{path}: epoch seconds ({shape.name}) expected, got {_kind(value)}")
    elif not isinstance(value, str) or (declared == "iso8601" and not _ISO8601.fullmatch(value)):
        problems.append(f"{path}: an {declared} timestamp ({shape.name}) expected, got {_kind(value)}")


_ISO8601 = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)")


def _bounds(shape: Shape, size: float, path: str, unit: str, problems: list[str]) -> None:
    low, high = _metadata(shape).get("min"), _metadata(shape).get("max")
    what = f"{size:g} {unit}".strip()
    if low is not None and size < low:
        problems.append(f"{path}: {what}, below {shape.name}'s min {low}")
    if high is not None and size > high:
        problems.append(f"{path}: {what}, above {shape.name}'s max {high}")


@cache
def _compiled(pattern: str) -> re.Pattern[str] | None:
    try:
        return re.compile(pattern)
    except re.error:  # a Java-only construct: not checked rather than guessed
        return None


def _matches(pattern: str, value: str) -> bool:
    compiled = _compiled(pattern)
    return compiled is None or compiled.search(value) is not None  # Smithy patterns are not anchored


def _is_base64(value: str) -> bool:
    try:
        base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return False
    return True


def _kind(value: object) -> str:
    text = repr(value)
    return f"{type(value).__name__} {text[:60]}{'...' if len(text) > 60 else ''}"

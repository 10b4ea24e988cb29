"""Logging: structlog to **stderr** (stdout carries the stdio transport), secrets redacted.

``configure_logging`` is called once from ``main()``. The standard library's loggers (the MCP SDK's, botocore's,
urllib3's, azure-core's, Google's, uvicorn's when served by ``finops_core.serve``) all reach one handler, which
redacts every record at every level: its text, its exception and its extra fields.

At DEBUG the cloud SDKs log what goes over the wire: botocore the request headers (``X-Amz-Security-Token``,
``Authorization`` with its signature), the signing steps and response bodies (``<SecretAccessKey>`` of an
AssumeRole answer); azure-core a request's headers; Google's libraries request headers in extra fields. Besides
the secret shapes of ``finops_core.redact``, the patterns below remove secrets by where they sit on the wire.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Mapping, MutableMapping
from typing import Any, TextIO

import structlog

from finops_core.redact import REDACTED, is_secret_key, redact_clipped

# Header names whose values are credentials, as SDKs print them on a line of their own ("name: value").
_CREDENTIAL_HEADERS = (
    r"x-amz-security-token|authorization|proxy-authorization|cookie|set-cookie|x-api-key|x-goog-api-key|"
    r"x-goog-iam-authorization-token|ocp-apim-subscription-key|x-functions-key"
)
# Every pattern is linear in its input: each starts with a literal or a bounded name, and each unbounded run
# stops at a character that ends it (a quote, "<", "&", a line end), so nothing is scanned twice. They run on
# the text redact_clipped keeps (a long line's start and end): a value cut by the clip is redacted up to the cut.
_WIRE_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    # Header lines: botocore's canonical request ("x-amz-security-token:..."), HTTP traces.
    (re.compile(rf"(?im)^((?:{_CREDENTIAL_HEADERS})[ \t]*:[ \t]*)[^\r\n]+"), r"\1" + REDACTED),
    # XML elements holding credentials (STS AssumeRole, GetSessionToken, GetFederationToken answers).
    (
        re.compile(r"(?i)<(SecretAccessKey|SessionToken|SecretKey|Password|ClientSecret)>[^<]*"),
        r"<\1>" + REDACTED,
    ),
    # Pre-signed URL parameters (S3 and other SigV4 query authentication).
    (
        re.compile(r"(?i)([?&]X-Amz-(?:Security-Token|Signature|Credential)=)[^&\s\"'<>]+"),
        r"\1" + REDACTED,
    ),
    # SigV4 signatures: "Signature=<hex>" in an Authorization header, "Signature:\n<hex>" from botocore.auth.
    (re.compile(r"(?i)\b(signature[=:]\s{0,4})[0-9a-f]{16,64}"), r"\1" + REDACTED),
)
# A quoted name, a colon, and a quoted value (also b'...'): headers and fields in a dict's repr or in JSON.
# A value without its closing quote (cut by the clip) runs to the end of its line.
_QUOTED_FIELD = re.compile(
    r"""(["'])([A-Za-z0-9_.-]{1,64})\1(\s{0,8}:\s{0,8}b?)('[^'\r\n]*(?:'|$)|"[^"\r\n]*(?:"|$))""", re.M
)


def _quoted_field(match: re.Match[str]) -> str:
    name, value = match.group(2), match.group(4)
    if not is_secret_key(name) or len(value.strip(value[0])) == 0:
        return match.group(0)
    closing = value[0] if len(value) > 1 and value.endswith(value[0]) else ""
    return f"{match.group(1)}{name}{match.group(1)}{match.group(3)}{value[0]}{REDACTED}{closing}"


def redact_wire(text: str) -> str:
    """``text`` without the secrets the wire patterns above find."""
    for pattern, replacement in _WIRE_PATTERNS:
        text = pattern.sub(replacement, text)
    return _QUOTED_FIELD.sub(_quoted_field, text)


def scrub_text(text: str) -> str:
    """``text`` for a log: clipped and without the secret shapes ``redact_clipped`` knows, then without those
    on the wire. Linear in ``LOG_TEXT_MAX``, not in ``len(text)``."""
    return redact_wire(redact_clipped(text))


def scrub(value: Any, key: str | None = None) -> Any:
    """A copy of ``value`` (any log field) without secrets; mappings and sequences are walked."""
    if key is not None and is_secret_key(key) and value not in (None, "", False):
        return REDACTED
    if isinstance(value, str):
        return scrub_text(value)
    if isinstance(value, bytes):
        return scrub_text(value.decode("utf-8", "replace"))
    if isinstance(value, Mapping):
        return {k: scrub(v, str(k)) for k, v in value.items()}  # pyright: ignore[reportUnknownVariableType, reportUnknownArgumentType]
    if isinstance(value, list | tuple):
        return type(value)(scrub(v) for v in value)  # pyright: ignore[reportUnknownVariableType, reportUnknownArgumentType]
    if isinstance(value, BaseException):
        return scrub_text(str(value))
    return value


def redact_processor(_logger: Any, _method: str, event_dict: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    """structlog processor: replace secrets in every field (and the event text) of a log entry, each text
    clipped to ``LOG_TEXT_MAX`` characters (a caller's megabyte echoed in an error is not worth logging)."""
    for key in list(event_dict):
        event_dict[key] = scrub(event_dict[key], None if key == "event" else key)
    return event_dict


# A record's own attributes; anything else on it came from ``extra=`` (Google's libraries put HTTP headers there).
_RECORD_FIELDS = frozenset(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {"message", "asctime"}


class _RedactingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = scrub_text(record.getMessage())
        record.args = None
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = scrub_text(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        for key in record.__dict__.keys() - _RECORD_FIELDS:
            record.__dict__[key] = scrub(record.__dict__[key], key)
        return True


class _Stderr:
    """Whatever ``sys.stderr`` is when a line is written (a host or test runner may swap it after configuring)."""

    def write(self, text: str) -> int:
        return sys.stderr.write(text)

    def flush(self) -> None:
        sys.stderr.flush()


def configure_logging(level: str = "INFO", fmt: str = "console", stream: TextIO | None = None) -> None:
    """Send structlog and stdlib logging to ``stream`` (stderr by default), redacted, at ``level``."""
    out: Any = stream or _Stderr()
    renderer: Any = (
        structlog.processors.JSONRenderer() if fmt == "json" else structlog.dev.ConsoleRenderer(colors=False)
    )
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.format_exc_info,
            redact_processor,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelNamesMapping()[level]),
        logger_factory=structlog.PrintLoggerFactory(file=out),
        cache_logger_on_first_use=False,
    )
    handler = logging.StreamHandler(out)
    handler.addFilter(_RedactingFilter())
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # Google's libraries give the "google" logger a handler of their own (printing request headers, unredacted)
    # and stop it propagating, unless it is already configured: a level of its own marks it configured, so it
    # keeps using ours. (Propagation is restored in case they got there first.)
    google = logging.getLogger("google")
    google.setLevel(level)
    google.propagate = True


def get_logger(name: str) -> structlog.stdlib.BoundLogger:
    logger: structlog.stdlib.BoundLogger = structlog.get_logger(name)
    return logger

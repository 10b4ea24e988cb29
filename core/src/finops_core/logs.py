"""Logging: structlog to **stderr** (stdout carries the stdio transport), secrets redacted.

``configure_logging`` is called once from ``main()``. The standard library's loggers (the MCP SDK's,
botocore's, azure-core's) go through the same redaction and the same stream.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import MutableMapping
from typing import Any, TextIO

import structlog

from finops_core.redact import LOG_TEXT_MAX, redact, redact_clipped


def redact_processor(_logger: Any, _method: str, event_dict: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    """structlog processor: replace secrets in every field (and the event text) of a log entry, each text
    clipped to ``LOG_TEXT_MAX`` characters (a caller's megabyte echoed in an error is not worth logging)."""
    for key in list(event_dict):
        event_dict[key] = redact(event_dict[key], None if key == "event" else key, limit=LOG_TEXT_MAX)
    return event_dict


class _RedactingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact_clipped(record.getMessage())
        record.args = None
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = redact_clipped(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
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


def get_logger(name: str) -> structlog.stdlib.BoundLogger:
    logger: structlog.stdlib.BoundLogger = structlog.get_logger(name)
    return logger

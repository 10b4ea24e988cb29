"""Logs captured as the servers write them (JSON, DEBUG) for a test to read, and the logging set back afterwards."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from contextlib import contextmanager

import structlog
from finops_core.logs import configure_logging


@contextmanager
def captured_json_logs() -> Iterator[io.StringIO]:
    """Everything logged inside, as JSON lines in the stream; afterwards no handler or level of it is left behind
    (configure_logging also sets the "google" logger's level)."""
    stream = io.StringIO()
    configure_logging("DEBUG", "json", stream=stream)
    try:
        yield stream
    finally:
        structlog.reset_defaults()
        logging.getLogger().handlers.clear()
        logging.getLogger("google").setLevel(logging.NOTSET)

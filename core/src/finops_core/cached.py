"""Whether an answer came from the cache of paid calls (``finops_core.paid``), and how old it is.

Kept apart from the cache itself, which opens the store: a server's tools import this at start.
"""

from __future__ import annotations

from collections.abc import Generator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

# The answers of paid calls made within ``cache_record()``: their ``cached_at`` (None: fetched now). A list shared by
# the task, its child tasks and the worker threads they start (each runs in a copy of the context).
_RECORD: ContextVar[list[datetime | None] | None] = ContextVar("finops_paid_record", default=None)


@contextmanager
def cache_record() -> Generator[list[datetime | None]]:
    """Within the block, each answer ``PaidCalls.call`` gives (here, in child tasks, in worker threads) adds its
    ``cached_at`` (None: fetched now) to the list yielded: how a tool whose answer model has no cache fields (daily
    rows, recommendations) learns whether its answer came from the cache."""
    seen: list[datetime | None] = []
    token = _RECORD.set(seen)
    try:
        yield seen
    finally:
        _RECORD.reset(token)


def record(cached_at: datetime | None) -> None:
    """Note one paid call's answer for the ``cache_record()`` around it, if any."""
    seen = _RECORD.get()
    if seen is not None:
        seen.append(cached_at)


def cache_state(*fetched: datetime | None) -> dict[str, Any]:
    """``cached`` (every part of an answer came from the cache: each part's ``PaidAnswer.cached_at`` in ``fetched``)
    and ``cached_at`` (when its oldest part was fetched), as an answer model's fields."""
    times = [t for t in fetched if t is not None]
    cached = bool(fetched) and len(times) == len(fetched)
    return {"cached": cached, "cached_at": min(times) if cached else None}


def cache_fields(cached: bool | None, cached_at: datetime | None, now: datetime) -> dict[str, Any]:
    """``cached`` and, for an answer from the cache, when it was fetched and how many minutes ago: nothing for a
    source without a cache (the store, the demo)."""
    if cached is None:
        return {}
    out: dict[str, Any] = {"cached": cached}
    if cached and cached_at is not None:
        out["cached_at"] = cached_at.astimezone(UTC).isoformat(timespec="seconds")
        out["cached_age_minutes"] = max(0, int((now - cached_at).total_seconds() // 60))
    return out


def cache_text(fields: dict[str, Any]) -> str | None:
    """The text line of an answer from the cache (``cache_fields``), or None."""
    if not fields.get("cached"):
        return None
    age = fields.get("cached_age_minutes")
    when = f", fetched {fields['cached_at']} ({age} minutes ago)" if age is not None else ""
    return f"From the cache of earlier answers{when}: no new billed call."

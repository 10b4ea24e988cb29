"""Parsing the dates callers pass as ISO strings, with errors that say what to send instead."""

from __future__ import annotations

from datetime import date, timedelta

from finops_core.errors import InvalidInput


def parse_day(value: str, name: str) -> date:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise InvalidInput(f"{name}={value!r} is not a date; use YYYY-MM-DD, e.g. 2026-01-31.") from None


def period(start: str | None, end: str | None, today: date, *, default_days: int = 30) -> tuple[date, date]:
    """``[start, end)`` from optional ISO strings: end defaults to ``today`` (so through yesterday), start
    to ``default_days`` before end."""
    end_day = parse_day(end, "end") if end else today
    start_day = parse_day(start, "start") if start else end_day - timedelta(days=default_days)
    if end_day <= start_day:
        raise InvalidInput(
            f"end ({end_day}) must be after start ({start_day}); end is exclusive, so one day is "
            f"start={start_day}, end={start_day + timedelta(days=1)}."
        )
    return start_day, end_day

"""Days and months in UTC, and parsing the dates callers pass as ISO strings (errors say what to send)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from finops_core.errors import InvalidInput


def today_utc() -> date:
    return datetime.now(UTC).date()


def midnight(day: date) -> datetime:
    """The start of ``day`` (a date, or the date part of a datetime) in UTC."""
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def epoch_seconds(day: date) -> int:
    """``midnight(day)`` as UTC epoch seconds, the store's time unit."""
    return int(midnight(day).timestamp())


def month_start(day: date) -> datetime:
    """Midnight UTC on the first of ``day``'s month."""
    return datetime(day.year, day.month, 1, tzinfo=UTC)


def next_month_start(day: date) -> datetime:
    """Midnight UTC on the first of the month after ``day``'s."""
    return datetime(day.year + day.month // 12, day.month % 12 + 1, 1, tzinfo=UTC)


def parse_day(value: str, name: str) -> date:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise InvalidInput(f"{name}={value!r} is not a date; use YYYY-MM-DD, e.g. 2026-01-31.") from None


def check_period(start: date, end: date) -> None:
    """Refuse an empty, reversed or over-long ``[start, end)`` with a message that says what to do."""
    if end <= start:
        raise InvalidInput(
            f"end ({end}) must be after start ({start}); end is exclusive, so one day is "
            f"start={start}, end={start + timedelta(days=1)}."
        )
    if (end - start).days > MAX_PERIOD_DAYS:
        raise InvalidInput(
            f"{start}..{end} spans {(end - start).days:,} days; the most one question covers is "
            f"{MAX_PERIOD_DAYS:,} (5 years). Narrow the period, or ask per year."
        )


MAX_PERIOD_DAYS = 1827  # five years: longer asks are typos (2062 for 2026) more often than questions


def period(start: str | None, end: str | None, today: date, *, default_days: int = 30) -> tuple[date, date]:
    """``[start, end)`` from optional ISO strings: end defaults to ``today`` (so through yesterday), start
    to ``default_days`` before end."""
    end_day = parse_day(end, "end") if end else today
    start_day = parse_day(start, "start") if start else end_day - timedelta(days=default_days)
    check_period(start_day, end_day)
    return start_day, end_day

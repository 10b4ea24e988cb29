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


# The days a question may name. Outside them date arithmetic overflows (9999-12-31 plus a day, 0001-01-01 less
# thirty) into an error that named nothing; no cloud bills before 1970 or plans past 2199.
FIRST_DAY = date(1970, 1, 1)
LAST_DAY = date(2199, 12, 31)


def parse_day(value: str, name: str) -> date:
    """``value`` (an argument called ``name``) as a day, or an ``InvalidInput`` naming it and what to send."""
    try:
        day = date.fromisoformat(value.strip())
    except ValueError as exc:
        raise InvalidInput(f"{name}={value!r} is not a date; use YYYY-MM-DD, e.g. 2026-01-31.") from exc
    if not FIRST_DAY <= day <= LAST_DAY:
        raise InvalidInput(
            f"{name}={value!r} is out of range: use a day from {FIRST_DAY} to {LAST_DAY}, YYYY-MM-DD, e.g. 2026-01-31."
        )
    return day


def check_period(start: date, end: date, names: tuple[str, str] = ("start", "end")) -> None:
    """Refuse an empty, reversed or over-long ``[start, end)`` with a message that names the arguments (``names``)
    and says what to do."""
    first, last = names
    if end <= start:
        raise InvalidInput(
            f"{last} ({end}) must be after {first} ({start}); {last} is exclusive, so one day is "
            f"{first}={start}, {last}={start + timedelta(days=1)}."
        )
    if (end - start).days > MAX_PERIOD_DAYS:
        raise InvalidInput(
            f"{first}={start} to {last}={end} spans {(end - start).days:,} days; the most one question covers is "
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

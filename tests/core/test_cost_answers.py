"""The cost query's compact answer (columns and rows, a trend pivoted by period, a byte ceiling that folds groups
into '(other)') and its reading back into a ``CostBreakdown``, exact to the nano whatever was folded."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from finops_core.breakdown import Cell, assemble
from finops_core.cached import cache_fields
from finops_core.cost_answers import breakdown_of, cost_answer
from finops_core.cost_tables import ANSWER_BYTES, answer_bytes
from finops_core.errors import InvalidInput
from finops_core.models import CostBreakdown, CostQuery, Granularity

START = date(2026, 1, 1)


def _breakdown(groups: int, days: int, granularity: Granularity = "daily", top_n: int = 500) -> CostBreakdown:
    query = CostQuery(
        start=START, end=START + timedelta(days=days), granularity=granularity, group_by=("service",), top_n=top_n
    )
    cells = [
        Cell(
            START + timedelta(days=d) if granularity == "daily" else None,
            (f"Service with a realistic long name {g:03d}",),
            "EUR" if g % 7 == 0 else "USD",
            Decimal(1000 - g) + Decimal(d) / 8 + Decimal("0.000000123"),  # exact, as source amounts are
        )
        for d in range(days)
        for g in range(groups)
    ]
    cells = [c if granularity == "daily" else Cell(None, c.group, c.currency, c.amount) for c in cells]
    return assemble(query, cells, source="test", is_demo=False)


def _sums(breakdown: CostBreakdown) -> dict[tuple[date | None, str], Decimal]:
    out: dict[tuple[date | None, str], Decimal] = defaultdict(Decimal)
    for row in [*breakdown.rows, *breakdown.other]:
        out[(row.period_start, row.currency)] += row.cost
    return dict(out)


def test_an_answer_that_fits_reads_back_as_the_same_breakdown() -> None:
    original = _breakdown(groups=6, days=10).model_copy(
        update={"cached": True, "cached_at": datetime(2026, 1, 20, 8, 0, tzinfo=UTC), "paid_calls": 0}
    )
    result = cost_answer(original)
    assert answer_bytes(result) <= ANSWER_BYTES
    assert result.structured_content is not None
    assert "cut" not in result.structured_content
    assert breakdown_of(result.structured_content) == original


def test_past_the_ceiling_the_smallest_groups_fold_into_other_and_every_period_still_adds_up() -> None:
    original = _breakdown(groups=60, days=45)
    result = cost_answer(original)
    assert answer_bytes(result) <= ANSWER_BYTES
    body = result.structured_content
    assert body is not None
    assert body["cut"]["groups"] == 60
    assert 0 < body["cut"]["groups_listed"] < 60
    back = breakdown_of(body)
    assert back.totals == original.totals
    assert _sums(back) == _sums(original)  # per day and currency, to the nano
    assert len({tuple(r.group.values()) for r in back.rows}) == body["cut"]["groups_listed"]
    assert back.truncated is True
    assert back.note is not None
    assert "coarser granularity" in back.note
    text = result.content[0].text  # type: ignore[union-attr]
    assert text.splitlines()[-1].startswith(f"Cut to fit 16,000 bytes: the top {body['cut']['groups_listed']} of 60")


def test_a_total_keeps_one_row_per_group_and_currency() -> None:
    result = cost_answer(_breakdown(groups=3, days=1, granularity="total"))
    body = result.structured_content
    assert body is not None
    assert body["columns"] == ["service", "currency", "cost"]
    assert [r[1] for r in body["rows"]] == ["EUR", "USD", "USD"]


def test_a_trend_too_long_even_for_other_alone_lists_its_first_periods_and_cannot_be_read_back_as_whole() -> None:
    original = _breakdown(groups=1, days=2_000, top_n=1)
    result = cost_answer(original)
    assert answer_bytes(result) <= ANSWER_BYTES
    body = result.structured_content
    assert body is not None
    cut = body["cut"]
    assert cut["periods"] == 2_000
    assert 0 < cut["periods_listed"] < 2_000
    assert body["totals"] == {t.currency: format(t.amount, "f") for t in original.totals}  # totals cover every day
    with pytest.raises(InvalidInput, match="coarser granularity"):
        breakdown_of(body)


def test_the_cache_age_is_counted_in_whole_minutes_from_when_the_answer_was_fetched() -> None:
    fetched = datetime(2026, 1, 20, 8, 0, tzinfo=UTC)
    assert cache_fields(True, fetched, fetched + timedelta(minutes=90, seconds=59)) == {
        "cached": True,
        "cached_at": "2026-01-20T08:00:00+00:00",
        "cached_age_minutes": 90,
    }
    assert cache_fields(False, None, fetched) == {"cached": False}
    assert cache_fields(None, None, fetched) == {}  # a source without a cache says nothing about one

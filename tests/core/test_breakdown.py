"""Breakdowns keep the top groups, fold the rest, and never add currencies together."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from finops_core.breakdown import Cell, assemble
from finops_core.models import CostQuery

QUERY = CostQuery(start=date(2026, 1, 1), end=date(2026, 2, 1), group_by=("service",), top_n=2)


def test_groups_beyond_top_n_are_folded_into_other_per_currency() -> None:
    cells = [Cell(None, (s,), "USD", Decimal(v)) for s, v in (("a", 50), ("b", 30), ("c", 15), ("d", 5))]
    cells.append(Cell(None, ("e",), "EUR", Decimal(1)))
    answer = assemble(QUERY, cells, source="t", is_demo=False)
    assert [r.group["service"] for r in answer.rows] == ["a", "b"]
    assert {(o.currency, o.cost) for o in answer.other} == {("USD", Decimal("20.00")), ("EUR", Decimal("1.00"))}
    assert {(t.currency, t.amount) for t in answer.totals} == {("USD", Decimal("100.00")), ("EUR", Decimal("1.00"))}
    assert answer.truncated


def test_ranking_uses_magnitude_so_large_credits_are_not_hidden() -> None:
    cells = [
        Cell(None, ("credit",), "USD", Decimal(-90)),
        Cell(None, ("a",), "USD", Decimal(10)),
        Cell(None, ("b",), "USD", Decimal(5)),
    ]
    answer = assemble(QUERY, cells, source="t", is_demo=False)
    assert [r.group["service"] for r in answer.rows] == ["credit", "a"]


def test_ties_rank_in_a_stable_order() -> None:
    cells = [Cell(None, (s,), "USD", Decimal(1)) for s in ("z", "y", "x")]
    assert [r.group["service"] for r in assemble(QUERY, cells, source="t", is_demo=False).rows] == ["x", "y"]


def test_an_empty_answer_carries_the_note_and_a_full_one_does_not() -> None:
    assert assemble(QUERY, [], source="t", is_demo=False, empty_note="why").note == "why"
    assert (
        assemble(QUERY, [Cell(None, ("a",), "USD", Decimal(1))], source="t", is_demo=False, empty_note="why").note
        is None
    )


def test_a_period_that_began_before_the_query_is_labelled_by_the_querys_start_and_listed_as_partial() -> None:
    query = CostQuery(start=date(2026, 12, 10), end=date(2027, 1, 4), granularity="monthly")
    cells = [
        Cell(date(2026, 12, 1), (), "USD", Decimal(3)),  # a source labels the month by its first day
        Cell(date(2027, 1, 1), (), "USD", Decimal(2)),
    ]
    answer = assemble(query, cells, source="t", is_demo=False)
    assert [(r.period_start, r.cost) for r in answer.rows] == [(date(2026, 12, 10), 3), (date(2027, 1, 1), 2)]
    assert [(p.start, p.end) for p in answer.partial_periods] == [
        (date(2026, 12, 10), date(2027, 1, 1)),
        (date(2027, 1, 1), date(2027, 1, 4)),
    ]


def test_whole_weeks_are_not_partial_and_a_daily_trend_lists_no_partial_periods() -> None:
    weeks = CostQuery(start=date(2026, 11, 2), end=date(2026, 11, 16), granularity="weekly")  # Monday to Monday
    cells = [Cell(date(2026, 11, 2), (), "USD", Decimal(1)), Cell(date(2026, 11, 9), (), "USD", Decimal(1))]
    assert assemble(weeks, cells, source="t", is_demo=False).partial_periods == []
    days = weeks.model_copy(update={"granularity": "daily"})
    assert assemble(days, cells, source="t", is_demo=False).partial_periods == []

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

"""Whole-column containers read like the lists they stand for, and their sums stay exact past int64."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import numpy as np
import pytest
from finops_core.errors import InvalidInput
from finops_core.models import CostQuery
from finops_core.store import Store
from finops_core.store.columns import Coded, Nanos, distinct_rows, exact_sum, group_sums

from tests.factories import key_of, line_item, lineage


def test_a_coded_column_reads_like_the_list_it_stands_for() -> None:
    column = Coded(np.array([1, 0, -1, 1]), ["a", "b"])
    assert list(column) == ["b", "a", None, "b"]
    assert [column[i] for i in range(4)] == ["b", "a", None, "b"]
    assert list(column[1:3]) == ["a", None]
    assert None in column
    assert "b" in column
    assert "c" not in column
    assert not column.all_null()
    assert Coded(np.array([-1, -1]), ["unused"]).all_null()


def test_a_value_no_row_uses_is_not_in_a_coded_column() -> None:
    column = Coded(np.array([0, 0]), ["a", None])
    assert None not in column
    assert list(column.table(lambda x: 0 if x is None else ord(x), -1)) == [97, 97]


def test_a_nanos_column_reads_as_exact_decimals_with_nulls() -> None:
    column = Nanos(np.array([1_500_000_000, 1, 0]), np.array([True, True, False]))
    assert list(column) == [Decimal("1.50"), Decimal("0.000000001"), None]
    assert None in column
    assert column.total() == 1_500_000_001
    assert column.total(np.array([1])) == 1


def test_sums_past_int64_are_exact() -> None:
    big = np.array([2**62, 2**62, 2**62], dtype=np.int64)
    assert exact_sum(big) == 3 * 2**62
    keys, sums = group_sums(np.array([[1, 1, 2]]), np.vstack([big, np.ones(3, dtype=np.int64)]))
    assert keys.tolist() == [[1, 2]]
    assert sums.tolist() == [[2**63, 2**62], [2, 1]]


def test_distinct_rows_names_each_combination_once_and_numbers_every_row() -> None:
    first, inverse = distinct_rows([np.array([5, 5, 7, 5]), np.array([1, 2, 1, 1])])
    assert first.tolist() == [0, 1, 2]
    assert inverse.tolist() == [0, 1, 2, 0]
    one, same = distinct_rows([np.array([3, 3, 3])])
    assert one.tolist() == [0]
    assert same.tolist() == [0, 0, 0]


def test_rollup_sums_that_cancel_out_past_int64_stay_exact(store: Store) -> None:
    rows = [line_item(billed_cost=Decimal(a)) for a in ("6000000000.25", "6000000000", "-6000000000")]
    store.replace_partition(key_of(rows[0]), rows, lineage(), kind="export")
    answer = store.query_costs(CostQuery(start=date(2026, 1, 1), end=date(2026, 2, 1), metric="billed"))
    assert answer.totals[0].amount == Decimal("6000000000.25")


def test_a_day_whose_sum_the_store_cannot_hold_is_a_clear_error(store: Store) -> None:
    rows = [line_item(billed_cost=Decimal("6000000000")) for _ in range(2)]  # 1.2e19 nanos, past int64
    with pytest.raises(InvalidInput, match="more than the store holds"):
        store.replace_partition(key_of(rows[0]), rows, lineage(), kind="export")
    assert store.partitions() == []


def test_an_amount_beyond_what_the_store_holds_is_a_clear_error(store: Store) -> None:
    row = line_item(billed_cost=Decimal("10000000000"))
    with pytest.raises(InvalidInput, match="billed_cost value is beyond what the store holds"):
        store.replace_partition(key_of(row), [row], lineage(), kind="export")
    assert store.partitions() == []

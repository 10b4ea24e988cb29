"""What the store's rollups must hold, checked the same way by every store test that writes them."""

from __future__ import annotations

from finops_core.store import Store
from finops_core.store.schema import ROLLUP_SHAPES, TAG_SHAPES, rollup_select


def assert_rollups_equal_line_items(store: Store) -> None:
    """Every rollup and tag rollup table holds exactly a GROUP BY over the line items it summarizes."""
    with store.reader() as conn:
        for shape in (*ROLLUP_SHAPES, *TAG_SHAPES):
            for table, period in shape.tables:
                expected = conn.execute(rollup_select(period, shape)).fetchall()
                built = conn.execute(f"SELECT * FROM {table}").fetchall()
                assert sorted(map(tuple, built), key=str) == sorted(map(tuple, expected), key=str), table

"""Amounts parsed by Arrow, whole columns at a time, are exactly what the cell-by-cell parse gives; whatever
Arrow cannot read exactly goes cell by cell."""

from __future__ import annotations

import random
from decimal import Decimal
from typing import Any

import pyarrow as pa
import pytest
from finops_core.money import to_nanos
from finops_orchestrator.ingest import values as v
from finops_orchestrator.ingest.formats.base import Chunk, nanos


def _slow(cells: list[Any]) -> list[int | None]:
    """The reference: each cell through ``values.cell`` and ``parse_decimal``, rounded to nanos."""
    out: list[int | None] = []
    for raw in cells:
        text = v.cell(raw)
        out.append(None if text is None else to_nanos(v.parse_decimal(text)))
    return out


def _fast(array: pa.Array) -> list[int | None] | None:
    column = nanos(pa.chunked_array([array]))
    if column is None:
        return None
    return [int(n) if ok else None for n, ok in zip(column.nanos.tolist(), column.valid.tolist(), strict=True)]


TEXTS = ["0.1", "12", "5e-06", "1E+2", "-3.25", ".5", "5.", "+1.5", " 7.25 ", "NULL", "", "nan", "None", "0.000000001"]


def test_text_amounts_read_by_arrow_equal_the_cell_by_cell_parse() -> None:
    cells: list[str | None] = [*TEXTS, "123456789.123456789", "-0.000000001", None]
    assert _fast(pa.array(cells, pa.string())) == _slow(cells)


def test_random_text_amounts_agree_with_the_cell_by_cell_parse() -> None:
    rng = random.Random(7)
    cells = [
        f"{rng.choice(['', '-'])}{rng.randint(0, 10 ** rng.randint(1, 9))}.{rng.randint(0, 10**9 - 1):09d}"[
            : rng.randint(3, 24)
        ]
        for _ in range(5000)
    ]
    cells += [f"{rng.uniform(-1e6, 1e6):.{rng.randint(0, 9)}e}" for _ in range(2000)]
    fast = _fast(pa.array(cells))
    assert fast is not None
    assert fast == _slow(cells)


def test_float_amounts_read_by_arrow_equal_their_shortest_text() -> None:
    rng = random.Random(11)
    floats = [0.1, 1e-06, 123.456, 2.5e-07, 1e9, 0.0, -4.75, float("nan")]
    floats += [round(rng.uniform(-1e5, 1e5), rng.randint(0, 6)) for _ in range(5000)]
    assert _fast(pa.array(floats, pa.float64())) == _slow(floats)


def test_decimal_and_integer_columns_are_read_exactly() -> None:
    decimals = [Decimal("1.2345"), Decimal("-0.0001"), None]
    assert _fast(pa.array(decimals, pa.decimal128(20, 4))) == _slow(decimals)
    assert _fast(pa.array([3, -7, None], pa.int64())) == _slow([3, -7, None])


@pytest.mark.parametrize(
    "cell", ["1.1234567891", "1,234.50", "Infinity", "12 USD", "1e-10", "99999999999999999999.5", "1_000"]
)
def test_what_arrow_cannot_read_exactly_is_left_to_the_cell_by_cell_parse(cell: str) -> None:
    assert _fast(pa.array(["1.5", cell])) is None


def test_a_chunk_falls_back_cell_by_cell_and_keeps_every_decimal() -> None:
    chunk = Chunk(pa.table({"BilledCost": ["1.1234567891", "1,234.50"]}), "f.csv: ", 0)
    assert list(chunk.amounts("billedcost") or []) == [Decimal("1.1234567891"), Decimal("1234.50")]


def test_a_bad_amount_still_names_its_row_and_column() -> None:
    chunk = Chunk(pa.table({"BilledCost": ["1.5", "2.5", "twelve"]}), "f.csv: ", 100)
    with pytest.raises(Exception, match=r"f.csv: row 103, column BilledCost: cannot read 'twelve'"):
        chunk.amounts("billedcost")

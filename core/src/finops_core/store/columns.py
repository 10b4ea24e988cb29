"""Column containers that let a write work on whole columns with numpy instead of row by row.

A column batch (``ColumnBatch``) maps names to sequences. Plain lists always work; these two sequence
types carry the same values in a form the encoder uses without touching each row in Python:

- ``Coded``: the distinct values once, and per row the index of its value (``-1`` for null). Billing
  columns repeat a few values many times, so each distinct value is encoded once and spread with numpy.
- ``Nanos``: exact amounts as int64 nanos with a validity mask (amounts are mostly distinct, so they are
  parsed and encoded as whole arrays).

Both still read like lists (``batch["x"][i]`` gives the ``str`` or ``Decimal``), so code that does not know
them keeps working.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any, overload

from finops_core.money import from_nanos

if TYPE_CHECKING:  # numpy is imported where used: the servers import this module at start-up
    import numpy as np
    import numpy.typing as npt

    Ints = npt.NDArray[np.int64]
    Bools = npt.NDArray[np.bool_]


class Coded(Sequence[Any]):
    """A column as ``values`` (distinct, may include None) and ``codes`` (one index per row, -1 for null)."""

    __slots__ = ("codes", "values")

    def __init__(self, codes: Ints, values: Sequence[Any]) -> None:
        self.codes = codes
        self.values = list(values)

    def __len__(self) -> int:
        return len(self.codes)

    @overload
    def __getitem__(self, index: int) -> Any: ...
    @overload
    def __getitem__(self, index: slice) -> Coded: ...
    def __getitem__(self, index: int | slice) -> Any:
        if isinstance(index, slice):
            return Coded(self.codes[index], self.values)
        code = int(self.codes[index])
        return None if code < 0 else self.values[code]

    def __iter__(self) -> Iterator[Any]:
        values = [*self.values, None]  # code -1 picks the trailing None
        return iter([values[c] for c in self.codes.tolist()])

    def __contains__(self, value: object) -> bool:
        import numpy as np

        if value is None and bool((self.codes < 0).any()):
            return True
        matches = [i for i, x in enumerate(self.values) if x is value or x == value]
        return bool(matches) and bool(np.isin(self.codes, matches).any())

    def all_null(self) -> bool:
        """True when no row has a value (nulls and unused distinct values aside)."""
        import numpy as np

        if None not in self.values:
            return not bool((self.codes >= 0).any())
        present = [i for i, x in enumerate(self.values) if x is not None]
        return not present or not bool(np.isin(self.codes, present).any())

    def table(self, encode: Any, absent: int) -> Ints:
        """Per row, ``encode(value)`` of its value (``absent`` for null), calling ``encode`` once per value."""
        import numpy as np

        lookup = np.fromiter((encode(x) for x in self.values), dtype=np.int64, count=len(self.values))
        return np.append(lookup, np.int64(absent))[self.codes]


class Nanos(Sequence[Decimal | None]):
    """Exact amounts as int64 nanos (10**-9 units); ``valid`` is False where the amount is null."""

    __slots__ = ("nanos", "valid")

    def __init__(self, nanos: Ints, valid: Bools) -> None:
        self.nanos = nanos
        self.valid = valid

    def __len__(self) -> int:
        return len(self.nanos)

    @overload
    def __getitem__(self, index: int) -> Decimal | None: ...
    @overload
    def __getitem__(self, index: slice) -> Nanos: ...
    def __getitem__(self, index: int | slice) -> Any:
        if isinstance(index, slice):
            return Nanos(self.nanos[index], self.valid[index])
        return from_nanos(int(self.nanos[index])) if self.valid[index] else None

    def __iter__(self) -> Iterator[Decimal | None]:
        pairs = zip(self.nanos.tolist(), self.valid.tolist(), strict=True)
        return iter([from_nanos(n) if ok else None for n, ok in pairs])

    def __contains__(self, value: object) -> bool:
        if value is None:
            return not bool(self.valid.all())
        return any(x == value for x in self)

    def total(self, rows: Ints | None = None) -> int | None:
        """The exact sum of the valid amounts (of ``rows`` only, if given) in nanos; None if there are none."""
        nanos, valid = (self.nanos, self.valid) if rows is None else (self.nanos[rows], self.valid[rows])
        present = nanos[valid]
        if present.size == 0:
            return None
        return exact_sum(present)


def exact_sum(values: Ints) -> int:
    """``values.sum()`` without int64 overflow: numpy when the bound allows it, Python ints otherwise."""
    import numpy as np

    if float(np.abs(values, dtype=np.float64).sum()) < 2.0**62:
        return int(values.sum())
    return sum(values.tolist())


def codes_of(values: Sequence[Any]) -> Ints:
    """Per row, a small int naming its value (equal values, equal ints; None is a value too)."""
    import numpy as np

    if isinstance(values, Coded):
        return values.codes
    if isinstance(values, Nanos):
        return np.where(values.valid, values.nanos, np.iinfo(np.int64).min)
    seen: dict[Any, int] = {}
    return np.fromiter((seen.setdefault(x, len(seen)) for x in values), dtype=np.int64, count=len(values))


def distinct_rows(keys: Sequence[Ints]) -> tuple[Ints, Ints]:
    """The distinct combinations of ``keys`` (int columns of equal length): the first row of each, and per
    row the number of its combination. The usual chunk has one combination, found without sorting."""
    import numpy as np

    n = len(keys[0])
    if all(bool((k == k[0]).all()) for k in keys):
        return np.zeros(1, dtype=np.int64), np.zeros(n, dtype=np.int64)
    order, starts = _sorted_groups(np.vstack(keys))
    is_start = np.zeros(n, dtype=np.bool_)
    is_start[starts] = True
    inverse = np.empty(n, dtype=np.int64)
    inverse[order] = np.cumsum(is_start) - 1
    return order[starts], inverse


def _sorted_groups(keys: Ints) -> tuple[Ints, Ints]:
    """A stable order of the columns of ``keys`` (k x n) sorted by all rows, and where each group starts."""
    import numpy as np

    order = np.lexsort(keys[::-1])
    ordered = keys[:, order]
    change = np.ones(ordered.shape[1], dtype=np.bool_)
    change[1:] = (ordered[:, 1:] != ordered[:, :-1]).any(axis=0)
    return order.astype(np.int64), np.flatnonzero(change).astype(np.int64)


def group_sums(keys: Ints, sums: npt.NDArray[Any]) -> tuple[Ints, npt.NDArray[Any]]:
    """Sum the columns of ``sums`` (m x n) over equal columns of ``keys`` (k x n): (keys, sums) per group.

    Sums are exact: int64 while no sum can overflow, Python ints (object arrays) past that.
    """
    import numpy as np

    if keys.shape[1] == 0:
        return keys, sums
    order, starts = _sorted_groups(keys)
    if sums.dtype != object and float(np.abs(sums, dtype=np.float64).sum(axis=1).max(initial=0.0)) >= 2.0**62:
        sums = sums.astype(object)
    return keys[:, order[starts]], np.add.reduceat(sums[:, order], starts, axis=1)

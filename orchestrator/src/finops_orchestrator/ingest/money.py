"""Money is never dropped silently: each file's own amounts, read straight from its money columns (credits
included), against the line items made from them, per partition and currency."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import numpy as np
from finops_core.errors import InvalidInput
from finops_core.money import to_nanos
from finops_core.store.columns import Nanos, codes_of, distinct_rows

if TYPE_CHECKING:
    from finops_core.store.columns import Ints

Native = tuple[Sequence[Any] | None, Sequence[Any] | None]
_Key = tuple[Any, ...]
_KEY_COLUMNS = ("provider_name", "billing_account_id", "billing_period_start", "billing_currency")
_METRICS = (("billed", "billed_cost"), ("effective", "effective_cost"))


def total(column: Sequence[Any], rows: Ints | None) -> Decimal | None:
    """The exact sum of the non-null amounts of ``column`` (at ``rows``, if given); None if there are none."""
    if isinstance(column, Nanos):
        nanos = column.total(rows)
        return None if nanos is None else Decimal(nanos).scaleb(-9)
    values = list(column)
    present = [x for x in (values if rows is None else [values[i] for i in rows.tolist()]) if x is not None]
    return sum(present, Decimal(0)) if present else None


def groups(batch: Mapping[str, Sequence[Any]], n: int) -> list[tuple[_Key, Ints | None]]:
    """The batch's first ``n`` rows grouped by partition and currency: (key, rows or None for all of them)."""
    columns = [batch[name][:n] for name in _KEY_COLUMNS]
    firsts, inverse = distinct_rows([codes_of(c) for c in columns])
    out: list[tuple[_Key, Ints | None]] = []
    for group, first in enumerate(firsts.tolist()):
        rows = None if len(firsts) == 1 else np.flatnonzero(inverse == group)
        out.append((tuple(c[first] for c in columns), rows))
    return out


class MoneyCheck:
    """Sums what the file states and what is written, for ``verify`` at the end of the file."""

    def __init__(self, where: str) -> None:
        self._where = where
        self._stated: dict[_Key, dict[str, Decimal]] = {}
        self._written: dict[_Key, dict[str, Decimal]] = {}

    def add(self, native: Native, n: int, batch: Mapping[str, Sequence[Any]]) -> None:
        """``native``: the chunk's own (billed, effective) per raw row; ``batch``: its line items, whose first
        ``n`` are those rows (formats may add more, such as Google's credits)."""
        for key, rows in groups(batch, n):
            for (metric, _), column in zip(_METRICS, native, strict=True):
                if column is not None:
                    self._add(self._stated, key, metric, total(column, rows))
        size = len(batch["billed_cost"])
        for key, rows in groups(batch, size):
            for metric, name in _METRICS:
                self._add(self._written, key, metric, total(batch[name], rows))

    @staticmethod
    def _add(into: dict[_Key, dict[str, Decimal]], key: _Key, metric: str, amount: Decimal | None) -> None:
        sums = into.setdefault(key, {})
        sums[metric] = sums.get(metric, Decimal(0)) + (amount or Decimal(0))

    def verify(self) -> None:
        for key, stated in self._stated.items():
            written = self._written.get(key, {})
            for metric, amount in stated.items():
                got = written.get(metric, Decimal(0))
                if to_nanos(amount) != to_nanos(got):
                    provider, account, start, currency = key
                    raise InvalidInput(
                        f"{self._where}{provider} {account} {start:%Y-%m} ({currency}): the file's own {metric} "
                        f"amounts add up to {amount:f}, but the line items read from them add up to {got:f}: a "
                        "value the reader did not understand was left out. Nothing from this file was written; "
                        "check the file's nested cells (such as credits), and report the shape if it is genuine."
                    )

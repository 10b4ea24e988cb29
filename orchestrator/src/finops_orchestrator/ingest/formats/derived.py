"""FOCUS columns derived from a file's own columns, computed once per distinct combination of their values.

Billing columns repeat a few values over millions of rows; deriving per row in Python, and handing the store
plain lists it must encode row by row, would add per-row work for every derived column. ``per_value`` works on
the distinct values and returns a ``Coded`` column, which the store also encodes per distinct value;
``per_value_pair`` does it for two columns derived together (a region's id and name).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd
from finops_core.store.columns import Coded


def coded(values: Sequence[Any]) -> Coded:
    """``values`` as a ``Coded`` column (None for a missing cell)."""
    if isinstance(values, Coded):
        return values
    codes, uniques = pd.factorize(pd.Series(list(values), dtype=object), use_na_sentinel=True)
    return Coded(codes.astype(np.int64), list(uniques))


def per_value(function: Callable[..., Any], *columns: Sequence[Any]) -> Coded:
    """``function`` of each row's values in ``columns``, called once per distinct combination."""
    parts = [coded(c) for c in columns]
    keys = np.vstack([p.codes for p in parts])
    _, first, inverse = np.unique(keys, axis=1, return_index=True, return_inverse=True)
    values = [function(*(p[int(i)] for p in parts)) for i in first]
    return Coded(np.asarray(inverse, dtype=np.int64).reshape(-1), values)


def per_value_pair(function: Callable[..., tuple[Any, Any]], *columns: Sequence[Any]) -> tuple[Coded, Coded]:
    """The two columns ``function`` returns as a pair for each row's values in ``columns``, called once per
    distinct combination."""
    pairs = per_value(function, *columns)
    pairs.codes.flags.writeable = False  # both columns share it: neither may change the other's rows
    return Coded(pairs.codes, [p[0] for p in pairs.values]), Coded(pairs.codes, [p[1] for p in pairs.values])

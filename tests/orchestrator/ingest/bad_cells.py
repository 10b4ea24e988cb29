"""The check the cell tests of every format share: an export with one bad cell is refused, and nothing is written."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from finops_core.errors import InvalidInput
from finops_core.store import Store
from finops_orchestrator.ingest import ingest


def assert_csv_refused(frame: pd.DataFrame, path: Path, match: str) -> None:
    """``frame`` written as the CSV file ``path`` is refused with a message matching ``match`` (the file, row and
    column), and the new store beside it that it was ingested into holds no line item."""
    frame.to_csv(path, index=False)
    store = Store(path.parent / "store.sqlite")
    with pytest.raises(InvalidInput, match=match):
        ingest(store, [str(path)])
    assert store.info().line_items == 0

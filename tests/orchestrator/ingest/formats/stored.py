"""Ingest files into a fresh store and read back its line items, FOCUS columns by name."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
from finops_core.store import Store
from finops_orchestrator.ingest import ingest


def stored_rows(paths: list[Path], folder: Path) -> list[dict[str, Any]]:
    store = Store(folder / "stored.sqlite")
    ingest(store, [str(p) for p in paths])
    with store.reader() as conn:
        cursor = conn.execute("SELECT * FROM focus_line_items ORDER BY id")
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def edited(source: Path, target: Path, **columns: list[str]) -> Path:
    """``source`` (a CSV) with whole columns replaced or added, written to ``target``."""
    frame = pd.read_csv(source, dtype=str, keep_default_na=False)
    for name, values in columns.items():
        frame[name] = values
    frame.to_csv(target, index=False)
    return target

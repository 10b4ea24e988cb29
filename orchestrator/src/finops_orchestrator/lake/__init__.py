"""Cross-cloud questions answered where the FOCUS data already lives (``[lake]``): the query builder, the engines,
the reader over them, and the daily rollups of a lake kept in the local store."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from finops_core.reading import CostReader
from finops_core.settings import Settings
from finops_core.store import Store


def reader_for(
    settings: Settings, store: Store, *, now: Callable[[], datetime] = lambda: datetime.now(UTC)
) -> CostReader | None:
    """What the cross-cloud tools read: the lake, its rollups in ``store``, or None (the store itself)."""
    lake = settings.lake
    if lake is None:
        return None
    if lake.answer_from == "rollups":
        from finops_orchestrator.lake.rollups import RollupReader

        return RollupReader(store, lake, now=now)
    from finops_orchestrator.lake.reader import LakeReader

    return LakeReader(lake)

"""The shape of a checked action here: ``perform`` and ``read_after`` are blocking SDK calls (run in a worker thread).
See ``finops_core.prepared``."""

from __future__ import annotations

from typing import Any

from finops_core.prepared import Done, flag
from finops_core.prepared import Prepared as _Prepared

Prepared = _Prepared[Done, dict[str, Any]]

__all__ = ["Done", "Prepared", "flag"]

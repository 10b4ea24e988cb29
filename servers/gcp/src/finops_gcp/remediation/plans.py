"""The shape of a checked action here: ``perform`` and ``read_after`` are coroutines (the client calls and the wait
for Compute Engine's operation). See ``finops_core.prepared``."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any

from finops_core.prepared import Done, flag
from finops_core.prepared import Prepared as _Prepared

Prepared = _Prepared[Awaitable[Done], Awaitable[dict[str, Any]]]

__all__ = ["Done", "Prepared", "flag"]

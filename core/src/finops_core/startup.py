"""Start-up helpers for the console scripts. Imports nothing heavy: it runs before the SDK is imported."""

from __future__ import annotations

import gc
from collections.abc import Generator
from contextlib import contextmanager


@contextmanager
def gc_paused() -> Generator[None]:
    """Run a block (the start-up imports) with the cyclic garbage collector paused.

    Importing the MCP SDK builds about 80,000 long-lived objects (its pydantic models); the collector would
    scan them again and again while they are made, though none is garbage (about a sixth of start-up CPU).
    Afterwards they are moved to the permanent generation (``gc.freeze``), so later collections skip them too.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if was_enabled:
            gc.enable()

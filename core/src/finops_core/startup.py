"""Start-up helpers for the console scripts. Imports nothing heavy: it runs before the SDK is imported."""

from __future__ import annotations

import gc
import sys
from collections.abc import Generator, Sequence
from contextlib import contextmanager
from typing import NoReturn


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


def cloud_main(cloud: str, argv: Sequence[str] | None = None) -> NoReturn:
    """The console script of a per-cloud server (``finops-aws = "finops_aws.server:main"`` calls this with "aws"):
    serves the cloud its registry entry (``finops_core.clouds``) describes."""
    with gc_paused():
        from finops_core.clouds import entry, load
        from finops_core.serve import run_cloud_server

        load(entry(cloud).provider)  # the cloud's modules, imported with the collector paused too
    sys.exit(run_cloud_server(cloud, argv))

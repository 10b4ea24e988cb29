"""The ``finops`` console script: the command line, imported with the garbage collector paused (see
``finops_core.startup``), so ``finops serve`` reaches its first answer sooner."""

from __future__ import annotations


def main() -> None:
    from finops_core.startup import gc_paused

    with gc_paused():
        from finops_orchestrator.cli import app

    app()

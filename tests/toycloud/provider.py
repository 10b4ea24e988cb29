"""The toy cloud's provider for in-process use: its account is its demo company (there is no toy cloud API to
fetch from). What this exercises is the plumbing a cloud plugs into, not a cloud's own fetching."""

from __future__ import annotations

from finops_core.sandbox import SandboxProvider
from finops_core.settings import Settings

from tests.conftest import AS_OF


class ToyProvider(SandboxProvider):
    """The toy account; ``[toy] seed`` (its settings section) picks another company."""

    def __init__(self, seed: int) -> None:
        super().__init__("toy", seed=seed, as_of=AS_OF)


def create_provider(settings: Settings) -> ToyProvider:
    return ToyProvider(int(settings.section("toy").get("seed", 7)))

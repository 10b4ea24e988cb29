"""The built-in demo: the sandbox company loaded into its own store (never mixed with real data)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from importlib import resources
from typing import TYPE_CHECKING

import anyio.to_thread
from finops_core.models import CLOUDS, CostQuery
from finops_core.sandbox import SandboxProvider
from finops_core.sandbox.company import history_start
from finops_core.settings import Settings
from finops_core.store import Store, WriteResult

from finops_orchestrator.loading import load_daily_costs
from finops_orchestrator.progress import ProgressSink

if TYPE_CHECKING:
    from finops_orchestrator.ingest import FileReport

DEMO_SOURCE = "demo"
FOCUS_SAMPLE_ATTRIBUTION = (
    "FOCUS 1.0 sample export (anonymized AWS, Microsoft and Oracle costs, September 2024) by the FinOps "
    "Foundation, CC BY 4.0 (github.com/FinOps-Open-Cost-and-Usage-Spec/FOCUS-Sample-Data)"
)


def open_demo_store(settings: Settings) -> Store:
    return Store(settings.home / "demo.sqlite", busy_seconds=settings.store_busy_seconds)


def demo_as_of(settings: Settings, today: date) -> date:
    return settings.demo_as_of or today


def demo_providers(settings: Settings, today: date) -> list[SandboxProvider]:
    as_of = demo_as_of(settings, today)
    return [SandboxProvider(c, seed=settings.demo_seed, as_of=as_of) for c in CLOUDS]


def demo_partition_count(as_of: date) -> int:
    start = history_start(as_of)
    months = (as_of.year - start.year) * 12 + as_of.month - start.month + (1 if as_of.day > 1 else 0)
    return months * len(CLOUDS)


async def load_demo(store: Store, providers: list[SandboxProvider], progress: ProgressSink) -> list[WriteResult]:
    """(Re)load every demo cloud's full history into ``store``."""
    results: list[WriteResult] = []
    for provider in providers:
        start = history_start(provider.as_of)
        results += await load_daily_costs(store, provider, start, provider.as_of, source=DEMO_SOURCE, progress=progress)
    return results


async def ensure_demo_loaded(store: Store, providers: list[SandboxProvider], progress: ProgressSink) -> None:
    """Load the company and the FOCUS sample into an empty demo store (``finops demo`` reloads them always)."""
    if store.info().line_items == 0:
        await load_demo(store, providers, progress)
        await anyio.to_thread.run_sync(load_focus_sample, store)  # a store write: never on the event loop


def load_focus_sample(store: Store) -> list[FileReport]:
    """Ingest the bundled FOCUS sample (see ``data/README.md``) into ``store``, as any export would be."""
    from finops_orchestrator.ingest import ingest

    sample = resources.files("finops_orchestrator") / "data" / "focus_sample_1000.csv.gz"
    with resources.as_file(sample) as path:
        return ingest(store, [str(path)])


@dataclass(frozen=True)
class Reconciliation:
    provider: str
    currency: str
    source_total: Decimal
    store_total: Decimal

    @property
    def matches(self) -> bool:
        return self.source_total == self.store_total


async def reconcile_demo(store: Store, providers: list[SandboxProvider]) -> list[Reconciliation]:
    """Each demo cloud's billed total straight from the sandbox against the same total from the store."""
    out: list[Reconciliation] = []
    for provider in providers:
        start, end = history_start(provider.as_of), provider.as_of
        query = CostQuery(start=start, end=end + timedelta(days=1), metric="billed")
        source = await provider.query_costs(query)
        stored = store.query_costs(query.model_copy(update={"filters": {"provider": (provider.spec.provider_name,)}}))
        for money in source.totals:
            in_store = next((m.amount for m in stored.totals if m.currency == money.currency), Decimal(0))
            out.append(Reconciliation(provider.spec.provider_name, money.currency, money.amount, in_store))
    return out

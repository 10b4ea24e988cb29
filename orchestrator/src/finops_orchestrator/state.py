"""What the ``finops`` server holds while it serves: one typed object, built once by the caller (``finops serve``,
the demo, a test) and owned by the server's lifespan, which closes the providers when the server stops.

The tools read it (``state.store``, ``state.is_demo``, ...) rather than each closing over a dozen arguments. It is
built before the server, not inside the lifespan, because what it holds decides which tools the server lists
(``remediation``) and a client may list them before any lifespan runs.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import ExitStack, asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Protocol, TypedDict, runtime_checkable

import anyio
import anyio.to_thread
from finops_core.currency import CurrencySettings
from finops_core.dates import today_utc
from finops_core.models import CLOUDS
from finops_core.provider import CloudProvider
from finops_core.reading import CostReader
from finops_core.sandbox import DEMO_LABEL
from finops_core.settings import SyncSettings
from finops_core.store import Store

from finops_orchestrator.policy import Policy
from finops_orchestrator.providers import ProviderStatus, not_configured


@runtime_checkable
class Closeable(Protocol):
    """What holds something to release when the server stops: an in-process cloud's cache of paid calls, a lake's
    engine."""

    def close(self) -> None: ...


class AnswerLabels(TypedDict):
    """What every cost answer says of where it came from."""

    source: str
    is_demo: bool


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, kw_only=True)
class OrchestratorState:
    """The ``finops`` server's state. ``providers`` are the connected clouds (sync, recommendations, remediation);
    ``statuses`` say for the clouds given whether each is connected, and if not why (the others: not configured);
    ``reports`` is the folder monthly reports go to (default: beside the store); ``currency`` the rate table for
    converted answers (none: never convert); ``policy`` the guardrails and tag policies; with ``remediation`` the
    plan / execute tools are listed; ``now`` is the clock approvals and execution windows are read by.
    ``finops_ingest`` reads only under ``ingest_roots`` (default: ``imports`` beside the store) and from Azure's
    documented blob hosts or ``blob_endpoints``. The cross-cloud cost tools read ``reader`` (a lake, or the local
    rollups synced from it; default: ``store``)."""

    store: Store
    is_demo: bool
    today: Callable[[], date] = today_utc
    now: Callable[[], datetime] = _utc_now
    providers: Sequence[CloudProvider] = ()
    statuses: Sequence[ProviderStatus] = ()
    sync_settings: SyncSettings = field(default_factory=SyncSettings)
    reports: Path | None = None
    currency: CurrencySettings | None = None
    policy: Policy = field(default_factory=Policy)
    remediation: bool = False
    ingest_roots: Sequence[Path] | None = None
    blob_endpoints: Sequence[str] = ()
    reader: CostReader | None = None

    @property
    def clouds(self) -> list[ProviderStatus]:
        """Every cloud's status, in registry order."""
        given = {s.provider: s for s in self.statuses}
        return [given.get(c) or not_configured(c) for c in CLOUDS]

    @property
    def costs(self) -> CostReader:
        """Where the cross-cloud cost tools read: the lake, or the store."""
        return self.store if self.reader is None else self.reader

    @property
    def store_label(self) -> str:
        """The store named in answers read from it."""
        return DEMO_LABEL if self.is_demo else self.store.source_label()

    def source(self) -> str:
        """Where cost answers come from now: a lake or its synced rollups name themselves (with the rollups' age)."""
        return self.store_label if self.reader is None else self.reader.source_label()

    def labels(self) -> AnswerLabels:
        return AnswerLabels(source=self.source(), is_demo=self.is_demo)

    @property
    def roots(self) -> list[Path]:
        """The folders ``finops_ingest`` reads under."""
        return list(self.ingest_roots) if self.ingest_roots is not None else [self.store.path.parent / "imports"]

    def close(self) -> None:
        """Close every provider that holds something, and the lake's reader (its engine's session or connection),
        all of them even when one fails (its error is raised)."""
        with ExitStack() as stack:
            for held in (*self.providers, self.reader):
                if isinstance(held, Closeable):
                    stack.callback(held.close)

    @asynccontextmanager
    async def serving(self) -> AsyncIterator[OrchestratorState]:
        """The server's lifespan: the state while it serves, its providers closed when it stops."""
        try:
            yield self
        finally:
            # Shielded: a server stops by being cancelled, and the providers are closed all the same. In a worker
            # thread: closing releases a SQLite connection, never waited on while the event loop holds a store.
            with anyio.CancelScope(shield=True):
                await anyio.to_thread.run_sync(self.close)

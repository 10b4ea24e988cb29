"""Paid or rate-limited cloud API calls (AWS Cost Explorer: $0.01 per request and page; Azure Cost Management:
a few queries a minute), answered from the store when asked before.

A request is keyed by who asks (the ``Caller``: account, tenant or billing account, principal, endpoint,
partition), its provider, operation and exact parameters; its answer (all pages, as JSON) is kept in the store's
``api_answers`` table for a time to live. Several processes may share one store with different credentials, so
an answer is only ever reused for the same caller. Each answer says how many billed requests it made: 0 from the
cache.
"""

from __future__ import annotations

import hashlib
import json
import threading
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from finops_core.cached import record
from finops_core.errors import StoreBusy
from finops_core.logs import get_logger
from finops_core.store import Store
from finops_core.store.database import BUSY_SECONDS


def plain_json(value: Any) -> Any:
    """A boto3 response as plain JSON types (datetimes as ISO text), the same whether fresh or cached."""

    def default(obj: object) -> str:
        if isinstance(obj, datetime | date):
            return obj.isoformat()
        raise TypeError(f"not JSON: {type(obj).__name__}")

    return json.loads(json.dumps(value, default=default))


@dataclass(frozen=True)
class Caller:
    """Who asks a cloud, as far as the answer depends on it: identifiers only, never a credential.

    Each cloud builds it once per process from its credentials (``AwsClients.caller``, ``AzureClients.caller``,
    ``GcpClients.caller``). Where a cloud cannot say who the principal is, it names this process instead, so the
    answer is reused here and nowhere else.
    """

    account: str  # AWS account id; Azure tenant id; Google billing account
    principal: str  # AWS IAM role or user ARN; Azure object id; Google service account or user
    endpoint: str  # the API endpoint answers come from ("" for the cloud's default)
    partition: str  # AWS partition and billing region; Azure cloud; Google universe


def unnamed_principal() -> str:
    """A principal no other caller shares, for credentials that do not say who they are: their answers are then
    reused by the one ``PaidCalls`` that asked, never by another process."""
    return f"unnamed caller {uuid.uuid4().hex}"


def request_key(provider: str, caller: Caller, operation: str, request: dict[str, Any]) -> str:
    text = json.dumps(
        {"caller": asdict(caller), "operation": operation, "request": request}, sort_keys=True, default=str
    )
    return f"{provider}:" + hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True)
class PaidAnswer:
    body: Any
    paid_calls: int
    cached_at: datetime | None = None


def _recorded(answer: PaidAnswer) -> PaidAnswer:
    record(answer.cached_at)
    return answer


class PaidCalls:
    """The cache of ``provider``'s paid answers, in the store ``open_store`` opens (on first use), for the caller
    ``caller()`` names (asked once, on the first call that uses the cache; it may call the cloud)."""

    def __init__(
        self,
        open_store: Callable[[], Store] | None,
        *,
        ttl: timedelta,
        provider: str,
        caller: Callable[[], Caller],
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._open_store = open_store
        self._provider = provider
        self._caller_of = caller
        self._caller: Caller | None = None
        self._store: Store | None = None
        self._ttl = ttl
        self._now = now
        self._lock = threading.Lock()
        self._caller_lock = threading.Lock()
        self.total_paid_calls = 0

    @classmethod
    def in_store(
        cls,
        store_file: Path,
        *,
        cache_hours: float,
        provider: str,
        caller: Callable[[], Caller],
        busy_seconds: float = BUSY_SECONDS,
    ) -> PaidCalls:
        """The cache in the store at ``store_file`` (``Settings.store_file``), keeping answers ``cache_hours``;
        an answer waits at most ``busy_seconds`` (``Settings.store_busy_seconds``) to be kept."""
        return cls(
            lambda: Store(store_file, busy_seconds=busy_seconds),
            ttl=timedelta(hours=cache_hours),
            provider=provider,
            caller=caller,
        )

    def _get_store(self) -> Store | None:
        with self._lock:
            if self._store is None and self._open_store is not None:
                self._store = self._open_store()
            return self._store

    def _get_caller(self) -> Caller:
        # Once, even when several worker threads ask at once: an unnamed caller is a new one each time it is made.
        # Its own lock, since finding it may take a network call (in a worker thread, never on the event loop).
        with self._caller_lock:
            if self._caller is None:
                self._caller = self._caller_of()
            return self._caller

    def call(self, operation: str, request: dict[str, Any], fetch: Callable[[], tuple[Any, int]]) -> PaidAnswer:
        """The answer to ``request``: cached if fresh, else ``fetch()`` -> (body, billed requests), then stored.

        Runs in a worker thread (it may call AWS). ``request`` must be JSON-able and fully describe the call.
        """
        store = self._get_store()
        key = request_key(self._provider, self._get_caller(), operation, request) if store is not None else ""
        if store is not None and self._ttl > timedelta(0):
            cached = store.cached_answer(key)
            if cached is not None and self._now() - cached.stored_at < self._ttl:
                return _recorded(PaidAnswer(json.loads(cached.body), 0, cached.stored_at))
        body, calls = fetch()
        body = plain_json(body)
        with self._lock:
            self.total_paid_calls += calls
        if store is not None:
            try:
                store.save_answer(
                    key, provider=self._provider, operation=operation, stored_at=self._now(), body=json.dumps(body)
                )
            except StoreBusy as exc:  # the answer is paid for: give it, uncached, rather than an error
                get_logger("finops.paid").warning("answer not cached", operation=operation, reason=str(exc))
        return _recorded(PaidAnswer(body, calls))

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None

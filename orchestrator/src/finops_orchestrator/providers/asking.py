"""Asking every connected cloud the same question at once, and saying which clouds the answer lacks.

A cloud that fails is covered by what its last sync saved, when there is something (and the answer says so);
a cloud that is not connected, or fails with nothing saved, is named with the reason.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Generic, TypeVar, cast

import anyio
from finops_core.errors import FinOpsError
from finops_core.models import CLOUD_NAMES, CLOUDS, Cloud
from finops_core.provider import CloudProvider
from finops_core.store import Store
from pydantic import BaseModel

from finops_orchestrator.providers.registry import ProviderStatus, not_configured

T = TypeVar("T")


class Missing(BaseModel):
    provider: Cloud
    reason: str


@dataclass
class Answers(Generic[T]):
    found: dict[Cloud, T] = field(default_factory=lambda: dict[Cloud, T]())
    missing: list[Missing] = field(default_factory=lambda: list[Missing]())
    from_last_sync: list[Missing] = field(default_factory=lambda: list[Missing]())


async def ask_every_cloud(
    providers: Sequence[CloudProvider],
    ask: Callable[[CloudProvider], Awaitable[T]],
    *,
    absent: Mapping[Cloud, str] | None = None,
    saved: Mapping[Cloud, tuple[datetime, T]] | None = None,
) -> Answers[T]:
    """``ask`` of every provider concurrently. ``absent``: why each unconnected cloud is not connected; ``saved``:
    the last sync's answer (and when it was taken), used for a cloud that cannot answer now."""
    answers = Answers[T]()
    reasons: dict[Cloud, str] = {}

    async def one(provider: CloudProvider) -> None:
        try:
            answers.found[provider.cloud] = await ask(provider)
        except FinOpsError as exc:
            reasons[provider.cloud] = str(exc)

    async with anyio.create_task_group() as group:
        for provider in providers:
            group.start_soon(one, provider)
    connected = {p.cloud for p in providers}
    for cloud in CLOUDS:
        if cloud not in connected:
            reasons[cloud] = (absent or {}).get(cloud) or f"{CLOUD_NAMES[cloud]} is not connected to this server."
    for cloud, reason in sorted(reasons.items()):
        if saved and cloud in saved:
            taken_at, answer = saved[cloud]
            answers.found[cloud] = answer
            answers.from_last_sync.append(
                Missing(provider=cloud, reason=f"from the sync at {taken_at:%Y-%m-%d %H:%M} UTC; live: {reason}")
            )
        else:
            answers.missing.append(Missing(provider=cloud, reason=reason))
    return answers


def absent_reasons(statuses: Sequence[ProviderStatus]) -> dict[Cloud, str]:
    """Why each cloud that is not connected is not: its status, or not configured at all."""
    absent: dict[Cloud, str] = {c: not_configured(c).detail for c in CLOUDS}
    absent.update((s.provider, s.detail) for s in statuses if s.state != "connected")
    return absent


def saved_answers(store: Store, kind: str, parse: Callable[[str], T]) -> dict[Cloud, tuple[datetime, T]]:
    """The answers of ``kind`` the last sync saved per cloud, parsed, with when each was taken."""
    return {cast(Cloud, s.provider): (s.taken_at, parse(s.body)) for s in store.snapshots() if s.kind == kind}

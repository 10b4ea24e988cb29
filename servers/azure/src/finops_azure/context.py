"""What every part of the Azure adapter is handed: settings, clients, the answer cache, how to run blocking SDK
calls (in worker threads, at most ``max_concurrency`` at once) across subscriptions, and how to wait."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from finops_core.cloud_context import CloudContext
from finops_core.fanout import FanOut
from finops_core.waiting import SLEEP, Wait

from finops_azure.clients import AzureClients
from finops_azure.discovery import discover_subscriptions
from finops_azure.settings import AzureSettings

T = TypeVar("T")


@dataclass
class AzureContext(CloudContext[AzureSettings, AzureClients]):
    # How to wait out a rate limit; tests pass one that records the wait instead of sleeping.
    sleep: Wait = SLEEP
    _subscriptions: list[str] | None = None

    def __post_init__(self) -> None:
        self.clients.sleep = self.sleep.blocking  # the SDK clients' retry waits, seen by tests like any other

    async def subscriptions(self) -> list[str]:
        """The configured subscriptions; with none configured, those the credentials (or the management group)
        can see, found once through Resource Graph."""
        if self._subscriptions is None:
            if self.settings.subscriptions:
                self._subscriptions = list(self.settings.subscriptions)
            else:
                self._subscriptions = await discover_subscriptions(self, self.settings)
        return self._subscriptions

    async def fan_out(self, fn: Callable[[str], T], subscriptions: list[str] | None = None) -> FanOut[T]:
        """``fn(subscription_id)`` for every subscription, concurrently; failures become ``missing`` lines."""
        targets = subscriptions if subscriptions is not None else await self.subscriptions()
        return await self.run_each(fn, targets, lambda s: f"subscription {s}")

"""What every part of the Google Cloud adapter is handed: settings, clients, the answer cache, how to run blocking
client calls (in worker threads, at most ``max_concurrency`` at once) across projects, and how to wait."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from finops_core.cloud_context import CloudContext
from finops_core.errors import ConfigError
from finops_core.fanout import FanOut
from finops_core.waiting import SLEEP, Wait

from finops_gcp.billing import linked_projects
from finops_gcp.clients import GcpClients
from finops_gcp.settings import GcpSettings

T = TypeVar("T")


@dataclass
class GcpContext(CloudContext[GcpSettings, GcpClients]):
    # How to wait (polling, back-off); tests pass one that records the wait instead of sleeping.
    sleep: Wait = SLEEP
    _projects: list[str] | None = None

    async def projects(self) -> list[str]:
        """The configured projects; with none, those linked to ``billing_account`` (found once)."""
        if self._projects is None:
            if self.settings.projects:
                self._projects = list(self.settings.projects)
            elif self.settings.billing_account:
                self._projects = await linked_projects(self)
            else:
                raise ConfigError(
                    "No Google Cloud projects to look at: set projects (or billing_account, to use every project "
                    "linked to it) in [gcp] of finops.toml, or FINOPS_GCP__PROJECTS=p1,p2."
                )
        return self._projects

    async def fan_out(self, fn: Callable[[str], T], projects: list[str] | None = None) -> FanOut[T]:
        """``fn(project)`` for every project, concurrently; failures become ``missing`` lines."""
        targets = projects if projects is not None else await self.projects()
        return await self.run_each(fn, targets, lambda p: f"project {p}")

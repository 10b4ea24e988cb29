"""Which clouds the orchestrator talks to, from ``[providers.<cloud>]`` in finops.toml.

Each cloud is in-process (its package imported here, lazily), the demo sandbox, or a remote per-cloud server
(stdio command or streamable-HTTP URL). A cloud that is not configured, not installed or not reachable is not
an error: it gets a status saying why and how to add it, and every answer covers the clouds that are there.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any, Literal, cast

from finops_core.clouds import CLOUD_NAMES, CLOUDS, Cloud, entry, load
from finops_core.errors import FinOpsError
from finops_core.provider import CloudProvider
from finops_core.sandbox import SandboxProvider
from finops_core.settings import ProviderSettings, Settings
from pydantic import BaseModel

from finops_orchestrator.providers.remote import RemoteProvider

if TYPE_CHECKING:
    import httpx2
    from mcp.client import Transport

ProviderState = Literal["connected", "not configured", "not installed", "unavailable"]


class ProviderStatus(BaseModel):
    """One cloud: whether answers include it and, if not, why and what to do."""

    provider: Cloud
    state: ProviderState
    mode: str | None = None
    detail: str


@dataclass
class Connected:
    providers: list[CloudProvider] = field(default_factory=lambda: list[CloudProvider]())
    statuses: list[ProviderStatus] = field(default_factory=lambda: list[ProviderStatus]())

    def missing(self) -> list[ProviderStatus]:
        return [s for s in self.statuses if s.state != "connected"]


def not_configured(cloud: Cloud) -> ProviderStatus:
    known = entry(cloud)
    return ProviderStatus(
        provider=cloud,
        state="not configured",
        detail=f"{known.name} is not connected: add [providers.{cloud}] to finops.toml (mode = "
        f'"in-process" after `{known.install}`, or "stdio" / "http" for a separate '
        f"{known.command} server); its billing export can also be loaded with `finops ingest`.",
    )


def demo_status(cloud: Cloud) -> ProviderStatus:
    return ProviderStatus(
        provider=cloud, state="connected", mode="sandbox", detail=f"{CLOUD_NAMES[cloud]} demo sandbox (DEMO DATA)"
    )


def _in_process(cloud: Cloud, settings: Settings) -> CloudProvider | ProviderStatus:
    known = entry(cloud)
    if not known.installed():
        return ProviderStatus(
            provider=cloud,
            state="not installed",
            mode="in-process",
            detail=f"{known.name}'s package is not installed: `{known.install}`, or set "
            f'mode = "stdio" / "http" in [providers.{cloud}] to use a {known.command} server elsewhere.',
        )
    create = cast("Callable[[Settings], CloudProvider]", load(known.provider))
    return create(settings)


def _remote(cloud: Cloud, config: ProviderSettings) -> RemoteProvider:
    from mcp import Client
    from mcp.client.stdio import StdioServerParameters

    key = config.approval_key.get_secret_value().encode() if config.approval_key else None
    if config.mode == "stdio":
        assert config.command  # checked by ProviderSettings
        env = {k: v.get_secret_value() for k, v in config.env.items()}
        params = StdioServerParameters(command=config.command[0], args=config.command[1:], env=env or None)
        return RemoteProvider(
            cloud, Client(params), where=f"`{config.command[0]}`", timeout=config.timeout_seconds, approval_key=key
        )
    import httpx2
    from mcp.client.streamable_http import streamable_http_client

    assert config.url  # checked by ProviderSettings
    headers = {"Authorization": f"Bearer {config.token.get_secret_value()}"} if config.token else {}
    refused: list[int] = []

    async def note_refusal(response: httpx2.Response) -> None:
        if response.status_code in (401, 403):  # the SDK reports these only as "an error response"
            refused.append(response.status_code)

    def explain() -> str | None:
        if not refused:
            return None
        return f"HTTP {refused[-1]}: it refused our bearer token; check token in [providers.{cloud}]"

    http = httpx2.AsyncClient(
        headers=headers,
        timeout=httpx2.Timeout(30.0, read=config.timeout_seconds),
        event_hooks={"response": [note_refusal]},
    )
    transport = _closing(http, streamable_http_client(config.url, http_client=http))
    where = config.url.split("?")[0]
    return RemoteProvider(
        cloud, Client(transport), where=where, timeout=config.timeout_seconds, explain=explain, approval_key=key
    )


@asynccontextmanager
async def _closing(http: httpx2.AsyncClient, transport: Transport) -> AsyncIterator[Any]:
    """The HTTP transport, closing the httpx client we made for it when the connection ends."""
    async with http, transport as streams:
        yield streams


@asynccontextmanager
async def connect_providers(settings: Settings, *, as_of: date) -> AsyncIterator[Connected]:
    """Every configured cloud, connected for the duration of the block, with a status for each cloud."""
    connected = Connected()
    async with AsyncExitStack() as stack:
        for cloud in CLOUDS:
            config = settings.providers.get(cloud)
            if config is None:
                connected.statuses.append(not_configured(cloud))
                continue
            try:
                if config.mode == "sandbox":
                    provider: CloudProvider | ProviderStatus = SandboxProvider(
                        cloud, seed=settings.demo_seed, as_of=as_of
                    )
                elif config.mode == "in-process":
                    provider = _in_process(cloud, settings)
                else:
                    provider = await stack.enter_async_context(_remote(cloud, config))
            except FinOpsError as exc:
                provider = ProviderStatus(provider=cloud, state="unavailable", mode=config.mode, detail=str(exc))
            if isinstance(provider, ProviderStatus):
                connected.statuses.append(provider)
                continue
            connected.providers.append(provider)
            connected.statuses.append(
                demo_status(cloud)
                if config.mode == "sandbox"
                else ProviderStatus(
                    provider=cloud, state="connected", mode=config.mode, detail=_describe(cloud, config)
                )
            )
        yield connected


def _describe(cloud: Cloud, config: ProviderSettings) -> str:
    if config.mode == "stdio" and config.command:
        return f"{CLOUD_NAMES[cloud]} via `{config.command[0]}` over stdio"
    if config.mode == "http" and config.url:
        return f"{CLOUD_NAMES[cloud]} via {config.url.split('?')[0]}"
    return f"{CLOUD_NAMES[cloud]} in-process"

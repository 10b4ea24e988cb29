"""Transports: stdio for desktop hosts, streamable HTTP behind a bearer token; the cloud console scripts.
HTTP security in depth (scopes, JWT, DNS rebinding) is in test_access.py."""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import anyio
import httpx2
import pytest
from finops_core.errors import ConfigError
from finops_core.sandbox import SandboxProvider
from finops_core.serve import http_app, is_loopback, uvicorn_config
from finops_core.server import build_server
from finops_core.settings import HttpSettings, Settings
from mcp import Client
from mcp.client.stdio import StdioServerParameters
from mcp.client.streamable_http import streamable_http_client

from tests.commands import http_server as serve_http
from tests.credentials import HTTP_TOKEN
from tests.serving import serving

pytestmark = pytest.mark.anyio
BIN = Path(sys.executable).parent


def _env(home: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FINOPS_")}
    return {**env, "FINOPS_HOME": str(home), "FINOPS_DEMO_AS_OF": "2026-11-26", **extra}


@pytest.mark.parametrize("cloud", ["aws", "azure", "gcp"])
async def test_a_cloud_script_serves_the_demo_over_stdio(cloud: str, home: Path) -> None:
    params = StdioServerParameters(command=str(BIN / f"finops-{cloud}"), args=["--demo"], env=_env(home))
    async with Client(params) as client:
        names = {t.name for t in (await client.list_tools()).tools}
        result = await client.call_tool(f"{cloud}_cost_query", {"start": "2026-10-01", "end": "2026-11-01"})
    assert f"{cloud}_cost_query" in names
    assert f"{cloud}_apply_remediation" not in names
    assert result.structured_content is not None
    assert result.structured_content["is_demo"] is True


def test_loopback_addresses_are_recognised() -> None:
    assert is_loopback("127.0.0.1")
    assert is_loopback("::1")
    assert is_loopback("localhost")
    assert not is_loopback("0.0.0.0")
    assert not is_loopback("10.1.2.3")


def test_serving_beyond_loopback_without_a_token_is_refused(settings: Settings) -> None:
    server = build_server(SandboxProvider("aws"), settings)
    with pytest.raises(ConfigError, match="FINOPS_HTTP__TOKEN"):
        http_app(server, HttpSettings(host="0.0.0.0"))


@pytest.fixture
def http_server(home: Path) -> Iterator[str]:
    with serve_http("finops-gcp", home, token=HTTP_TOKEN) as url:
        yield url


async def test_http_requests_without_the_bearer_token_are_rejected(http_server: str) -> None:
    async with httpx2.AsyncClient() as http:
        response = await http.post(http_server, json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"})
        wrong = await http.post(http_server, json={}, headers={"Authorization": "Bearer nope"})
    assert response.status_code == 401
    assert wrong.status_code == 401
    assert HTTP_TOKEN not in response.text


async def test_an_mcp_client_with_the_token_uses_the_http_server(http_server: str) -> None:
    http = httpx2.AsyncClient(headers={"Authorization": f"Bearer {HTTP_TOKEN}"})
    async with http, Client(streamable_http_client(http_server, http_client=http)) as client:
        result = await client.call_tool("gcp_list_recommendations", {"limit": 3})
    assert result.structured_content is not None
    assert len(result.structured_content["recommendations"]) == 3


HANDSHAKE = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}
INITIALIZE = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {
        "protocolVersion": "2025-11-25",
        "capabilities": {},
        "clientInfo": {"name": "abandoner", "version": "1"},
    },
}


async def _open_session(http: httpx2.AsyncClient, url: str) -> str:
    """A session opened (initialize answered) and then abandoned: no further request, no GET stream."""
    response = await http.post(url, json=INITIALIZE, headers=HANDSHAKE)
    assert response.status_code == 200, response.text
    return response.headers["mcp-session-id"]


class _Expiries(logging.Handler):
    """Counts the sessions the SDK's session manager closes for idleness, and says when ``wanted`` have been."""

    def __init__(self, wanted: int) -> None:
        super().__init__(logging.INFO)
        self.wanted = wanted
        self.expired = anyio.Event()
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        if record.getMessage().endswith("idle timeout"):
            self.count += 1
            if self.count >= self.wanted:
                self.expired.set()


@pytest.fixture
def expiries() -> Iterator[_Expiries]:
    manager = logging.getLogger("mcp.server.streamable_http_manager")
    watcher, level = _Expiries(wanted=2), manager.level
    manager.addHandler(watcher)
    manager.setLevel(logging.INFO)
    yield watcher
    manager.removeHandler(watcher)
    manager.setLevel(level)


async def test_sessions_idle_past_the_timeout_are_closed_and_their_ids_are_then_not_found(
    settings: Settings, expiries: _Expiries
) -> None:
    server = build_server(SandboxProvider("aws"), settings)
    http = HttpSettings(session_idle_minutes=0.005)  # 0.3 s
    async with serving(server, http) as url, httpx2.AsyncClient() as client:
        sessions = [await _open_session(client, url) for _ in range(2)]
        with anyio.fail_after(10):
            await expiries.expired.wait()
        later = [
            await client.post(
                url,
                json={"jsonrpc": "2.0", "id": 2, "method": "tools/list"},
                headers={**HANDSHAKE, "mcp-session-id": s, "mcp-protocol-version": "2025-11-25"},
            )
            for s in sessions
        ]
        # A new client is served as before.
        assert await _open_session(client, url)
    assert [r.status_code for r in later] == [404, 404]
    assert all(r.json()["error"]["message"] == "Session not found" for r in later)


async def test_past_max_sessions_a_new_client_is_told_the_limit_and_when_to_come_back(settings: Settings) -> None:
    server = build_server(SandboxProvider("aws"), settings)
    async with serving(server, HttpSettings(max_sessions=2)) as url, httpx2.AsyncClient() as client:
        first = await _open_session(client, url)
        await _open_session(client, url)
        refused = await client.post(url, json=INITIALIZE, headers=HANDSHAKE)
        ended = await client.delete(url, headers={"mcp-session-id": first, "mcp-protocol-version": "2025-11-25"})
        assert await _open_session(client, url)  # room again once a client ends its session
    assert refused.status_code == 503
    assert refused.headers["retry-after"] == "60"
    message = refused.json()["error"]["message"]
    assert "at most 2 at once ([http] max_sessions)" in message
    assert "idle for 30 minutes is closed" in message
    assert ended.status_code == 200


def test_session_settings_are_bounded() -> None:
    with pytest.raises(ValueError, match="session_idle_minutes"):
        HttpSettings(session_idle_minutes=0)
    with pytest.raises(ValueError, match="max_sessions"):
        HttpSettings(max_sessions=0)
    assert (HttpSettings().session_idle_minutes, HttpSettings().max_sessions) == (30, 1000)


def test_idle_connections_outlive_the_keep_alive_of_http_clients(settings: Settings) -> None:
    # A server closing an idle connection just as a client reuses it fails that request (ReadError): the server
    # must keep connections longer than clients pool them (httpx, the SDK's client: 5 s).
    config = uvicorn_config(http_app(build_server(SandboxProvider("aws"), settings), HttpSettings()), HttpSettings())
    client_keeps = httpx2.Limits().keepalive_expiry
    assert client_keeps is not None
    assert config.timeout_keep_alive >= 2 * client_keeps
    assert config.log_config is None  # uvicorn's loggers reach the redacting handler, not handlers of their own

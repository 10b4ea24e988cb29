"""Transports: stdio for desktop hosts, streamable HTTP behind a bearer token; the cloud console scripts.
HTTP security in depth (scopes, JWT, DNS rebinding) is in test_access.py."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx2
import pytest
from finops_core.errors import ConfigError
from finops_core.sandbox import SandboxProvider
from finops_core.serve import http_app, is_loopback
from finops_core.server import build_server
from finops_core.settings import HttpSettings, Settings
from mcp import Client
from mcp.client.stdio import StdioServerParameters
from mcp.client.streamable_http import streamable_http_client

from tests.commands import http_server as serve_http
from tests.credentials import HTTP_TOKEN

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

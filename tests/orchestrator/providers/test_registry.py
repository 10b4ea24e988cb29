"""Providers from ``[providers.<cloud>]``: in-process, sandbox, or a per-cloud server over stdio or HTTP; a cloud
that is missing or down gets a status saying why, and the others still connect."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from finops_core.errors import ConfigError
from finops_core.models import CostQuery
from finops_core.sandbox import SandboxProvider
from finops_core.settings import Settings
from finops_orchestrator.providers import RemoteProvider, connect_providers

from tests.commands import BIN, finops_env, http_server
from tests.conftest import AS_OF
from tests.credentials import HTTP_READ_TOKEN, HTTP_TOKEN, leaked

pytestmark = pytest.mark.anyio
OCTOBER = CostQuery(start=date(2026, 10, 1), end=date(2026, 11, 1), metric="billed")


def _settings(home: Path, providers: dict[str, Any]) -> Settings:
    return Settings.load({"FINOPS_HOME": str(home)}, overrides={"demo_as_of": AS_OF, "providers": providers})


async def test_clouds_left_out_of_the_config_are_named_with_how_to_add_them(home: Path) -> None:
    async with connect_providers(_settings(home, {"aws": {"mode": "sandbox"}}), as_of=AS_OF) as connected:
        states = {s.provider: (s.state, s.detail) for s in connected.statuses}
        assert [p.cloud for p in connected.providers] == ["aws"]
    assert states["aws"][0] == "connected"
    assert states["azure"][0] == "not configured"
    assert "[providers.azure]" in states["azure"][1]
    assert "pip install 'finops-mcp[gcp]'" in states["gcp"][1]


async def test_a_stdio_server_and_an_http_server_answer_like_the_sandbox_while_a_broken_one_is_named(
    home: Path,
) -> None:
    env = {k: v for k, v in finops_env(home).items() if k.startswith(("FINOPS_", "PATH", "HOME"))}
    with http_server("finops-gcp", home, token=HTTP_TOKEN) as url:
        settings = _settings(
            home,
            {
                "aws": {"mode": "stdio", "command": [str(BIN / "finops-aws"), "--demo"], "env": env},
                "azure": {"mode": "stdio", "command": [str(home / "no-such-server")]},
                "gcp": {"mode": "http", "url": url, "token": HTTP_TOKEN},
            },
        )
        async with connect_providers(settings, as_of=AS_OF) as connected:
            answers = {p.cloud: await p.query_costs(OCTOBER) for p in connected.providers}
            kinds = {p.cloud: type(p) for p in connected.providers}
            statuses = {s.provider: s for s in connected.statuses}
    assert kinds == {"aws": RemoteProvider, "gcp": RemoteProvider}
    for cloud, answer in answers.items():
        assert answer.totals == (await SandboxProvider(cloud, as_of=AS_OF).query_costs(OCTOBER)).totals
    assert statuses["azure"].state == "unavailable"
    assert "no-such-server" in statuses["azure"].detail
    assert not leaked(" ".join(s.detail for s in statuses.values()))


async def test_an_http_server_with_a_wrong_token_is_unavailable_and_the_token_is_not_shown(home: Path) -> None:
    wrong = HTTP_READ_TOKEN  # a test token, but not the one this server takes
    with http_server("finops-aws", home, token=HTTP_TOKEN) as url:
        settings = _settings(home, {"aws": {"mode": "http", "url": url, "token": wrong}})
        async with connect_providers(settings, as_of=AS_OF) as connected:
            (aws,) = [s for s in connected.statuses if s.provider == "aws"]
    assert connected.providers == []
    assert aws.state == "unavailable"
    assert "401" in aws.detail
    assert not leaked(aws.detail)


def test_a_stdio_provider_without_a_command_is_a_config_error(home: Path) -> None:
    with pytest.raises(ConfigError, match="command"):
        _settings(home, {"aws": {"mode": "stdio"}})


async def test_in_process_clouds_are_their_sdk_adapters_and_connecting_calls_no_cloud(home: Path) -> None:
    from finops_aws.provider import AwsProvider
    from finops_azure.provider import AzureProvider
    from finops_gcp.provider import GcpProvider

    clouds = {cloud: {"mode": "in-process"} for cloud in ("aws", "azure", "gcp")}
    async with connect_providers(_settings(home, clouds), as_of=AS_OF) as connected:
        states = {s.provider: (s.state, s.mode) for s in connected.statuses}
        providers = connected.providers
    assert [type(p) for p in providers] == [AwsProvider, AzureProvider, GcpProvider]
    assert set(states.values()) == {("connected", "in-process")}

"""The finops server over HTTP: tokens checked by the SDK, the read scope checked by every tool, including the
two registered without ``compact_tool``; ``finops serve`` builds the checks from its settings."""

from __future__ import annotations

from pathlib import Path

import httpx2
import pytest
from finops_core.access import server_auth
from finops_core.settings import HttpSettings
from finops_core.store import Store
from finops_orchestrator.server import build_orchestrator
from finops_orchestrator.state import OrchestratorState

from tests.commands import http_server, run_finops
from tests.conftest import AS_OF
from tests.credentials import HTTP_PLAN_TOKEN, HTTP_READ_TOKEN
from tests.serving import client_with, serving

pytestmark = pytest.mark.anyio
OCTOBER = {"start": "2026-10-01", "end": "2026-11-01"}


async def test_a_token_without_read_is_refused_by_every_finops_tool_and_a_read_token_is_served(tmp_path: Path) -> None:
    http = HttpSettings.model_validate(
        {
            "tokens": {
                "dashboard": {"token": HTTP_READ_TOKEN},
                "approver": {"token": HTTP_PLAN_TOKEN, "scopes": ["plan"]},
            }
        }
    )
    store = Store(tmp_path / "finops.sqlite")
    server = build_orchestrator(
        OrchestratorState(store=store, is_demo=False, today=lambda: AS_OF), auth=server_auth(http)
    )
    async with serving(server, http) as url:
        async with client_with(url, HTTP_READ_TOKEN) as reader:
            info = await reader.call_tool("finops_store_info", {})
            costs = await reader.call_tool("finops_cost_query", OCTOBER)
        async with client_with(url, HTTP_PLAN_TOKEN) as planner:
            refused = {
                name: await planner.call_tool(name, arguments)
                for name, arguments in (
                    ("finops_store_info", {}),
                    ("finops_cost_query", OCTOBER),
                    ("finops_report", {"month": "2026-10"}),
                )
            }
    assert info.is_error is False
    assert costs.is_error is False
    for name, result in refused.items():
        assert result.is_error is True, name
        assert f"{name} needs the 'read' scope" in result.content[0].text  # type: ignore[union-attr]


async def test_finops_serve_over_http_wants_a_token_and_serves_the_tokens_it_is_given(home: Path) -> None:
    env = {"FINOPS_HTTP__TOKENS__DASHBOARD__TOKEN": HTTP_READ_TOKEN}
    with http_server("finops", home, token=None, args=("serve",), **env) as url:
        async with httpx2.AsyncClient() as web:
            anonymous = await web.post(url, json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"})
        async with client_with(url, HTTP_READ_TOKEN) as client:
            info = await client.call_tool("finops_store_info", {})
    assert anonymous.status_code == 401
    assert info.is_error is False


def test_finops_serve_beyond_loopback_without_a_token_refuses_to_start(home: Path) -> None:
    done = run_finops(home, "serve", "--transport", "http", "--host", "0.0.0.0", "--port", "1")
    assert done.returncode != 0
    assert "FINOPS_HTTP__TOKEN (or [http] token, tokens or jwt" in " ".join(done.stderr.split())

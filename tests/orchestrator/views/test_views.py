"""The finops server's views: which tools carry one, what a client with and without MCP Apps gets, and that every
view is one self-contained document (no CDN, no network)."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from finops_core.store import Store
from finops_orchestrator.server import build_orchestrator
from finops_orchestrator.state import OrchestratorState
from finops_orchestrator.views import view_documents
from mcp import Client
from mcp.client.extension import advertise
from mcp.server.apps import APP_MIME_TYPE, EXTENSION_ID

from tests.conftest import AS_OF

pytestmark = pytest.mark.anyio

APPS = advertise(EXTENSION_ID, {"mimeTypes": [APP_MIME_TYPE]})
VIEWED = {
    "finops_cost_query": "ui://finops/cost_over_time.html",
    "finops_explain_change": "ui://finops/explain_change.html",
    "finops_forecast": "ui://finops/forecast.html",
    "finops_anomalies": "ui://finops/anomalies.html",
    "finops_savings": "ui://finops/savings.html",
}
ASKED = {
    "finops_cost_query": {"start": "2026-10-01", "end": "2026-11-01", "granularity": "weekly", "group_by": ["service"]},
    "finops_explain_change": {"dimension": "provider", "drill_down": "service"},
    "finops_anomalies": {"days": 60},
    "finops_savings": {"top_n": 5},
}


def _answer(result: Any) -> dict[str, Any]:
    return result.model_dump(mode="json", by_alias=True, exclude_none=True, exclude={"meta"})


@pytest.mark.parametrize("mode", ["auto", "legacy"])
async def test_a_client_with_apps_finds_each_view_on_its_tool_and_reads_it_as_an_app_document(
    demo_store: Store, mode: str
) -> None:
    server = build_orchestrator(
        OrchestratorState(store=demo_store, is_demo=True, today=lambda: AS_OF, remediation=True)
    )
    async with Client(server, mode=mode, extensions=[APPS]) as client:  # type: ignore[arg-type]
        tools = (await client.list_tools()).tools
        listed = {str(r.uri) for r in (await client.list_resources()).resources}
        documents = {uri: await client.read_resource(uri) for uri in VIEWED.values()}
    shown = {t.name: t.meta["ui"]["resourceUri"] for t in tools if t.meta and "ui" in t.meta}
    assert shown == VIEWED
    assert set(VIEWED.values()) <= listed
    for uri, read in documents.items():
        (content,) = read.contents
        assert content.mime_type == APP_MIME_TYPE, uri
        assert content.text.startswith("<!doctype html>"), uri  # type: ignore[union-attr]


async def test_a_client_without_apps_gets_the_tool_list_resources_and_answers_it_got_before(demo_store: Store) -> None:
    server = build_orchestrator(OrchestratorState(store=demo_store, is_demo=True, today=lambda: AS_OF))
    async with Client(server) as plain, Client(server, extensions=[APPS]) as apps:
        tools = (await plain.list_tools()).tools
        listed = {str(r.uri) for r in (await plain.list_resources()).resources}
        answers = [(await plain.call_tool(n, args), await apps.call_tool(n, args)) for n, args in ASKED.items()]
    assert all(not (t.meta and "ui" in t.meta) for t in tools)
    assert listed == {"finops://store/summary", "finops://focus/columns", "finops://reports/latest"}
    for without, with_apps in answers:
        assert not without.is_error
        # The same text (what the model and a text-only client read) and structured content either way.
        assert _answer(without) == _answer(with_apps)
        assert without.content[0].type == "text"


async def test_the_tool_list_a_model_pays_for_is_the_same_size_with_views(demo_store: Store) -> None:
    server = build_orchestrator(
        OrchestratorState(store=demo_store, is_demo=True, today=lambda: AS_OF, remediation=True)
    )
    async with Client(server) as plain, Client(server, extensions=[APPS]) as apps:
        without, with_apps = (await plain.list_tools()).tools, (await apps.list_tools()).tools

    def budget(tools: list[Any]) -> int:  # what hosts hand the model: name, description, input schema
        return len(json.dumps([[t.name, t.description, t.input_schema] for t in tools]))

    assert budget(with_apps) == budget(without) <= 20_000
    whole = len(json.dumps([t.model_dump(mode="json", by_alias=True, exclude_none=True) for t in with_apps]))
    assert whole - len(json.dumps([t.model_dump(mode="json", by_alias=True, exclude_none=True) for t in without])) < 600


def test_every_view_is_one_small_document_that_loads_nothing_from_anywhere() -> None:
    documents = view_documents()
    assert set(documents) == set(VIEWED)
    for tool, view in documents.items():
        page = view.html
        assert view.uri == VIEWED[tool]
        assert len(page.encode()) < 40_000, f"{view.uri} is {len(page.encode()):,} bytes"
        assert "<!--finops:shared-->" not in page
        assert page.count("<script>") == page.count("</script>") == 2  # the shared script and its own, inline
        assert not re.search(r"<script[^>]+src|<link|<img|<iframe|@import|url\(", page), view.uri
        # No CDN, no fonts, no API: the host allows no network (SVG's namespace is a name, not a request).
        assert not re.search(r"https?://", page.replace("http://www.w3.org/2000/svg", "")), view.uri
        assert "innerHTML" not in page  # names from clouds and tags are text, never markup

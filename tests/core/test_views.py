"""A view (MCP Apps) attaches to a tool declared anywhere, and only clients that negotiated Apps see it."""

from __future__ import annotations

import pytest
from finops_core.compact import CompactServer
from finops_core.views import View, Views
from mcp import Client
from mcp.client.extension import advertise
from mcp.server.apps import APP_MIME_TYPE, EXTENSION_ID

pytestmark = pytest.mark.anyio

APPS = advertise(EXTENSION_ID, {"mimeTypes": [APP_MIME_TYPE]})
PAGE = "<!doctype html><html><head><title>t</title></head><body>hello</body></html>"


def _server() -> CompactServer:
    view = View(tool="shown", uri="ui://t/shown.html", title="Shown", html=PAGE)
    server = CompactServer(name="t", views=Views([view]))

    @server.tool(name="shown", description="Has a view.", meta={"kept": 1})
    def shown() -> str:
        return "text"

    @server.tool(name="plain", description="Has none.")
    def plain() -> str:
        return "text"

    @server.resource("t://data", name="data")
    def data() -> str:
        return "{}"

    return server


@pytest.mark.parametrize("mode", ["auto", "legacy"])
async def test_a_client_with_apps_sees_the_tools_view_and_reads_it_as_an_app_document(mode: str) -> None:
    async with Client(_server(), mode=mode, extensions=[APPS]) as client:  # type: ignore[arg-type]
        tools = {t.name: t for t in (await client.list_tools()).tools}
        listed = {str(r.uri) for r in (await client.list_resources()).resources}
        read = await client.read_resource("ui://t/shown.html")
    assert tools["shown"].meta == {"kept": 1, "ui": {"resourceUri": "ui://t/shown.html"}}
    assert tools["plain"].meta is None
    assert listed == {"t://data", "ui://t/shown.html"}
    content = read.contents[0]
    assert (content.mime_type, content.text) == (APP_MIME_TYPE, PAGE)  # type: ignore[union-attr]
    assert content.meta == {"ui": {"prefersBorder": True}}


@pytest.mark.parametrize("mode", ["auto", "legacy"])
async def test_a_client_without_apps_sees_the_tools_and_resources_as_they_were(mode: str) -> None:
    async with Client(_server(), mode=mode) as client:  # type: ignore[arg-type]
        tools = {t.name: t for t in (await client.list_tools()).tools}
        listed = {str(r.uri) for r in (await client.list_resources()).resources}
    assert tools["shown"].meta == {"kept": 1}
    assert listed == {"t://data"}


async def test_apps_settings_without_the_app_mime_type_do_not_count_as_apps() -> None:
    other = advertise(EXTENSION_ID, {"mimeTypes": ["text/uri-list"]})
    async with Client(_server(), extensions=[other]) as client:
        tools = {t.name: t for t in (await client.list_tools()).tools}
    assert tools["shown"].meta == {"kept": 1}


def test_a_tool_shows_its_answer_in_one_view() -> None:
    view = View(tool="shown", uri="ui://t/a.html", title="A", html=PAGE)
    with pytest.raises(ValueError, match="Two views for the tool 'shown'"):
        Views([view, View(tool="shown", uri="ui://t/b.html", title="B", html=PAGE)])

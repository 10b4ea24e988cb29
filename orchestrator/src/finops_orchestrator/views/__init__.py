"""The ``finops`` server's MCP Apps views: the answers people would rather look at than read, drawn in the chat.

Each view is one self-contained HTML document (no CDN, no network: SVG drawn by its own script) that a host shows
in a sandboxed frame and feeds the tool's result; the host's theme (light or dark, and its style variables) is
followed. A view's own script (``<view>.js``, ending in the ``draw`` it starts) is all it writes; the page around it
(``view.html``) and the shared parts (``bridge.js``: the MCP Apps messages; ``chart.js``: exact money, SVG, tooltip;
``view.css``) are written once here and put together into every document when it is served.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import NamedTuple

from finops_core.views import View, Views

_SHARED_AT = "<!--finops:shared-->"
_SCRIPT_AT = "<!--finops:script-->"
_HEADING_AT = "<!--finops:heading-->"
_WHOSE_AT = "<!--finops:whose-->"


class _Page(NamedTuple):
    script: str  # the view's own script, without the page around it
    heading: str  # the document's <title>
    title: str  # the resource's title, as a host lists it


_VIEWS = {
    "finops_cost_query": _Page("cost_over_time.js", "Cost over time", "Cost over time"),
    "finops_explain_change": _Page("explain_change.js", "What changed", "What changed: waterfall"),
    "finops_forecast": _Page("forecast.js", "Forecast", "Forecast with its interval"),
    "finops_anomalies": _Page("anomalies.js", "Anomalies", "Anomalies on their series"),
    "finops_savings": _Page("savings.js", "Savings", "Savings: choose what to plan"),
}


def _text(name: str) -> str:
    return (resources.files("finops_orchestrator.views") / name).read_text(encoding="utf-8")


def _whose(tool: str) -> str:
    """``tool``'s possessive, as the page says it while it waits: finops_savings', finops_forecast's."""
    return f"{tool}'" if tool.endswith("s") else f"{tool}'s"


@cache
def view_documents() -> dict[str, View]:
    """Every view, by the tool whose answers it shows; each document is complete (page and shared parts inlined)."""
    shared = f"<style>\n{_text('view.css')}</style>\n<script>\n{_text('bridge.js')}\n{_text('chart.js')}</script>"
    page = _text("view.html").replace(_SHARED_AT, shared, 1)
    out: dict[str, View] = {}
    for tool, view in _VIEWS.items():
        # A view is known to hosts (and the tests) by its document's name, not its script's.
        uri = f"ui://finops/{view.script.removesuffix('.js')}.html"
        html = (
            page.replace(_HEADING_AT, view.heading, 1)
            .replace(_WHOSE_AT, _whose(tool), 1)
            .replace(_SCRIPT_AT, _text(view.script), 1)
        )
        out[tool] = View(tool=tool, uri=uri, title=view.title, html=html)
    return out


def finops_views() -> Views:
    """The views as the MCP Apps extension of the ``finops`` server."""
    return Views(list(view_documents().values()))

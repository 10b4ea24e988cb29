"""The ``finops`` server's MCP Apps views: the answers people would rather look at than read, drawn in the chat.

Each view is one self-contained HTML document (no CDN, no network: SVG drawn by its own script) that a host shows
in a sandboxed frame and feeds the tool's result; the host's theme (light or dark, and its style variables) is
followed. The shared parts (``bridge.js``: the MCP Apps messages; ``chart.js``: exact money, SVG, tooltip;
``view.css``) are written once here and inlined into every document when it is served.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

from finops_core.views import View, Views

_SHARED_AT = "<!--finops:shared-->"

# tool -> (view file, title)
_VIEWS = {
    "finops_cost_query": ("cost_over_time.html", "Cost over time"),
    "finops_explain_change": ("explain_change.html", "What changed: waterfall"),
    "finops_forecast": ("forecast.html", "Forecast with its interval"),
    "finops_anomalies": ("anomalies.html", "Anomalies on their series"),
    "finops_savings": ("savings.html", "Savings: choose what to plan"),
}


def _text(name: str) -> str:
    return (resources.files("finops_orchestrator.views") / name).read_text(encoding="utf-8")


@cache
def view_documents() -> dict[str, View]:
    """Every view, by the tool whose answers it shows; each document is complete (shared parts inlined)."""
    shared = f"<style>\n{_text('view.css')}</style>\n<script>\n{_text('bridge.js')}\n{_text('chart.js')}</script>"
    out: dict[str, View] = {}
    for tool, (name, title) in _VIEWS.items():
        page = _text(name)
        if _SHARED_AT not in page:
            raise ValueError(f"The view {name} has no {_SHARED_AT} marker for the shared script and style.")
        uri = f"ui://finops/{name}"
        out[tool] = View(tool=tool, uri=uri, title=title, html=page.replace(_SHARED_AT, shared, 1))
    return out


def finops_views() -> Views:
    """The views as the MCP Apps extension of the ``finops`` server."""
    return Views(list(view_documents().values()))

"""MCP Apps views (the ``io.modelcontextprotocol/ui`` extension) attached to tools declared elsewhere.

A view is a self-contained HTML document served as a ``ui://`` resource; a tool names it in ``_meta.ui.resourceUri``,
and a host that renders MCP Apps shows the tool's answer in it, in a sandboxed frame. The SDK's ``Apps`` registers
tools of its own; ``Views`` leaves the tools where they are declared and only names, per tool, the view that shows
its answer, so the hook is one argument of the server (``CompactServer(views=...)``).

Only a client that negotiated Apps sees a view: for the others tools/list and resources/list stay exactly as they
were (the Apps spec: servers SHOULD check the client's capability first). Answers never change: their text is what
a client without Apps reads, and what the model reads in any client.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from mcp.server.apps import Apps
from mcp.types import Resource, Tool


@dataclass(frozen=True)
class View:
    """The HTML document ``uri`` shows ``tool``'s answers."""

    tool: str
    uri: str
    title: str
    html: str


class Views(Apps):
    """The Apps extension over ``views``: serves each view as a ``ui://`` resource and stamps ``_meta.ui`` on the
    tool it belongs to when tools are listed (``stamped``)."""

    def __init__(self, views: Sequence[View]) -> None:
        super().__init__()
        self._uris: dict[str, str] = {}
        for view in views:
            if view.tool in self._uris:
                raise ValueError(f"Two views for the tool {view.tool!r}; a tool shows its answer in one view.")
            # No external domains: the host keeps its default CSP (no network at all), which is what the views need.
            self.add_html_resource(
                view.uri, view.html, name=view.uri, title=view.title, description=view.title, prefers_border=True
            )
            self._uris[view.tool] = view.uri

    @property
    def uris(self) -> dict[str, str]:
        """Each tool's view."""
        return dict(self._uris)

    def stamped(self, tools: Sequence[Tool]) -> list[Tool]:
        """``tools``, each with its view named in ``_meta.ui.resourceUri`` (other ``_meta`` keys kept)."""
        out: list[Tool] = []
        for tool in tools:
            uri = self._uris.get(tool.name)
            if uri is None:
                out.append(tool)
                continue
            meta: dict[str, Any] = {**(tool.meta or {}), "ui": {"resourceUri": uri}}
            out.append(tool.model_copy(update={"meta": meta}))
        return out


def without_views(resources: Sequence[Resource]) -> list[Resource]:
    """``resources`` less the ``ui://`` documents, for a client that cannot show them."""
    return [r for r in resources if not str(r.uri).startswith("ui://")]

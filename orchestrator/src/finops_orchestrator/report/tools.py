"""The report tool and the latest-report resource of the ``finops`` server.

No ``from __future__ import annotations`` here: the MCP SDK reads the tool signature's annotations at runtime.
"""

import base64
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Annotated

from finops_core.bounds import Day
from finops_core.provider import CloudProvider
from finops_core.server import READ, compact_tool
from finops_core.store import Store
from mcp.server import MCPServer
from mcp.types import CallToolResult, ImageContent, TextContent
from pydantic import BaseModel, Field

from finops_orchestrator.providers import ProviderStatus
from finops_orchestrator.report import latest_report, make_report


class ReportWritten(BaseModel):
    """The structured content of ``finops_report``: the report itself is the text and the charts."""

    month: str = Field(description="YYYY-MM")
    files: list[str] = Field(description="The report's files as written.")


def register_report_tools(
    server: MCPServer,
    store: Store,
    reports: Path,
    *,
    source: str,
    is_demo: bool,
    today: Callable[[], date],
    providers: Sequence[CloudProvider] = (),
    statuses: Sequence[ProviderStatus] = (),
) -> None:
    # Writing report files changes nothing in the store or any cloud; rewriting a month gives the same files.
    @compact_tool(
        server,
        name="finops_report",
        annotations=READ,
        output=ReportWritten,
        description="Monthly cost report: Markdown (totals by provider, top movers against the month before, "
        "forecast, savings by cloud) plus PNG charts; also written to files. Default: the last complete month. For "
        "people to read; one question: the tool that answers it.",
    )
    async def finops_report(
        month: Annotated[Day | None, Field(description="YYYY-MM, a complete month.")] = None,
    ) -> CallToolResult:
        written = await make_report(
            store,
            reports,
            month=month,
            today=today(),
            providers=providers,
            statuses=statuses,
            source=source,
            is_demo=is_demo,
        )
        names = ", ".join(p.name for p in written.paths)
        text = f"{written.markdown}\nWritten to {written.folder}: {names}.\n"
        images = [
            ImageContent(type="image", data=base64.b64encode(png).decode(), mime_type="image/png")
            for png in written.charts.values()
        ]
        written_to = ReportWritten(month=f"{written.report.month:%Y-%m}", files=[str(p) for p in written.paths])
        return CallToolResult(
            content=[TextContent(type="text", text=text), *images], structured_content=written_to.model_dump()
        )

    @server.resource(
        "finops://reports/latest",
        name="latest-report",
        description="The latest monthly cost report written (Markdown).",
        mime_type="text/markdown",
    )
    def latest() -> str:
        found = latest_report(reports)
        if found is None:
            return (
                f"No report has been written yet (in {reports}). Make one with the finops_report tool, or "
                "`finops report` on the command line.\n"
            )
        return found.read_text() + f"\nCharts: the PNG files beside it in {found.parent}.\n"

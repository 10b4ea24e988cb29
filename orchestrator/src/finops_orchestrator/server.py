"""The ``finops`` MCP server: cross-cloud questions answered from the local store, plus prompts.

The analysis tools (drivers of change, anomalies, read-only SQL) register from ``analysis.tools``.
"""

from collections.abc import Callable, Sequence
from datetime import date
from typing import Annotated, Any

from finops_core.dates import check_period, parse_day, today_utc
from finops_core.models import CLOUDS, CostBreakdown, CostQuery
from finops_core.provider import CloudProvider
from finops_core.sandbox import DEMO_LABEL
from finops_core.server import READ, compact_tool, register_cost_query
from finops_core.settings import SyncSettings
from finops_core.store import Snapshot, Store, StoreInfo
from finops_prompts import PromptTemplate, load_templates
from mcp.server import MCPServer
from mcp.server.mcpserver import Context
from mcp.server.mcpserver.prompts.base import Prompt, PromptArgument
from mcp.types import ToolAnnotations
from pydantic import BaseModel, Field

from finops_orchestrator.analysis.tools import register_analysis_tools
from finops_orchestrator.glossary import glossary
from finops_orchestrator.providers import ProviderStatus, not_configured
from finops_orchestrator.sync import SyncReport, sync, sync_start

SYNC = ToolAnnotations(read_only_hint=False, destructive_hint=False, idempotent_hint=True, open_world_hint=True)


class SyncedAt(BaseModel):
    provider: str
    kind: str
    taken_at: str


class StoreOverview(StoreInfo):
    """The store, and which clouds this server is connected to."""

    clouds: list[ProviderStatus]
    snapshots: list[SyncedAt] = Field(description="When each cloud's inventory and recommendations were last synced.")


def build_orchestrator(
    store: Store,
    *,
    is_demo: bool,
    today: Callable[[], date] = today_utc,
    providers: Sequence[CloudProvider] = (),
    statuses: Sequence[ProviderStatus] = (),
    sync_settings: SyncSettings | None = None,
) -> MCPServer:
    """The ``finops`` server over ``store``; ``providers`` are the connected clouds (sync, recommendations) and
    ``statuses`` say for every cloud whether it is connected, and if not why."""
    given = {s.provider: s for s in statuses}
    clouds = [given.get(c) or not_configured(c) for c in CLOUDS]
    sync_settings = sync_settings or SyncSettings()
    server = MCPServer(
        name="finops",
        instructions=(
            "Cross-cloud cost investigation over a local FOCUS store (AWS, Azure, Google Cloud). Use "
            "finops_cost_query grouped by provider or service to see where money goes, finops_explain_change for "
            "why a total moved, finops_anomalies for unusual days; finops_store_info tells what data is loaded and "
            "from where. Every answer names its cost metric; totals are per "
            "currency and never mix currencies. Answers marked is_demo come from a sandbox company."
        ),
    )
    source = DEMO_LABEL if is_demo else f"local store {store.path}"

    async def answer(query: CostQuery) -> CostBreakdown:
        return store.query_costs(query, source=source, is_demo=is_demo)

    register_cost_query(
        server,
        name="finops_cost_query",
        description="Costs across every loaded cloud for a period, grouped by up to two of provider, account, "
        "service, service category, region, charge category (and a tag key), as a total or a daily/monthly "
        "trend. Top groups plus '(other)', totals per currency, the metric used (default effective = "
        "amortized).",
        answer=answer,
        today=today,
        output_schema=False,
    )

    @compact_tool(
        server,
        name="finops_store_info",
        annotations=READ,
        description="What the local store holds (providers, days covered, line items, effective-cost totals per "
        "currency), which clouds are connected (and how to add the others), and when each was last synced.",
    )
    async def store_info() -> StoreOverview:
        synced = [_synced_at(s) for s in store.snapshots()]
        return StoreOverview(**store.info().model_dump(), clouds=clouds, snapshots=synced)

    @compact_tool(
        server,
        name="finops_sync",
        annotations=SYNC,
        description="Pull daily costs, inventory and recommendations from the connected clouds into the local "
        "store: only missing days, plus the open and recently restated months. Reports per cloud what was "
        "fetched; a failing cloud is named and the others still sync.",
    )
    async def finops_sync(
        ctx: Context,
        start: Annotated[
            str | None, Field(description="First day, YYYY-MM-DD. Default: history_months back (13).")
        ] = None,
    ) -> SyncReport:
        end = today()
        first = parse_day(start, "start") if start else sync_start(end, sync_settings.history_months)
        check_period(first, end)

        async def progress(done: int, total: int, message: str) -> None:
            await ctx.report_progress(done, total, message)

        return await sync(
            store,
            providers,
            clouds,
            start=first,
            end=end,
            restate_months=sync_settings.restate_months,
            progress=progress,
        )

    @server.resource(
        "finops://store/summary",
        name="store-summary",
        description="What the local store holds: providers, days, line items, partitions, totals per currency.",
        mime_type="application/json",
    )
    def store_summary() -> str:
        return store.info().model_dump_json()

    @server.resource(
        "finops://focus/columns",
        name="focus-columns",
        description="The FOCUS columns in the store: store names, how each is stored, what the main ones mean.",
        mime_type="text/markdown",
    )
    def focus_columns() -> str:
        return glossary()

    register_analysis_tools(
        server, store, source=source, is_demo=is_demo, today=today, providers=providers, statuses=clouds
    )
    for template in load_templates():
        server.add_prompt(_prompt(template))
    return server


def _synced_at(snapshot: Snapshot) -> SyncedAt:
    return SyncedAt(provider=snapshot.provider, kind=snapshot.kind, taken_at=f"{snapshot.taken_at:%Y-%m-%dT%H:%MZ}")


def _prompt(template: PromptTemplate) -> Prompt:
    def render(**values: Any) -> str:
        return template.render(values)

    return Prompt(
        name=template.name,
        title=template.title,
        description=template.description,
        arguments=[
            PromptArgument(name=a.name, description=a.description, required=a.required) for a in template.arguments
        ],
        fn=render,
        context_kwarg=None,
    )

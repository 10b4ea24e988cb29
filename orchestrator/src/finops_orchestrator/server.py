"""The ``finops`` MCP server: cross-cloud questions answered from the local store, plus prompts.

The analysis tools (drivers of change, anomalies, read-only SQL) register from ``analysis.tools``.
"""

from typing import Annotated, Any, Literal

import anyio
import anyio.to_thread
from finops_core.access import ServerAuth
from finops_core.bounds import Day, Paths
from finops_core.compact import CompactServer
from finops_core.dates import check_period, parse_day
from finops_core.errors import InvalidInput
from finops_core.models import CostBreakdown, CostQuery
from finops_core.server import READ, auth_options, compact_tool
from finops_core.store import Snapshot, StoreInfo
from finops_core.versions import package_version
from finops_prompts import PromptTemplate, load_templates
from mcp import MCPError
from mcp.server import MCPServer
from mcp.server.mcpserver import Context
from mcp.server.mcpserver.prompts.base import Prompt, PromptArgument
from mcp.types import INVALID_PARAMS, ToolAnnotations
from pydantic import BaseModel, Field, PrivateAttr

from finops_orchestrator.analysis.tools import register_analysis_tools
from finops_orchestrator.costs import register_finops_cost_query
from finops_orchestrator.glossary import glossary
from finops_orchestrator.progress import PostedProgress, in_worker_posting_progress
from finops_orchestrator.providers import ProviderStatus
from finops_orchestrator.report.tools import register_report_tools
from finops_orchestrator.state import OrchestratorState
from finops_orchestrator.sync import SyncReport, sync, sync_start
from finops_orchestrator.views import finops_views

ExportFormatName = Literal["focus", "aws-cur", "azure-actual", "azure-amortized", "gcp-billing"]
SYNC = ToolAnnotations(read_only_hint=False, destructive_hint=False, idempotent_hint=True, open_world_hint=True)


class SyncedAt(BaseModel):
    provider: str
    kind: str
    taken_at: str


class IngestedFile(BaseModel):
    path: str
    format: str
    focus_version: str | None
    rows_read: int
    line_items: int
    months_written: list[str]
    skipped: list[str] = Field(description="Partitions not written, and why.")
    replaced: list[str] = Field(
        default_factory=lambda: list[str](), description="Earlier files this one replaced, and why."
    )
    note: str | None = Field(default=None, description="E.g. an export with no rows.")
    derived: dict[str, int] = Field(
        default_factory=dict, description="Blank cells filled in from other columns, per FOCUS column."
    )


class IngestReport(BaseModel):
    files: list[IngestedFile]
    line_items: int
    note: str


class StoreOverview(StoreInfo):
    """The store, and which clouds this server is connected to."""

    clouds: list[ProviderStatus]
    snapshots: list[SyncedAt] = Field(description="When each cloud's inventory and recommendations were last synced.")


def build_orchestrator(state: OrchestratorState, *, auth: ServerAuth | None = None) -> MCPServer:
    """The ``finops`` server over ``state`` (built once by the caller; the server's lifespan closes its providers
    when it stops). ``auth`` (``server_auth(settings.http)``) makes HTTP requests carry a bearer token, and each tool
    checks its scope."""
    server = CompactServer(
        name="finops",
        version=package_version("finops-mcp"),
        views=finops_views(),
        **auth_options(auth),
        lifespan=lambda _server: state.serving(),
        instructions=(
            "Cross-cloud cost investigation over a local FOCUS store (AWS, Azure, Google Cloud). Use "
            "finops_cost_query grouped by provider or service to see where money goes, finops_explain_change for "
            "why a total moved, finops_anomalies for unusual days; finops_store_info tells what data is loaded and "
            "from where. Every answer names its cost metric; totals are per "
            "currency and never mix currencies. Answers marked is_demo come from a sandbox company."
        ),
    )
    store = state.store

    async def answer(query: CostQuery) -> CostBreakdown:
        # A lake may take a second, and the labels read the store (the rollups' age): keep the event loop free.
        return await anyio.to_thread.run_sync(lambda: state.costs.query_costs(query, **state.labels()))

    register_finops_cost_query(server, answer=answer, today=state.today, currency=state.currency)

    @compact_tool(
        server,
        name="finops_store_info",
        annotations=READ,
        description="Call first when unsure what data there is: what the local store holds (providers, days covered, "
        "line items, effective-cost totals per currency), which clouds are connected (and how to add the others), "
        "and when each was last synced.",
    )
    async def store_info() -> StoreOverview:
        synced = [_synced_at(s) for s in store.snapshots()]
        return StoreOverview(**store.info().model_dump(), clouds=state.clouds, snapshots=synced)

    @compact_tool(
        server,
        name="finops_sync",
        annotations=SYNC,
        description="Pull daily costs, inventory and recommendations from the connected clouds into the local "
        "store: only missing days, plus the open and recently restated months. Reports per cloud what was "
        "fetched; a failing cloud is named and the others still sync. For billing export files: finops_ingest.",
    )
    async def finops_sync(
        ctx: Context,
        start: Annotated[
            Day | None, Field(description="First day, YYYY-MM-DD. Default: history_months back (13).")
        ] = None,
    ) -> SyncReport:
        end = state.today()
        first = parse_day(start, "start") if start else sync_start(end, state.sync_settings.history_months)
        check_period(first, end, ("start", "today"))

        async def progress(done: int, total: int, message: str) -> None:
            await ctx.report_progress(done, total, message)

        return await sync(
            store,
            state.providers,
            state.clouds,
            start=first,
            end=end,
            restate_months=state.sync_settings.restate_months,
            progress=progress,
        )

    @compact_tool(
        server,
        name="finops_ingest",
        annotations=SYNC,
        description="Load billing exports into the local store: FOCUS 1.0-1.3, AWS CUR, Azure cost details, Google "
        "Cloud billing export (.csv, .csv.gz, .parquet, .jsonl; files, folders, globs, s3:// gs:// or Azure blob "
        "URLs). Each file is all-or-nothing and replaces only what was loaded from it before (same path or "
        "content) or what its manifest supersedes; files sharing a month add up. For the clouds' APIs: finops_sync.",
    )
    async def finops_ingest(
        ctx: Context,
        paths: Annotated[Paths, Field(description="Files, folders, globs or bucket URLs.", min_length=1)],
        format: Annotated[
            ExportFormatName | None, Field(description="Force the format instead of detecting it.")
        ] = None,
    ) -> IngestReport:
        if state.is_demo:
            raise InvalidInput(
                "This server serves the demo store; run `finops serve` without --demo to load real exports."
            )
        from finops_orchestrator.ingest import FileReport, ingest
        from finops_orchestrator.ingest.roots import confine

        def run(posted: PostedProgress) -> list[FileReport]:
            # This thread holds the store while it reads a file: it posts progress, never waits on the loop.
            def progress(name: str, rows: int) -> None:
                posted.post(rows, None, f"{name}: {rows:,} rows")

            return ingest(
                store,
                confine(paths, state.roots),  # a client reads only under the roots (a person at the command line: any)
                format_name=format,
                progress=progress,
                blob_endpoints=state.blob_endpoints,
            )

        reports = await in_worker_posting_progress(run, ctx.report_progress)
        files = [
            IngestedFile(
                path=r.path,
                format=r.format,
                focus_version=r.focus_version,
                rows_read=r.rows_read,
                line_items=r.line_items,
                months_written=sorted({f"{p.key.billing_period_start:%Y-%m}" for p in r.partitions if p.written}),
                skipped=[
                    f"{p.key.provider_name} {p.key.billing_account_id} {p.key.billing_period_start:%Y-%m}: {p.reason}"
                    for p in r.partitions
                    if not p.written
                ],
                replaced=[f"{x.label} ({x.rows:,} line items): {x.reason}" for x in r.replaced],
                note=r.note,
                derived=r.derived,
            )
            for r in reports
        ]
        total = sum(f.line_items for f in files)
        note = (
            f"Loaded {total:,} line items from {len(files)} file(s); `finops reconcile` checks them to the cent."
            if files
            else "No export files matched those paths."
        )
        return IngestReport(files=files, line_items=total, note=note)

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

    register_analysis_tools(server, state)
    register_report_tools(server, state)
    if state.remediation:
        from finops_orchestrator.remediation.tools import register_remediation_tools

        register_remediation_tools(server, state)
    for template in load_templates():
        server.add_prompt(_prompt(template))
    return server


def _synced_at(snapshot: Snapshot) -> SyncedAt:
    return SyncedAt(provider=snapshot.provider, kind=snapshot.kind, taken_at=f"{snapshot.taken_at:%Y-%m-%dT%H:%MZ}")


class TemplatePrompt(Prompt):
    """A prompt from a template whose arguments are checked before the SDK renders it: the SDK reports its own
    checks and any failure inside rendering as "Error rendering prompt" or an internal error, the reason only in
    the server's log. Refused arguments answer an invalid-params error that says what to send."""

    _template: PromptTemplate = PrivateAttr()

    async def render(self, arguments: dict[str, Any] | None, context: Context[Any, Any]) -> Any:
        try:
            self._template.check(arguments or {})
        except ValueError as exc:
            raise MCPError(code=INVALID_PARAMS, message=str(exc)) from exc
        return await super().render(arguments, context)


def _prompt(template: PromptTemplate) -> Prompt:
    def render(**values: Any) -> str:
        return template.render(values)

    prompt = TemplatePrompt(
        name=template.name,
        title=template.title,
        description=template.description,
        arguments=[
            PromptArgument(name=a.name, description=a.description, required=a.required) for a in template.arguments
        ],
        fn=render,
        context_kwarg=None,
    )
    prompt._template = template  # pyright: ignore[reportPrivateUsage]
    return prompt

"""The ``finops`` MCP server: cross-cloud questions answered from the local store, plus prompts.

The analysis tools (drivers of change, anomalies, read-only SQL) register from ``analysis.tools``.
"""

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from finops_core.currency import CurrencySettings
from finops_core.dates import today_utc
from finops_core.models import CostBreakdown, CostQuery
from finops_core.provider import CloudProvider
from finops_core.sandbox import DEMO_LABEL
from finops_core.server import READ, compact_tool
from finops_core.store import Store, StoreInfo
from finops_prompts import PromptTemplate, load_templates
from mcp.server import MCPServer
from mcp.server.mcpserver.prompts.base import Prompt, PromptArgument

from finops_orchestrator.analysis.tools import register_analysis_tools
from finops_orchestrator.costs import register_finops_cost_query
from finops_orchestrator.glossary import glossary


def build_orchestrator(
    store: Store,
    *,
    is_demo: bool,
    today: Callable[[], date] = today_utc,
    providers: Sequence[CloudProvider] = (),
    currency: CurrencySettings | None = None,
) -> MCPServer:
    """The ``finops`` server over ``store``; ``providers`` are the connected clouds (recommendations);
    ``currency`` is the rate table for converted answers (``Settings.currency``; none: never convert)."""
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

    register_finops_cost_query(server, answer=answer, today=today, currency=currency)

    @compact_tool(
        server,
        name="finops_store_info",
        annotations=READ,
        description="What the local store holds: providers, days covered, line items, partitions, "
        "effective-cost totals per currency, and file size.",
    )
    async def store_info() -> StoreInfo:
        return store.info()

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

    register_analysis_tools(server, store, source=source, is_demo=is_demo, today=today, providers=providers)
    for template in load_templates():
        server.add_prompt(_prompt(template))
    return server


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

"""``aws_cur_query``: line-item cost questions answered by Athena over the CUR 2.0 or FOCUS data export.

The tool is registered only when ``[aws.athena]`` is configured. A tool that can only fail would cost every
conversation its description (the tool list is read before the first question) and invite calls that fail;
the configuration hint lives in the settings' documentation and in ``athena.CONFIGURE_HINT``, which
``cur_query`` raises if it is ever reached without settings.

No ``from __future__ import annotations`` here: the SDK evaluates tool annotations at registration.
"""

from collections.abc import Sequence
from typing import Annotated, Any

from finops_core.bounds import Day, Id
from finops_core.cost_tools import cost_table_tool
from finops_core.dates import period
from finops_core.models import CostMetric
from mcp.server import MCPServer
from mcp.server.mcpserver import Context
from pydantic import Field

from finops_aws.athena import MAX_GROUPS, POLL_DELAYS, AthenaDimension, CurAnswer, CurQuestion, cur_query
from finops_aws.context import AwsContext

MAX_VALUES = 20  # per filter: each value is one execution parameter


def register_athena_tools(server: MCPServer, ctx: AwsContext, *, delays: Sequence[float] = POLL_DELAYS) -> bool:
    """Register ``aws_cur_query`` on ``server`` when ``[aws.athena]`` is configured; True when it was.
    ``delays``: seconds between status checks of a running query."""
    if ctx.settings.athena is None:
        return False
    kind = "CUR 2.0" if ctx.settings.athena.schema_kind == "cur2" else "FOCUS"
    service_help = "Only these (product codes, e.g. AmazonEC2)." if kind == "CUR 2.0" else "Only these ServiceNames."

    @cost_table_tool(
        server,
        name="aws_cur_query",
        description=f"AWS costs from the {kind} data export via Athena, for detail Cost Explorer lacks: resource "
        "ids, usage types, operations, tags, big organizations. Top groups, '(other)', totals per currency, bytes "
        "scanned (billed), the SQL run. Lags up to a day.",
    )
    async def aws_cur_query(
        mcp: Context[Any],
        start: Annotated[Day, Field(description="YYYY-MM-DD; default 30 days before end.")] = "",
        end: Annotated[Day, Field(description="Exclusive, YYYY-MM-DD; default today.")] = "",
        metric: Annotated[CostMetric, Field(description="Default effective (amortized).")] = "effective",
        group_by: Annotated[
            tuple[AthenaDimension, ...], Field(description=f"Up to {MAX_GROUPS} with tag_key.", max_length=MAX_GROUPS)
        ] = (),
        tag_key: Annotated[Id, Field(description="Group by this cost allocation tag too.")] = "",
        services: Annotated[tuple[Id, ...], Field(description=service_help, max_length=MAX_VALUES)] = (),
        accounts: Annotated[tuple[Id, ...], Field(max_length=MAX_VALUES)] = (),
        regions: Annotated[tuple[Id, ...], Field(max_length=MAX_VALUES)] = (),
        resource_id_prefix: Annotated[Id, Field(description="Only resource ids starting so.")] = "",
        top_n: Annotated[int, Field(ge=1, le=200, description="Groups before '(other)'.")] = 15,
    ) -> CurAnswer:
        first, last = period(start or None, end or None, ctx.today())
        question = CurQuestion(
            start=first,
            end=last,
            metric=metric,
            group_by=group_by,
            tag_key=tag_key or None,
            services=services,
            accounts=accounts,
            regions=regions,
            resource_prefix=resource_id_prefix or None,
            top_n=top_n,
        )
        polls = 0

        async def progress(message: str) -> None:
            nonlocal polls
            polls += 1
            await mcp.report_progress(polls, None, message)

        return await cur_query(ctx, question, delays=delays, progress=progress)

    return True

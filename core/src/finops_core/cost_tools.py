"""What a cloud's own cost tools share (``aws_cost_explorer``, ``azure_cost_by``, ``gcp_costs_by``, the budgets
and forecasts, ``aws_cur_query``): each is declared as a read-only tool answering a cost table, and the period and
the groups to list are asked for in the same words on every cloud."""

from collections.abc import Callable

from mcp.server import MCPServer

from finops_core.answer_tables import table_answer
from finops_core.server import READ, ToolFn, compact_tool


def cost_table_tool(server: MCPServer, *, name: str, description: str) -> Callable[[ToolFn], ToolFn]:
    """Declare a cloud's cost tool on ``server``: read-only, its answer a cost table (``table_answer``)."""
    return compact_tool(server, name=name, annotations=READ, shape=table_answer, description=description)

"""``CompactServer``: an ``MCPServer`` whose tool list costs an assistant less context, whose refusals of
arguments that break a tool's schema (or of an unknown tool or prompt) are short and name what was wrong, and
whose confirmation questions refuse clearly when a person's answer cannot be used.

pydantic gives every parameter of a tool's input schema a ``title`` repeating its name ("Start" for ``start``),
and every optional one ``"default": null``. A host pays for the whole tool list before its first question, and
those were a seventh of it.

The SDK's own refusal of a bad argument is pydantic's report, which quotes the value (and, for a bad key of a
mapping, the whole key: a megabyte, if that is what was sent) and links to pydantic's documentation.
"""

from __future__ import annotations

from typing import Any

from mcp import MCPError
from mcp.server import MCPServer
from mcp.server.apps import client_supports_apps
from mcp.server.context import ServerRequestContext
from mcp.server.mcpserver import Context
from mcp.server.mcpserver.exceptions import ToolError, UnexpectedToolError
from mcp.types import (
    INVALID_PARAMS,
    CallToolResult,
    GetPromptResult,
    InputRequiredResult,
    ListResourcesResult,
    ListToolsResult,
    PaginatedRequestParams,
    TextContent,
    Tool,
)
from pydantic import ValidationError

from finops_core.confirmation import refusal_for
from finops_core.errors import ERROR_META_KEY, InvalidInput, RemediationRefused, error_kind
from finops_core.views import Views, without_views

_ERRORS_NAMED = 5  # a refusal names this many problems, then counts the rest
_NAME_CHARS = 64  # of a name a caller sent: a tool's, a prompt's, a part of an argument's path (a mapping's key)


class CompactServer(MCPServer):
    """``views`` (MCP Apps) show some tools' answers in a client that negotiated Apps; other clients never see them."""

    def __init__(self, *args: Any, views: Views | None = None, **options: Any) -> None:
        super().__init__(*args, extensions=[views] if views is not None else None, **options)
        self._views = views

    # The request handlers, not list_tools / list_resources: only they see the request, and so the client's
    # capabilities (a tool list is per client here).
    async def _handle_list_tools(
        self, ctx: ServerRequestContext[Any], params: PaginatedRequestParams | None
    ) -> ListToolsResult:
        listed = await super()._handle_list_tools(ctx, params)
        if self._views is None or not client_supports_apps(ctx):
            return listed
        return listed.model_copy(update={"tools": self._views.stamped(listed.tools)})

    async def _handle_list_resources(
        self, ctx: ServerRequestContext[Any], params: PaginatedRequestParams | None
    ) -> ListResourcesResult:
        listed = await super()._handle_list_resources(ctx, params)
        if self._views is None or client_supports_apps(ctx):
            return listed
        return listed.model_copy(update={"resources": without_views(listed.resources)})

    async def list_tools(self) -> list[Tool]:
        return [
            t.model_copy(update={"input_schema": compact_schema(t.input_schema)}) for t in await super().list_tools()
        ]

    async def call_tool(
        self, name: str, arguments: dict[str, Any], context: Context[Any, Any] | None = None
    ) -> CallToolResult | InputRequiredResult:
        if self._tool_input_schema(name) is None:  # the SDK's answer quotes the name whole, however long
            raise InvalidInput(f"Unknown tool {_clip(name)!r}: tools/list names the tools of this server.")
        try:
            return await super().call_tool(name, arguments, context)
        except ToolError as exc:
            # An answer the SDK rejected before the tool ran (none, or not a boolean): a refusal, not its raw error.
            unusable = refusal_for(exc)
            if unusable is not None:
                kind = error_kind(RemediationRefused(unusable))
                return CallToolResult(
                    content=[TextContent(type="text", text=unusable)], is_error=True, _meta={ERROR_META_KEY: kind}
                )
            cause = exc.__cause__
            if isinstance(exc, UnexpectedToolError) or not isinstance(cause, ValidationError):
                raise
            raise refusal(name, cause) from cause  # the cause keeps the SDK logging field names only

    async def get_prompt(
        self, name: str, arguments: dict[str, Any] | None = None, context: Context[Any, Any] | None = None
    ) -> GetPromptResult | InputRequiredResult:
        # The SDK answers an unknown name with an internal error, the name only in its log.
        known = [p.name for p in await self.list_prompts()]
        if name not in known:
            offered = f"the prompts are {', '.join(known)}" if known else "this server has no prompts"
            raise MCPError(code=INVALID_PARAMS, message=f"Unknown prompt {_clip(name)!r}: {offered}.")
        return await super().get_prompt(name, arguments, context)


def refusal(tool: str, error: ValidationError) -> InvalidInput:
    """``error`` (arguments against ``tool``'s schema) as a short message naming each argument and its problem."""
    problems = [_problem(e) for e in error.errors(include_url=False)]
    more = len(problems) - _ERRORS_NAMED
    listed = "; ".join(problems[:_ERRORS_NAMED]) + (f"; and {more} more" if more > 0 else "")
    return InvalidInput(
        f"{tool} was not run: {listed}. Correct the argument{'s' if len(problems) > 1 else ''} named and call again "
        "(the tool's input schema lists each one's type and limits)."
    )


def _clip(name: str) -> str:
    return name if len(name) <= _NAME_CHARS else f"{name[:_NAME_CHARS]}…"


def _problem(error: Any) -> str:
    parts = [_clip(str(p)) for p in error["loc"]]
    where = ".".join(parts) or "arguments"
    value = error.get("input")
    size = ""
    if error["type"] == "string_too_long" and isinstance(value, str):
        size = f" (it has {len(value):,})"
    elif error["type"] == "too_long" and isinstance(value, list | dict | tuple):
        size = f" (it has {len(value):,})"  # pyright: ignore[reportUnknownArgumentType]
    return f"{where}: {error['msg']}{size}"


def compact_schema(schema: Any) -> Any:
    """``schema`` without the ``title`` keywords pydantic generates (a parameter named ``title`` stays) and without
    ``"default": null`` (an optional argument left out is null anyway)."""
    if isinstance(schema, list):
        return [compact_schema(s) for s in schema]  # pyright: ignore[reportUnknownVariableType]
    if not isinstance(schema, dict):
        return schema
    out: dict[str, Any] = {}
    for key, value in schema.items():  # pyright: ignore[reportUnknownVariableType]
        if (key == "title" and isinstance(value, str)) or (key == "default" and value is None):
            continue
        if key in ("properties", "$defs") and isinstance(value, dict):
            out[key] = {name: compact_schema(s) for name, s in value.items()}  # pyright: ignore[reportUnknownVariableType]
        else:
            out[key] = compact_schema(value)
    return out

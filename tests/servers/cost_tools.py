"""What a cloud's own cost tools may cost a host's context, checked alike for every cloud: the tools are listed,
read-only and small, and the cloud's server stays within its budget with them."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from finops_core.sandbox.provider import SandboxProvider
from finops_core.server import build_server
from finops_core.settings import Settings
from mcp import Client
from mcp.server import MCPServer
from mcp.types import CallToolResult

from tests.answer_schema import checked_call
from tests.conftest import AS_OF
from tests.tool_budget import hosted_bytes


async def assert_small_and_within_budget(
    cloud: str, settings: Settings, register: Callable[[MCPServer], None], names: Sequence[str], *, largest: int
) -> None:
    """The tools ``names`` that ``register`` adds to ``cloud``'s server: listed, read-only, ~700 bytes a tool on
    average and ``largest`` bytes at most; the whole server within 16,000 bytes."""
    server = build_server(SandboxProvider(cloud, as_of=AS_OF), settings, today=lambda: AS_OF, extend=register)
    async with Client(server) as client:
        tools = (await client.list_tools()).tools
    sizes = {t.name: hosted_bytes([t], separators=(",", ":")) for t in tools}
    assert set(names) <= set(sizes)
    assert sum(sizes[name] for name in names) <= len(names) * 700, {n: sizes[n] for n in names}
    assert max(sizes[name] for name in names) <= largest, {n: sizes[n] for n in names}
    assert sum(sizes.values()) <= 16_000
    assert all(t.annotations and t.annotations.read_only_hint for t in tools if t.name in names)


def assert_says_cached(first: dict[str, Any], second: CallToolResult) -> None:
    """``first`` was asked of the cloud, ``second`` (the same question again) came from the paid-call cache, and
    both say so, in structure and in text (daily rows for finops sync are compact JSON, not a table and a sentence)."""
    assert (first["cached"], first.get("cached_at"), first.get("cached_age_minutes")) == (False, None, None)
    again = second.structured_content
    assert again is not None
    assert (again["cached"], again["cached_age_minutes"], again.get("paid_calls", 0)) == (True, 0, 0)
    assert again["cached_at"]
    text = second.content[0].text  # type: ignore[union-attr]
    raw_rows = text.startswith("{")  # an answer sent as compact JSON (daily rows, recommendations), not a table
    assert ('"cached_age_minutes":0' if raw_rows else "From the cache of earlier answers, fetched") in text


async def asked_twice(server: MCPServer, tool: str, arguments: dict[str, Any]) -> tuple[dict[str, Any], CallToolResult]:
    """``tool`` asked the same question twice by one client: the first answer's structure, and the second answer."""
    async with Client(server) as client:
        first = await checked_call(client, tool, arguments)
        second = await checked_call(client, tool, arguments)
    assert not first.is_error, first.content
    assert first.structured_content is not None
    assert second.structured_content is not None
    return first.structured_content, second

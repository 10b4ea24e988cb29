"""An MCP server on a real uvicorn at a free 127.0.0.1 port, in the test's own event loop, and a client for it."""

from __future__ import annotations

import socket
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio
import anyio.to_thread
import httpx2
import uvicorn
from finops_core.serve import http_app
from finops_core.settings import HttpSettings
from mcp import Client
from mcp.client.streamable_http import streamable_http_client
from mcp.server import MCPServer


def _listening(server: MCPServer, http: HttpSettings) -> tuple[socket.socket, uvicorn.Server]:
    """A socket listening on a free 127.0.0.1 port, and a uvicorn server of ``server`` (as ``finops_core.serve``
    serves it, on that port) not started yet."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen()
    app = http_app(server, http.model_copy(update={"port": sock.getsockname()[1]}))
    return sock, uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False, timeout_graceful_shutdown=2))


@asynccontextmanager
async def serving(server: MCPServer, http: HttpSettings) -> AsyncIterator[str]:
    """``server`` as ``finops_core.serve`` serves it over HTTP (``http``'s port aside); yields its /mcp URL. The
    socket listens before uvicorn starts, so a first request waits in the backlog: nothing to poll or sleep for."""
    sock, web = _listening(server, http)
    port = sock.getsockname()[1]
    async with anyio.create_task_group() as group:
        group.start_soon(web.serve, [sock])
        try:
            yield f"http://127.0.0.1:{port}/mcp"
        finally:
            web.should_exit = True


@asynccontextmanager
async def client_with(url: str, token: str | None) -> AsyncIterator[Client]:
    """An MCP client of ``url`` sending ``token`` as its bearer token (none: no Authorization header)."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with httpx2.AsyncClient(headers=headers) as http, Client(streamable_http_client(url, http_client=http)) as c:
        yield c


@asynccontextmanager
async def serving_in_thread(server: MCPServer, http: HttpSettings) -> AsyncIterator[str]:
    """Like ``serving``, but on an event loop of its own in a daemon thread: a server whose loop blocks (a deadlock)
    cannot block the test's loop, so the test's ``anyio.fail_after`` still fires and the test fails instead of
    hanging. The thread is given 10 s to stop."""
    sock, web = _listening(server, http)
    port = sock.getsockname()[1]
    thread = threading.Thread(target=anyio.run, args=(web.serve, [sock]), name="mcp-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}/mcp"
    finally:
        web.should_exit = True  # uvicorn's main loop checks it ten times a second
        await anyio.to_thread.run_sync(thread.join, 10, abandon_on_cancel=True)
        sock.close()

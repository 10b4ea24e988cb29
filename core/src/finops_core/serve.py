"""Running a server: stdio (default) or streamable HTTP at ``/mcp``, and the per-cloud console scripts.

HTTP binds 127.0.0.1 unless told otherwise; any other address requires a bearer token, which every
request must then carry (``Authorization: Bearer <token>``).
"""

from __future__ import annotations

import argparse
import hmac
import ipaddress
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any

import anyio
from mcp.server import MCPServer

from finops_core.errors import ConfigError, FinOpsError
from finops_core.logs import configure_logging, get_logger
from finops_core.models import CLOUD_NAMES, Cloud
from finops_core.provider import CloudProvider
from finops_core.settings import HttpSettings, Settings

ASGIApp = Callable[[dict[str, Any], Callable[..., Any], Callable[..., Any]], Any]


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class BearerAuth:
    """ASGI middleware: reject HTTP requests without the configured bearer token (401)."""

    def __init__(self, app: ASGIApp, token: str) -> None:
        self._app = app
        self._expected = f"Bearer {token}".encode()

    async def __call__(self, scope: dict[str, Any], receive: Callable[..., Any], send: Callable[..., Any]) -> None:
        if scope["type"] == "http":
            headers: dict[bytes, bytes] = dict(scope.get("headers", []))
            if not hmac.compare_digest(headers.get(b"authorization", b""), self._expected):
                await send(
                    {
                        "type": "http.response.start",
                        "status": 401,
                        "headers": [(b"content-type", b"text/plain"), (b"www-authenticate", b"Bearer")],
                    }
                )
                await send({"type": "http.response.body", "body": b"missing or wrong bearer token\n"})
                return
        await self._app(scope, receive, send)


def http_app(server: MCPServer, http: HttpSettings) -> ASGIApp:
    """The streamable-HTTP ASGI app for ``server``, behind bearer auth when a token is set."""
    if not is_loopback(http.host) and http.token is None:
        raise ConfigError(
            f"Refusing to serve on {http.host} without a token: set FINOPS_HTTP__TOKEN (or [http] token in "
            "finops.toml), or bind 127.0.0.1."
        )
    app: ASGIApp = server.streamable_http_app(streamable_http_path="/mcp", host=http.host)  # type: ignore[assignment]
    if http.token is not None:
        app = BearerAuth(app, http.token.get_secret_value())
    return app


def serve(server: MCPServer, transport: str, http: HttpSettings) -> None:
    anyio.run(serve_async, server, transport, http)


async def serve_async(server: MCPServer, transport: str, http: HttpSettings) -> None:
    """Serve until the client goes away (stdio) or the process is stopped (HTTP)."""
    if transport == "stdio":
        await server.run_stdio_async()
        return
    import uvicorn  # the SDK's own dependency; imported only for HTTP

    app = http_app(server, http)
    get_logger("finops").info("serving", url=f"http://{http.host}:{http.port}/mcp")
    # "info" so uvicorn announces "Uvicorn running on ..." once bound; access lines stay off.
    config = uvicorn.Config(app, host=http.host, port=http.port, log_level="info", access_log=False)
    await uvicorn.Server(config).serve()


def cloud_arguments(cloud: Cloud) -> argparse.ArgumentParser:
    name = CLOUD_NAMES[cloud]
    parser = argparse.ArgumentParser(
        prog=f"finops-{cloud}",
        description=f"MCP server for {name} costs, inventory, savings recommendations and remediation.",
    )
    parser.add_argument(
        "--demo",
        action="store_true",
        help="serve the built-in demo company instead of a real account (no credentials)",
    )
    parser.add_argument(
        "--transport",
        choices=["stdio", "http"],
        default="stdio",
        help="stdio (default, for Claude Desktop and IDEs) or streamable HTTP at /mcp",
    )
    parser.add_argument("--host", help="HTTP bind address (default 127.0.0.1)")
    parser.add_argument("--port", type=int, help="HTTP port (default 8765)")
    parser.add_argument(
        "--allow-remediation",
        action="store_true",
        help="register the tool that changes resources (each change still asks a person)",
    )
    return parser


def run_cloud_server(
    cloud: Cloud,
    argv: Sequence[str] | None,
    *,
    real_provider: Callable[[Settings], CloudProvider],
    extend: Callable[[CloudProvider, Settings], Callable[[MCPServer], None] | None] | None = None,
) -> int:
    """Entry point shared by ``finops-aws``, ``finops-azure`` and ``finops-gcp``; returns the exit code."""
    from finops_core.sandbox import SandboxProvider
    from finops_core.server import build_server

    args = cloud_arguments(cloud).parse_args(argv)
    try:
        overrides: dict[str, Any] = {}
        if args.allow_remediation:
            overrides["remediation_enabled"] = True
        settings = Settings.load(os.environ, overrides=overrides)
        http = settings.http.model_copy(
            update={k: v for k, v in (("host", args.host), ("port", args.port)) if v is not None}
        )
        configure_logging(settings.log_level, settings.log_format)
        if args.demo:
            provider: CloudProvider = SandboxProvider(cloud, seed=settings.demo_seed, as_of=settings.demo_as_of)
        else:
            provider = real_provider(settings)
        tools = extend(provider, settings) if extend is not None else None
        serve(build_server(provider, settings, extend=tools), args.transport, http)
    except FinOpsError as exc:
        print(f"finops-{cloud}: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    return 0

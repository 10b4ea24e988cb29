"""Running a server: stdio (default) or streamable HTTP at ``/mcp``, and the per-cloud console scripts.

HTTP binds 127.0.0.1 unless told otherwise; any other address requires bearer tokens (``finops_core.access``:
static tokens or JWTs, with scopes), checked by the MCP SDK before a request reaches a tool. DNS-rebinding
protection is always on: requests whose ``Host`` or ``Origin`` header is not this server's are refused.
"""

from __future__ import annotations

import argparse
import ipaddress
import json
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any, cast
from urllib.parse import urlsplit

import anyio
from mcp.server import MCPServer
from mcp.server.transport_security import TransportSecuritySettings
from mcp.types import INTERNAL_ERROR

from finops_core.access import server_auth
from finops_core.clouds import CLOUD_NAMES, Cloud, entry, load
from finops_core.errors import ConfigError, FinOpsError
from finops_core.logs import configure_logging, get_logger
from finops_core.provider import CloudProvider
from finops_core.settings import HttpSettings, Settings

ASGIApp = Callable[[dict[str, Any], Callable[..., Any], Callable[..., Any]], Any]
# The SDK's own allow-lists for a server on loopback (any port).
LOOPBACK_HOSTS = ["127.0.0.1:*", "localhost:*", "[::1]:*"]
LOOPBACK_ORIGINS = ["http://127.0.0.1:*", "http://localhost:*", "http://[::1]:*"]


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _is_wildcard(host: str) -> bool:
    return host in ("0.0.0.0", "::", "")  # noqa: S104 (recognising the wildcard, not binding it)


def transport_security(http: HttpSettings) -> TransportSecuritySettings:
    """DNS-rebinding protection for ``http``: the Host and Origin headers a request may carry. Configured lists win;
    otherwise loopback gets the SDK's defaults, any other address ``host:port``, and both the host and origin of
    ``resource_url`` (the name clients and a reverse proxy use)."""
    hosts: list[str] = []
    origins: list[str] = []
    if is_loopback(http.host):
        hosts += LOOPBACK_HOSTS
        origins += LOOPBACK_ORIGINS
    elif not _is_wildcard(http.host):
        bound = f"[{http.host}]" if ":" in http.host else http.host
        hosts.append(f"{bound}:{http.port}")
        origins += [f"http://{bound}:{http.port}", f"https://{bound}:{http.port}"]
    if http.resource_url:
        public = urlsplit(http.resource_url)
        hosts.append(public.netloc)
        origins.append(f"{public.scheme}://{public.netloc}")
    allowed_hosts = http.allowed_hosts or hosts
    if not allowed_hosts:
        raise ConfigError(
            f"Serving on {http.host} accepts any Host header unless told which names clients use: set [http] "
            "resource_url (this server's public /mcp URL) or allowed_hosts, to keep DNS-rebinding protection on."
        )
    return TransportSecuritySettings(
        enable_dns_rebinding_protection=True,
        allowed_hosts=allowed_hosts,
        allowed_origins=http.allowed_origins or origins,
    )


def check_exposure(http: HttpSettings) -> TransportSecuritySettings:
    """Refuse settings that would expose a server (``ConfigError``), before anything starts: an address beyond
    loopback without tokens, or without a way to know its Host names. Returns the DNS-rebinding protection."""
    if not is_loopback(http.host) and not http.authenticates:
        raise ConfigError(
            f"Refusing to serve on {http.host} without a token: set FINOPS_HTTP__TOKEN (or [http] token, tokens or "
            "jwt in finops.toml), or bind 127.0.0.1."
        )
    return transport_security(http)


def http_app(server: MCPServer, http: HttpSettings) -> ASGIApp:
    """The streamable-HTTP ASGI app for ``server`` (the SDK's, with its bearer-token checks when ``server`` was built
    with ``auth=server_auth(http)``), with DNS-rebinding protection."""
    security = check_exposure(http)
    if http.authenticates and server.settings.auth is None:
        # Tokens are configured but this server would not check them: refuse rather than serve unprotected.
        raise ConfigError("Bearer tokens are configured but the server was built without them (auth=server_auth).")
    app: ASGIApp = server.streamable_http_app(  # type: ignore[assignment]
        streamable_http_path="/mcp",
        host=http.host,
        transport_security=security,
        # The SDK closes a session once no request has been in flight for this long, and answers a request that
        # would open one more than max_sessions with 503: abandoned sessions cannot pile up.
        session_idle_timeout=http.session_idle_minutes * 60,
        max_sessions=http.max_sessions,
    )
    return explain_session_limit(app, http)


def explain_session_limit(app: ASGIApp, http: HttpSettings) -> ASGIApp:
    """``app``, with the SDK's bare "Too many open sessions" 503 made to say what the limit is and what to do, and
    a Retry-After header."""
    message = (
        f"Too many open sessions: this server keeps at most {http.max_sessions} at once ([http] max_sessions). Try "
        f"again in a minute: a session idle for {http.session_idle_minutes:g} minutes is closed "
        "([http] session_idle_minutes). Clients should end the sessions they no longer need (HTTP DELETE)."
    )
    body = json.dumps({"jsonrpc": "2.0", "id": None, "error": {"code": INTERNAL_ERROR, "message": message}}).encode()

    async def explained(scope: dict[str, Any], receive: Callable[..., Any], send: Callable[..., Any]) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        held: dict[str, Any] | None = None

        async def watch(event: dict[str, Any]) -> None:
            nonlocal held
            if event["type"] == "http.response.start" and event["status"] == 503:
                held = event  # the body decides whether this is the session limit
                return
            if held is not None and event["type"] == "http.response.body":
                start, held = held, None
                if b"Too many open sessions" in event.get("body", b""):
                    headers = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
                    headers += [(b"content-length", str(len(body)).encode()), (b"retry-after", b"60")]
                    await send({**start, "headers": headers})
                    await send({"type": "http.response.body", "body": body})
                    return
                await send(start)
            await send(event)

        await app(scope, receive, watch)

    return explained


def serve(server: MCPServer, transport: str, http: HttpSettings) -> None:
    anyio.run(serve_async, server, transport, http)


async def serve_async(server: MCPServer, transport: str, http: HttpSettings) -> None:
    """Serve until the client goes away (stdio) or the process is stopped (HTTP)."""
    if transport == "stdio":
        await server.run_stdio_async()
        return
    import uvicorn  # the SDK's own dependency; imported only for HTTP

    get_logger("finops").info("serving", url=f"http://{http.host}:{http.port}/mcp")
    await uvicorn.Server(uvicorn_config(http_app(server, http), http)).serve()


# How long an idle kept-alive connection stays open. Longer than clients keep idle connections in their pools
# (httpx, which the MCP SDK's client uses: 5 s; Node's undici: 4 s), so a client never sends a request on a
# connection the server is closing at that moment: at uvicorn's default of 5 s, 200 clients at once saw it.
KEEP_ALIVE_SECONDS = 30


def uvicorn_config(app: ASGIApp, http: HttpSettings) -> Any:
    """How uvicorn serves ``app``. "info" so uvicorn announces "Uvicorn running on ..." once bound; access lines
    stay off. No log_config: its own handlers would print past the redaction of ``finops_core.logs``; its loggers
    propagate to that one instead."""
    import uvicorn

    return uvicorn.Config(
        app,
        host=http.host,
        port=http.port,
        log_level="info",
        access_log=False,
        log_config=None,
        timeout_keep_alive=KEEP_ALIVE_SECONDS,
    )


def cloud_arguments(cloud: Cloud) -> argparse.ArgumentParser:
    name = CLOUD_NAMES[cloud]
    parser = argparse.ArgumentParser(
        prog=entry(cloud).command,
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
    cloud: Cloud, argv: Sequence[str] | None, *, real_provider: Callable[[Settings], CloudProvider] | None = None
) -> int:
    """The per-cloud server ``finops-<cloud>`` (``finops_core.startup.cloud_main``): the demo sandbox or the provider
    its registry entry names (``real_provider`` instead, when given: a test's credentials), with the provider's own
    tools; returns the exit code."""
    from finops_core.adapter import native_tools
    from finops_core.sandbox import SandboxProvider
    from finops_core.server import build_server

    known = entry(cloud)
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
        if args.transport == "http":
            check_exposure(http)  # before connecting to any cloud
        if args.demo:
            provider: CloudProvider = SandboxProvider(cloud, seed=settings.demo_seed, as_of=settings.demo_as_of)
        else:
            create = real_provider or cast("Callable[[Settings], CloudProvider]", load(known.provider))
            provider = create(settings)
        auth = server_auth(http) if args.transport == "http" else None
        serve(build_server(provider, settings, extend=native_tools(provider), auth=auth), args.transport, http)
    except FinOpsError as exc:
        print(f"{known.command}: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    return 0

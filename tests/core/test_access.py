"""Server security over streamable HTTP: bearer tokens (static and JWT) checked by the SDK, scopes checked per tool,
DNS-rebinding protection; each test serves a real uvicorn on 127.0.0.1 and calls it with the SDK's client."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from typing import Any

import httpx2
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from finops_core.access import (
    JwtTokenVerifier,
    StaticToken,
    StaticTokenVerifier,
    fingerprint,
    require_scope,
    server_auth,
    token_scopes,
)
from finops_core.errors import AccessDenied, ConfigError
from finops_core.sandbox import SandboxProvider
from finops_core.serve import http_app, transport_security
from finops_core.server import READ, auth_options, build_server, compact_tool
from finops_core.settings import HttpSettings, Settings
from mcp import Client
from mcp.client.streamable_http import streamable_http_client
from mcp.server import MCPServer
from pydantic import BaseModel

from tests.credentials import HTTP_PLAN_TOKEN, HTTP_READ_TOKEN, HTTP_TOKEN, JWT_KID, JWT_PREFIX
from tests.fakes.local_server import LocalServer
from tests.serving import client_with, serving

pytestmark = pytest.mark.anyio
ISSUER = "https://idp.example.test/"
AUDIENCE = "https://finops.example.test/mcp"
INITIALIZE = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "probe", "version": "1"}},
}
MCP_HEADERS = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}


class Caller(BaseModel):
    client: str | None
    scopes: list[str]


def probe_server(http: HttpSettings) -> MCPServer:
    """A tiny server: one tool per scope, each saying who called."""
    server = MCPServer(name="probe", **auth_options(server_auth(http)))

    async def who() -> Caller:
        from mcp.server.auth.middleware.auth_context import get_access_token

        token = get_access_token()
        return Caller(client=token.client_id if token else None, scopes=token.scopes if token else [])

    compact_tool(server, name="probe_read", annotations=READ, description="Reads.")(who)
    compact_tool(server, name="probe_plan", annotations=READ, description="Plans.", scope="plan")(who)
    compact_tool(server, name="probe_execute", annotations=READ, description="Changes.", scope="execute")(who)
    return server


def statics(**extra: Any) -> HttpSettings:
    return HttpSettings.model_validate(
        {
            "token": HTTP_TOKEN,
            "tokens": {
                "dashboard": {"token": HTTP_READ_TOKEN},
                "planner": {"token": HTTP_PLAN_TOKEN, "scopes": "read plan"},
            },
            **extra,
        }
    )


async def test_a_request_without_a_token_gets_401_naming_the_protected_resource_metadata() -> None:
    http = statics(resource_url="http://127.0.0.1/mcp")
    async with serving(probe_server(http), http) as url, httpx2.AsyncClient() as web:
        response = await web.post(url, json=INITIALIZE, headers=MCP_HEADERS)
        metadata = await web.get(url.replace("/mcp", "/.well-known/oauth-protected-resource/mcp"))
    assert response.status_code == 401
    challenge = response.headers["www-authenticate"]
    assert challenge.startswith("Bearer ")
    assert 'resource_metadata="http://127.0.0.1/.well-known/oauth-protected-resource/mcp"' in challenge
    assert metadata.status_code == 200
    assert metadata.json()["resource"] == "http://127.0.0.1/mcp"


async def test_a_wrong_token_gets_401_without_the_resource_metadata_when_no_resource_url_is_set() -> None:
    http = statics()
    async with serving(probe_server(http), http) as url, httpx2.AsyncClient() as web:
        wrong = await web.post(url, json=INITIALIZE, headers={**MCP_HEADERS, "Authorization": "Bearer not-the-token"})
        right = await web.post(url, json=INITIALIZE, headers={**MCP_HEADERS, "Authorization": f"Bearer {HTTP_TOKEN}"})
    assert wrong.status_code == 401
    assert wrong.headers["www-authenticate"].startswith("Bearer ")
    assert "resource_metadata" not in wrong.headers["www-authenticate"]
    assert right.status_code == 200


async def test_a_read_only_token_reads_and_is_refused_plan_and_execute_with_the_missing_scope_named() -> None:
    http = statics()
    async with serving(probe_server(http), http) as url, client_with(url, HTTP_READ_TOKEN) as client:
        listed = {t.name for t in (await client.list_tools()).tools}
        read = await client.call_tool("probe_read", {})
        plan = await client.call_tool("probe_plan", {})
        execute = await client.call_tool("probe_execute", {})
    assert listed == {
        "probe_read",
        "probe_plan",
        "probe_execute",
    }  # listing needs no scope: the tools say what they need
    assert read.is_error is False
    assert read.structured_content == {"client": "dashboard", "scopes": ["read"]}
    assert plan.is_error is True
    assert execute.is_error is True
    plan_text = plan.content[0].text  # type: ignore[union-attr]
    assert "probe_plan needs the 'plan' scope" in plan_text
    assert "has: read" in plan_text
    assert "'execute' scope" in execute.content[0].text  # type: ignore[union-attr]


async def test_scopes_are_per_token_and_the_single_token_has_them_all() -> None:
    http = statics()
    async with serving(probe_server(http), http) as url:
        async with client_with(url, HTTP_PLAN_TOKEN) as planner:
            planned = await planner.call_tool("probe_plan", {})
            refused = await planner.call_tool("probe_execute", {})
        async with client_with(url, HTTP_TOKEN) as admin:
            executed = await admin.call_tool("probe_execute", {})
    assert planned.is_error is False
    assert refused.is_error is True
    assert executed.structured_content == {"client": "http.token", "scopes": ["read", "plan", "execute"]}


async def test_a_per_cloud_server_asks_plan_for_dry_runs_and_execute_before_asking_a_person(settings: Settings) -> None:
    http = statics()
    server = build_server(
        SandboxProvider("aws"), settings.model_copy(update={"remediation_enabled": True}), auth=server_auth(http)
    )
    async with serving(server, http) as url, client_with(url, HTTP_READ_TOKEN) as client:
        costs = await client.call_tool("aws_cost_query", {"start": "2026-10-01", "end": "2026-11-01"})
        plan = await client.call_tool("aws_plan_remediation", {"kind": "delete_volume", "resource_id": "vol-1"})
        apply = await client.call_tool("aws_apply_remediation", {"kind": "delete_volume", "resource_id": "vol-1"})
    assert costs.is_error is False
    assert "aws_plan_remediation needs the 'plan' scope" in plan.content[0].text  # type: ignore[union-attr]
    # Refused before the dry run and before any question to a person (this client cannot even answer one).
    assert "aws_apply_remediation needs the 'execute' scope" in apply.content[0].text  # type: ignore[union-attr]


async def test_a_foreign_host_or_origin_is_refused_even_with_a_valid_token() -> None:
    http = statics()
    good = {**MCP_HEADERS, "Authorization": f"Bearer {HTTP_TOKEN}"}
    async with serving(probe_server(http), http) as url, httpx2.AsyncClient() as web:
        evil_host = await web.post(url, json=INITIALIZE, headers={**good, "Host": "evil.example"})
        evil_origin = await web.post(url, json=INITIALIZE, headers={**good, "Origin": "http://evil.example"})
        local = await web.post(url, json=INITIALIZE, headers={**good, "Origin": "http://localhost:3000"})
    assert evil_host.status_code == 421
    assert evil_origin.status_code == 403
    assert local.status_code == 200


def test_beyond_loopback_the_allowed_hosts_come_from_the_address_and_the_public_url() -> None:
    bound = transport_security(HttpSettings(host="10.0.0.5", port=9000, token=HTTP_TOKEN))
    public = transport_security(
        HttpSettings(host="0.0.0.0", token=HTTP_TOKEN, resource_url="https://finops.example.com/mcp")
    )
    chosen = transport_security(HttpSettings(host="0.0.0.0", token=HTTP_TOKEN, allowed_hosts=["finops.internal:*"]))
    assert bound.enable_dns_rebinding_protection
    assert bound.allowed_hosts == ["10.0.0.5:9000"]
    assert public.allowed_hosts == ["finops.example.com"]
    assert public.allowed_origins == ["https://finops.example.com"]
    assert chosen.allowed_hosts == ["finops.internal:*"]
    with pytest.raises(ConfigError, match="resource_url"):
        transport_security(HttpSettings(host="0.0.0.0", token=HTTP_TOKEN))


def test_serving_beyond_loopback_without_tokens_or_jwt_is_a_config_error() -> None:
    http = HttpSettings(host="0.0.0.0", resource_url="https://finops.example.com/mcp")
    with pytest.raises(ConfigError, match="without a token"):
        http_app(probe_server(http), http)


def test_configured_tokens_on_a_server_built_without_them_are_refused() -> None:
    with pytest.raises(ConfigError, match="built without them"):
        http_app(MCPServer(name="bare"), statics())


async def test_the_static_verifier_compares_every_token_and_keeps_no_secret_in_the_access_token() -> None:
    verifier = StaticTokenVerifier([StaticToken("a", HTTP_READ_TOKEN, ("read",)), StaticToken("b", HTTP_TOKEN, ())])
    found = await verifier.verify_token(HTTP_READ_TOKEN)
    assert found is not None
    assert (found.client_id, found.scopes, found.token) == ("a", ["read"], fingerprint(HTTP_READ_TOKEN))
    assert HTTP_READ_TOKEN not in repr(found) + repr(verifier._tokens)  # pyright: ignore[reportPrivateUsage]
    assert await verifier.verify_token("é-not-ascii") is None
    assert await verifier.verify_token("") is None


def test_without_a_token_in_the_request_every_scope_is_allowed() -> None:
    require_scope("execute", "anything")  # stdio, in-memory, loopback without auth: the caller is the user


def test_jwt_scopes_come_from_scope_or_scp() -> None:
    assert token_scopes({"scope": "read plan"}) == ["read", "plan"]
    assert token_scopes({"scp": ["read", "execute"]}) == ["read", "execute"]
    assert token_scopes({"scp": "read"}) == ["read"]
    assert token_scopes({}) == []


def test_access_denied_is_a_finops_error_a_remote_proxy_can_rebuild() -> None:
    from finops_core.errors import error_kind, rebuild_error

    assert isinstance(rebuild_error(error_kind(AccessDenied("x")), "x", provider="aws"), AccessDenied)


# JWTs from an identity provider, its keys published by a local JWKS endpoint.


class Jwks(LocalServer):
    def __init__(self, public: rsa.RSAPublicKey) -> None:
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(public))
        self.body = json.dumps({"keys": [{**jwk, "kid": JWT_KID, "alg": "RS256", "use": "sig"}]}).encode()
        self.requests = 0

    def handler_class(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                fake.requests += 1
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(fake.body)))
                self.end_headers()
                self.wfile.write(fake.body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler


@pytest.fixture(scope="module")
def signing_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="module")
def other_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture
def jwks(signing_key: rsa.RSAPrivateKey) -> Iterator[Jwks]:
    with Jwks(signing_key.public_key()) as server:
        yield server


def issue(key: rsa.RSAPrivateKey, *, kid: str = JWT_KID, **claims: Any) -> str:
    now = int(time.time())
    base = {"iss": ISSUER, "aud": AUDIENCE, "exp": now + 600, "iat": now, "sub": "user-1", "client_id": "ci-bot"}
    return jwt.encode({**base, **claims}, key, algorithm="RS256", headers={"kid": kid})


def jwt_http(jwks: Jwks) -> HttpSettings:
    return HttpSettings.model_validate(
        {"jwt": {"jwks_url": f"{jwks.url}/jwks", "issuer": ISSUER}, "resource_url": AUDIENCE}
    )


async def test_a_valid_jwt_works_with_its_scopes(jwks: Jwks, signing_key: rsa.RSAPrivateKey) -> None:
    http = jwt_http(jwks)
    token = issue(signing_key, scope="read plan")
    assert token.startswith(JWT_PREFIX)  # so the output scan would catch it
    async with serving(probe_server(http), http) as url, client_with(url, token) as client:
        read = await client.call_tool("probe_read", {})
        plan = await client.call_tool("probe_plan", {})
        execute = await client.call_tool("probe_execute", {})
    assert read.structured_content == {"client": "ci-bot", "scopes": ["read", "plan"]}
    assert plan.is_error is False
    assert execute.is_error is True


class Bearer(httpx2.Auth):
    """A bearer token the test can change between requests, as a client refreshing its token does."""

    def __init__(self, token: str) -> None:
        self.token = token

    def auth_flow(self, request: httpx2.Request) -> Iterator[httpx2.Request]:
        request.headers["Authorization"] = f"Bearer {self.token}"
        yield request


async def test_scopes_are_those_of_each_request_s_token_not_of_the_one_that_opened_the_session(
    jwks: Jwks, signing_key: rsa.RSAPrivateKey
) -> None:
    http = jwt_http(jwks)
    bearer = Bearer(issue(signing_key, scope="read execute"))
    async with (
        serving(probe_server(http), http) as url,
        httpx2.AsyncClient(auth=bearer) as web,
        Client(streamable_http_client(url, http_client=web)) as client,
    ):
        before = await client.call_tool("probe_execute", {})
        bearer.token = issue(signing_key, scope="read")  # the same client, its execute scope withdrawn
        after = await client.call_tool("probe_execute", {})
    assert before.is_error is False
    assert after.is_error is True


async def test_a_jwt_that_does_not_verify_gets_401(
    jwks: Jwks, signing_key: rsa.RSAPrivateKey, other_key: rsa.RSAPrivateKey
) -> None:
    now = int(time.time())
    bad = {
        "expired": issue(signing_key, exp=now - 600),
        "wrong issuer": issue(signing_key, iss="https://evil.example/"),
        "wrong audience": issue(signing_key, aud="https://other-server.example/mcp"),
        "bad signature": issue(other_key),
        "unknown kid": issue(signing_key, kid="finops-test-other-kid"),
        "no exp": jwt.encode(
            {"iss": ISSUER, "aud": AUDIENCE, "sub": "x"}, signing_key, algorithm="RS256", headers={"kid": JWT_KID}
        ),
        "not a jwt": "definitely.not.a-jwt",
        "hs256 (algorithm confusion)": jwt.encode(
            {"iss": ISSUER, "aud": AUDIENCE, "exp": now + 600, "sub": "x"},
            "a-shared-secret-an-attacker-chose-32b",
            algorithm="HS256",
            headers={"kid": JWT_KID},
        ),
    }
    http = jwt_http(jwks)
    statuses: dict[str, int] = {}
    async with serving(probe_server(http), http) as url, httpx2.AsyncClient() as web:
        for name, token in bad.items():
            response = await web.post(url, json=INITIALIZE, headers={**MCP_HEADERS, "Authorization": f"Bearer {token}"})
            statuses[name] = response.status_code
        challenge = response.headers["www-authenticate"]
    assert statuses == dict.fromkeys(bad, 401)
    assert 'resource_metadata="https://finops.example.test/.well-known/oauth-protected-resource/mcp"' in challenge


async def test_an_unreachable_jwks_refuses_the_token_without_raising(signing_key: rsa.RSAPrivateKey) -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    verifier = JwtTokenVerifier(
        jwks_url=f"http://127.0.0.1:{port}/jwks", issuer=ISSUER, audience=AUDIENCE, algorithms=["RS256"]
    )
    assert await verifier.verify_token(issue(signing_key)) is None


def test_a_jwt_setting_without_an_audience_or_resource_url_is_a_config_error() -> None:
    http = HttpSettings.model_validate({"jwt": {"jwks_url": "https://idp.example.test/jwks", "issuer": ISSUER}})
    with pytest.raises(ConfigError, match="audience"):
        server_auth(http)

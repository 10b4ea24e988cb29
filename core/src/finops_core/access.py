"""Who may call which tool over streamable HTTP: bearer tokens, per the MCP authorization spec.

Every token carries scopes:

- ``read``: everything that changes no cloud resource (costs, inventory, sync, ingest, budgets, reports);
- ``plan``: creating remediation plans, which dry-run against the clouds;
- ``execute``: executing plans, i.e. changing resources.

Tokens are checked by the MCP SDK's own machinery (``MCPServer(token_verifier=..., auth=...)``): a request
without a valid token gets 401 before it reaches a tool. The scope a tool needs is checked per tool
(``require_scope``), so a read-only token still lists and calls the read tools and gets a clear error from the
others. Two kinds of tokens: static ones from the settings (simple setups) and JWTs from an identity provider,
verified against its JWKS. A token is never logged; invalid ones are refused, never an exception.

Without a token in the request (stdio, in-memory, loopback HTTP without auth) every tool is allowed: those
callers already run as the user.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import anyio.to_thread
from mcp.server.auth.middleware.auth_context import get_access_token
from mcp.server.auth.provider import AccessToken, TokenVerifier
from mcp.server.auth.settings import AuthSettings
from pydantic import AnyHttpUrl

from finops_core.errors import AccessDenied, ConfigError
from finops_core.logs import get_logger
from finops_core.settings import SCOPES, HttpSettings, Scope

# Seconds of clock difference tolerated between us and the identity provider for `exp`/`nbf`/`iat`.
JWT_LEEWAY_SECONDS = 30

_log = get_logger("finops.access")


def fingerprint(token: str) -> str:
    """A short, non-reversible name for ``token``: what ``AccessToken.token`` holds here, so a log or repr of the
    request's access token never carries the secret."""
    return "sha256:" + hashlib.sha256(token.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class StaticToken:
    """A token from the settings: the client it names, its secret, its scopes."""

    client: str
    secret: str
    scopes: tuple[Scope, ...]

    def __repr__(self) -> str:
        return f"StaticToken(client={self.client!r}, scopes={self.scopes!r})"


class StaticTokenVerifier:
    """The SDK's ``TokenVerifier`` over a fixed set of tokens, compared in constant time."""

    def __init__(self, tokens: Iterable[StaticToken]) -> None:
        self._tokens = tuple(tokens)

    async def verify_token(self, token: str) -> AccessToken | None:
        given = token.encode()
        found: StaticToken | None = None
        for candidate in self._tokens:  # compare with every one: the time taken tells nothing about which matched
            if hmac.compare_digest(candidate.secret.encode(), given):
                found = candidate
        if found is None:
            _log.info("bearer token refused", reason="unknown static token")
            return None
        return AccessToken(token=fingerprint(token), client_id=found.client, scopes=list(found.scopes))


class JwtTokenVerifier:
    """The SDK's ``TokenVerifier`` for JWTs from an identity provider: signature against the provider's JWKS
    (fetched in a worker thread, cached), ``exp``, ``iss`` and ``aud`` required and checked. Scopes come from
    ``scope`` (space separated) or ``scp`` (a list, or space separated); the client from ``client_id``, ``azp``
    or ``sub``."""

    def __init__(self, *, jwks_url: str, issuer: str, audience: str, algorithms: Sequence[str]) -> None:
        import jwt  # PyJWT and cryptography only for a server that verifies JWTs (start-up time)

        self._jwks = jwt.PyJWKClient(jwks_url, cache_jwk_set=True, lifespan=300, timeout=10)
        self._issuer = issuer
        self._audience = audience
        self._algorithms = list(algorithms)

    async def verify_token(self, token: str) -> AccessToken | None:
        import jwt

        try:
            key = await anyio.to_thread.run_sync(self._jwks.get_signing_key_from_jwt, token)
            claims: dict[str, Any] = jwt.decode(
                token,
                key,
                algorithms=self._algorithms,
                audience=self._audience,
                issuer=self._issuer,
                leeway=JWT_LEEWAY_SECONDS,
                options={"require": ["exp", "iss", "aud"]},
            )
        except jwt.PyJWKClientConnectionError as exc:
            # The provider's keys are unreachable: say so (the URL, not the token), and refuse.
            _log.warning("identity provider keys unreachable", detail=str(exc))
            return None
        except (jwt.PyJWTError, ValueError, TypeError, KeyError) as exc:
            # Malformed, forged, expired or foreign tokens end here; the reason is the class name only.
            _log.info("bearer token refused", reason=type(exc).__name__)
            return None
        client = claims.get("client_id") or claims.get("azp") or claims.get("sub")
        if not isinstance(client, str) or not client:
            _log.info("bearer token refused", reason="no client_id, azp or sub claim")
            return None
        subject = claims.get("sub")
        expires = claims.get("exp")
        return AccessToken(
            token=fingerprint(token),
            client_id=client,
            scopes=token_scopes(claims),
            expires_at=int(expires) if isinstance(expires, int | float) else None,
            subject=subject if isinstance(subject, str) else None,
            claims={"iss": claims.get("iss")},
        )


def token_scopes(claims: dict[str, Any]) -> list[str]:
    """The scopes a JWT grants: ``scope`` (RFC 8693/9068: space separated) or ``scp`` (a list, or a string)."""
    for name in ("scope", "scp"):
        value = claims.get(name)
        if isinstance(value, str):
            return value.split()
        if isinstance(value, list):
            return [str(s) for s in value]  # pyright: ignore[reportUnknownVariableType, reportUnknownArgumentType]
    return []


class FirstTokenVerifier:
    """Static tokens and JWTs together: the first verifier that accepts a token wins."""

    def __init__(self, verifiers: Sequence[TokenVerifier]) -> None:
        self._verifiers = tuple(verifiers)

    async def verify_token(self, token: str) -> AccessToken | None:
        for verifier in self._verifiers:
            found = await verifier.verify_token(token)
            if found is not None:
                return found
        return None


def require_scope(scope: Scope, tool: str) -> None:
    """Refuse (``AccessDenied``) when the current request's bearer token lacks ``scope``. A request without a
    token (stdio, in-memory, loopback HTTP without auth) is allowed."""
    token = get_access_token()
    if token is None or scope in token.scopes:
        return
    has = ", ".join(token.scopes) or "none"
    raise AccessDenied(
        f"{tool} needs the '{scope}' scope; the token of client '{token.client_id}' has: {has}. Nothing was done. "
        f"Ask the server's operator for a token with the '{scope}' scope."
    )


@dataclass(frozen=True)
class ServerAuth:
    """What ``MCPServer`` needs to check bearer tokens: ``MCPServer(token_verifier=verifier, auth=settings)``."""

    verifier: TokenVerifier
    settings: AuthSettings


def server_auth(http: HttpSettings) -> ServerAuth | None:
    """Token checking as ``http`` configures it (``token``, ``tokens``, ``jwt``); ``None`` when none is set."""
    verifiers: list[TokenVerifier] = []
    static = [StaticToken(name, t.token.get_secret_value(), tuple(t.scopes)) for name, t in http.tokens.items()]
    if http.token is not None:
        static.append(StaticToken("http.token", http.token.get_secret_value(), SCOPES))
    if static:
        verifiers.append(StaticTokenVerifier(static))
    if http.jwt is not None:
        audience = http.jwt.audience or http.resource_url
        if audience is None:
            raise ConfigError(
                "[http.jwt] needs audience (the `aud` your identity provider puts in tokens for this server), "
                "or set [http] resource_url to use it as the audience."
            )
        verifiers.append(
            JwtTokenVerifier(
                jwks_url=http.jwt.jwks_url, issuer=http.jwt.issuer, audience=audience, algorithms=http.jwt.algorithms
            )
        )
    if not verifiers:
        return None
    verifier = verifiers[0] if len(verifiers) == 1 else FirstTokenVerifier(verifiers)
    # The protected-resource metadata (RFC 9728) names the authorization server: the identity provider for JWTs;
    # for static tokens there is none, so this server's own origin stands in.
    issuer = http.jwt.issuer if http.jwt is not None else _origin(http)
    settings = AuthSettings(
        issuer_url=AnyHttpUrl(issuer),
        resource_server_url=AnyHttpUrl(http.resource_url) if http.resource_url else None,
        required_scopes=None,  # scopes are per tool (require_scope), so a read-only token still connects
        validate_token_resource=False,  # JwtTokenVerifier checks `aud` itself; static tokens have no audience
    )
    return ServerAuth(verifier=verifier, settings=settings)


def _origin(http: HttpSettings) -> str:
    if http.resource_url:
        parts = urlsplit(http.resource_url)
        return f"{parts.scheme}://{parts.netloc}"
    host = f"[{http.host}]" if ":" in http.host else http.host
    return f"http://{host}:{http.port}"

"""The one error hierarchy of finops-mcp.

::

    FinOpsError
    ├── ConfigError            settings or a config file are wrong
    ├── InvalidInput           a caller's argument is wrong (bad date, unknown dimension, ...)
    ├── ProviderError          a cloud (or the sandbox standing in for it) failed
    │   ├── AuthError          credentials are missing or expired
    │   ├── PermissionDenied   credentials lack a permission
    │   ├── Throttled          the cloud asked us to slow down (retry_after seconds, when known)
    │   ├── NotFound           the named resource or scope does not exist
    │   ├── InvalidQuery       the cloud rejected the query
    │   └── Unavailable        the cloud is down or timed out (after our retries)
    ├── RemediationRefused     a change was not made: no approval, read-only mode, failed dry run
    ├── AccessDenied           the caller's bearer token lacks the scope a tool needs
    ├── LakeError              the configured lake ([lake]) could not answer: unreachable, or its data is wrong
    └── StoreError             the local store could not be read or written
        └── StoreBusy          another writer holds the store past the wait bound (retry_after seconds)

Every message says what went wrong and what to do next, and never carries a secret.

``FinOpsError`` subclasses the MCP SDK's ``ToolError`` on purpose: the SDK shows a ``ToolError``'s
message to the model as an ``isError`` result, while any other exception reaches the model only as
"Error executing tool".
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from contextlib import contextmanager

from mcp.server.mcpserver.exceptions import ToolError


class FinOpsError(ToolError):
    """Base of every error finops-mcp raises on purpose."""


class ConfigError(FinOpsError):
    """Settings or a configuration file are wrong."""


class InvalidInput(FinOpsError):
    """A caller's argument is wrong; the message names the argument and what would be accepted."""


class ProviderError(FinOpsError):
    """A cloud provider failed. ``provider`` names it (``aws``, ``azure``, ``gcp``)."""

    def __init__(self, message: str, *, provider: str) -> None:
        super().__init__(f"{provider}: {message}")
        self.provider = provider


class AuthError(ProviderError):
    """Credentials are missing, invalid or expired."""


class PermissionDenied(ProviderError):
    """The credentials work but lack a permission the call needs."""


class Throttled(ProviderError):
    """The provider rate-limited us and our retries ran out."""

    def __init__(self, message: str, *, provider: str, retry_after: float | None = None) -> None:
        super().__init__(message, provider=provider)
        self.retry_after = retry_after


class NotFound(ProviderError):
    """The named resource, account or scope does not exist (or is not visible)."""


class InvalidQuery(ProviderError):
    """The provider rejected the query as malformed or unsupported."""


class Unavailable(ProviderError):
    """The provider is down, returned server errors, or timed out after our retries."""


class RemediationRefused(FinOpsError):
    """A change was not made: not approved, remediation switched off, or the dry run failed."""


class AccessDenied(FinOpsError):
    """The caller's bearer token is valid but lacks the scope (``read``, ``plan``, ``execute``) a tool needs."""


class LakeError(FinOpsError):
    """The lake named in ``[lake]`` could not answer; the message names the engine and table or path, and what to
    do (fix the connection, or answer from the local rollups synced from it)."""


class StoreError(FinOpsError):
    """The local SQLite store could not be opened, read or written."""


class StoreBusy(StoreError):
    """Another writer (in this process or another) held the store longer than the wait bound; the message names
    what it runs, and ``retry_after`` is about how many seconds to wait before trying again (None: unknown, e.g.
    rebuilt from a remote server's error)."""

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


# The classes a remote per-cloud server can name in an error result's ``_meta`` (see ``finops_core.server``),
# so a proxy raises the same class the server raised.
ERROR_META_KEY = "io.finops/error"


def _subclasses(cls: type[FinOpsError]) -> list[type[FinOpsError]]:
    return [cls, *(c for sub in cls.__subclasses__() for c in _subclasses(sub))]


def _kinds() -> dict[str, type[FinOpsError]]:
    """Every class of the hierarchy in this module, by name: derived from the tree, so a new class is known at once
    (classes defined elsewhere are sent as their nearest class here)."""
    return {c.__name__: c for c in _subclasses(FinOpsError)[1:] if c.__module__ == __name__}


def error_kind(exc: FinOpsError) -> str:
    """The name a remote caller rebuilds ``exc`` from (the nearest class it knows)."""
    kinds = _kinds()
    for cls in type(exc).__mro__:
        if kinds.get(cls.__name__) is cls:
            return cls.__name__
    return FinOpsError.__name__


def rebuild_error(kind: str | None, message: str, *, provider: str) -> FinOpsError:
    """The error a remote server for ``provider`` reported, as the class it named (``ProviderError`` if unknown)."""
    cls = _kinds().get(kind or "", ProviderError)
    if issubclass(cls, ProviderError):
        prefix = f"{provider}: "
        return cls(message.removeprefix(prefix), provider=provider)
    return cls(message)


def http_status_error(
    provider: str,
    status: int,
    *,
    cloud: str,
    what: str,
    detail: str,
    credentials_hint: str,
    permission_hint: str,
    not_found_hint: str,
    invalid: tuple[int, ...] = (400, 409, 412, 422),
    retry_after: float | None = None,
) -> FinOpsError:
    """The error for a cloud REST API's HTTP ``status`` met while ``what`` (``detail``: the cloud's own words,
    already redacted). The hints say what the user does next: how to configure credentials, which role to grant,
    what to check for a missing resource."""
    if status == 401:
        return AuthError(
            f"{cloud} rejected the credentials while {what} ({detail}). {credentials_hint}", provider=provider
        )
    if status == 403:
        return PermissionDenied(
            f"The credentials may not do this: {what} ({detail}). {permission_hint}", provider=provider
        )
    if status == 404:
        return NotFound(f"Not found while {what} ({detail}). {not_found_hint}", provider=provider)
    if status == 429:
        when = f" Try again in {retry_after:.0f} s." if retry_after is not None else " Wait a minute and ask again."
        return Throttled(
            f"{cloud} kept rate-limiting us while {what}, after waiting and retrying ({detail}).{when}",
            provider=provider,
            retry_after=retry_after,
        )
    if status >= 500:
        return Unavailable(
            f"{cloud} had a server error while {what}, after retries ({detail}). Try again in a few minutes.",
            provider=provider,
        )
    if status in invalid:
        return InvalidQuery(f"{cloud} refused the request while {what} ({detail}).", provider=provider)
    return ProviderError(f"{cloud} failed while {what} (HTTP {status}: {detail}).", provider=provider)


@contextmanager
def translated_errors(translate: Callable[[Exception], FinOpsError | None]) -> Generator[None]:
    """Run a cloud SDK's call: an exception ``translate`` knows becomes the finops error it returns, raised from it
    (the SDK's exception stays the cause); a ``FinOpsError`` and any exception it does not know pass unchanged.
    Each cloud's ``errors.py`` gives its ``translate``, the one place its SDK's exceptions are read."""
    try:
        yield
    except FinOpsError:
        raise
    except Exception as exc:
        error = translate(exc)
        if error is None:
            raise
        raise error from exc

"""The error hierarchy, and its messages reaching the model."""

from __future__ import annotations

import pytest
from finops_core import errors
from mcp.server.mcpserver.exceptions import ToolError


def test_every_error_is_a_finops_error_and_a_tool_error_the_model_can_read() -> None:
    for name in (
        "ConfigError",
        "InvalidInput",
        "ProviderError",
        "AuthError",
        "PermissionDenied",
        "Throttled",
        "NotFound",
        "InvalidQuery",
        "Unavailable",
        "RemediationRefused",
        "AccessDenied",
        "StoreError",
    ):
        cls = getattr(errors, name)
        assert issubclass(cls, errors.FinOpsError)
        assert issubclass(cls, ToolError)


def test_provider_errors_name_the_provider() -> None:
    exc = errors.Throttled("rate limited; retry in 30 s", provider="azure", retry_after=30)
    assert str(exc).startswith("azure: ")
    assert exc.retry_after == 30
    assert exc.provider == "azure"
    assert isinstance(exc, errors.ProviderError)


def test_the_hierarchy_is_drawn_in_the_module_docstring() -> None:
    doc = errors.__doc__ or ""
    for name in ("FinOpsError", "ProviderError", "AuthError", "Throttled", "RemediationRefused", "StoreError"):
        assert name in doc


@pytest.mark.parametrize(
    ("status", "error", "says"),
    [
        (401, "AuthError", "log in"),
        (403, "PermissionDenied", "grant the role"),
        (404, "NotFound", "check the id"),
        (429, "Throttled", "Try again in 7 s"),
        (503, "Unavailable", "Try again in a few minutes"),
        (400, "InvalidQuery", "refused the request"),
        (418, "ProviderError", "HTTP 418"),
    ],
)
def test_a_cloud_s_http_status_becomes_the_error_class_with_what_to_do_next(status: int, error: str, says: str) -> None:
    exc = errors.http_status_error(
        "azure",
        status,
        cloud="Azure",
        what="listing disks",
        detail="Code: message",
        credentials_hint="log in",
        permission_hint="grant the role",
        not_found_hint="check the id",
        retry_after=7.0,
    )
    assert type(exc).__name__ == error
    assert says in str(exc)
    assert "listing disks" in str(exc)
    assert str(exc).startswith("azure: ")


def _tree(cls: type[errors.FinOpsError]) -> list[type[errors.FinOpsError]]:
    return [cls, *(c for sub in cls.__subclasses__() for c in _tree(sub))]


@pytest.mark.parametrize(
    "cls", [c for c in _tree(errors.FinOpsError)[1:] if c.__module__ == errors.__name__], ids=lambda c: c.__name__
)
def test_every_error_class_of_the_tree_crosses_to_a_remote_caller_as_itself(cls: type[errors.FinOpsError]) -> None:
    sent = cls("what went wrong", provider="aws") if issubclass(cls, errors.ProviderError) else cls("what went wrong")
    rebuilt = errors.rebuild_error(errors.error_kind(sent), str(sent), provider="aws")
    assert type(rebuilt) is cls
    assert str(rebuilt) == str(sent)


def test_an_error_class_defined_elsewhere_crosses_as_its_nearest_class_of_the_tree() -> None:
    class CutFile(errors.InvalidInput):
        pass

    assert errors.error_kind(CutFile("cut")) == "InvalidInput"

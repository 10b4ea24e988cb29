"""The error hierarchy, and its messages reaching the model."""

from __future__ import annotations

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

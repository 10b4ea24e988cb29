"""The installed version of each server's package, for ``serverInfo.version`` (what a client shows and logs)."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from finops_core.models import Cloud

UNKNOWN = "0+unknown"  # run from sources that were never installed: still a version a client can show


def package_version(*distributions: str) -> str:
    """The version of the first of ``distributions`` that is installed."""
    for distribution in distributions:
        try:
            return version(distribution)
        except PackageNotFoundError:
            continue
    return UNKNOWN


def cloud_server_version(cloud: Cloud) -> str:
    """``finops-<cloud>``'s version: its package's (``finops-mcp-aws``, ...), else core's (the demo needs only core)."""
    return package_version(f"finops-mcp-{cloud}", "finops-mcp-core")

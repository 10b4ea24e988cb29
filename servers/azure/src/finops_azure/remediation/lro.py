"""Waiting for Azure's long-running operations (deallocate, start, update, delete, snapshot).

The SDK's ``begin_*`` calls return an ``LROPoller`` that polls the ``Azure-AsyncOperation`` (or ``Location``) URL
until the operation ends. Between polls it waits what Azure's ``Retry-After`` asks, else its ``polling_interval``
(30 s by default); ``[azure] lro_poll_seconds`` sets that interval per call (``polling_interval=`` keyword of every
``begin_*`` method). Tests set it to 0 and their fake sends no Retry-After, so nothing really sleeps.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from finops_core.errors import Unavailable

from finops_azure.errors import azure_errors

if TYPE_CHECKING:
    from finops_azure.context import AzureContext

# Longest wait for one operation; deallocating a VM or copying a large disk takes minutes, rarely more.
LRO_TIMEOUT_SECONDS = 20 * 60


def poll_options(ctx: AzureContext) -> dict[str, Any]:
    """Keyword arguments of every ``begin_*`` call."""
    seconds = ctx.settings.lro_poll_seconds
    return {} if seconds is None else {"polling_interval": seconds}


def run_to_end(ctx: AzureContext, begin: Callable[..., Any], what: str, *args: Any) -> Any:
    """``begin(*args)`` and wait for the operation to finish; its result (None for most actions)."""
    with azure_errors(what):
        poller = begin(*args, **poll_options(ctx))
        poller.wait(LRO_TIMEOUT_SECONDS)
        if not poller.done():
            raise Unavailable(
                f"Azure accepted the request ({what}) but it had not finished after {LRO_TIMEOUT_SECONDS // 60} "
                "minutes. It may still complete: check the resource with azure_list_resources before retrying.",
                provider="azure",
            )
        return poller.result()

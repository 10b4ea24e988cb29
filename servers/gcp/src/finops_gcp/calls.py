"""What the helpers under the context need of it (``GcpContext`` has all of it): a protocol, so the context, which
uses those helpers to find its projects, is not imported back by them."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol, TypeVar

if TYPE_CHECKING:
    from finops_core.waiting import Wait

    from finops_gcp.clients import GcpClients
    from finops_gcp.settings import GcpSettings

T = TypeVar("T")


class Calls(Protocol):
    settings: GcpSettings
    clients: GcpClients
    sleep: Wait

    async def run(self, fn: Callable[..., T], *args: object, **kwargs: object) -> T: ...

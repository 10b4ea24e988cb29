"""The clouds the orchestrator talks to: in-process, the demo sandbox, or remote per-cloud servers."""

from finops_orchestrator.providers.registry import (
    Connected,
    ProviderStatus,
    connect_providers,
    demo_status,
    not_configured,
)
from finops_orchestrator.providers.remote import RemoteProvider

__all__ = ["Connected", "ProviderStatus", "RemoteProvider", "connect_providers", "demo_status", "not_configured"]

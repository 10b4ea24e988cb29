"""A per-cloud server reached through ``RemoteProvider`` passes the same provider contract as the provider
behind it: in memory for every cloud, and once each over a real stdio process and streamable HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from finops_core.errors import NotFound, RemediationRefused
from finops_core.models import CLOUDS, RemediationAction, RemediationResult
from finops_core.proof import ApprovalClaims
from finops_core.sandbox import SandboxProvider
from finops_core.server import build_server
from finops_core.settings import Settings
from finops_core.testing.contract import CloudProviderContract
from finops_orchestrator.policy import Policy
from finops_orchestrator.providers import RemoteProvider
from mcp import Client
from pydantic import SecretStr

from tests.conftest import AS_OF
from tests.credentials import APPROVAL_KEY

pytestmark = pytest.mark.anyio


def _remote(cloud: Any, settings: Settings, *, remediation: bool = True, mode: str = "auto") -> RemoteProvider:
    with_key = {"remediation_enabled": remediation, "approval_key": SecretStr(APPROVAL_KEY)}
    server = build_server(
        SandboxProvider(cloud, as_of=AS_OF), settings.model_copy(update=with_key), today=lambda: AS_OF
    )
    return RemoteProvider(
        cloud, Client(server, mode=mode), where=f"in-memory finops-{cloud}", approval_key=APPROVAL_KEY.encode()
    )


def _approved(action: RemediationAction) -> ApprovalClaims:
    """A person's approval of ``action``, as the orchestrator signs it when it executes an approved plan."""
    expires = int((datetime.now(UTC) + timedelta(minutes=5)).timestamp())
    return ApprovalClaims(
        plan_id="plan-contract",
        plan_hash="0" * 64,
        step=1,
        approval_id=f"appr-{action.resource_id}",
        approved_by="ana",
        expires_at=expires,
        action=action,
        guardrails=Policy().guardrails_for(action.provider, action.kind),
    )


class Approved:
    """A remote provider whose changes carry a person's approval, so the contract's apply test runs through the
    path the orchestrator uses (a remote server refuses ``apply_remediation`` without one)."""

    def __init__(self, remote: RemoteProvider) -> None:
        self._remote = remote

    def __getattr__(self, name: str) -> Any:
        return getattr(self._remote, name)

    async def apply_remediation(self, action: RemediationAction) -> RemediationResult:
        return await self._remote.apply_approved(action, _approved(action))


class TestProxiedProviderContract(CloudProviderContract):
    # Every cloud on the current protocol; one also on the legacy handshake era (JSON-RPC framed in memory).
    @pytest.fixture(params=[*((c, "auto") for c in CLOUDS), ("aws", "legacy")], ids=lambda p: "-".join(p))
    async def provider(self, request: pytest.FixtureRequest, settings: Settings) -> AsyncIterator[Approved]:
        cloud, mode = request.param
        async with _remote(cloud, settings, mode=mode) as remote:
            yield Approved(remote)

    @pytest.fixture
    def cost_period(self) -> tuple[date, date]:
        return date(2026, 10, 1), date(2026, 11, 1)


async def test_a_remote_error_comes_back_as_the_class_the_server_raised(settings: Settings) -> None:
    async with _remote("aws", settings) as remote:
        with pytest.raises(NotFound) as caught:
            await remote.plan_remediation(RemediationAction(provider="aws", kind="stop_instance", resource_id="i-0"))
    assert str(caught.value).startswith("aws: ")
    assert not str(caught.value).startswith("aws: aws:")


async def test_applying_through_a_read_only_server_is_refused_and_changes_nothing(settings: Settings) -> None:
    async with _remote("gcp", settings, remediation=False) as remote:
        volume = (await remote.list_resources(resource_type="volume", limit=1)).resources[0]
        action = RemediationAction(provider="gcp", kind="delete_volume", resource_id=volume.resource_id)
        with pytest.raises(RemediationRefused, match="--allow-remediation"):
            await remote.apply_approved(action, _approved(action))
        still = await remote.list_resources(resource_type="volume", limit=500)
    assert volume.resource_id in {r.resource_id for r in still.resources}


async def test_a_remote_server_is_never_asked_to_apply_a_change_without_a_persons_approval(settings: Settings) -> None:
    async with _remote("aws", settings) as remote:
        volume = (await remote.list_resources(resource_type="volume", limit=1)).resources[0]
        action = RemediationAction(provider="aws", kind="delete_volume", resource_id=volume.resource_id)
        with pytest.raises(RemediationRefused, match="applies only changes a person approved"):
            await remote.apply_remediation(action)
        still = await remote.list_resources(resource_type="volume", limit=500)
    assert volume.resource_id in {r.resource_id for r in still.resources}


async def test_daily_costs_over_more_than_a_month_arrive_whole_in_pieces(settings: Settings) -> None:
    sandbox = SandboxProvider("azure", as_of=AS_OF)
    start, end = date(2026, 8, 15), date(2026, 11, 3)
    async with _remote("azure", settings) as remote:
        rows = await remote.daily_costs(start, end)
    assert rows == await sandbox.daily_costs(start, end)

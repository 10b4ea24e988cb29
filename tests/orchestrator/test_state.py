"""The finops server's state: one object the server's lifespan owns, its providers closed when the server stops."""

from __future__ import annotations

from pathlib import Path

import pytest
from finops_core.errors import FinOpsError
from finops_core.models import Cloud
from finops_core.sandbox import SandboxProvider
from finops_core.settings import HttpSettings, LakeSettings
from finops_core.store import Store
from finops_orchestrator.lake.builder import Target
from finops_orchestrator.lake.engines import Rows
from finops_orchestrator.lake.reader import LakeReader
from finops_orchestrator.server import build_orchestrator
from finops_orchestrator.state import OrchestratorState
from mcp import Client

from tests.conftest import AS_OF
from tests.serving import client_with, serving

pytestmark = pytest.mark.anyio


class ClosingSandbox(SandboxProvider):
    """The sandbox, holding something to release as an in-process cloud does (its cache of paid calls)."""

    def __init__(self, cloud: Cloud, *, fails: bool = False) -> None:
        super().__init__(cloud, as_of=AS_OF)
        self.closed = 0
        self._fails = fails

    def close(self) -> None:
        self.closed += 1
        if self._fails:
            raise FinOpsError(f"{self.cloud} could not close")


async def test_the_providers_are_closed_when_the_server_stops_and_not_before(demo_store: Store) -> None:
    aws, gcp = ClosingSandbox("aws"), ClosingSandbox("gcp")
    state = OrchestratorState(store=demo_store, is_demo=True, today=lambda: AS_OF, providers=[aws, gcp])
    async with Client(build_orchestrator(state)) as client:
        answered = await client.call_tool("finops_savings", {"top_n": 3})
        assert not answered.is_error
        assert (aws.closed, gcp.closed) == (0, 0)  # in use while the server serves
    assert (aws.closed, gcp.closed) == (1, 1)


async def test_over_http_the_state_outlives_each_session_and_is_closed_once_when_the_server_stops(
    demo_store: Store,
) -> None:
    aws = ClosingSandbox("aws")
    state = OrchestratorState(store=demo_store, is_demo=True, today=lambda: AS_OF, providers=[aws])
    async with serving(build_orchestrator(state), HttpSettings()) as url:
        for _ in range(2):
            async with client_with(url, None) as client:
                assert not (await client.call_tool("finops_savings", {"top_n": 3})).is_error
        assert aws.closed == 0
    assert aws.closed == 1


def test_every_provider_is_closed_even_when_one_fails_to(demo_store: Store) -> None:
    aws, azure, gcp = ClosingSandbox("aws"), ClosingSandbox("azure", fails=True), ClosingSandbox("gcp")
    state = OrchestratorState(store=demo_store, is_demo=True, providers=[aws, azure, SandboxProvider("gcp"), gcp])
    with pytest.raises(FinOpsError, match="azure could not close"):
        state.close()
    assert (aws.closed, azure.closed, gcp.closed) == (1, 1, 1)


class ClosingEngine:
    """A lake engine that only counts its closes (the server never queries it here)."""

    name = "duckdb"
    target = Target("focus", "duckdb")

    def __init__(self) -> None:
        self.closed = 0

    def run(self, sql: str) -> Rows:
        raise AssertionError("not queried in this test")

    def close(self) -> None:
        self.closed += 1


async def test_the_lake_s_engine_is_closed_with_the_providers_when_the_server_stops(
    demo_store: Store, tmp_path: Path
) -> None:
    engine, aws = ClosingEngine(), ClosingSandbox("aws")
    reader = LakeReader(LakeSettings(engine="duckdb", path=str(tmp_path)), engine)
    state = OrchestratorState(store=demo_store, is_demo=False, today=lambda: AS_OF, providers=[aws], reader=reader)
    async with Client(build_orchestrator(state)):
        assert engine.closed == 0
    assert (engine.closed, aws.closed) == (1, 1)

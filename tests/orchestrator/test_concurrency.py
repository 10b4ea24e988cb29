"""Several MCP clients on one ``finops`` server (remediation on, real HTTP): while one ingests a large export, every
tool that writes the store answers within a bound (done, or "Store busy: ingest of big.csv, N rows so far, try again
in ~N s"), and reads answer at once. The server runs on an event loop of its own, so a server that deadlocks fails
the test (``anyio.fail_after``) instead of hanging it."""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import partial
from pathlib import Path
from typing import Any

import anyio
import anyio.to_thread
import httpx2
import pytest
from finops_core.errors import StoreBusy
from finops_core.focus import CostLineItem, Lineage
from finops_core.models import CLOUDS
from finops_core.provider import CloudProvider
from finops_core.sandbox import SandboxProvider
from finops_core.settings import HttpSettings
from finops_core.store import Store
from finops_orchestrator.server import build_orchestrator
from finops_orchestrator.state import OrchestratorState
from finops_orchestrator.sync import sync
from mcp import Client
from mcp.client import ClientRequestContext
from mcp.client.streamable_http import streamable_http_client
from mcp.types import CallToolResult, ElicitRequestParams, ElicitResult, TextContent

from tests.conftest import AS_OF, SHARED
from tests.serving import serving_in_thread

pytestmark = pytest.mark.anyio

ROWS = 300_000  # about 40,000 rows a chunk: the ingest holds the store for a few seconds after its first chunk
BUSY_S = 0.5  # the server's wait bound for a write
ANSWER_S = BUSY_S + 5  # a write answers within this, done or busy
PROMPT_S = 1.0  # a read answers within this while the ingest runs
SAMPLE = SHARED / "data/focus-samples/FOCUS-1.0/focus_sample_1000.csv"
NOW = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)


def _write_export(path: Path, rows: int) -> None:
    """A FOCUS export of ``rows`` line items of one month, written fast: one block of 1,000 rows repeated. A long
    description keeps chunks small (the reader cuts a CSV every 16 MB), so progress comes early and often."""
    header = (
        "ProviderName,BillingAccountId,SubAccountId,BillingCurrency,BillingPeriodStart,BillingPeriodEnd,"
        "ChargeCategory,ChargePeriodStart,ChargePeriodEnd,ServiceName,ResourceId,BilledCost,EffectiveCost,ListCost,"
        "ChargeDescription,Tags\n"
    )
    description = "d" * 150
    block = "".join(
        f"AWS,111122223333,4444{i % 7},USD,2026-10-01,2026-11-01,Usage,2026-10-{1 + i % 30:02d},"
        f"2026-10-{2 + i % 30:02d},Service {i % 13},r-{i},{i % 97}.25,{i % 97}.25,{i % 97}.5,{description},"
        f'"{{""team"": ""t{i % 5}""}}"\n'
        for i in range(1000)
    )
    with path.open("w", encoding="utf-8") as f:
        f.write(header)
        for _ in range(rows // 1000):
            f.write(block)


@pytest.fixture(scope="module")
def big_export(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    path = tmp_path_factory.mktemp("export") / "big.csv"
    _write_export(path, ROWS)  # about 50 MB in a tenth of a second
    yield path
    path.unlink()


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(tmp_path / "finops.sqlite", busy_seconds=BUSY_S) as opened:
        yield opened


def _text(result: CallToolResult) -> str:
    return " ".join(c.text for c in result.content if isinstance(c, TextContent))


async def _approve(context: ClientRequestContext, params: ElicitRequestParams) -> ElicitResult:
    return ElicitResult(action="accept", content={"approve": True})


@asynccontextmanager
async def _clients(store: Store, count: int, imports: Path) -> AsyncIterator[list[Client]]:
    """``count`` clients (each can answer an approval prompt) of one server over ``store``, with remediation on,
    that may ingest what is under ``imports`` and the shared FOCUS sample."""
    providers = list[CloudProvider](SandboxProvider(c, as_of=AS_OF) for c in CLOUDS)
    server = build_orchestrator(
        OrchestratorState(
            store=store,
            is_demo=False,
            today=lambda: AS_OF,
            providers=providers,
            remediation=True,
            now=lambda: NOW,
            ingest_roots=[imports, SAMPLE.parent],
        )
    )
    async with (
        serving_in_thread(server, HttpSettings()) as url,
        httpx2.AsyncClient(timeout=60) as http,
        AsyncExitStack() as stack,
    ):
        yield [
            await stack.enter_async_context(
                Client(streamable_http_client(url, http_client=http), elicitation_callback=_approve)
            )
            for _ in range(count)
        ]


@dataclass
class Ingest:
    result: CallToolResult | None = None


@asynccontextmanager
async def _ingesting(client: Client, path: Path) -> AsyncIterator[Ingest]:
    """``path`` being ingested by ``client``: the block runs once its first rows are written (the ingest then holds
    the store until the file's last chunk); the ingest's answer is there when the block has ended."""
    holding = anyio.Event()
    run = Ingest()

    async def progress(progress: float, total: float | None, message: str | None) -> None:
        holding.set()

    async def ingest() -> None:
        run.result = await client.call_tool("finops_ingest", {"paths": [str(path)]}, progress_callback=progress)

    async with anyio.create_task_group() as group:
        group.start_soon(ingest)
        with anyio.fail_after(60):
            await holding.wait()
        yield run


def _done_or_busy(tool: str, result: CallToolResult) -> bool:
    """True when done, False when busy with the ingest (the answer then says so); anything else fails the test."""
    if not result.is_error:
        return True
    text = _text(result)
    assert text.startswith("Store busy: ingest of big.csv, "), f"{tool}: {text}"
    assert " rows so far (process " in text, f"{tool}: {text}"
    assert "try again in ~" in text, f"{tool}: {text}"
    return False


async def _plan(client: Client) -> dict[str, Any]:
    aws = SandboxProvider("aws", as_of=AS_OF)
    ids = [r.recommendation_id for r in (await aws.list_recommendations(limit=500)).recommendations if r.action][:1]
    result = await client.call_tool("finops_plan_remediation", {"recommendation_ids": ids})
    assert not result.is_error, _text(result)
    assert result.structured_content is not None
    return result.structured_content


Write = Callable[[Client, dict[str, Any]], Awaitable[CallToolResult]]


async def _budget(client: Client, _: dict[str, Any]) -> CallToolResult:
    return await client.call_tool("finops_budget_set", {"name": "data", "amount": "1000"})


async def _sync(client: Client, _: dict[str, Any]) -> CallToolResult:
    return await client.call_tool("finops_sync", {"start": "2026-11-01"})


async def _second_ingest(client: Client, _: dict[str, Any]) -> CallToolResult:
    return await client.call_tool("finops_ingest", {"paths": [str(SAMPLE)]})


async def _plan_remediation(client: Client, plan: dict[str, Any]) -> CallToolResult:
    ids = [s["recommendation_id"] for s in plan["steps"]]
    return await client.call_tool("finops_plan_remediation", {"recommendation_ids": ids})


async def _execute(client: Client, plan: dict[str, Any]) -> CallToolResult:
    return await client.call_tool("finops_execute_plan", {"plan_id": plan["plan_id"]})


WRITES: dict[str, Write] = {
    "finops_budget_set": _budget,
    "finops_sync": _sync,
    "finops_ingest": _second_ingest,
    "finops_plan_remediation": _plan_remediation,
    "finops_execute_plan": _execute,
}


async def test_every_tool_that_writes_the_store_answers_within_the_bound_during_a_large_ingest_done_or_busy(
    store: Store, big_export: Path
) -> None:
    answers: dict[str, CallToolResult] = {}
    with anyio.fail_after(60):
        async with _clients(store, 1 + len(WRITES), big_export.parent) as (ingesting, *others):
            plan = await _plan(others[0])

            async def answer(name: str, write: Write, client: Client) -> None:
                with anyio.fail_after(ANSWER_S):  # each on its own client, all at once
                    answers[name] = await write(client, plan)

            async with _ingesting(ingesting, big_export) as ingest, anyio.create_task_group() as group:
                for (name, write), client in zip(WRITES.items(), others, strict=True):
                    group.start_soon(answer, name, write, client)
    done = {name: _done_or_busy(name, result) for name, result in answers.items()}
    assert ingest.result is not None
    assert not ingest.result.is_error, _text(ingest.result)
    assert (ingest.result.structured_content or {})["line_items"] == ROWS  # the ingest was not disturbed
    assert [b.name for b in store.budgets()] == (["data"] if done["finops_budget_set"] else [])  # all or nothing


async def test_reads_answer_at_once_during_a_large_ingest_while_a_write_waits_for_the_store(
    tmp_path: Path, big_export: Path
) -> None:
    store = Store(tmp_path / "finops.sqlite", busy_seconds=3)  # the budget waits this long: reads go on meanwhile
    slowest = 0.0
    with anyio.fail_after(60):
        async with (
            _clients(store, 3, big_export.parent) as (ingesting, writing, reading),
            _ingesting(ingesting, big_export),
            anyio.create_task_group() as group,
        ):
            group.start_soon(_budget, writing, {})
            for _ in range(3):
                for name, arguments in (
                    ("finops_store_info", {}),
                    ("finops_cost_query", {"start": "2026-10-01", "end": "2026-11-01"}),
                    ("finops_budget_status", {}),
                ):
                    started = anyio.current_time()
                    with anyio.fail_after(PROMPT_S):
                        result = await reading.call_tool(name, arguments)
                    slowest = max(slowest, anyio.current_time() - started)
                    assert not result.is_error, _text(result)
    assert slowest < PROMPT_S


class _Asked(SandboxProvider):
    """A sandbox cloud that counts what it was asked (a real cloud may bill each request)."""

    def __init__(self) -> None:
        super().__init__("aws", as_of=AS_OF)
        self.asked = 0

    async def daily_costs(self, start: date, end: date) -> list[CostLineItem]:
        self.asked += 1
        return await super().daily_costs(start, end)


async def test_a_sync_while_the_store_is_busy_asks_no_cloud_and_says_what_holds_the_store(store: Store) -> None:
    holding, done = threading.Event(), threading.Event()

    def long_ingest() -> None:
        with store.writer(Lineage(source="focus-export", file="/x/big.csv", ingested_at=NOW), kind="export"):
            holding.set()
            done.wait(30)

    cloud = _Asked()
    with anyio.fail_after(30):
        async with anyio.create_task_group() as group:
            group.start_soon(anyio.to_thread.run_sync, long_ingest)
            try:
                await anyio.to_thread.run_sync(holding.wait, 30)
                run = partial(sync, store, [cloud], [], start=date(2026, 10, 1), end=AS_OF, restate_months=1)
                with pytest.raises(StoreBusy, match=r"^Store busy: ingest of big\.csv"):  # a loop of its own:
                    await anyio.to_thread.run_sync(anyio.run, run, abandon_on_cancel=True)  # a hang fails the test
            finally:
                done.set()
    assert cloud.asked == 0
    report = await sync(store, [cloud], [], start=date(2026, 10, 1), end=AS_OF, restate_months=1)
    assert report.complete  # and once the store is free, the same sync runs
    assert cloud.asked > 0

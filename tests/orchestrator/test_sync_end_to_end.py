"""``finops sync`` with each real cloud adapter over its emulators (AWS: moto and our fakes; Azure and Google: our
fakes), connected in-process, as a remote server over stdio, and over streamable HTTP. The daily rows it lands in
the store equal what the adapter reports, to the cent per day, service and currency, and the orchestrator's tools
(``finops_cost_query``, ``finops_store_info``) answer from them. The path a real user takes first.

The emulators start once for the module; each test syncs a few days of one cloud into a new store.
"""

from __future__ import annotations

import os
import sys
from collections import defaultdict
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from finops_aws.provider import create_provider as create_aws
from finops_core.currency import cents
from finops_core.models import FOCUS_PROVIDER_NAMES, Cloud
from finops_core.money import from_nanos, to_nanos
from finops_core.provider import CloudProvider
from finops_core.settings import Settings
from finops_core.store import Store
from finops_orchestrator.providers import ProviderStatus, RemoteProvider, connect_providers
from finops_orchestrator.server import build_orchestrator
from finops_orchestrator.state import OrchestratorState
from finops_orchestrator.sync import sync
from mcp import Client
from moto.server import ThreadedMotoServer

from tests.commands import free_port, serving_on_http
from tests.conftest import AS_OF
from tests.credentials import AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AZURE_ACCESS_TOKEN, HTTP_TOKEN, leaked
from tests.fakes.aws.json_service import AwsJsonFake
from tests.fakes.azure.arm import ArmFake
from tests.fakes.gcp.bigquery import TABLE_IDS
from tests.fakes.gcp.google_api import GoogleFake
from tests.servers.aws.conftest import endpoints, fixed_session
from tests.servers.aws.test_provider import aws_provider
from tests.servers.azure.conftest import SUBSCRIPTIONS
from tests.servers.azure.test_provider import azure_provider
from tests.servers.conftest import Waits
from tests.servers.gcp.conftest import APIS, PROJECTS
from tests.servers.gcp.test_provider import ACCOUNT, ZONE, gcp_provider

pytestmark = [pytest.mark.anyio, pytest.mark.slow]

SERVER = Path(__file__).with_name("cloud_server.py")
# A few days of each dataset: AWS and Azure hold the 90 and 75 days before AS_OF, the Google export November 2020.
PERIODS: dict[Cloud, tuple[date, date]] = {
    "aws": (date(2026, 11, 21), date(2026, 11, 26)),
    "azure": (date(2026, 11, 21), date(2026, 11, 26)),
    "gcp": (date(2020, 11, 25), date(2020, 11, 30)),
}
Cells = dict[tuple[str, str, str], Decimal]  # (day, service, currency) -> amount


@dataclass
class Account:
    """One cloud's emulated account: its adapter in this process, its settings section, its expected rows."""

    provider: CloudProvider
    section: dict[str, Any]
    billed: Cells
    effective: Cells
    line_items: int


@pytest.fixture(scope="module")
def clouds(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[Cloud, Account]]:
    """Every emulator, started once, with each cloud's adapter and what it reports for its period."""
    import anyio

    home = tmp_path_factory.mktemp("adapters")
    with ExitStack() as stack:
        moto = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        moto.start()
        stack.callback(moto.stop)
        host, port = moto.get_host_and_port()
        moto_url = f"http://{host}:{port}"
        fake = stack.enter_context(AwsJsonFake())
        arm = stack.enter_context(ArmFake())
        google = stack.enter_context(GoogleFake())
        aws_provider(moto_url, fake, home / "aws")  # installs Cost Explorer's dataset and the other AWS fakes
        aws = {"regions": ["us-east-1"], "endpoint_urls": endpoints(moto_url, fake), "max_attempts": 1}
        aws_settings = Settings.load({"FINOPS_HOME": str(home / "aws")}, overrides={"aws": aws})
        providers: dict[Cloud, tuple[CloudProvider, dict[str, Any]]] = {
            "aws": (create_aws(aws_settings, session_factory=fixed_session, today=lambda: AS_OF), aws),
            "azure": (
                azure_provider(arm, home / "azure", Waits())[0],
                {
                    "subscriptions": list(SUBSCRIPTIONS),
                    "resource_manager_url": arm.url,
                    "retail_prices_url": f"{arm.url}/api/retail/prices",
                    "lro_poll_seconds": 0,
                },
            ),
            "gcp": (
                gcp_provider(google, home / "gcp", Waits())[0],
                {
                    "projects": list(PROJECTS),
                    "billing_account": ACCOUNT,
                    "standard_export_table": TABLE_IDS["standard"],
                    "endpoints": dict.fromkeys(APIS, google.url),
                    "zones": [ZONE],
                },
            ),
        }

        async def reported() -> dict[Cloud, Account]:
            out: dict[Cloud, Account] = {}
            for cloud, (provider, section) in providers.items():
                items = await provider.daily_costs(*PERIODS[cloud])
                billed: Cells = defaultdict(Decimal)
                effective: Cells = defaultdict(Decimal)
                raw: Cells = defaultdict(Decimal)
                for item in items:  # the store keeps each amount in whole nanos (half-even), then sums exactly
                    key = (item.charge_period_start.date().isoformat(), item.service_name or "", item.billing_currency)
                    billed[key] += from_nanos(to_nanos(item.billed_cost))
                    effective[key] += from_nanos(to_nanos(item.effective_cost))
                    raw[key] += item.billed_cost
                assert {k: cents(v) for k, v in raw.items()} == {k: cents(v) for k, v in billed.items()}  # to the cent
                out[cloud] = Account(provider, section, dict(billed), dict(effective), len(items))
            return out

        yield anyio.run(reported)
    assert google.violations == [], "exchanges Google's discovery documents do not allow:\n" + "\n".join(
        sorted(set(google.violations))
    )


def _server_env(home: Path, cloud: Cloud, section: dict[str, Any], **extra: str) -> dict[str, str]:
    import json

    env = {
        "FINOPS_HOME": str(home),
        "EMULATED_CLOUD_SECTION": json.dumps(section),
        "EMULATED_CLOUD_TODAY": AS_OF.isoformat(),
        "FINOPS_LOG_LEVEL": "WARNING",
        **extra,
    }
    if cloud == "aws":  # AWS's own credential chain, from the environment only
        env |= {
            "AWS_ACCESS_KEY_ID": AWS_ACCESS_KEY_ID,
            "AWS_SECRET_ACCESS_KEY": AWS_SECRET_ACCESS_KEY,
            "AWS_REGION": "us-east-1",
            "AWS_CONFIG_FILE": str(home / "no-aws-config"),
            "AWS_SHARED_CREDENTIALS_FILE": str(home / "no-aws-credentials"),
            "AWS_EC2_METADATA_DISABLED": "true",
        }
    if cloud == "azure":
        env["EMULATED_CLOUD_AZURE_TOKEN"] = AZURE_ACCESS_TOKEN
    return env


@contextmanager
def _http_server(home: Path, cloud: Cloud, section: dict[str, Any]) -> Iterator[str]:
    """The cloud's server as its own process on streamable HTTP behind ``HTTP_TOKEN``; yields its URL."""
    env = {
        **{k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG")},
        **_server_env(home, cloud, section),
        "FINOPS_HTTP__TOKEN": HTTP_TOKEN,
        "FINOPS_LOG_LEVEL": "INFO",
    }
    with serving_on_http([sys.executable, str(SERVER), cloud], env, free_port()) as url:
        yield url


def _cells(body: dict[str, Any]) -> Cells:
    """(day, service, currency) -> amount from finops_cost_query's daily answer by service (pivoted by day)."""
    assert "cut" not in body, body["cut"]
    columns = body["columns"]
    assert columns[:2] == ["service", "currency"]
    out: Cells = {}
    for service, currency, *amounts in body["rows"]:
        for day, amount in zip(columns[2:], amounts, strict=True):
            if amount is not None:
                out[(day, service, currency)] = Decimal(amount)
    return out


@pytest.mark.parametrize("cloud", ["aws", "azure", "gcp"])
@pytest.mark.parametrize("mode", ["in-process", "stdio", "http"])
async def test_sync_lands_the_adapters_daily_rows_and_the_tools_answer_from_them(
    clouds: dict[Cloud, Account], cloud: Cloud, mode: str, tmp_path: Path
) -> None:
    account = clouds[cloud]
    start, end = PERIODS[cloud]
    store = Store(tmp_path / "finops.sqlite")
    with ExitStack() as stack:
        if mode == "in-process":
            providers: list[CloudProvider] = [account.provider]
            statuses = [ProviderStatus(provider=cloud, state="connected", mode=mode, detail="emulated")]
            report = await sync(store, providers, statuses, start=start, end=end, restate_months=1)
        else:
            server_home = tmp_path / f"{cloud}-server"
            if mode == "stdio":
                env = _server_env(server_home, cloud, account.section)
                config = {"mode": "stdio", "command": [sys.executable, str(SERVER), cloud], "env": env}
            else:
                url = stack.enter_context(_http_server(server_home, cloud, account.section))
                config = {"mode": "http", "url": url, "token": HTTP_TOKEN}
            settings = Settings.load({"FINOPS_HOME": str(tmp_path)}, overrides={"providers": {cloud: config}})
            async with connect_providers(settings, as_of=AS_OF) as connected:
                assert [type(p) for p in connected.providers] == [RemoteProvider], connected.statuses
                statuses = connected.statuses
                report = await sync(
                    store, connected.providers, connected.statuses, start=start, end=end, restate_months=1
                )
    (synced,) = [r for r in report.providers if r.provider == cloud]
    assert (synced.state, synced.message) == ("synced", None)
    assert synced.line_items == account.line_items > 0
    assert synced.resources is not None
    assert synced.recommendations is not None

    orchestrator = build_orchestrator(
        OrchestratorState(store=store, is_demo=False, today=lambda: AS_OF, statuses=statuses)
    )
    period = {"start": start.isoformat(), "end": end.isoformat(), "granularity": "daily", "group_by": ["service"]}
    asked = {**period, "providers": [FOCUS_PROVIDER_NAMES[cloud]], "top_n": 500}
    async with Client(orchestrator) as client:
        billed = await client.call_tool("finops_cost_query", {**asked, "metric": "billed"})
        effective = await client.call_tool("finops_cost_query", {**asked, "metric": "effective"})
        info = await client.call_tool("finops_store_info", {})
    assert billed.structured_content is not None
    assert effective.structured_content is not None
    assert _cells(billed.structured_content) == account.billed  # to the nano, per day, service and currency
    assert _cells(effective.structured_content) == account.effective
    overview = info.structured_content
    assert overview is not None
    assert overview["line_items"] == account.line_items
    assert overview["providers"] == [FOCUS_PROVIDER_NAMES[cloud]]
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for (_, _, currency), amount in account.effective.items():
        totals[currency] += amount
    assert {t["currency"]: Decimal(t["amount"]) for t in overview["effective_cost_totals"]} == totals
    assert [s["provider"] for s in overview["snapshots"]] == [cloud] * len(overview["snapshots"])
    assert not leaked(str(report.model_dump()) + str(overview))

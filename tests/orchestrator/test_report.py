"""Monthly reports: every figure equals the store's to the cent, charts are real PNGs, files are written, the
latest report is a resource, and bad months are refused before anything is written."""

from __future__ import annotations

import base64
import io
import sqlite3
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from finops_core.models import CLOUDS
from finops_core.sandbox import SandboxProvider
from finops_core.store import Store
from finops_orchestrator.cli import app
from finops_orchestrator.server import build_orchestrator
from finops_orchestrator.state import OrchestratorState
from mcp import Client
from mcp.types import ImageContent, TextContent
from PIL import Image
from typer.testing import CliRunner

from tests.conftest import AS_OF

pytestmark = pytest.mark.anyio
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
_CENT = Decimal("0.01")


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return Path(tmp_path_factory.mktemp("reports"))


@pytest.fixture(scope="module")
def items(demo_store: Store) -> pd.DataFrame:
    """Every line item read straight from the store's FOCUS view, cost in nanos, with its charge month."""
    with sqlite3.connect(demo_store.path) as conn:
        frame = pd.read_sql_query(
            "SELECT provider_name AS provider, service_name AS service, billing_currency AS currency, "
            "charge_period_start AS start, effective_cost AS nanos FROM focus_line_items",
            conn,
        )
    frame["day"] = pd.to_datetime(frame["start"], unit="s", utc=True).dt.date
    return frame


def _cents(nanos: int) -> str:
    return f"{(Decimal(int(nanos)) / 10**9).quantize(_CENT, rounding=ROUND_HALF_EVEN):,.2f}"


def _signed(nanos: int) -> str:
    text = _cents(nanos)
    return text if text.startswith("-") else "+" + text


def _month(frame: pd.DataFrame, first: date, end: date, by: list[str]) -> dict[tuple[str, ...], int]:
    picked = frame[(frame["day"] >= first) & (frame["day"] < end)]
    return {k if isinstance(k, tuple) else (k,): int(v) for k, v in picked.groupby(by)["nanos"].sum().items()}


def _rows(markdown: str, heading: str) -> list[list[str]]:
    """The table rows (cells) of the section under ``heading``, header and rule left out."""
    section = markdown.split(f"## {heading}", 1)[1].split("\n## ", 1)[0]
    rows = [line.strip("| ").split(" | ") for line in section.splitlines() if line.startswith("| ")]
    return rows[1:]


async def _report(store: Store, reports: Path, arguments: dict[str, Any]) -> Any:
    providers = [SandboxProvider(c, as_of=AS_OF) for c in CLOUDS]
    server = build_orchestrator(
        OrchestratorState(store=store, is_demo=True, today=lambda: AS_OF, providers=providers, reports=reports)
    )
    async with Client(server) as client:
        result = await client.call_tool("finops_report", arguments)
        savings = await client.call_tool("finops_savings", {})
        latest = await client.read_resource("finops://reports/latest")
    return result, savings.structured_content, latest.contents[0].text  # type: ignore[union-attr]


@pytest.fixture(scope="module")
async def october(demo_store: Store, reports: Path) -> tuple[Any, Any, str]:
    """The default report (the last complete month before AS_OF: October 2026), made once for the module."""
    return await _report(demo_store, reports, {})


@pytest.fixture(scope="module")
def anyio_backend() -> str:
    return "asyncio"


async def test_totals_and_movers_equal_pandas_over_the_store_to_the_cent(
    october: tuple[Any, Any, str], items: pd.DataFrame
) -> None:
    result, _, _ = october
    assert not result.is_error, result.content
    markdown = result.content[0].text
    assert markdown.startswith("# Cloud cost report: October 2026")
    assert "effective cost: amortized" in markdown
    sep, oct_, nov = date(2026, 9, 1), date(2026, 10, 1), date(2026, 11, 1)
    before = _month(items, sep, oct_, ["provider", "currency"])
    now = _month(items, oct_, nov, ["provider", "currency"])
    expected = [
        [p, c, _cents(before.get((p, c), 0)), _cents(now[(p, c)]), _signed(now[(p, c)] - before.get((p, c), 0))]
        for p, c in sorted(now, key=lambda k: (k[1], k[0]))
    ]
    rows = _rows(markdown, "Totals by provider")
    assert sorted(r[:5] for r in rows if not r[0].startswith("**")) == sorted(expected)
    for currency in ("EUR", "USD"):  # one total per currency, never one across currencies
        b = sum(v for (_, c), v in before.items() if c == currency)
        n = sum(v for (_, c), v in now.items() if c == currency)
        assert [r[2:5] for r in rows if r[1] == f"**{currency}**"] == [[_cents(b), _cents(n), _signed(n - b)]]
    assert len([r for r in rows if r[0] == "**Total**"]) == 2

    services_before = _month(items, sep, oct_, ["service", "currency"])
    services_now = _month(items, oct_, nov, ["service", "currency"])
    movers = _rows(markdown, "Top movers by service")
    for currency in ("EUR", "USD"):
        change = {
            s: services_now.get((s, c), 0) - services_before.get((s, c), 0)
            for s, c in services_now.keys() | services_before.keys()
            if c == currency
        }
        top = sorted(change, key=lambda s: (-abs(change[s]), s))[:5]
        mine = [r for r in movers if r[1] == currency]
        assert [r[0] for r in mine] == [*top, "(other)"]
        for row, service in zip(mine, top, strict=False):
            assert row[2:5] == [
                _cents(services_before.get((service, currency), 0)),
                _cents(services_now.get((service, currency), 0)),
                _signed(change[service]),
            ]
        assert mine[-1][4] == _signed(sum(v for s, v in change.items() if s not in top))


async def test_the_forecast_has_an_exact_month_to_date_and_savings_match_the_savings_tool(
    october: tuple[Any, Any, str], items: pd.DataFrame
) -> None:
    result, savings, _ = october
    markdown = result.content[0].text
    to_date = _month(items, date(2026, 11, 1), AS_OF, ["currency"])
    forecast = _rows(markdown, "Forecast for November 2026")
    assert [r[:2] for r in forecast] == [["EUR", _cents(to_date[("EUR",)])], ["USD", _cents(to_date[("USD",)])]]
    for row in forecast:
        low, high = (Decimal(v.replace(",", "")) for v in row[3].split(" to "))
        assert Decimal(row[1].replace(",", "")) <= low <= Decimal(row[2].replace(",", "")) <= high
    names = {"aws": "AWS", "azure": "Azure", "gcp": "Google Cloud"}
    expected = []
    for p in savings["by_provider"]:
        amount = _cents(int(Decimal(p["monthly_savings"]["amount"]) * 10**9))
        expected.append([names[p["provider"]], p["currency"], amount, str(p["opportunities"])])
    assert [r for r in _rows(markdown, "Savings by cloud") if not r[0].startswith("**")] == expected


async def test_charts_come_back_as_small_pngs_and_every_file_is_written(
    october: tuple[Any, Any, str], reports: Path
) -> None:
    result, _, _ = october
    text, *images = result.content
    assert isinstance(text, TextContent)
    assert [type(i) for i in images] == [ImageContent] * 3
    folder = reports / "2026-10"
    files = [str(folder / name) for name in ("report.md", "trend.png", "movers.png", "savings.png")]
    assert result.structured_content == {"month": "2026-10", "files": files}
    assert f"Written to {folder}: report.md, trend.png, movers.png, savings.png." in text.text
    assert (folder / "report.md").read_text() in text.text
    for image, name in zip(images, ("trend.png", "movers.png", "savings.png"), strict=True):
        assert isinstance(image, ImageContent)
        assert image.mime_type == "image/png"
        png = base64.b64decode(image.data)
        assert png.startswith(PNG_MAGIC)
        assert Image.open(io.BytesIO(png)).size == (800, 400)
        assert len(png) < 100_000
        assert (folder / name).read_bytes() == png
        assert f"]({name})" in text.text  # the Markdown file links its charts


async def test_the_latest_report_resource_says_how_to_make_one_then_serves_the_newest_month(
    demo_store: Store, reports: Path, tmp_path: Path, october: tuple[Any, Any, str]
) -> None:
    server = build_orchestrator(
        OrchestratorState(store=demo_store, is_demo=True, today=lambda: AS_OF, reports=tmp_path / "none")
    )
    async with Client(server) as client:
        empty = (await client.read_resource("finops://reports/latest")).contents[0]
    assert "finops_report" in empty.text  # type: ignore[union-attr]
    assert not (tmp_path / "none").exists()

    older = reports / "2026-09"  # written after October's, but an older month
    older.mkdir()
    (older / "report.md").write_text("# Cloud cost report: September 2026\n")
    server = build_orchestrator(OrchestratorState(store=demo_store, is_demo=True, today=lambda: AS_OF, reports=reports))
    async with Client(server) as client:
        latest = (await client.read_resource("finops://reports/latest")).contents[0].text  # type: ignore[union-attr]
    assert latest.startswith("# Cloud cost report: October 2026")  # the newest month, not the newest written
    assert latest.startswith((reports / "2026-10" / "report.md").read_text())
    assert str(reports / "2026-10") in latest


@pytest.mark.parametrize(
    ("month", "says"),
    [
        ("2026-13", "is not a month; use YYYY-MM"),
        ("October", "is not a month; use YYYY-MM"),
        ("2026-11", "is not over yet"),
        ("2027-01", "is in the future"),
        ("2024-01", "No cost data for 2024-01"),
    ],
)
async def test_a_bad_month_is_an_error_that_says_what_to_send_and_writes_nothing(
    demo_store: Store, tmp_path: Path, month: str, says: str
) -> None:
    server = build_orchestrator(
        OrchestratorState(store=demo_store, is_demo=True, today=lambda: AS_OF, reports=tmp_path / "reports")
    )
    async with Client(server) as client:
        result = await client.call_tool("finops_report", {"month": month})
    assert result.is_error
    assert says in result.content[0].text  # type: ignore[union-attr]
    assert "2026-10" in result.content[0].text or "2025-11-01" in result.content[0].text  # what to ask instead
    assert not (tmp_path / "reports").exists()


def _demo_home(store: Store, tmp_path: Path) -> Path:
    """A FINOPS_HOME whose demo store is already loaded (a copy of the module's)."""
    home = tmp_path / "home"
    home.mkdir()
    with store.reader() as conn:
        conn.execute("VACUUM INTO ?", (str(home / "demo.sqlite"),))
    return home


def _cli(home: Path, *args: str) -> Any:
    env = {"FINOPS_HOME": str(home), "FINOPS_DEMO_AS_OF": AS_OF.isoformat(), "COLUMNS": "200"}
    return CliRunner().invoke(app, ["report", *args], env=env)


def test_finops_report_prints_the_markdown_and_the_paths_it_wrote(demo_store: Store, tmp_path: Path) -> None:
    home = _demo_home(demo_store, tmp_path)
    done = _cli(home, "--demo", "--month", "2025-11", "--output", str(tmp_path / "out"))
    assert done.exit_code == 0, done.output
    assert "Cloud cost report: November 2025" in done.stdout
    assert "No cost in October 2025 (before the data starts?): changes are against zero." in done.stdout
    assert "Forecast for" not in done.stdout  # a forecast only beside the last complete month
    assert "Totals by provider" in done.stdout
    for name in ("report.md", "trend.png", "movers.png", "savings.png"):
        assert str(tmp_path / "out" / name) in done.stdout
        assert (tmp_path / "out" / name).stat().st_size > 0
    assert not (home / "demo-reports").exists()


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--demo", "--month", "26-10"], "is not a month"),
        (["--demo", "--month", "2030-01"], "is in the future"),
        (["--month", "2020-01"], "The store is empty"),  # not the demo: the real (empty) store
    ],
)
def test_finops_report_with_bad_input_prints_one_error_line_and_writes_nothing(
    demo_store: Store, tmp_path: Path, args: list[str], says: str
) -> None:
    home = _demo_home(demo_store, tmp_path)
    done = _cli(home, *args)
    assert done.exit_code == 1
    assert says in done.stderr
    assert "Traceback" not in done.output
    assert not (home / "reports").exists()
    assert not (home / "demo-reports").exists()

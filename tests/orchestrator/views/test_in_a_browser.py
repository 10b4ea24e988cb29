"""The views in a real browser: headless Chromium shows each one inside a test host built on the official MCP Apps host
side (``@modelcontextprotocol/ext-apps``' AppBridge, bundled by esbuild from .ci/node), fed real answers of the demo
server built in-process; the numbers drawn are checked against each answer's structured content, tool calls the
views make go through the host to the same server, and a screenshot of each view is kept in the test's folder.

One browser for the module. Waits are on page state (playwright's locators), with upper limits only.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from anyio.from_thread import start_blocking_portal
from finops_core.models import CLOUDS
from finops_core.sandbox import SandboxProvider
from finops_core.store import Store
from finops_orchestrator.server import build_orchestrator
from finops_orchestrator.state import OrchestratorState
from mcp import Client
from mcp.client.extension import advertise
from mcp.server.apps import APP_MIME_TYPE, EXTENSION_ID
from playwright.sync_api import BrowserContext, FrameLocator, Page, sync_playwright

from tests.conftest import AS_OF
from tests.orchestrator.conftest import copy_of
from tests.tables import long_rows

pytestmark = pytest.mark.slow

CHROMIUM = Path("/usr/bin/chromium")
NODE_MODULES = Path(__file__).resolve().parents[3] / ".ci/node/node_modules"
WAIT_MS = 15_000  # an upper limit for any one thing to appear; each normally takes milliseconds
CallTool = Callable[[str, dict[str, Any]], dict[str, Any]]


class Server:
    """The demo ``finops`` server (remediation on) behind an MCP client that negotiated Apps, called from sync code."""

    def __init__(self, call: CallTool, views: dict[str, str]) -> None:
        self.call = call
        self.views = views  # tool -> its view's HTML, as resources/read served it


@pytest.fixture(scope="module")
def server(demo_store: Store, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    store = copy_of(demo_store, tmp_path_factory.mktemp("views"))  # a plan is saved in the store
    providers = [SandboxProvider(c, as_of=AS_OF) for c in CLOUDS]
    built = build_orchestrator(
        OrchestratorState(store=store, is_demo=True, today=lambda: AS_OF, providers=providers, remediation=True)
    )
    apps = advertise(EXTENSION_ID, {"mimeTypes": [APP_MIME_TYPE]})
    with (
        start_blocking_portal() as portal,
        portal.wrap_async_context_manager(Client(built, extensions=[apps])) as client,
    ):

        def call(name: str, arguments: dict[str, Any]) -> dict[str, Any]:
            result = portal.call(client.call_tool, name, arguments)
            return result.model_dump(mode="json", by_alias=True, exclude_none=True)

        views: dict[str, str] = {}
        for tool in portal.call(client.list_tools).tools:
            if tool.meta and "ui" in tool.meta:
                read = portal.call(client.read_resource, tool.meta["ui"]["resourceUri"])
                views[tool.name] = read.contents[0].text  # type: ignore[union-attr]
        yield Server(call, views)


@pytest.fixture(scope="module")
def host_page(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The test host page: host.js and the official AppBridge, bundled."""
    esbuild = NODE_MODULES / ".bin/esbuild"
    missing = "is missing: .ci/run installs it (npm install --prefix .ci/node)"
    assert esbuild.exists(), f"esbuild {missing}"
    assert (NODE_MODULES / "@modelcontextprotocol/ext-apps").exists(), f"@modelcontextprotocol/ext-apps {missing}"
    bundle = tmp_path_factory.mktemp("host") / "host.js"
    done = subprocess.run(
        [
            esbuild,
            Path(__file__).with_name("host.js"),
            "--bundle",
            "--format=iife",
            "--log-level=warning",
            f"--outfile={bundle}",
        ],
        env={**os.environ, "NODE_PATH": str(NODE_MODULES)},  # esbuild resolves the packages from .ci/node
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    body = f"<div id='stage'></div><script>{bundle.read_text()}</script>"
    return f"<!doctype html><html><head><meta charset='utf-8'></head><body style='margin:0'>{body}</body></html>"


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BrowserContext]:
    assert CHROMIUM.exists(), "Chromium is missing: .ci/run installs Debian's (apt-get install chromium)"
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            tmp_path_factory.mktemp("chromium-profile"),  # a fresh --user-data-dir
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
            viewport={"width": 900, "height": 800},
        )
        yield context
        context.close()


@pytest.fixture
def page(server: Server, host_page: str, browser: BrowserContext) -> Iterator[Page]:
    # The server first: the demo store's loading runs an event loop, which sync playwright's would refuse.
    page = browser.new_page()
    requests: list[str] = []
    errors: list[str] = []
    page.route("**/*", lambda route: (requests.append(route.request.url), route.abort()))
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.expose_function("finopsCallTool", server.call)
    page.set_content(host_page)
    yield page
    page.close()
    assert requests == [], "a view reached for the network"
    assert errors == []


def show(
    page: Page, server: Server, tool: str, arguments: dict[str, Any], theme: str = "light"
) -> tuple[FrameLocator, dict[str, Any]]:
    """``tool``'s answer to ``arguments`` shown in its view; returns the view's frame and the structured content."""
    result = server.call(tool, arguments)
    assert not result.get("isError"), result
    page.evaluate(
        "([html, tool, args, result, theme]) => finopsHost.show(html, tool, args, result, theme)",
        [server.views[tool], tool, arguments, result, theme],
    )
    frame = page.frame_locator("iframe")
    frame.locator("#view[data-ready]").wait_for(timeout=WAIT_MS)
    return frame, result["structuredContent"]


def snapshot(page: Page, folder: Path, name: str) -> Path:
    """A screenshot of the view as the host shows it, once the host has sized the frame to the view's content."""
    inner = page.frames[1]
    height = inner.evaluate("document.documentElement.scrollHeight")
    page.wait_for_function(
        "h => Math.abs(document.querySelector('iframe').getBoundingClientRect().height - h) < 2",
        arg=height,
        timeout=WAIT_MS,
    )
    path = folder / f"{name}.png"
    page.locator("iframe").screenshot(path=path)
    return path


def amounts(frame: FrameLocator, selector: str, *attributes: str) -> list[tuple[str | None, ...]]:
    """The ``attributes`` of every element ``selector`` finds, in document order (one round trip)."""
    found = frame.locator(selector).evaluate_all(
        "(all, names) => all.map(e => names.map(n => e.getAttribute(n)))", list(attributes)
    )
    return [tuple(values) for values in found]


def grouped(amount: str) -> str:
    """``amount`` as the views show it: digits grouped, every decimal kept (at least two)."""
    whole, _, fraction = amount.partition(".")
    sign = "-" if whole.startswith("-") else ""
    return f"{sign}{int(whole.lstrip('-')):,}.{fraction.ljust(2, '0')}"


def test_cost_over_time_stacks_each_periods_groups_at_their_exact_amounts_and_follows_the_theme(
    page: Page, server: Server, tmp_path: Path
) -> None:
    asked = {"start": "2026-08-01", "end": "2026-11-01", "granularity": "weekly", "group_by": ["provider"]}
    frame, data = show(page, server, "finops_cost_query", asked)
    rows = long_rows(data)  # the answer pivots a trend by period; the view draws a segment per cell
    drawn = amounts(frame, "rect.segment", "data-period", "data-series", "data-currency", "data-amount")
    assert sorted(drawn) == sorted((p, g, c, a) for p, g, c, a in rows)
    assert len(drawn) == 42  # 14 weeks (two cut by the period) x 3 providers
    # Each bar is its period's exact total per currency; the totals shown are the answer's, to the last digit.
    bars = amounts(frame, "g.bar", "data-period", "data-currency", "data-total")
    assert len(bars) == 28
    for period, currency, total in bars:
        assert Decimal(total or "") == sum(Decimal(r[3]) for r in rows if (r[0], r[2]) == (period, currency))
    for currency, amount in data["totals"].items():
        assert frame.locator(f'[data-total="{currency}"]').inner_text() == f"Total {grouped(amount)} {currency}"
    assert "effective cost: amortized" in frame.locator("body").inner_text()
    # Hovering a segment shows its exact amount.
    segment = frame.locator('rect.segment[data-series="AWS"][data-period="2026-10-12"]')
    segment.hover()
    aws = next(r for r in rows if r[0] == "2026-10-12" and r[1] == "AWS")
    assert f"{grouped(aws[3])} USD" in frame.locator("#tip").inner_text()
    light = snapshot(page, tmp_path, "cost-over-time-light")
    background = frame.locator("html").evaluate("e => getComputedStyle(e).backgroundColor")
    assert background == "rgb(251, 250, 248)"  # the host's light background variable
    page.evaluate("finopsHost.setTheme('dark')")
    frame.locator("html[data-theme=dark]").wait_for(timeout=WAIT_MS)
    assert frame.locator("html").evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(38, 38, 36)"
    # Colors the host did not give follow its scheme through the view's own light-dark() defaults.
    assert frame.locator(".sub").first.evaluate("e => getComputedStyle(e).color") == "rgb(161, 161, 170)"
    dark = snapshot(page, tmp_path, "cost-over-time-dark")
    assert light.stat().st_size > 10_000
    assert dark.stat().st_size > 10_000


def test_the_waterfall_and_the_forecast_draw_the_answers_numbers(page: Page, server: Server, tmp_path: Path) -> None:
    frame, data = show(page, server, "finops_explain_change", {"dimension": "service"}, theme="dark")
    for change in data["currencies"]:
        figure = frame.locator(f'figure[data-currency="{change["currency"]}"]')
        drivers = amounts(figure, "rect.driver", "data-label", "data-amount")
        assert drivers == [(d["value"] or "(not set)", d["change"]) for d in change["drivers"]]
        assert amounts(figure, "rect.total", "data-label", "data-amount") == [
            ("Baseline", change["baseline"]),
            ("Current", change["current"]),
        ]
        assert sum(Decimal(a or "") for _, a in drivers) == Decimal(change["change"])  # the steps add up exactly
        assert figure.locator("[data-change]").inner_text() == f"+{grouped(change['change'])} {change['currency']}"
    snapshot(page, tmp_path, "explain-change-dark")

    frame, data = show(page, server, "finops_forecast", {"by": "provider", "providers": ["Microsoft"]})
    (one,) = data["series"]
    bands = amounts(frame, "rect.band", "data-kind", "data-low", "data-high")
    assert bands == [
        ("month-end", one["month_end_low"], one["month_end_high"]),
        ("next-days", one["next_days_low"], one["next_days_high"]),
    ]
    assert amounts(frame, "rect.actual", "data-amount") == [(one["month_to_date"],)]
    assert amounts(frame, "line.point", "data-amount") == [(one["month_end"],), (one["next_days"],)]
    cells = frame.locator("table.numbers tbody tr").first.locator("td").all_inner_texts()
    assert cells[1:6] == [
        grouped(one["month_to_date"]),
        grouped(one["month_end"]),
        f"{grouped(one['month_end_low'])} to {grouped(one['month_end_high'])}",
        grouped(one["next_days"]),
        f"{grouped(one['next_days_low'])} to {grouped(one['next_days_high'])}",
    ]
    # The month so far, read through the host, adds up exactly to the forecast's month to date.
    frame.locator("figure.month-chart circle.actual-day").first.wait_for(timeout=WAIT_MS)
    days = amounts(frame, "circle.actual-day", "data-day", "data-amount")
    assert len(days) == AS_OF.day - 1
    assert days[-1] == ((AS_OF - timedelta(days=1)).isoformat(), one["month_to_date"])
    assert amounts(frame, "polygon.cone", "data-low", "data-high") == [(one["month_end_low"], one["month_end_high"])]
    (call,) = page.evaluate("finopsHost.calls")
    assert call["name"] == "finops_cost_query"
    assert call["arguments"]["providers"] == ["Microsoft"]
    snapshot(page, tmp_path, "forecast-light")


def test_anomalies_are_marked_on_their_daily_series_read_through_the_host(
    page: Page, server: Server, tmp_path: Path
) -> None:
    frame, data = show(page, server, "finops_anomalies", {"days": 60})
    assert data["count"] == 2
    frame.locator("figure.anomaly rect.day").first.wait_for(timeout=WAIT_MS)
    for anomaly in data["anomalies"]:
        figure = frame.locator(f'figure.anomaly[data-start="{anomaly["start"]}"]')
        figure.locator("rect.day").first.wait_for(timeout=WAIT_MS)
        span = amounts(figure, "rect.anomaly-span", "data-start", "data-last-day")
        assert span == [(anomaly["start"], anomaly["last_day"])]
        assert amounts(figure, "circle.peak", "data-day") == [(anomaly["peak_day"],)]
        assert f"+{grouped(anomaly['impact'])} {anomaly['currency']}" in figure.inner_text()
        # The series drawn is the store's daily cost of that provider x service x account, to the last digit.
        first = (date.fromisoformat(data["start"]) - timedelta(days=28)).isoformat()  # the view shows 4 weeks before
        asked = {
            "start": first,
            "end": data["end"],
            "granularity": "daily",
            "metric": data["metric"],
            "providers": [anomaly["provider"]],
            "services": [anomaly["service"]],
            "accounts": [anomaly["account"]],
        }
        daily = long_rows(server.call("finops_cost_query", asked)["structuredContent"])
        drawn = dict(amounts(figure, "rect.day", "data-day", "data-amount"))  # type: ignore[arg-type]
        assert {day: drawn[day] for day, _, _ in daily} == {day: cost for day, _, cost in daily}
        inside = [d for d, _ in amounts(figure, "rect.in-anomaly", "data-day", "data-amount")]
        assert (inside[0], inside[-1], len(inside)) == (anomaly["start"], anomaly["last_day"], anomaly["days"])
    calls = page.evaluate("finopsHost.calls")
    assert [c["name"] for c in calls] == ["finops_cost_query"] * 2
    snapshot(page, tmp_path, "anomalies-light")


def test_chosen_savings_are_planned_through_the_host_and_nothing_is_changed(
    page: Page, server: Server, tmp_path: Path
) -> None:
    frame, data = show(page, server, "finops_savings", {"top_n": 8})
    shown = amounts(frame, "table.opportunities td[data-amount]", "data-amount", "data-currency")
    assert shown == [
        (o["recommendation"]["monthly_savings"]["amount"], o["recommendation"]["monthly_savings"]["currency"])
        for o in data["opportunities"]
    ]
    for total in data["total_monthly_savings"]:
        assert (
            frame.locator(f'[data-total="{total["currency"]}"]').inner_text()
            == f"Total {grouped(total['amount'])} {total['currency']} a month"
        )
    by_hand = [o["recommendation"] for o in data["opportunities"] if not o["recommendation"]["action"]]
    assert by_hand
    for r in by_hand:
        assert frame.locator(
            f'tr[data-id="{r["recommendation_id"]}"][data-provider="{r["provider"]}"] input'
        ).is_disabled()
    chosen = [o["recommendation"] for o in data["opportunities"] if o["recommendation"]["action"]][:2]
    assert frame.locator("#plan").is_disabled()
    for recommendation in chosen:
        row = f'tr[data-id="{recommendation["recommendation_id"]}"][data-provider="{recommendation["provider"]}"]'
        frame.locator(f"{row} input").check()
    frame.locator("#plan").click()
    frame.locator("#approval").wait_for(timeout=WAIT_MS)
    (call,) = page.evaluate("finopsHost.calls")
    assert call == {
        "name": "finops_plan_remediation",
        "arguments": {"recommendation_ids": [r["recommendation_id"] for r in chosen]},
    }
    steps = amounts(frame, "table.steps tbody tr", "data-recommendation")
    assert steps == [(r["recommendation_id"],) for r in chosen]
    plan_id = frame.locator("#plan-result h2").inner_text().split()[1].rstrip(":")
    assert f"finops approve {plan_id}" in frame.locator("#approval").inner_text()
    # The model hears of the plan through the host (from its next turn), so the conversation can go on from it.
    page.wait_for_function("finopsHost.contexts.length > 0", timeout=WAIT_MS)
    (told,) = page.evaluate("finopsHost.contexts")
    assert plan_id in told["content"][0]["text"]
    assert "not approved and nothing has changed" in told["content"][0]["text"]
    snapshot(page, tmp_path, "savings-planned-light")
    # The plan is stored, unapproved, and nothing ran: a person still approves it.
    status = server.call("finops_plan_status", {"plan_id": plan_id})["structuredContent"]
    assert status["approvals"] == []
    assert all(s["state"] == "pending" for s in status["steps"])


def test_a_failed_answer_is_shown_as_its_text(page: Page, server: Server) -> None:
    result = server.call("finops_explain_change", {"start": "2026-11-30", "end": "2026-11-01"})
    assert result["isError"]
    page.evaluate(
        "([html, result]) => finopsHost.show(html, 'finops_explain_change', {}, result, 'light')",
        [server.views["finops_explain_change"], result],
    )
    frame = page.frame_locator("iframe")
    assert frame.locator("p.error").inner_text(timeout=WAIT_MS) == result["content"][0]["text"]


def test_a_host_that_passes_no_tool_calls_on_still_gets_each_anomaly_and_savings_without_a_plan_button(
    page: Page, server: Server
) -> None:
    for tool, arguments in (("finops_anomalies", {"days": 60}), ("finops_savings", {"top_n": 3})):
        result = server.call(tool, arguments)
        page.evaluate(
            "([html, tool, args, result]) => finopsHost.show(html, tool, args, result, 'light', false)",
            [server.views[tool], tool, arguments, result],
        )
        frame = page.frame_locator("iframe")
        frame.locator("#view[data-ready]").wait_for(timeout=WAIT_MS)
        if tool == "finops_anomalies":
            spans = amounts(frame, "rect.anomaly-span", "data-start", "data-last-day")
            anomalies = result["structuredContent"]["anomalies"]
            assert spans == [(a["start"], a["last_day"]) for a in anomalies]
            assert "does not pass tool calls from views on" in frame.locator("body").inner_text()
        else:
            frame.locator("tr[data-provider] input:not([disabled])").first.check()
            assert frame.locator("#plan").is_disabled()
            assert "ask the assistant to plan" in frame.locator("body").inner_text()
    assert page.evaluate("finopsHost.calls") == []


EMPTY = {  # questions whose answers hold nothing to draw
    "finops_cost_query": {"start": "2020-01-01", "end": "2020-02-01", "granularity": "daily", "group_by": ["service"]},
    "finops_explain_change": {"start": "2020-02-01", "end": "2020-03-01"},
    "finops_forecast": {"providers": ["Nobody"]},
    "finops_anomalies": {"days": 7, "end": "2020-01-08"},
    "finops_savings": {"min_monthly_savings": "1000000"},
}


@pytest.mark.parametrize("tool", list(EMPTY))
def test_an_answer_with_nothing_in_it_is_drawn_as_its_header_and_note(page: Page, server: Server, tool: str) -> None:
    frame, _ = show(page, server, tool, EMPTY[tool])
    assert frame.locator("h1").inner_text()
    assert frame.locator(".error").count() == 0

"""The finops command line: help, the demo (the main job), store info."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.commands import run_finops as _finops

BIN = Path(sys.executable).parent


def test_help_lists_the_commands(home: Path) -> None:
    done = _finops(home, "--help")
    assert done.returncode == 0
    for command in ("demo", "serve", "store"):
        assert command in done.stdout


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, subprocess.CompletedProcess[str]]:
    """One `finops demo` (about 15 s) whose output several tests read."""
    home = tmp_path_factory.mktemp("demo-home")
    return home, _finops(home, "demo", COLUMNS="200")


def test_the_demo_loads_thirteen_months_and_reconciles_to_the_cent(
    demo_run: tuple[Path, subprocess.CompletedProcess[str]],
) -> None:
    home, done = demo_run
    assert done.returncode == 0, done.stderr
    assert "DEMO DATA" in done.stdout
    assert "39 partitions" in done.stdout
    assert "equal the sandbox's to the cent" in done.stdout
    flat = " ".join(done.stdout.split())
    assert "FOCUS 1.0 sample export" in flat
    assert "CC BY 4.0" in flat
    assert "1,000 rows -> 1,000 line items; its totals reconcile with the file to the cent" in flat
    assert "October 2026 by provider" in done.stdout
    assert "EUR" in done.stdout
    assert "USD" in done.stdout
    assert (home / "demo.sqlite").exists()
    assert not (home / "finops.sqlite").exists()


def test_the_demo_investigates_through_the_mcp_tools_and_finds_the_injected_spikes(
    demo_run: tuple[Path, subprocess.CompletedProcess[str]],
) -> None:
    out = " ".join(demo_run[1].stdout.split())
    for said in (
        "came through the finops MCP tools",
        "What changed",
        "Forecast (month-to-date actual + forecast",
        "2026-10-12 for 4 day(s): AWS Amazon Elastic Compute Cloud in 345678901234",
        "2026-11-14 for 2 day(s): Google Cloud BigQuery",
        "Tag coverage of 'team'",
        "AWS Savings Plan: utilization 100.0%",
        "The client asked the person: Plan plan-",
        "Simulated person: approve = yes",
        "Executed (succeeded)",
        "1. done: Stop ",
        "execution_finished",
        "Hash chain intact",
    ):
        assert said in out, said
    assert "failed" not in out


def test_running_the_demo_twice_replaces_rather_than_doubles(
    demo_run: tuple[Path, subprocess.CompletedProcess[str]],
) -> None:
    home = demo_run[0]
    first = json.loads(_finops(home, "store", "info", "--demo", "--json").stdout)
    _finops(home, "demo")
    second = json.loads(_finops(home, "store", "info", "--demo", "--json").stdout)
    assert first["line_items"] == second["line_items"] == 13286 + 1000  # the company and the FOCUS sample
    assert first["partitions"] == second["partitions"] == 39 + 4
    assert first["effective_cost_totals"] == second["effective_cost_totals"]


def test_store_info_on_an_empty_store_says_how_to_fill_it(home: Path) -> None:
    done = _finops(home, "store", "info")
    assert done.returncode == 0
    assert "empty" in done.stdout
    assert str(home / "finops.sqlite") in done.stdout


def test_a_progress_bar_is_not_drawn_when_output_is_not_a_terminal(
    demo_run: tuple[Path, subprocess.CompletedProcess[str]],
) -> None:
    done = demo_run[1]  # captured: not a terminal
    assert done.returncode == 0
    assert "loading demo" not in done.stderr + done.stdout


def test_a_bad_setting_is_a_clear_error_not_a_traceback(home: Path) -> None:
    done = _finops(home, "store", "info", FINOPS_LOG_LEVEL="LOUD")
    assert done.returncode == 1
    assert "log_level" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize("args", [["serve", "--transport", "carrier-pigeon"]])
def test_an_unknown_transport_is_refused(home: Path, args: list[str]) -> None:
    done = _finops(home, *args)
    assert done.returncode == 2
    assert "stdio or http" in done.stderr


def test_a_progress_bar_is_drawn_on_a_terminal(home: Path) -> None:
    script = shutil.which("script")  # util-linux: runs the command on a pseudo-terminal
    assert script, "this test needs util-linux's `script`"
    clean = {k: v for k, v in os.environ.items() if not k.startswith("FINOPS_") and k != "CI"}
    done = subprocess.run(
        [script, "-qec", f"{BIN / 'finops'} demo", "/dev/null"],
        env={**clean, "FINOPS_HOME": str(home), "FINOPS_DEMO_AS_OF": "2026-11-26"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0
    assert "loading demo" in done.stdout
    assert "/39" in done.stdout


def test_store_sources_lists_the_ingested_files_and_forget_removes_one(home: Path) -> None:
    from finops_core.store import Store
    from finops_orchestrator.cli import app
    from finops_orchestrator.ingest import ingest
    from typer.testing import CliRunner

    from tests.conftest import SHARED

    actual = SHARED / "data/native-samples/azure/finops-toolkit_EA_ActualCost_Small.csv"
    with Store(home / "finops.sqlite") as store:
        ingest(store, [str(actual)])
    # In-process (CliRunner): both commands only touch the store, and start-up would dominate.
    env = {"FINOPS_HOME": str(home), "COLUMNS": "200"}
    listed = CliRunner().invoke(app, ["store", "sources", "--json"], env=env)
    assert listed.exit_code == 0, listed.output
    assert [(s["label"], s["format"], s["line_items"]) for s in json.loads(listed.stdout)] == [
        (str(actual.resolve()), "azure-cost-details:actual", 11)
    ]
    forgot = CliRunner().invoke(app, ["store", "forget", str(actual)], env=env)
    assert forgot.exit_code == 0, forgot.output
    assert f"Removed {actual.resolve()} (azure-cost-details:actual, 11 line items)." in " ".join(forgot.stdout.split())
    assert CliRunner().invoke(app, ["store", "forget", str(actual)], env=env).exit_code == 1
    with Store(home / "finops.sqlite") as store:
        assert store.info().line_items == 0
        assert store.sources() == []

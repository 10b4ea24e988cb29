"""``finops lake sync`` keeps the lake's daily rollups in the store and ``finops lake info`` says what the lake holds
and how old the rollups are; without a [lake] section both say how to add one."""

from __future__ import annotations

import json
from pathlib import Path

from finops_core.store import Store
from finops_orchestrator.cli import app
from typer.testing import CliRunner


def test_lake_sync_then_info_through_the_command_line(home: Path, lake_path: Path, lake_store: Store) -> None:
    # In-process (CliRunner): the commands only touch the lake and the store, and start-up would dominate.
    env = {"FINOPS_HOME": str(home), "FINOPS_LAKE__ENGINE": "duckdb", "FINOPS_LAKE__PATH": str(lake_path)}
    synced = CliRunner().invoke(app, ["lake", "sync", "--months", "40", "--json"], env=env)
    assert synced.exit_code == 0, synced.output
    report = json.loads(synced.stdout)
    assert report["lake"] == f"lake (duckdb {lake_path})"
    assert len(report["partitions_written"]) == len(lake_store.partitions())
    with Store(home / "finops.sqlite") as store:
        assert [t.model_dump() for t in store.info().effective_cost_totals] == [
            t.model_dump() for t in lake_store.info().effective_cost_totals
        ]
    info = CliRunner().invoke(app, ["lake", "info"], env={**env, "COLUMNS": "200"})
    assert info.exit_code == 0, info.output
    assert "days       2024-09-01 to 2026-11-25" in info.stdout
    assert f"rows       {lake_store.info().line_items:,} line items" in info.stdout
    assert "local daily rollups of the lake" in info.stdout


def test_lake_commands_without_a_lake_say_how_to_add_one(home: Path) -> None:
    done = CliRunner().invoke(app, ["lake", "info"], env={"FINOPS_HOME": str(home), "COLUMNS": "200"})
    assert done.exit_code == 1
    assert "No lake is configured: add [lake] to finops.toml" in " ".join(done.output.split())

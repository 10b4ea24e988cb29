"""Start-up stays light: serving imports none of the heavy libraries that only some tools need, so an MCP
client gets its tool list sooner (bench/startup.py measures how soon)."""

from __future__ import annotations

import gc
import json
import subprocess
import sys
from pathlib import Path

from finops_core.startup import gc_paused
from finops_core.store import Store

# Each takes a tenth of a second or more to import; the tools that need one import it when first called.
HEAVY = ("numpy", "pandas", "pyarrow", "prophet", "cmdstanpy", "matplotlib", "sqlite_utils", "dateutil")

# Builds each server as its console script does, lists its tools, and prints the heavy modules then loaded.
_SERVE = """
import json, sys
from datetime import date
import anyio
from finops_core.settings import Settings
from finops_core.store import Store
from finops_orchestrator import cli  # what `finops` imports
from finops_orchestrator.demo import demo_providers
from finops_orchestrator.server import build_orchestrator
from finops_orchestrator.state import OrchestratorState
from finops_core.sandbox import SandboxProvider
from finops_core.serve import run_cloud_server  # what `finops-aws` and the others import
from finops_core.server import build_server

settings = Settings.load({"FINOPS_HOME": sys.argv[1]})
providers = demo_providers(settings, date(2026, 11, 26))
state = OrchestratorState(store=Store(settings.home / "demo.sqlite"), is_demo=True, providers=providers)
servers = [
    build_orchestrator(state),
    build_server(SandboxProvider("aws"), settings),
]
for server in servers:
    assert anyio.run(server.list_tools)
print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] in sys.argv[2:])))
"""


def test_serving_the_demo_imports_no_heavy_library_until_a_tool_needs_it(home: Path) -> None:
    Store(home / "demo.sqlite").close()  # a store with the current schema, as after a first start
    done = subprocess.run(
        [sys.executable, "-c", _SERVE, str(home), *HEAVY], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == []


def test_a_store_with_the_current_schema_opens_without_sqlite_utils(home: Path) -> None:
    path = home / "store.sqlite"
    Store(path).close()
    code = "import sys; from finops_core.store import Store; Store(__import__('pathlib').Path(sys.argv[1])).close()"
    check = f"{code}; print('sqlite_utils' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", check, str(path)], capture_output=True, text=True, timeout=120)
    assert done.stdout.strip() == "False", done.stderr


def test_the_garbage_collector_runs_again_after_start_up_with_what_it_built_frozen() -> None:
    try:
        with gc_paused():
            assert not gc.isenabled()
            built = [object() for _ in range(10)]
        assert gc.isenabled()
        assert gc.get_freeze_count() >= len(built)
    finally:
        gc.unfreeze()

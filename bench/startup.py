"""Start-up benchmark: wall time from spawning a server command to its first ``tools/list`` answer over stdio,
through the SDK's own client, beside two baselines measured in the same run (``python -c pass`` and
``python -c "import mcp.server"``, the SDK's import floor).

    uv run python bench/startup.py [RUNS]            # default 7 runs per command
    uv run python bench/startup.py [RUNS] --no-bytecode

Goal (issue 4): every command at most 0.8 s. ``--no-bytecode`` points ``PYTHONPYCACHEPREFIX`` at an empty folder
so no ``.pyc`` is found (a fresh, uncompiled install); without it, whatever bytecode is present is used (compile
it once with ``python -m compileall -q .venv/lib/python3.11/site-packages core orchestrator servers prompts``).
The demo store lives in a temporary FINOPS_HOME; ``finops serve --demo (first start)`` gets a fresh home each run.
The machine may be shared: read the ratios to the baselines as much as the seconds.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import anyio
from mcp import Client
from mcp.client.stdio import StdioServerParameters

BIN = Path(sys.executable).parent
COMMANDS: list[tuple[str, list[str]]] = [
    ("finops", ["serve", "--demo"]),
    ("finops-aws", ["--demo"]),
    ("finops-azure", ["--demo"]),
    ("finops-gcp", ["--demo"]),
]


def environment(home: Path, no_bytecode: Path | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FINOPS_")}
    env |= {"FINOPS_HOME": str(home), "FINOPS_DEMO_AS_OF": "2026-11-26", "PYTHONDONTWRITEBYTECODE": "1"}
    if no_bytecode is not None:
        env["PYTHONPYCACHEPREFIX"] = str(no_bytecode)
    return env


async def first_tools_list(command: str, args: list[str], env: dict[str, str]) -> tuple[float, int]:
    params = StdioServerParameters(command=str(BIN / command), args=args, env=env)
    started = time.perf_counter()
    async with Client(params) as client:
        tools = (await client.list_tools()).tools
        elapsed = time.perf_counter() - started
    return elapsed, len(tools)


def process_time(code: str, env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], env=env, check=True)
    return time.perf_counter() - started


def summary(label: str, times: list[float], floor: float | None = None, note: str = "") -> str:
    ordered = sorted(times)
    p90 = ordered[min(len(ordered) - 1, round(0.9 * (len(ordered) - 1)))]
    median = statistics.median(ordered)
    ratio = f"  {median / floor:4.2f}x import-mcp" if floor else ""
    return f"{label:<34} median {median:5.2f} s  p90 {p90:5.2f} s{ratio}{note}"


def main() -> None:
    runs = int(next((a for a in sys.argv[1:] if a.isdigit()), "7"))
    with tempfile.TemporaryDirectory() as tmp:
        no_bytecode = Path(tmp, "no-pyc") if "--no-bytecode" in sys.argv else None
        home = Path(tmp, "home")
        env = environment(home, no_bytecode)
        anyio.run(first_tools_list, *COMMANDS[0], env)  # loads the demo store once, outside the timings
        results: dict[str, list[float]] = {}
        tool_counts: dict[str, int] = {}
        for run in range(runs):  # interleaved, so a burst of load on a shared machine hits every command alike
            results.setdefault("python -c pass", []).append(process_time("pass", env))
            results.setdefault("python -c 'import mcp.server'", []).append(process_time("import mcp.server", env))
            for command, args in COMMANDS:
                label = " ".join([command, *args])
                elapsed, tool_counts[label] = anyio.run(first_tools_list, command, args, env)
                results.setdefault(label, []).append(elapsed)
            fresh = environment(Path(tmp, f"fresh-{run}"), no_bytecode)
            label = "finops serve --demo (first start)"
            elapsed, tool_counts[label] = anyio.run(first_tools_list, *COMMANDS[0], fresh)
            results.setdefault(label, []).append(elapsed)
    floor = statistics.median(results["python -c 'import mcp.server'"])
    bytecode = "without bytecode" if no_bytecode else "with whatever bytecode is present"
    print(f"start-up to first tools/list over stdio, {runs} runs each, {bytecode}, {os.cpu_count()} cores")
    for label, times in results.items():
        note = f"  ({tool_counts[label]} tools)" if label in tool_counts else ""
        print(summary(label, times, floor if label in tool_counts else None, note))


if __name__ == "__main__":
    main()

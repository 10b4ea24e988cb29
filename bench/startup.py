"""Start-up benchmark: wall time from spawning a server command to its first ``tools/list`` answer over stdio,
through the SDK's own client, beside two baselines measured in the same run (``python -c pass`` and
``python -c "import mcp.server"``, the SDK's import floor).

    uv run python bench/startup.py [RUNS]            # default 7 runs per command
    uv run python bench/startup.py [RUNS] --no-bytecode

Goal (issues 4-7): every command at most 0.8 s; the real adapters (no ``--demo``) start without credentials.
``--no-bytecode`` points ``PYTHONPYCACHEPREFIX`` at an empty folder so no ``.pyc`` is found (a fresh, uncompiled
install); without it, whatever bytecode is present is used (compile
it once with ``python -m compileall -q .venv/lib/python3.11/site-packages core orchestrator servers prompts``).
The demo store lives in a temporary FINOPS_HOME; ``finops serve --demo (first start)`` gets a fresh home each run.
The machine may be shared: besides wall time, each run reports the server process's CPU time (user + system) to
its first answer, which waiting for a busy core does not inflate; read the ratios to the baselines too.
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import anyio
import psutil
from mcp import Client
from mcp.client.stdio import StdioServerParameters

BIN = Path(sys.executable).parent
COMMANDS: list[tuple[str, list[str]]] = [
    ("finops", ["serve", "--demo"]),
    ("finops-aws", ["--demo"]),
    ("finops-aws", []),  # the real adapter, no credentials: it must start and list its tools anyway
    ("finops-azure", ["--demo"]),
    ("finops-azure", []),
    ("finops-gcp", ["--demo"]),
    ("finops-gcp", []),
]


def environment(home: Path, no_bytecode: Path | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FINOPS_")}
    env |= {"FINOPS_HOME": str(home), "FINOPS_DEMO_AS_OF": "2026-11-26", "PYTHONDONTWRITEBYTECODE": "1"}
    if no_bytecode is not None:
        env["PYTHONPYCACHEPREFIX"] = str(no_bytecode)
    return env


Timing = tuple[float, float]  # wall seconds, CPU seconds (user + system) of the server process


async def first_tools_list(command: str, args: list[str], env: dict[str, str]) -> tuple[Timing, int]:
    params = StdioServerParameters(command=str(BIN / command), args=args, env=env)
    started = time.perf_counter()
    async with Client(params) as client:
        tools = (await client.list_tools()).tools
        elapsed = time.perf_counter() - started
        cpu = sum(sum(p.cpu_times()[:2]) for p in psutil.Process().children(recursive=True))
    return (elapsed, cpu), len(tools)


def process_time(code: str, env: dict[str, str]) -> Timing:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], env=env, check=True)
    elapsed = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return elapsed, after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime


def summary(label: str, timings: list[Timing], floor: Timing | None = None, note: str = "") -> str:
    walls = sorted(t[0] for t in timings)
    p90 = walls[min(len(walls) - 1, round(0.9 * (len(walls) - 1)))]
    median, cpu = statistics.median(walls), statistics.median(t[1] for t in timings)
    ratio = f"  {median / floor[0]:4.2f}x / {cpu / floor[1]:4.2f}x import-mcp" if floor else ""
    return f"{label:<34} wall median {median:5.2f} s  p90 {p90:5.2f} s  cpu median {cpu:5.2f} s{ratio}{note}"


def main() -> None:
    runs = int(next((a for a in sys.argv[1:] if a.isdigit()), "7"))
    with tempfile.TemporaryDirectory() as tmp:
        no_bytecode = Path(tmp, "no-pyc") if "--no-bytecode" in sys.argv else None
        home = Path(tmp, "home")
        env = environment(home, no_bytecode)
        anyio.run(first_tools_list, *COMMANDS[0], env)  # loads the demo store once, outside the timings
        results: dict[str, list[Timing]] = {}
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
    floor_runs = results["python -c 'import mcp.server'"]
    floor = (statistics.median(t[0] for t in floor_runs), statistics.median(t[1] for t in floor_runs))
    bytecode = "without bytecode" if no_bytecode else "with whatever bytecode is present"
    print(
        f"start-up to first tools/list over stdio, {runs} runs each, {bytecode}, {os.cpu_count()} cores, "
        f"load average {os.getloadavg()[0]:.1f}; ratios are wall / cpu to import mcp.server's"
    )
    for label, times in results.items():
        note = f"  ({tool_counts[label]} tools)" if label in tool_counts else ""
        print(summary(label, times, floor if label in tool_counts else None, note))


if __name__ == "__main__":
    main()

"""Load benchmark: concurrent streamable-HTTP clients against ``finops serve --demo``, then abandoned sessions.

    uv run python bench/load.py [--clients 200] [--abandon 2000] [--idle-seconds 45] [--deadline 900]

The server runs as a subprocess on a free 127.0.0.1 port with a fresh FINOPS_HOME. Each client is a plain HTTP
client speaking JSON-RPC (what any MCP client sends): ``initialize`` (+ ``notifications/initialized``),
``tools/list``, a cost query (``finops_cost_query``: last month by service), then ``DELETE`` of its session.
Run first with 1 client (the baseline, measured in the same run on the same server), then with ``--clients`` at
once. It reports p50 and p95 per step, the errors, and the server's RSS before and after.

Then ``--abandon`` sessions are opened and left (no request, no DELETE), the way a crashed or careless client
leaves them. The server runs with ``[http] session_idle_minutes`` set to ``--idle-seconds``; after that time
the bench checks that the abandoned sessions answer 404 (closed) and reports RSS before, with them open, and
after they expired, twice over (the second round shows whether memory freed by the first is reused or
leaks).

The machine may be shared: read the ratios to the 1-client baseline rather than absolute times. Everything is
bounded: at most 2,000 clients and 20,000 abandoned sessions, a timeout per request and a deadline for the
whole run.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import anyio
import httpx2
import psutil

BIN = Path(sys.executable).parent
VERSION = "2025-11-25"
HEADERS = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}
STEPS = ("initialize", "tools/list", "cost query", "delete")
REQUEST_TIMEOUT = 120.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    url: str
    process: subprocess.Popen[str]
    log: deque[str] = field(default_factory=lambda: deque(maxlen=50))

    def rss_mb(self) -> float:
        return psutil.Process(self.process.pid).memory_info().rss / 2**20

    def cpu_seconds(self) -> float:
        """User + system CPU time of the server so far: unlike wall time, waiting for a busy core does not add to
        it."""
        times = psutil.Process(self.process.pid).cpu_times()
        return times.user + times.system


@contextmanager
def finops_serve(home: Path, *, idle_seconds: float, max_sessions: int) -> Iterator[Server]:
    """``finops serve --demo`` over HTTP; yields once uvicorn says it is bound. Its stderr is drained in a thread
    (a full pipe would stall the server), keeping the last lines for the report."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("FINOPS_")}
    env |= {
        "FINOPS_HOME": str(home),
        "FINOPS_DEMO_AS_OF": "2026-11-26",
        "FINOPS_LOG_LEVEL": "WARNING",
        "FINOPS_HTTP__SESSION_IDLE_MINUTES": str(idle_seconds / 60),
        "FINOPS_HTTP__MAX_SESSIONS": str(max_sessions),
    }
    process = subprocess.Popen(
        [str(BIN / "finops"), "serve", "--demo", "--transport", "http", "--port", str(port)],
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    )
    server = Server(f"http://127.0.0.1:{port}/mcp", process)
    assert process.stderr is not None
    for line in process.stderr:
        server.log.append(line.rstrip())
        if "Uvicorn running on" in line:
            break
    else:
        raise SystemExit(f"finops serve exited with {process.wait()}:\n" + "\n".join(server.log))

    def drain() -> None:
        assert process.stderr is not None
        for line in process.stderr:
            server.log.append(line.rstrip())

    threading.Thread(target=drain, daemon=True).start()
    try:
        yield server
    finally:
        process.terminate()
        process.wait(timeout=30)


def answer_of(response: httpx2.Response, request_id: int) -> dict[str, Any]:
    """The JSON-RPC answer to ``request_id`` in a JSON or SSE response; raises with the reason otherwise."""
    if response.status_code != 200:
        raise RuntimeError(f"HTTP {response.status_code}: {response.text[:120]}")
    if response.headers.get("content-type", "").startswith("application/json"):
        messages = [response.json()]
    else:
        messages = [json.loads(line[5:]) for line in response.text.splitlines() if line.startswith("data:")]
    for message in messages:
        if message.get("id") == request_id:
            if "error" in message:
                raise RuntimeError(f"JSON-RPC error: {message['error'].get('message', '')[:120]}")
            return message["result"]
    raise RuntimeError(f"no answer to request {request_id} in {response.text[:120]!r}")


@dataclass
class Results:
    times: dict[str, list[float]] = field(default_factory=lambda: {s: [] for s in STEPS})
    errors: Counter[str] = field(default_factory=Counter)

    def timed(self, step: str, started: float) -> None:
        self.times[step].append(time.perf_counter() - started)


async def initialize(http: httpx2.AsyncClient, url: str) -> str:
    """Open a session (initialize, then the initialized notification); returns its id."""
    params = {"protocolVersion": VERSION, "capabilities": {}, "clientInfo": {"name": "bench-load", "version": "1"}}
    response = await http.post(
        url, json={"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": params}, headers=HEADERS
    )
    answer_of(response, 1)
    session = response.headers["mcp-session-id"]
    headers = {**HEADERS, "mcp-session-id": session, "mcp-protocol-version": VERSION}
    done = await http.post(url, json={"jsonrpc": "2.0", "method": "notifications/initialized"}, headers=headers)
    if done.status_code != 202:
        raise RuntimeError(f"initialized notification: HTTP {done.status_code}")
    return session


async def one_client(http: httpx2.AsyncClient, url: str, results: Results) -> None:
    step = "initialize"
    try:
        started = time.perf_counter()
        session = await initialize(http, url)
        results.timed(step, started)
        headers = {**HEADERS, "mcp-session-id": session, "mcp-protocol-version": VERSION}
        step, started = "tools/list", time.perf_counter()
        tools = answer_of(
            await http.post(url, json={"jsonrpc": "2.0", "id": 2, "method": "tools/list"}, headers=headers), 2
        )
        if not any(t["name"] == "finops_cost_query" for t in tools["tools"]):
            raise RuntimeError("finops_cost_query is not listed")
        results.timed(step, started)
        step, started = "cost query", time.perf_counter()
        call = {
            "jsonrpc": "2.0",
            "id": 3,
            "method": "tools/call",
            "params": {
                "name": "finops_cost_query",
                "arguments": {"start": "2026-10-01", "end": "2026-11-01", "group_by": ["service"]},
            },
        }
        result = answer_of(await http.post(url, json=call, headers=headers), 3)
        if result.get("isError"):
            raise RuntimeError(f"tool error: {json.dumps(result)[:120]}")
        results.timed(step, started)
        step, started = "delete", time.perf_counter()
        ended = await http.delete(url, headers=headers)
        if ended.status_code != 200:
            raise RuntimeError(f"HTTP {ended.status_code}")
        results.timed(step, started)
    except Exception as exc:  # a benchmark counts every failure, whatever it is
        results.errors[f"{step}: {type(exc).__name__}: {str(exc)[:100]}"] += 1


def client(connections: int) -> httpx2.AsyncClient:
    limits = httpx2.Limits(max_connections=connections, max_keepalive_connections=connections)
    return httpx2.AsyncClient(limits=limits, timeout=httpx2.Timeout(REQUEST_TIMEOUT))


async def run_clients(url: str, count: int) -> tuple[Results, float]:
    results = Results()
    started = time.perf_counter()
    async with client(count + 8) as http, anyio.create_task_group() as group:
        for _ in range(count):
            group.start_soon(one_client, http, url, results)
    return results, time.perf_counter() - started


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def report_clients(label: str, results: Results, wall: float, baseline: Results | None) -> None:
    print(f"\n{label}: {wall:.2f} s wall, {sum(results.errors.values())} errors")
    for step in STEPS:
        times = results.times[step]
        if not times:
            print(f"  {step:<11} no successful call")
            continue
        p50, p95 = statistics.median(times) * 1000, percentile(times, 0.95) * 1000
        ratio = ""
        if baseline is not None and baseline.times[step]:
            base = statistics.median(baseline.times[step]) * 1000
            ratio = f"   p50 {p50 / base:5.1f}x, p95 {p95 / base:5.1f}x the 1-client p50"
        print(f"  {step:<11} n={len(times):<5} p50 {p50:8.1f} ms   p95 {p95:8.1f} ms{ratio}")
    for message, count in results.errors.most_common(5):
        print(f"  error x{count}: {message}")


async def abandon(url: str, count: int) -> tuple[list[str], int]:
    """Open ``count`` sessions (50 at a time) and leave them; returns their ids and the failures."""
    sessions: list[str] = []
    failures = 0
    limiter = anyio.Semaphore(50)

    async def open_one(http: httpx2.AsyncClient) -> None:
        nonlocal failures
        async with limiter:
            try:
                sessions.append(await initialize(http, url))
            except Exception:  # counted and reported
                failures += 1

    async with client(64) as http, anyio.create_task_group() as group:
        for _ in range(count):
            group.start_soon(open_one, http)
    return sessions, failures


async def closed(url: str, sessions: list[str]) -> int:
    """How many of ``sessions`` answer 404 (closed by the server). A probe of a live session would keep it alive,
    so this is asked only once they should all have expired."""
    gone = 0
    async with client(64) as http:
        for session in sessions:
            headers = {**HEADERS, "mcp-session-id": session, "mcp-protocol-version": VERSION}
            response = await http.post(url, json={"jsonrpc": "2.0", "id": 9, "method": "ping"}, headers=headers)
            gone += response.status_code == 404
    return gone


def wait_for_expiry(idle_seconds: float, opened_at: float) -> None:
    # The server's idle clock runs in the server; all this side can do is let the time pass (with a margin for a
    # busy machine). This is a benchmark, not a test: nothing here waits on an event it could observe.
    remaining = opened_at + idle_seconds * 1.5 + 2 - time.monotonic()
    if remaining > 0:
        time.sleep(remaining)


async def main(args: argparse.Namespace) -> None:
    deadline = time.monotonic() + args.deadline
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        max_sessions = args.abandon + args.clients + 100
        with finops_serve(Path(folder), idle_seconds=args.idle_seconds, max_sessions=max_sessions) as server:
            print(f"finops serve --demo up in {time.perf_counter() - started:.1f} s at {server.url}")
            print(
                f"  session_idle_minutes {args.idle_seconds / 60:g} ({args.idle_seconds:g} s), "
                f"max_sessions {max_sessions}"
            )
            await run_clients(server.url, 1)  # warm-up: the first call of each kind loads what it needs
            rss_start = server.rss_mb()
            with anyio.fail_after(max(1.0, deadline - time.monotonic())):
                cpu = server.cpu_seconds()
                one, wall_one = await run_clients(server.url, 1)
                cpu_one, cpu = server.cpu_seconds() - cpu, server.cpu_seconds()
                report_clients("1 client (baseline)", one, wall_one, None)
                many, wall_many = await run_clients(server.url, args.clients)
                cpu_many = server.cpu_seconds() - cpu
                report_clients(f"{args.clients} clients at once", many, wall_many, one)
                print(
                    f"\nserver CPU per client: {cpu_one * 1000:.0f} ms alone, {cpu_many / args.clients * 1000:.0f} ms "
                    f"with {args.clients} at once ({cpu_many:.1f} s in all)"
                )
            rss_loaded = server.rss_mb()
            print(f"\nserver RSS: {rss_start:.1f} MB before the load, {rss_loaded:.1f} MB after it")

            print(f"\nabandoned sessions ({args.abandon} per round, idle timeout {args.idle_seconds:g} s):")
            before = server.rss_mb()
            print(f"  RSS before: {before:.1f} MB")
            for round_number in (1, 2) if args.abandon else ():
                if time.monotonic() > deadline:
                    print("  deadline reached: stopped")
                    break
                opened_at = time.monotonic()
                sessions, failures = await abandon(server.url, args.abandon)
                took = time.monotonic() - opened_at
                held = server.rss_mb()
                if took > args.idle_seconds:
                    print(
                        f"  round {round_number}: opening took {took:.1f} s, past the idle timeout "
                        "(raise --idle-seconds)"
                    )
                wait_for_expiry(args.idle_seconds, time.monotonic())
                gone = await closed(server.url, sessions)
                after = server.rss_mb()
                per_session = (held - before) * 1024 / max(1, len(sessions))
                print(
                    f"  round {round_number}: opened {len(sessions)} in {took:.1f} s ({failures} failed); RSS with "
                    f"them open {held:.1f} MB (+{held - before:.1f} MB, {per_session:.1f} KB each); after expiry "
                    f"{gone}/{len(sessions)} answer 404, RSS {after:.1f} MB ({after - before:+.1f} MB vs before)"
                )
            errors = [line for line in server.log if "Traceback" in line or "ERROR" in line]
            print(f"\nserver log: {len(errors)} error lines among the last {len(server.log)}")
            for line in errors[:5]:
                print(f"  {line[:200]}")


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=200, help="concurrent clients (1-2000, default 200)")
    parser.add_argument("--abandon", type=int, default=2000, help="sessions to abandon per round (default 2000)")
    parser.add_argument("--idle-seconds", type=float, default=45.0, help="the server's idle timeout (default 45)")
    parser.add_argument("--deadline", type=float, default=900.0, help="stop after this many seconds (default 900)")
    args = parser.parse_args()
    if not 1 <= args.clients <= 2000 or not 0 <= args.abandon <= 20_000:
        parser.error("--clients must be 1-2000 and --abandon 0-20000")
    if not 1 <= args.idle_seconds <= 600 or not 10 <= args.deadline <= 3600:
        parser.error("--idle-seconds must be 1-600 and --deadline 10-3600")
    return args


if __name__ == "__main__":
    anyio.run(main, arguments())

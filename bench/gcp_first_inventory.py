"""The Google Cloud server's first inventory call: wall time and peak RSS from asking ``list_resources`` in a fresh
process (its modules already imported, as the server has them after start-up) to the answer, against the tests'
local Compute Engine, Cloud SQL and Cloud Billing catalog fakes. Beside it, in the same run: the same process's
second call (nothing left to import), and the baseline ``import google.cloud.compute_v1`` in a fresh process (what
the first call waited for when inventory went through the Compute client library).

    uv run python bench/gcp_first_inventory.py [RUNS]              # default 5 runs, interleaved
    uv run python bench/gcp_first_inventory.py [RUNS] --src DIR    # another finops_gcp (e.g. an older commit's
                                                                   # servers/gcp/src, from `git archive`)

The machine may be shared: each run reports the child's CPU time too, and the ratio to the baseline of that run.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the tests' emulators

from tests.fakes.gcp import catalog, compute, sql  # noqa: E402
from tests.fakes.gcp.google_api import GoogleFake  # noqa: E402
from tests.servers.gcp.inventory.conftest import SKUS  # noqa: E402

PROJECTS = ("bench-web", "bench-data")
ZONES = ("us-central1-a", "us-central1-b", "us-central1-f")

CHILD = r"""
import json, resource, sys, time
from google.auth.credentials import AnonymousCredentials
from finops_core.paid import PaidCalls
from datetime import timedelta
import anyio
from finops_gcp.clients import GcpClients
from finops_gcp.context import GcpContext
from finops_gcp.inventory import PriceBook, list_resources
from finops_gcp.settings import GcpSettings

url, projects = sys.argv[1], sys.argv[2].split(",")
apis = ("compute", "sqladmin", "catalog", "billing")
settings = GcpSettings(projects=projects, endpoints=dict.fromkeys(apis, url))
paid = PaidCalls(None, ttl=timedelta(0), provider="gcp")
ctx = GcpContext(settings, GcpClients(settings, AnonymousCredentials), paid)
book = PriceBook()

async def timed():
    started = time.perf_counter()
    answer = await list_resources(ctx, prices=book, limit=1000)
    return time.perf_counter() - started, answer

first, answer = anyio.run(timed)
second, _ = anyio.run(timed)
print(json.dumps({
    "first": first, "second": second, "resources": answer.total, "note": answer.note,
    "compute_v1": "google.cloud.compute_v1" in sys.modules,
    "cpu": sum(resource.getrusage(resource.RUSAGE_SELF)[:2]),
    "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
}))
"""


def estate(google: GoogleFake) -> None:
    state = compute.ComputeState(page_size=100)
    compute.install(google, state)
    for project in PROJECTS:
        for z, zone in enumerate(ZONES):
            for n in range(40):
                name = f"vm-{z}-{n}"
                state.add_disk(project, zone, f"{name}-boot", 20, "pd-balanced")
                state.add_instance(project, zone, name, "e2-standard-2", disks=[f"{name}-boot"])
            state.add_disk(project, zone, f"spare-{z}", 100, "pd-standard")
        state.add_address(project, "us-central1", "ip-1")
        state.add_snapshot(project, "snap-1", (ZONES[0], "gone"))
        state.add_image(project, "img-1")
    catalog.install(google, SKUS)
    sql.install(google, {p: [sql.sql_instance(p, "db-1")] for p in PROJECTS})


def child(url: str, src: str | None) -> dict[str, Any]:
    env = dict(os.environ)
    if src:
        env["PYTHONPATH"] = src + os.pathsep + env.get("PYTHONPATH", "")
    done = subprocess.run(
        [sys.executable, "-c", CHILD, url, ",".join(PROJECTS)], env=env, check=True, capture_output=True, text=True
    )
    return json.loads(done.stdout)


def baseline() -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import google.cloud.compute_v1"], check=True)
    return time.perf_counter() - started


def main() -> None:
    runs = int(next((a for a in sys.argv[1:] if a.isdigit()), "5"))
    src = sys.argv[sys.argv.index("--src") + 1] if "--src" in sys.argv else None
    firsts: list[float] = []
    seconds: list[float] = []
    cpus: list[float] = []
    rss: list[float] = []
    bases: list[float] = []
    found: dict[str, Any] = {}
    with GoogleFake() as google:
        estate(google)
        child(google.url, src)  # warm the disk cache once, outside the timings
        for _ in range(runs):
            try:
                bases.append(baseline())
            except subprocess.CalledProcessError:
                bases.append(float("nan"))  # google-cloud-compute not installed
            found = child(google.url, src)
            firsts.append(found["first"])
            seconds.append(found["second"])
            cpus.append(found["cpu"])
            rss.append(found["rss_mb"])
    print(
        f"first inventory call, {runs} runs, {found['resources']} resources in {len(PROJECTS)} projects, "
        f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}; finops_gcp from {src or 'this checkout'}; "
        f"compute_v1 imported by the call: {found['compute_v1']}"
    )
    med = statistics.median
    print(f"first call             wall median {med(firsts):6.2f} s  (min {min(firsts):.2f}, max {max(firsts):.2f})")
    print(f"second call            wall median {med(seconds):6.2f} s")
    print(f"child process          cpu  median {med(cpus):6.2f} s  peak RSS median {med(rss):6.0f} MB")
    print(f"import compute_v1      wall median {med(bases):6.2f} s  (baseline, fresh process)")
    print(f"first call / baseline  {med(firsts) / med(bases):6.2f}x")
    if found["note"]:
        print(f"note: {found['note']}")


if __name__ == "__main__":
    main()

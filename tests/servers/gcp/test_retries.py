"""Retries of every Google call: ``max_attempts`` attempts counted as attempts (the first included), within
``retry_budget_seconds``; the client libraries' own retries never add to them; a retried change is made once."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import anyio
import anyio.to_thread
import pytest
from finops_core.errors import ConfigError, PermissionDenied, Throttled, Unavailable
from finops_core.models import RemediationAction
from finops_gcp.context import GcpContext
from finops_gcp.inventory import list_resources
from finops_gcp.recommendations.recommenders import BY_ID, Target, list_target
from finops_gcp.remediation import apply_remediation
from finops_gcp.retries import retried_in_thread
from finops_gcp.settings import GcpSettings

from tests.fakes.gcp.compute_ops import ComputeOps
from tests.fakes.gcp.google_api import GoogleError, GoogleFake, GoogleRequest
from tests.fakes.gcp.recommender import install
from tests.fakes.gcp.sql import sql_instance
from tests.servers.conftest import Waits
from tests.servers.gcp.conftest import PROJECTS
from tests.servers.gcp.recommendations.samples import IDLE_VM, ZONE, parent

pytestmark = pytest.mark.anyio
P = PROJECTS[0]
SQL = r"/v1/projects/[^/]+/instances"


def failing(google: GoogleFake, status: int, times: int, reason: str = "backendError", **headers: str) -> list[int]:
    """Cloud SQL's list answers ``status`` ``times`` times, then one instance; returns the statuses it answered."""
    answered: list[int] = []

    def handle(request: GoogleRequest) -> dict[str, Any]:
        if len(answered) < times:
            answered.append(status)
            raise GoogleError(status, reason, f"{reason} (attempt {len(answered)})", headers)
        answered.append(200)
        return {"kind": "sql#instancesList", "items": [sql_instance(P, "db-1")]}

    google.route("sql.instances", "GET", SQL, handle)
    return answered


async def test_a_server_error_is_tried_max_attempts_times_and_the_error_counts_them(
    google: GoogleFake, gcp_context: Callable[..., GcpContext], waits: Waits
) -> None:
    answered = failing(google, 500, times=99)
    with pytest.raises(Unavailable, match=r"Gave up after 3 attempts in [\d.]+ s \(max_attempts = 3"):
        await list_resources(gcp_context(projects=[P], max_attempts=3), "database")
    assert answered == [500, 500, 500]
    assert waits == [1.0, 2.0]


async def test_rate_limits_and_unavailability_are_waited_out_and_the_call_answers(
    google: GoogleFake, gcp_context: Callable[..., GcpContext], waits: Waits
) -> None:
    answered = failing(google, 429, times=1)
    google.fail("sql.instances", "error5xx", times=1)  # a 503 before that
    inventory = await list_resources(gcp_context(projects=[P]), "database")
    assert [r.name for r in inventory.resources] == ["db-1"]
    assert answered == [429, 200]
    assert waits == [1.0, 2.0]


async def test_one_attempt_means_no_retry(
    google: GoogleFake, gcp_context: Callable[..., GcpContext], waits: Waits
) -> None:
    answered = failing(google, 503, times=99)
    with pytest.raises(Unavailable, match="Gave up after 1 attempt in"):
        await list_resources(gcp_context(projects=[P], max_attempts=1), "database")
    assert (answered, waits) == ([503], [])


async def test_the_waits_never_pass_the_retry_budget(
    google: GoogleFake, gcp_context: Callable[..., GcpContext], waits: Waits
) -> None:
    answered = failing(google, 503, times=99)
    with pytest.raises(Unavailable, match="Gave up after 3 attempts"):
        await list_resources(gcp_context(projects=[P], max_attempts=10, retry_budget_seconds=5), "database")
    # 1 + 2 s waited; the next wait (4 s) would end past the 5 s budget, so the call gives up at once.
    assert waits == [1.0, 2.0]
    assert answered == [503, 503, 503]


async def test_a_retry_after_past_the_budget_is_not_waited_and_is_passed_on(
    google: GoogleFake, gcp_context: Callable[..., GcpContext], waits: Waits
) -> None:
    answered = failing(google, 429, times=99, reason="rateLimitExceeded", **{"Retry-After": "90"})
    with pytest.raises(Throttled, match="Gave up after 1 attempt in") as caught:
        await list_resources(gcp_context(projects=[P], retry_budget_seconds=60), "database")
    assert (answered, waits) == ([429], [])
    assert caught.value.retry_after == 90


async def test_a_retry_after_within_the_budget_is_waited_as_asked(
    google: GoogleFake, gcp_context: Callable[..., GcpContext], waits: Waits
) -> None:
    failing(google, 429, times=1, **{"Retry-After": "7"})
    inventory = await list_resources(gcp_context(projects=[P]), "database")
    assert [r.name for r in inventory.resources] == ["db-1"]
    assert waits == [7.0]


async def test_a_403_for_a_rate_limit_is_retried_but_a_403_for_permission_is_not(
    google: GoogleFake, gcp_context: Callable[..., GcpContext], waits: Waits
) -> None:
    answered = failing(google, 403, times=1, reason="rateLimitExceeded")
    inventory = await list_resources(gcp_context(projects=[P]), "database")
    assert [r.name for r in inventory.resources] == ["db-1"]
    assert (answered, waits) == ([403, 200], [1.0])

    refused = GoogleFake()
    with refused:
        answered = failing(refused, 403, times=99, reason="forbidden")
        ctx = gcp_context(projects=[P], endpoints={"sqladmin": refused.url})
        with pytest.raises(PermissionDenied):
            await list_resources(ctx, "database")
    assert answered == [403]


async def test_a_generated_client_call_is_tried_max_attempts_times_not_more(
    google: GoogleFake, gcp_context: Callable[..., GcpContext], waits: Waits
) -> None:
    install(google, {})
    google.fail("recommendations", "error5xx", times=99)  # 503: the library's own retry would retry it too
    with pytest.raises(Unavailable, match="Gave up after 2 attempts"):
        await list_target(gcp_context(max_attempts=2), Target(BY_ID[IDLE_VM], parent(IDLE_VM), P, ZONE))
    assert len(google.calls("recommendations")) == 2
    assert waits == [1.0]


async def test_a_change_whose_answer_was_lost_is_retried_with_its_request_id_and_made_once(
    google: GoogleFake, gcp_context: Callable[..., GcpContext], waits: Waits
) -> None:
    ops = ComputeOps(google)
    ops.add_instance(P, ZONE, "web-1", status="RUNNING")
    ops.lost_answers = 1
    resource_id = f"//compute.googleapis.com/projects/{P}/zones/{ZONE}/instances/web-1"
    result = await apply_remediation(
        gcp_context(), RemediationAction(provider="gcp", kind="stop_instance", resource_id=resource_id)
    )
    assert result.applied
    assert ops.instances[(P, ZONE, "web-1")]["status"] == "TERMINATED"
    stops = google.calls("instances.stop")
    assert len(stops) == 2
    assert stops[0].query["requestId"] == stops[1].query["requestId"]
    assert len(ops.operations) == 1


def test_the_attempts_and_budget_are_bounded_settings() -> None:
    assert (GcpSettings().max_attempts, GcpSettings().retry_budget_seconds) == (4, 120.0)
    for wrong in ({"max_attempts": 0}, {"max_attempts": 11}, {"retry_budget_seconds": 0}):
        with pytest.raises(ConfigError, match=f"gcp.{next(iter(wrong))}"):
            GcpSettings.from_section(wrong)


class InThreadOnly(Waits):
    """Waits that a worker thread must take itself: handing one to the event loop fails the test (the thread may
    hold what the loop needs while it waits)."""

    async def __call__(self, seconds: float) -> None:
        raise AssertionError(f"a worker thread asked the event loop to wait {seconds} s for it")


async def test_a_retry_inside_a_blocking_call_waits_in_its_own_thread_not_on_the_event_loop(
    gcp_context: Callable[..., GcpContext],
) -> None:
    ctx = gcp_context()
    ctx.sleep = waits = InThreadOnly()
    tried: list[float] = []

    def attempt(seconds: float) -> str:
        tried.append(seconds)
        if len(tried) == 1:
            raise Unavailable("backendError", provider="gcp")
        return "answered"

    assert await anyio.to_thread.run_sync(retried_in_thread, ctx, "a BigQuery job", attempt) == "answered"
    assert (len(tried), waits) == (2, [1.0])

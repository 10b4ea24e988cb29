"""Progress posted by a worker thread: posting never waits for the event loop, and the latest post is sent."""

from __future__ import annotations

import threading

import anyio
import anyio.to_thread
import pytest
from finops_orchestrator.progress import PostedProgress, in_worker_posting_progress

pytestmark = pytest.mark.anyio


async def test_a_worker_posts_without_waiting_for_the_sender_and_the_latest_post_is_sent_last() -> None:
    sent: list[float] = []
    sending, posted_all = threading.Event(), threading.Event()

    async def send(done: float, total: float | None, message: str | None) -> None:
        sent.append(done)
        if len(sent) == 1:  # a client slow to take the first one: the worker must not wait for it
            sending.set()
            await anyio.to_thread.run_sync(posted_all.wait, 30)

    def work(posted: PostedProgress) -> str:
        posted.post(1, None, "1 row")
        assert sending.wait(30)
        for rows in range(2, 1001):  # all posted while the sender is still busy with the first
            posted.post(rows, None, f"{rows:,} rows")
        posted_all.set()
        return "done"

    with anyio.fail_after(30):
        assert await in_worker_posting_progress(work, send) == "done"
    assert sent == [1, 1000]  # the 998 between were replaced by the latest, not queued


async def test_the_workers_error_is_raised_as_itself_and_a_failing_sender_does_not_stop_the_work() -> None:
    async def send(done: float, total: float | None, message: str | None) -> None:
        raise ConnectionError("the client left")

    def work(posted: PostedProgress) -> None:
        posted.post(1)
        raise ValueError("bad row 7")

    with anyio.fail_after(30), pytest.raises(ValueError, match="bad row 7"):
        await in_worker_posting_progress(work, send)

import os
import subprocess
import sys

from finops_core.processes import process_alive


def test_this_process_is_alive() -> None:
    assert process_alive(os.getpid())


def test_a_process_that_ended_is_not_alive() -> None:
    ended = subprocess.Popen([sys.executable, "-c", "pass"])
    ended.wait()  # reaped: its pid names no process now
    assert not process_alive(ended.pid)


def test_a_process_we_may_not_signal_still_counts_as_alive() -> None:
    # init: another user's process for a normal user (PermissionError), ours to signal as root; it exists either way
    assert process_alive(1)

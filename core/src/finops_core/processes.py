"""Whether a process that left a record (a store writer, a remediation run's owner) is still running."""

from __future__ import annotations

import os


def process_alive(pid: int) -> bool:
    """Whether process ``pid`` on this host still runs; when it cannot be told, it is taken to run, so a record is
    never taken over from a live owner."""
    if os.name == "nt":  # there os.kill(pid, 0) would end the process (signal 0 is CTRL_C_EVENT): trust the record
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # PermissionError: another user's process, so it exists; anything else cannot tell
        return True
    return True

"""The ``finops-gcp`` console script.

Serves the common finops tools (``gcp_cost_query``, ...) over the demo sandbox with ``--demo``. The
Google Cloud SDK adapter plugs in as ``real_provider`` when it lands.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> None:
    from finops_core.startup import gc_paused

    with gc_paused():
        from finops_core.serve import run_cloud_server

    sys.exit(run_cloud_server("gcp", argv, real_provider=None))


if __name__ == "__main__":
    main()

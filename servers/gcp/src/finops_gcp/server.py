"""The ``finops-gcp`` console script: an MCP server for Google Cloud projects and their billing account.

``finops-gcp --demo`` serves the built-in demo company; without it, the projects ``[gcp]`` names with the
credentials Application Default Credentials find. Read-only unless ``--allow-remediation``.
"""

from __future__ import annotations

from collections.abc import Sequence

from finops_core.startup import cloud_main


def main(argv: Sequence[str] | None = None) -> None:
    cloud_main("gcp", argv)


if __name__ == "__main__":
    main()

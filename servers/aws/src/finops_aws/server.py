"""The ``finops-aws`` console script: an MCP server for one AWS organization or account.

``finops-aws --demo`` serves the built-in demo company; without it, the real account the standard credential
chain (or ``[aws]`` in finops.toml) points at. Read-only unless ``--allow-remediation``.
"""

from __future__ import annotations

from collections.abc import Sequence

from finops_core.startup import cloud_main


def main(argv: Sequence[str] | None = None) -> None:
    cloud_main("aws", argv)


if __name__ == "__main__":
    main()

"""The ``finops-azure`` console script: an MCP server for Azure subscriptions.

``finops-azure --demo`` serves the built-in demo company; without it, the subscriptions ``[azure]`` names with
the credentials ``DefaultAzureCredential`` finds. Read-only unless ``--allow-remediation``.
"""

from __future__ import annotations

from collections.abc import Sequence

from finops_core.startup import cloud_main


def main(argv: Sequence[str] | None = None) -> None:
    cloud_main("azure", argv)


if __name__ == "__main__":
    main()

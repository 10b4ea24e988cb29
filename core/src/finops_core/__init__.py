"""Shared core of the finops-mcp servers: models, provider protocols, store, server factory.

Imports no cloud SDK, so every per-cloud server and the orchestrator can depend on it.
"""

__version__ = "0.1.0"

"""Loading billing exports (FOCUS, AWS CUR, Azure cost details, Google Cloud billing export) into the store."""

from finops_orchestrator.ingest.run import FileReport, ingest

__all__ = ["FileReport", "ingest"]

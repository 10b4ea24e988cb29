"""Recognizing an export from its columns, or saying why not."""

from __future__ import annotations

from finops_core.errors import InvalidInput

from finops_orchestrator.ingest.formats.aws_cur import AWS_CUR
from finops_orchestrator.ingest.formats.azure import azure_format
from finops_orchestrator.ingest.formats.base import ExportFormat
from finops_orchestrator.ingest.formats.focus import FOCUS
from finops_orchestrator.ingest.formats.gcp import GCP_BILLING

# Azure's actual/amortized choice is made per file after detection (see ingest.run).
FORMATS: dict[str, ExportFormat] = {
    f.name: f for f in (FOCUS, AWS_CUR, azure_format("actual"), azure_format("amortized"), GCP_BILLING)
}
FORMAT_CHOICES = ("focus", "aws-cur", "azure", "azure-actual", "azure-amortized", "gcp-billing")
_DETECTABLE = (FOCUS, AWS_CUR, FORMATS["azure-actual"], GCP_BILLING)


def detect(columns: set[str], where: str) -> ExportFormat:
    """The format whose identifying columns are all in ``columns`` (canonical names)."""
    for candidate in _DETECTABLE:
        if not candidate.missing(columns):
            return candidate
    ranked = sorted(_DETECTABLE, key=lambda f: len(f.missing(columns)) / len(f.required))
    closest = "; ".join(f"{f.title} (missing {', '.join(f.missing(columns))})" for f in ranked[:2])
    raise InvalidInput(
        f"{where}cannot tell which billing export this is. Closest: {closest}. Check the file has its header "
        "row, or pass --format (focus, aws-cur, azure-actual, azure-amortized, gcp-billing). Nothing was written."
    )


def by_name(name: str) -> ExportFormat:
    key = "azure-actual" if name == "azure" else name
    if key not in FORMATS:
        raise InvalidInput(f"Unknown --format {name!r}; use one of {', '.join(FORMAT_CHOICES)}.")
    return FORMATS[key]

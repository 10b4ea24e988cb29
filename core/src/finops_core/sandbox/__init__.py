"""The demo sandbox: an in-memory company on AWS, Azure and Google Cloud, labelled as demo data."""

from finops_core.sandbox.company import COMPANY, DEMO_LABEL
from finops_core.sandbox.provider import SandboxProvider

__all__ = ["COMPANY", "DEMO_LABEL", "SandboxProvider"]

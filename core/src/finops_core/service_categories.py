"""FOCUS 1.2 ServiceCategory and ServiceSubcategory for each cloud's service names.

FOCUS wants one category and one subcategory per ServiceName, from a fixed list (``SUBCATEGORIES``, the
1.2 spec's allowed values). Each cloud's table (``AWS``, ``AZURE``, ``GOOGLE``, kept as data in
``service_categories.toml``) is keyed by the ServiceName our mappings write (AWS product names and their CUR
product codes, Azure meter categories, Google Cloud service descriptions), so a name can never land under two
categories. Where AWS's own FOCUS export (the FOCUS 1.0 sample) categorizes a name, the AWS table follows it, so
our CUR rows and AWS's FOCUS rows agree. Unknown names are ``Other``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import TypeAdapter

from finops_core.package_data import read_toml

SUBCATEGORIES: Mapping[str, tuple[str, ...]] = {
    "AI and Machine Learning": (
        "AI Platforms",
        "Bots",
        "Generative AI",
        "Machine Learning",
        "Natural Language Processing",
        "Other (AI and Machine Learning)",
    ),
    "Analytics": (
        "Analytics Platforms",
        "Business Intelligence",
        "Data Processing",
        "Search",
        "Streaming Analytics",
        "Other (Analytics)",
    ),
    "Business Applications": ("Productivity and Collaboration", "Other (Business Applications)"),
    "Compute": (
        "Containers",
        "End User Computing",
        "Quantum Compute",
        "Serverless Compute",
        "Virtual Machines",
        "Other (Compute)",
    ),
    "Databases": (
        "Caching",
        "Data Warehouses",
        "Ledger Databases",
        "NoSQL Databases",
        "Relational Databases",
        "Time Series Databases",
        "Other (Databases)",
    ),
    "Developer Tools": (
        "Developer Platforms",
        "Continuous Integration and Deployment",
        "Development Environments",
        "Source Code Management",
        "Quality Assurance",
        "Other (Developer Tools)",
    ),
    "Identity": ("Identity and Access Management", "Other (Identity)"),
    "Integration": ("API Management", "Messaging", "Workflow Orchestration", "Other (Integration)"),
    "Internet of Things": ("IoT Analytics", "IoT Platforms", "Other (Internet of Things)"),
    "Management and Governance": (
        "Architecture",
        "Compliance",
        "Cost Management",
        "Data Governance",
        "Disaster Recovery",
        "Endpoint Management",
        "Observability",
        "Support",
        "Other (Management and Governance)",
    ),
    "Media": ("Content Creation", "Gaming", "Media Streaming", "Mixed Reality", "Other (Media)"),
    "Migration": ("Data Migration", "Resource Migration", "Other (Migration)"),
    "Mobile": ("Other (Mobile)",),
    "Multicloud": ("Multicloud Integration", "Other (Multicloud)"),
    "Networking": (
        "Application Networking",
        "Content Delivery",
        "Network Connectivity",
        "Network Infrastructure",
        "Network Routing",
        "Network Security",
        "Other (Networking)",
    ),
    "Security": (
        "Secret Management",
        "Security Posture Management",
        "Threat Detection and Response",
        "Other (Security)",
    ),
    "Storage": (
        "Backup Storage",
        "Block Storage",
        "File Storage",
        "Object Storage",
        "Storage Platforms",
        "Other (Storage)",
    ),
    "Web": ("Application Platforms", "Other (Web)"),
    "Other": ("Other (Other)",),
}

Classification = tuple[str, str]  # (ServiceCategory, ServiceSubcategory)
OTHER: Classification = ("Other", "Other (Other)")

# One table a cloud, keyed by its registry id; the rows are data (service_categories.toml), read once at import.
_TABLE = TypeAdapter(dict[str, dict[str, Classification]])


def _tables(raw: dict[str, Any]) -> tuple[Mapping[str, Classification], ...]:
    tables = _TABLE.validate_python(raw)
    return tables["aws"], tables["azure"], tables["gcp"]  # a missing table is a KeyError: read_toml names the file


AWS, AZURE, GOOGLE = read_toml("finops_core", "service_categories.toml", _tables)


def classify(table: Mapping[str, Classification], service_name: str | None) -> Classification:
    """The (category, subcategory) ``table`` gives ``service_name``; ``Other`` for a name it lacks."""
    return table.get((service_name or "").strip(), OTHER)

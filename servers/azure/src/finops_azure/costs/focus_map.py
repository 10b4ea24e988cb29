"""Cost Management's values in FOCUS terms: charge types as charge categories, services as service categories.

Charge types follow Microsoft's own FOCUS export (unused reservations and savings plans are Usage, refunds are
Purchase corrections). Services map through a small table of the common ones; anything else is FOCUS's
"Other", as FOCUS allows.
"""

from __future__ import annotations

_CHARGE_CATEGORY = {
    "usage": "Usage",
    "unusedreservation": "Usage",
    "unusedsavingsplan": "Usage",
    "purchase": "Purchase",
    "refund": "Purchase",
    "tax": "Tax",
    "credit": "Credit",
    "roundingadjustment": "Adjustment",
}
_PURCHASE_SERVICES = {"reservations", "savings plan", "azure savings plan for compute", "marketplace"}
_SERVICE_CATEGORY = {
    "virtual machines": "Compute",
    "virtual machines licenses": "Compute",
    "azure kubernetes service": "Compute",
    "container instances": "Compute",
    "azure app service": "Compute",
    "functions": "Compute",
    "azure batch": "Compute",
    "storage": "Storage",
    "backup": "Storage",
    "azure netapp files": "Storage",
    "azure sql database": "Databases",
    "sql database": "Databases",
    "azure cosmos db": "Databases",
    "azure database for postgresql": "Databases",
    "azure database for mysql": "Databases",
    "redis cache": "Databases",
    "bandwidth": "Networking",
    "virtual network": "Networking",
    "load balancer": "Networking",
    "application gateway": "Networking",
    "azure dns": "Networking",
    "azure front door service": "Networking",
    "vpn gateway": "Networking",
    "azure firewall": "Networking",
    "content delivery network": "Networking",
    "azure monitor": "Management and Governance",
    "log analytics": "Management and Governance",
    "automation": "Management and Governance",
    "microsoft defender for cloud": "Security",
    "key vault": "Security",
    "azure openai": "AI and Machine Learning",
    "foundry models": "AI and Machine Learning",
    "cognitive services": "AI and Machine Learning",
    "azure machine learning": "AI and Machine Learning",
    "azure synapse analytics": "Analytics",
    "azure databricks": "Analytics",
    "azure data factory v2": "Integration",
    "event hubs": "Integration",
    "service bus": "Integration",
}


def _key(value: str) -> str:
    return "".join(value.split()).lower()


def charge_category(charge_type: str) -> str:
    """FOCUS ChargeCategory of a Cost Management ChargeType (unknown ones are Adjustment)."""
    return _CHARGE_CATEGORY.get(_key(charge_type), "Adjustment" if charge_type else "Usage")


def charge_category_of_service(service: str) -> str:
    """Best guess when only the service is known: commitments and marketplace purchases are Purchase."""
    return "Purchase" if service.lower() in _PURCHASE_SERVICES else "Usage"


def service_category(service: str | None) -> str:
    """FOCUS ServiceCategory of a Cost Management ServiceName ("Other" when not in the table)."""
    return _SERVICE_CATEGORY.get((service or "").lower(), "Other")

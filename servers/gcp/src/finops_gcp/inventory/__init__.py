"""What a Google Cloud project holds and what of it is waste: the inventory (with list-price estimates from the
Cloud Billing catalog) and our own waste rules over it and Cloud Monitoring."""

from finops_gcp.inventory.prices import PriceBook
from finops_gcp.inventory.resources import list_resources
from finops_gcp.inventory.waste import waste_findings

__all__ = ["PriceBook", "list_resources", "waste_findings"]

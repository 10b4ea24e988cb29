"""What the Azure subscriptions hold and what of it is waste: the inventory from Azure Resource Graph (with
retail list-price estimates) and our own waste rules over it and Azure Monitor."""

from finops_azure.inventory.prices import PriceBook
from finops_azure.inventory.resources import list_resources
from finops_azure.inventory.waste import waste_findings

__all__ = ["PriceBook", "list_resources", "waste_findings"]

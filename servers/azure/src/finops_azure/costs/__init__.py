"""Costs from Azure Cost Management: the core cost source and the Azure-native cost questions."""

from finops_azure.costs.management import CostManagement

__all__ = ["CostManagement"]

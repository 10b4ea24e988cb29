"""Costs from AWS Cost Explorer (and Budgets): the core cost source and the AWS-native cost questions."""

from finops_aws.costs.explorer import CostExplorer

__all__ = ["CostExplorer"]

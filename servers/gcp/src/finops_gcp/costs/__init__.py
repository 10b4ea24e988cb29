"""Costs from the Cloud Billing export in BigQuery (the core cost source and gross/credits/net questions), and
Cloud Billing budgets."""

from finops_gcp.costs.bigquery_costs import BillingExport

__all__ = ["BillingExport"]

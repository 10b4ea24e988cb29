"""The FOCUS column glossary served as an MCP resource: what each column means here and how it is stored."""

from __future__ import annotations

from finops_core.focus import FOCUS_COLUMNS, ColumnKind

# Short meanings (our words) for the columns an assistant meets most; the FOCUS specification at
# https://focus.finops.org is the full reference.
MEANINGS = {
    "BilledCost": "what the invoice charges for the row (cash basis)",
    "EffectiveCost": "the amortized cost: commitment purchases spread over the usage they cover (the default metric)",
    "ListCost": "the cost at public on-demand prices, before any discount",
    "ContractedCost": "the cost after negotiated discounts, before commitment discounts",
    "BillingCurrency": "the currency of the four cost columns; amounts in different currencies are never added",
    "BillingAccountId": "the account the invoice is issued to (AWS payer, Azure billing account, GCP billing account)",
    "SubAccountId": "the account the usage belongs to (AWS account, Azure subscription, GCP project)",
    "ProviderName": "who provides the service (AWS, Microsoft, Google Cloud, ...)",
    "ServiceName": "the offering, e.g. Amazon Elastic Compute Cloud, Virtual Machines, BigQuery",
    "ServiceCategory": "the FOCUS category of the service, e.g. Compute, Storage, Databases",
    "ChargeCategory": "Usage, Purchase, Tax, Credit or Adjustment",
    "ChargePeriodStart": "start of the period the charge covers (inclusive, UTC)",
    "ChargePeriodEnd": "end of the period the charge covers (exclusive, UTC)",
    "BillingPeriodStart": "start of the invoice period the row belongs to (inclusive)",
    "BillingPeriodEnd": "end of the invoice period (exclusive)",
    "RegionId": "the provider's region code, e.g. us-east-1, westeurope",
    "ResourceId": "the provider's id of the resource the charge is for",
    "SkuId": "the provider's id of what was priced",
    "PricingQuantity": "the quantity the price applies to, in PricingUnit",
    "ConsumedQuantity": "the quantity used, in ConsumedUnit",
    "CommitmentDiscountId": "the savings plan, reservation or committed-use discount that applies",
    "CommitmentDiscountStatus": "Used (covered usage) or Unused (the unused, still paid share)",
    "Tags": "the resource's tags or labels as key/value pairs",
}

_STORED = {
    ColumnKind.STRING: "text (dictionary id)",
    ColumnKind.COST: "exact integer nanos (divide by 1e9)",
    ColumnKind.DECIMAL: "exact decimal text",
    ColumnKind.DATETIME: "UTC epoch seconds",
    ColumnKind.JSON: "JSON text (dictionary id)",
}


def glossary() -> str:
    lines = [
        "# FOCUS 1.2 columns in the finops store",
        "",
        "Query them with `finops_sql` on the view `focus_line_items` (snake_case names, strings decoded).",
        "",
        "| FOCUS column | store column | stored as | may be null | meaning |",
        "| --- | --- | --- | --- | --- |",
    ]
    for c in FOCUS_COLUMNS:
        meaning = MEANINGS.get(c.focus_name, "")
        lines.append(f"| {c.focus_name} | {c.name} | {_STORED[c.kind]} | {'yes' if c.nullable else 'no'} | {meaning} |")
    return "\n".join(lines) + "\n"

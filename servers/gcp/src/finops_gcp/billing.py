"""The billing account (Cloud Billing API): its currency, and the projects linked to it (used when ``projects`` is
not set)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from finops_core.errors import ConfigError

from finops_gcp.errors import gcp_errors
from finops_gcp.retries import retried_blocking

if TYPE_CHECKING:
    from finops_gcp.calls import Calls


def account_name(ctx: Calls) -> str:
    """``billingAccounts/<id>`` of ``billing_account``, or a ConfigError saying what to set."""
    account = ctx.settings.billing_account
    if not account:
        raise ConfigError(
            "No billing account: set billing_account (XXXXXX-XXXXXX-XXXXXX) in [gcp] of finops.toml, or "
            "FINOPS_GCP__BILLING_ACCOUNT."
        )
    return account if account.startswith("billingAccounts/") else f"billingAccounts/{account}"


async def linked_projects(ctx: Calls) -> list[str]:
    """Ids of the projects linked to the billing account with billing enabled, sorted."""
    name = account_name(ctx)

    what = f"listing the projects of {name} (cloudbilling projectBillingInfo)"

    def fetch(seconds: float) -> list[str]:
        from google.cloud.billing_v1 import CloudBillingClient

        client = ctx.clients.gapic(CloudBillingClient, "billing")
        with gcp_errors(what):
            return sorted(
                info.project_id
                for info in client.list_project_billing_info(name=name, retry=None, timeout=seconds)
                if info.billing_enabled and info.project_id
            )

    found = await retried_blocking(ctx, what, fetch)
    if not found:
        raise ConfigError(
            f"{name} has no project with billing enabled that these credentials can see; set projects in [gcp], "
            "or grant Billing Account Viewer on the account."
        )
    return found


async def account_currency(ctx: Calls) -> str:
    """The billing account's currency (every cost in its export is in it)."""
    name = account_name(ctx)

    what = f"reading {name} (cloudbilling billingAccounts.get)"

    def fetch(seconds: float) -> str:
        from google.cloud.billing_v1 import CloudBillingClient

        client = ctx.clients.gapic(CloudBillingClient, "billing")
        with gcp_errors(what):
            return str(client.get_billing_account(name=name, retry=None, timeout=seconds).currency_code)

    return await retried_blocking(ctx, what, fetch)

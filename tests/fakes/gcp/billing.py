"""Cloud Billing fakes: the projects linked to a billing account (``cloudbilling.googleapis.com/v1``) and its
budgets (``billingbudgets.googleapis.com/v1``), paged with ``pageToken`` as the real APIs are."""

from __future__ import annotations

from typing import Any

from tests.fakes.gcp.google_api import GoogleError, GoogleFake, GoogleRequest, paged


def install_billing(
    google: GoogleFake,
    account: str,
    *,
    projects: list[dict[str, Any]] | None = None,
    budgets: list[dict[str, Any]] | None = None,
    page_size: int = 2,
    currency: str = "USD",
) -> None:
    """Serve ``billingAccounts/<account>`` itself (in ``currency``), its ``projectBillingInfo`` and budgets (REST
    JSON shapes); any other account is 403, as for credentials without Billing Account Viewer."""

    def check(request: GoogleRequest) -> None:
        if request.path.split("/")[3] != account:
            raise GoogleError(403, "PERMISSION_DENIED", "The caller does not have permission")

    def projects_route(request: GoogleRequest) -> dict[str, Any]:
        check(request)
        return paged(request, projects or [], page_size, "projectBillingInfo")

    def budgets_route(request: GoogleRequest) -> dict[str, Any]:
        check(request)
        return paged(request, budgets or [], page_size, "budgets")

    def account_route(request: GoogleRequest) -> dict[str, Any]:
        check(request)
        name = f"billingAccounts/{account}"
        return {"name": name, "open": True, "displayName": "finops demo billing", "currencyCode": currency}

    google.route("billing.account", "GET", r"/v1/billingAccounts/([^/]+)", account_route)
    google.route("billing.projects", "GET", r"/v1/billingAccounts/([^/]+)/projects", projects_route)
    google.route("budgets.list", "GET", r"/v1/billingAccounts/([^/]+)/budgets", budgets_route)


def project_info(project: str, account: str, enabled: bool = True) -> dict[str, Any]:
    return {
        "name": f"projects/{project}/billingInfo",
        "projectId": project,
        "billingAccountName": f"billingAccounts/{account}" if enabled else "",
        "billingEnabled": enabled,
    }

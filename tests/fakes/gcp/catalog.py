"""A local Cloud Billing catalog: ``install(google, skus)`` serves ``GET /v1/services/{service}/skus`` (paged by
``page_size``) with SKUs built by ``sku(...)`` in the API's JSON shape."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from tests.fakes.gcp.google_api import GoogleError, GoogleFake, GoogleRequest, page

COMPUTE = "6F81-5844-456A"


def sku(
    description: str,
    family: str,
    group: str,
    regions: Iterable[str],
    unit: str,
    units: int,
    nanos: int,
    *,
    usage_type: str = "OnDemand",
    free_tier: bool = False,
    currency: str = "USD",
) -> dict[str, Any]:
    """A SKU priced ``units`` + ``nanos`` per ``unit`` (h, GiBy.h, GiBy.mo); ``free_tier`` puts a free first tier
    before it."""
    rates = [{"startUsageAmount": 0, "unitPrice": {"currencyCode": currency, "units": str(units), "nanos": nanos}}]
    if free_tier:
        rates.insert(0, {"startUsageAmount": 0, "unitPrice": {"currencyCode": currency, "units": "0", "nanos": 0}})
        rates[1]["startUsageAmount"] = 30
    skuid = f"{abs(hash((description, tuple(regions)))) % 10**12:012d}"
    return {
        "name": f"services/{COMPUTE}/skus/{skuid}",
        "skuId": skuid,
        "description": description,
        "category": {
            "serviceDisplayName": "Compute Engine",
            "resourceFamily": family,
            "resourceGroup": group,
            "usageType": usage_type,
        },
        "serviceRegions": list(regions),
        "pricingInfo": [
            {
                "effectiveTime": "2024-01-01T00:00:00Z",
                "pricingExpression": {
                    "usageUnit": unit,
                    "displayQuantity": 1,
                    "baseUnit": unit,
                    "baseUnitConversionFactor": 1,
                    "tieredRates": rates,
                },
                "currencyConversionRate": 1,
            }
        ],
        "serviceProviderName": "Google",
    }


def install(google: GoogleFake, skus: list[dict[str, Any]], page_size: int = 3) -> None:
    """Serve ``skus`` as Compute Engine's catalog (route name ``catalog.skus``)."""

    def handle(request: GoogleRequest) -> dict[str, Any]:
        service = request.path.split("/")[3]
        if service != COMPUTE:
            raise GoogleError(404, "NOT_FOUND", f"Service {service} not found")
        found, token = page(request, skus, page_size)
        return {"skus": found, "nextPageToken": token or ""}  # the Catalog API sends "" on the last page

    google.route("catalog.skus", "GET", r"/v1/services/[^/]+/skus", handle)

"""``RetailPricesFake``: the Azure Retail Prices API (``GET /api/retail/prices``) on an ``ArmFake``, anonymous
like the real one (no bearer token needed).

It holds price items in the API's shape (``currencyCode``, ``retailPrice``, ``unitPrice``, ``armRegionName``,
``armSkuName``, ``skuName``, ``productName``, ``serviceName``, ``meterName``, ``unitOfMeasure``, ``type``,
``tierMinimumUnits``...) and answers ``$filter`` expressions made of ``and``-joined ``field eq 'value'``
terms (``priceType`` filters the items' ``type``), exact and case-sensitive; any other OData is refused with
400. Answers are ``{BillingCurrency, CustomerEntityId, CustomerEntityType, Items, NextPageLink, Count}``,
``page_size`` items a page, the next page linked with ``$skip`` as the real API does.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

from tests.fakes.azure.arm import ArmError, ArmFake, ArmRequest

PATH = r"/api/retail/prices"
_TERM = re.compile(r"(\w+) eq '([^']*)'")
_FILTER = re.compile(r"\w+ eq '[^']*'(?: and \w+ eq '[^']*')*")
FIELDS = {"priceType": "type"}


def price_item(
    *,
    service: str,
    region: str,
    price: float,
    unit: str,
    meter: str,
    product: str,
    sku_name: str = "",
    arm_sku: str = "",
    price_type: str = "Consumption",
    currency: str = "USD",
    tier_minimum: float = 0.0,
) -> dict[str, Any]:
    """One item as the Retail Prices API lists it."""
    return {
        "currencyCode": currency,
        "tierMinimumUnits": tier_minimum,
        "retailPrice": price,
        "unitPrice": price,
        "armRegionName": region,
        "location": region,
        "effectiveStartDate": "2024-01-01T00:00:00Z",
        "meterId": f"meter-{abs(hash((service, region, meter, product, sku_name))) % 10**8}",
        "meterName": meter,
        "productId": "DZH318Z0BQ00",
        "skuId": "DZH318Z0BQ00/0001",
        "productName": product,
        "skuName": sku_name,
        "serviceName": service,
        "serviceId": "DZH313Z7MMC8",
        "serviceFamily": "Compute",
        "unitOfMeasure": unit,
        "type": price_type,
        "isPrimaryMeterRegion": True,
        "armSkuName": arm_sku,
    }


class RetailPricesFake:
    def __init__(self, arm: ArmFake, page_size: int = 100) -> None:
        self.arm = arm
        self.page_size = page_size
        self.items: list[dict[str, Any]] = []
        arm.route("retail-prices", "GET", PATH, self._answer, anonymous=True)

    def add(self, *items: dict[str, Any]) -> None:
        self.items.extend(items)

    def filters(self) -> list[str]:
        """The ``$filter`` of each first-page request received."""
        return [r.query.get("$filter", "") for r in self.arm.calls("retail-prices") if "$skip" not in r.query]

    def _answer(self, request: ArmRequest) -> dict[str, Any]:
        text = request.query.get("$filter", "")
        if text and not _FILTER.fullmatch(text):
            raise ArmError(400, "BadRequest", f"The fake understands only and-joined field eq 'value' terms: {text!r}.")
        terms: list[tuple[str, str]] = [(FIELDS.get(str(f), str(f)), str(v)) for f, v in _TERM.findall(text)]
        items = [i for i in self.items if all(str(i.get(f)) == v for f, v in terms)]
        skip = int(request.query.get("$skip") or 0)
        page = items[skip : skip + self.page_size]
        following = skip + self.page_size
        link = (
            f"{self.arm.url}/api/retail/prices?$filter={quote(text)}&$skip={following}"
            if following < len(items)
            else None
        )
        return {
            "BillingCurrency": "USD",
            "CustomerEntityId": "Default",
            "CustomerEntityType": "Retail",
            "Items": page,
            "NextPageLink": link,
            "Count": len(page),
        }

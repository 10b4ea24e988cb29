"""The AWS Price List API (``AWSPriceListService.GetProducts``, JSON 1.1) on an ``AwsJsonFake``.

``install(fake, prices)`` serves ``prices`` (documents built with ``product(...)``, the real PriceList
shape) the way AWS does: each product as a JSON *string* in ``PriceList``, filtered by ``ServiceCode`` and
``Filters`` (TERM_MATCH/EQUALS on a product attribute or ``productFamily``, CONTAINS, ANY_OF, NONE_OF),
paged by ``MaxResults`` (at most 100) and an opaque ``NextToken``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from typing import Any

from tests.fakes.aws.json_service import AwsFault, AwsJsonFake

TARGET = "AWSPriceListService.GetProducts"
FILTER_TYPES = ("TERM_MATCH", "EQUALS", "CONTAINS", "ANY_OF", "NONE_OF")


def product(
    service: str,
    family: str,
    price: str,
    unit: str = "Hrs",
    *,
    currency: str = "USD",
    **attributes: str,
) -> dict[str, Any]:
    """One PriceList document: ``product`` (family, attributes, sku), ``terms.OnDemand`` with one price dimension."""
    attributes = {"servicecode": service, **attributes}
    sku = hashlib.sha1(json.dumps([service, family, attributes], sort_keys=True).encode()).hexdigest()[:14].upper()
    offer = f"{sku}.JRTCKXETXF"
    rate = f"{offer}.6YS6EN2CT7"
    return {
        "product": {"productFamily": family, "attributes": attributes, "sku": sku},
        "serviceCode": service,
        "terms": {
            "OnDemand": {
                offer: {
                    "priceDimensions": {
                        rate: {
                            "unit": unit,
                            "endRange": "Inf",
                            "description": f"{price} {currency} per {unit}",
                            "appliesTo": [],
                            "rateCode": rate,
                            "beginRange": "0",
                            "pricePerUnit": {currency: price},
                        }
                    },
                    "sku": sku,
                    "effectiveDate": "2026-11-01T00:00:00Z",
                    "offerTermCode": "JRTCKXETXF",
                    "termAttributes": {},
                }
            }
        },
        "version": "20261101000000",
        "publicationDate": "2026-11-01T00:00:00Z",
    }


def _value(doc: dict[str, Any], field: str) -> str | None:
    if field == "productFamily":
        return doc["product"].get("productFamily")
    if field == "sku":
        return doc["product"].get("sku")
    return doc["product"]["attributes"].get(field)


def _matches(doc: dict[str, Any], f: dict[str, Any]) -> bool:
    value, wanted, kind = _value(doc, f["Field"]), str(f["Value"]), f["Type"]
    if kind in ("TERM_MATCH", "EQUALS"):
        return value == wanted
    if kind == "CONTAINS":
        return value is not None and wanted in value
    options = [v.strip() for v in wanted.split(",")]
    if kind == "ANY_OF":
        return value in options
    return value not in options  # NONE_OF


def install(fake: AwsJsonFake, prices: Sequence[dict[str, Any]], *, page_size: int = 100) -> None:
    """Serve GetProducts over ``prices``; pages hold at most ``page_size`` products (AWS: MaxResults ≤ 100)."""

    def get_products(body: dict[str, Any]) -> dict[str, Any]:
        service = body.get("ServiceCode")
        if not service:
            raise AwsFault("InvalidParameterException", "ServiceCode is required.")
        filters: list[dict[str, Any]] = body.get("Filters") or []
        for f in filters:
            if f.get("Type") not in FILTER_TYPES or not f.get("Field") or "Value" not in f:
                raise AwsFault("InvalidParameterException", f"Invalid filter: {f}")
        size = min(int(body.get("MaxResults") or 100), 100, page_size)
        matched = [d for d in prices if d["serviceCode"] == service and all(_matches(d, f) for f in filters)]
        token = body.get("NextToken")
        start = 0
        if token:
            if not str(token).startswith("page:"):
                raise AwsFault("InvalidNextTokenException", "The NextToken is invalid.")
            start = int(str(token)[5:])
        answer: dict[str, Any] = {
            "FormatVersion": "aws_v1",
            "PriceList": [json.dumps(d) for d in matched[start : start + size]],
        }
        if start + size < len(matched):
            answer["NextToken"] = f"page:{start + size}"
        return answer

    fake.route(TARGET, get_products)

"""Azure Cost Management on ``ArmFake``: query, forecast, budgets, benefit recommendations and utilization.

``install(arm, rows)`` serves ``POST {scope}/providers/Microsoft.CostManagement/query`` over ``rows`` (daily
``UsageRow``s), really computing what the request asks: ``type`` (ActualCost -> ``actual``, AmortizedCost ->
``amortized``), ``timePeriod`` (``to`` inclusive, as Azure reads it), ``dataset.granularity`` (Daily or none),
``dataset.grouping`` (Dimension / TagKey, at most two), ``dataset.filter`` (``dimensions``/``tags`` with ``In``,
``and``/``or``). Answers have Azure's shape: ``properties.columns`` (the cost column named after the
aggregation's ``name``: ``Cost`` or ``PreTaxCost``, then ``UsageDate`` as an int ``20261101``, grouping columns,
``Currency``) and ``properties.rows``; after ``page_size`` rows a ``nextLink`` (``$skiptoken``) points back at
the fake, to be POSTed with the same body. Scopes: ``subscriptions/<id>``, a management group or a billing
account (which see every row).
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from tests.fakes.azure.arm import ArmError, ArmFake, ArmRequest, ArmResponse

API_VERSION = "2025-03-01"
CM = r"/providers/Microsoft\.CostManagement"
BILLING = r"/providers/Microsoft\.Billing/billingAccounts/[^/]+(?:/billingProfiles/[^/]+)?"
SCOPE = r"(/subscriptions/[^/]+|/providers/Microsoft\.Management/managementGroups/[^/]+|" + BILLING + ")"
# Dimensions the fake can group and filter by (name -> UsageRow attribute).
DIMENSIONS = {
    "subscriptionid": "subscription",
    "servicename": "service",
    "metercategory": "meter_category",
    "resourcelocation": "location",
    "resourcegroupname": "resource_group",
    "resourceid": "resource_id",
    "chargetype": "charge_type",
    "publishertype": "publisher_type",
}
CANONICAL = {
    "subscriptionid": "SubscriptionId",
    "servicename": "ServiceName",
    "metercategory": "MeterCategory",
    "resourcelocation": "ResourceLocation",
    "resourcegroupname": "ResourceGroupName",
    "resourceid": "ResourceId",
    "chargetype": "ChargeType",
    "publishertype": "PublisherType",
}


@dataclass(frozen=True)
class UsageRow:
    """One day's cost of one resource (what Cost Management aggregates)."""

    day: date
    subscription: str
    service: str
    meter_category: str
    location: str
    resource_group: str
    resource_id: str
    currency: str
    actual: Decimal  # ActualCost
    amortized: Decimal  # AmortizedCost
    charge_type: str = "Usage"
    publisher_type: str = "Azure"
    tags: tuple[tuple[str, str], ...] = ()


DEMO_SUBSCRIPTIONS = {"00000000-0000-0000-0000-00000000aaaa": "EUR", "00000000-0000-0000-0000-00000000bbbb": "USD"}
DEMO_SERVICES = (
    ("Virtual Machines", "Virtual Machines", "Microsoft.Compute/virtualMachines"),
    ("Storage", "Storage", "Microsoft.Storage/storageAccounts"),
    ("Azure SQL Database", "SQL Database", "Microsoft.Sql/servers"),
    ("Bandwidth", "Bandwidth", "Microsoft.Network/publicIPAddresses"),
    ("Azure Kubernetes Service", "Virtual Machines", "Microsoft.ContainerService/managedClusters"),
    ("Azure Monitor", "Log Analytics", "Microsoft.OperationalInsights/workspaces"),
)
DEMO_LOCATIONS = ("westeurope", "eastus")
DEMO_DAYS = 75
# Azure amounts carry many decimals; sums of them are not exact in a float.
TAIL = Decimal("0.000000000123456789")


def demo_rows(end: date, days: int = DEMO_DAYS) -> list[UsageRow]:
    """2 subscriptions (one billed in EUR, one in USD) x 6 services x 2 locations x ``days`` days up to ``end``
    (exclusive); half the resources carry a ``team`` tag; reserved VMs differ between actual (a monthly purchase
    on the 1st) and amortized (spread daily)."""
    rows: list[UsageRow] = []
    for s, (subscription, currency) in enumerate(DEMO_SUBSCRIPTIONS.items()):
        for v, (service, meter, kind) in enumerate(DEMO_SERVICES):
            for g, location in enumerate(DEMO_LOCATIONS):
                group = f"rg-{location}"
                rid = f"/subscriptions/{subscription}/resourceGroups/{group}/providers/{kind}/res-{v}-{g}"
                tags = (("team", ("web", "data")[(v + g) % 2]),) if v % 2 == 0 else ()
                for d in range(days):
                    day = end - timedelta(days=days - d)
                    cents = 100 + 37 * s + 211 * v + 53 * g + (d * (7 + v)) % 29
                    amount = Decimal(cents) / 100 + Decimal("0.004") * (d % 3) + TAIL * g  # long decimals, as Azure
                    rows.append(
                        UsageRow(
                            day, subscription, service, meter, location, group, rid, currency, amount, amount, tags=tags
                        )
                    )
            # A reservation: bought on the 1st of each month (actual), spread over the month's days (amortized).
        for d in range(days):
            day = end - timedelta(days=days - d)
            rid = f"/subscriptions/{subscription}/resourceGroups/rg-westeurope/providers/{DEMO_SERVICES[0][2]}/reserved"
            rows.append(
                UsageRow(
                    day,
                    subscription,
                    "Virtual Machines",
                    "Virtual Machines",
                    "westeurope",
                    "rg-westeurope",
                    rid,
                    currency,
                    Decimal("0"),
                    Decimal("1.25"),
                    charge_type="Usage",
                )
            )
            if day.day == 1:
                rows.append(
                    UsageRow(
                        day,
                        subscription,
                        "Reservations",
                        "Reservations",
                        "global",
                        "",
                        "",
                        currency,
                        Decimal("38.75"),
                        Decimal("0"),
                        charge_type="Purchase",
                        publisher_type="Azure",
                    )
                )
    return rows


# -- request evaluation ---------------------------------------------------------------------------


def _in_scope(scope: str, row: UsageRow) -> bool:
    if scope.lower().startswith("/subscriptions/"):
        return row.subscription.lower() == scope.split("/")[2].lower()
    return True  # a management group or billing account sees all the fake's subscriptions


def _value(row: UsageRow, name: str) -> str:
    attr = DIMENSIONS.get(name.lower())
    if attr is None:
        raise ArmError(400, "BadRequest", f"Invalid dimension name '{name}'.")
    return str(getattr(row, attr))


def _matches(row: UsageRow, expression: dict[str, Any]) -> bool:
    if "and" in expression:
        if len(expression["and"]) < 2:
            raise ArmError(400, "BadRequest", "'and' needs at least two expressions.")
        return all(_matches(row, e) for e in expression["and"])
    if "or" in expression:
        return any(_matches(row, e) for e in expression["or"])
    if "dimensions" in expression:
        c = expression["dimensions"]
        if c.get("operator") != "In":
            raise ArmError(400, "BadRequest", "Only the In operator is supported by the fake.")
        return _value(row, c["name"]).lower() in {str(v).lower() for v in c["values"]}
    if "tags" in expression:
        c = expression["tags"]
        return dict(row.tags).get(c["name"]) in set(c["values"])
    raise ArmError(400, "BadRequest", f"Unsupported filter {list(expression)}.")


def _days(time_period: dict[str, str]) -> tuple[date, date]:
    """Azure's from/to, both inclusive; the fake insists on whole days (``to`` at 23:59:59)."""
    start = datetime.fromisoformat(time_period["from"].replace("Z", "+00:00"))
    last = datetime.fromisoformat(time_period["to"].replace("Z", "+00:00"))
    if (start.hour, start.minute, start.second) != (0, 0, 0) or (last.hour, last.minute, last.second) != (23, 59, 59):
        raise ArmError(400, "BadRequest", "The fake expects whole days: from at 00:00:00, to at 23:59:59.")
    if last < start:
        raise ArmError(400, "BadRequest", "Invalid time period: to is before from.")
    return start.date(), last.date()


def _raw_json(body: Any) -> bytes:
    """JSON with every Decimal written as an exact JSON number, as Azure writes its many-decimal amounts (a
    client parsing them as floats loses digits)."""

    def default(obj: object) -> str:
        if isinstance(obj, Decimal):
            return f"@@{format(obj, 'f')}@@"
        raise TypeError(type(obj).__name__)

    return re.sub(r'"@@(-?[0-9.]+)@@"', r"\1", json.dumps(body, default=default)).encode()


@dataclass
class CostManagementFake:
    arm: ArmFake
    rows: Sequence[UsageRow]
    today: date
    page_size: int = 50
    budgets: list[dict[str, Any]] = field(default_factory=lambda: list[dict[str, Any]]())
    benefit_recommendations: list[dict[str, Any]] = field(default_factory=lambda: list[dict[str, Any]]())
    utilization: list[dict[str, Any]] = field(default_factory=lambda: list[dict[str, Any]]())

    def evaluate(self, scope: str, body: dict[str, Any]) -> tuple[list[dict[str, Any]], list[list[Any]]]:
        """The columns and all rows of a query."""
        kind = body.get("type")
        if kind not in ("ActualCost", "AmortizedCost", "Usage"):
            raise ArmError(400, "BadRequest", f"Invalid query type '{kind}'.")
        if body.get("timeframe") != "Custom":
            raise ArmError(400, "BadRequest", "The fake answers timeframe Custom only.")
        first, last = _days(body["timePeriod"])
        dataset = body.get("dataset") or {}
        granularity = dataset.get("granularity")
        if granularity not in (None, "Daily", "None"):
            raise ArmError(400, "BadRequest", f"Invalid granularity '{granularity}'.")
        daily = granularity == "Daily"
        aggregation = dataset.get("aggregation") or {}
        if len(aggregation) != 1:
            raise ArmError(400, "BadRequest", "The fake expects one aggregation.")
        ((alias, agg),) = aggregation.items()
        if agg.get("function") != "Sum" or agg.get("name") not in ("Cost", "PreTaxCost", "CostUSD"):
            raise ArmError(400, "BadRequest", f"Invalid aggregation {agg}.")
        grouping = dataset.get("grouping") or []
        if len(grouping) > 2:
            raise ArmError(400, "BadRequest", "Query can have up to 2 group by clauses.")
        expression = dataset.get("filter")
        sums: dict[tuple[Any, ...], Decimal] = defaultdict(Decimal)
        for row in self.rows:
            if not first <= row.day <= last or not _in_scope(scope, row):
                continue
            if expression is not None and not _matches(row, expression):
                continue
            key: list[Any] = [int(row.day.strftime("%Y%m%d"))] if daily else []
            for g in grouping:
                if g["type"] == "Dimension":
                    key.append(_value(row, g["name"]))
                elif g["type"] == "TagKey":
                    tag = dict(row.tags).get(g["name"])
                    key.extend([g["name"] if tag is not None else "", tag or ""])
                else:
                    raise ArmError(400, "BadRequest", f"Invalid grouping type {g['type']}.")
            key.append(row.currency)
            sums[tuple(key)] += row.actual if kind == "ActualCost" else row.amortized
        columns = [{"name": agg["name"], "type": "Number"}]
        if daily:
            columns.append({"name": "UsageDate", "type": "Number"})
        for g in grouping:
            if g["type"] == "TagKey":
                columns += [{"name": "TagKey", "type": "String"}, {"name": "TagValue", "type": "String"}]
            else:
                columns.append({"name": CANONICAL[g["name"].lower()], "type": "String"})
        columns.append({"name": "Currency", "type": "String"})
        rows = [[a, *k] for k, a in sorted(sums.items(), key=lambda kv: [str(x) for x in kv[0]])]
        del alias
        return columns, rows

    def query(self, request: ArmRequest) -> ArmResponse:
        if request.query.get("api-version") != API_VERSION:
            raise ArmError(400, "InvalidApiVersion", f"api-version {request.query.get('api-version')}")
        scope = request.path.split("/providers/Microsoft.CostManagement")[0]
        columns, rows = self.evaluate(scope, request.body)
        skip = int(request.query.get("$skiptoken") or 0)
        page = rows[skip : skip + self.page_size]
        next_link = None
        if skip + self.page_size < len(rows):
            next_link = f"{self.arm.url}{request.path}?api-version={API_VERSION}&$skiptoken={skip + self.page_size}"
        body = {
            "id": f"{scope}/providers/Microsoft.CostManagement/query/00000000",
            "name": "00000000",
            "type": "Microsoft.CostManagement/query",
            "properties": {"nextLink": next_link, "columns": columns, "rows": page},
        }
        return ArmResponse(200, _raw_json(body))

    def forecast(self, request: ArmRequest) -> ArmResponse:
        """Actual daily costs before ``today`` (with includeActualCost) and, from today to ``to``, a forecast per
        day and currency: the average day of the last 30."""
        body = request.body
        if request.query.get("api-version") != API_VERSION:
            raise ArmError(400, "InvalidApiVersion", "api-version")
        first, last = _days(body["timePeriod"])
        scope = request.path.split("/providers/Microsoft.CostManagement")[0]
        history = {
            **body,
            "timePeriod": {
                "from": f"{self.today - timedelta(days=30)}T00:00:00Z",
                "to": f"{self.today - timedelta(days=1)}T23:59:59Z",
            },
            "dataset": {**body["dataset"], "granularity": "Daily", "grouping": []},
        }
        columns, rows = self.evaluate(scope, history)
        out: list[list[Any]] = []
        per_currency: dict[str, Decimal] = defaultdict(Decimal)
        for amount, usage_date, currency in rows:
            per_currency[currency] += amount
            day = datetime.strptime(str(usage_date), "%Y%m%d").date()
            if body.get("includeActualCost") and first <= day <= last:
                out.append([amount, usage_date, "Actual", currency])
        day = max(first, self.today)
        while day <= last:
            for currency, total in sorted(per_currency.items()):
                out.append([(total / 30).quantize(Decimal("0.01")), int(day.strftime("%Y%m%d")), "Forecast", currency])
            day += timedelta(days=1)
        columns = [
            {"name": columns[0]["name"], "type": "Number"},
            {"name": "UsageDate", "type": "Number"},
            {"name": "CostStatus", "type": "String"},
            {"name": "Currency", "type": "String"},
        ]
        return ArmResponse(200, _raw_json({"properties": {"nextLink": None, "columns": columns, "rows": out}}))

    def list_budgets(self, request: ArmRequest) -> dict[str, Any]:
        return {"value": self.budgets}

    def list_benefit_recommendations(self, request: ArmRequest) -> dict[str, Any]:
        return {"value": self.benefit_recommendations}

    def list_utilization(self, request: ArmRequest) -> dict[str, Any]:
        return {"value": self.utilization}


def install(
    arm: ArmFake,
    rows: Iterable[UsageRow],
    *,
    today: date,
    page_size: int = 50,
    budgets: list[dict[str, Any]] | None = None,
    benefit_recommendations: list[dict[str, Any]] | None = None,
    utilization: list[dict[str, Any]] | None = None,
) -> CostManagementFake:
    """Serve Cost Management over ``rows`` on ``arm``; routes are named ``query``, ``forecast``, ``budgets``,
    ``benefit_recommendations`` and ``utilization``."""
    fake = CostManagementFake(
        arm, tuple(rows), today, page_size, budgets or [], benefit_recommendations or [], utilization or []
    )
    arm.route("query", "POST", SCOPE + CM + "/query", fake.query)
    arm.route("forecast", "POST", SCOPE + CM + "/forecast", fake.forecast)
    arm.route("budgets", "GET", SCOPE + CM + "/budgets", fake.list_budgets)
    arm.route(
        "benefit_recommendations", "GET", SCOPE + CM + "/benefitRecommendations", fake.list_benefit_recommendations
    )
    arm.route(
        "utilization",
        "GET",
        r"/providers/microsoft\.Billing/billingAccounts/[^/]+(?:/billingProfiles/[^/]+)?"
        + CM
        + "/benefitUtilizationSummaries",
        fake.list_utilization,
    )
    return fake


def demo_budgets(currency: str = "EUR") -> list[dict[str, Any]]:
    return [
        {
            "id": "/subscriptions/x/providers/Microsoft.CostManagement/budgets/monthly",
            "name": "monthly",
            "type": "Microsoft.CostManagement/budgets",
            "properties": {
                "category": "Cost",
                "amount": 5000,
                "timeGrain": "Monthly",
                "timePeriod": {"startDate": "2026-01-01T00:00:00Z", "endDate": "2027-12-31T00:00:00Z"},
                "currentSpend": {"amount": 4123.45, "unit": currency},
                "forecastSpend": {"amount": 5210.1, "unit": currency},
            },
        }
    ]


def demo_benefit_recommendations() -> list[dict[str, Any]]:
    return [
        {
            "id": "/providers/Microsoft.Billing/billingAccounts/ba/providers/Microsoft.CostManagement/"
            "benefitRecommendations/r1",
            "name": "r1",
            "kind": "SavingsPlan",
            "properties": {
                "scope": "Shared",
                "lookBackPeriod": "Last30Days",
                "term": "P3Y",
                "commitmentGranularity": "Hourly",
                "currencyCode": "USD",
                "costWithoutBenefit": 1500.5,
                "recommendationDetails": {
                    "commitmentAmount": 1.25,
                    "savingsAmount": 310.75,
                    "savingsPercentage": 20.71,
                    "coveragePercentage": 81.3,
                    "averageUtilizationPercentage": 97.2,
                    "benefitCost": 912.5,
                    "overageCost": 277.25,
                    "totalCost": 1189.75,
                    "wastageCost": 25.55,
                },
            },
        }
    ]


def demo_utilization() -> list[dict[str, Any]]:
    return [
        {
            "id": "/providers/Microsoft.BillingBenefits/savingsPlanOrders/o1/providers/Microsoft.CostManagement/"
            "benefitUtilizationSummaries/u1",
            "name": "u1",
            "kind": "SavingsPlan",
            "properties": {
                "benefitType": "SavingsPlan",
                "benefitOrderId": "o1",
                "benefitId": "sp1",
                "usageDate": "2026-11-25T00:00:00Z",
                "avgUtilizationPercentage": 92.5,
                "minUtilizationPercentage": 80,
                "maxUtilizationPercentage": 100,
            },
        },
        {
            "id": "/providers/Microsoft.Capacity/reservationorders/o2/providers/Microsoft.CostManagement/"
            "benefitUtilizationSummaries/u2",
            "name": "u2",
            "kind": "Reservation",
            "properties": {
                "benefitType": "Reservation",
                "benefitOrderId": "o2",
                "benefitId": "ri1",
                "usageDate": "2026-11-25T00:00:00Z",
                "avgUtilizationPercentage": 64.0,
                "minUtilizationPercentage": 50,
                "maxUtilizationPercentage": 75,
            },
        },
    ]

"""``CostManagement``: Azure costs through Cost Management, as the core ``CostSource`` and as Azure questions.

Scopes: the billing scope when set, else the management group, else each subscription (one query each, a
partial answer naming any that failed). Cost types: billed = ActualCost, effective = AmortizedCost; Cost
Management has no list or contracted cost in its query API.

Amounts are exact: the query's JSON is read from the raw response text with ``parse_float=Decimal`` (the SDK's
own deserialization goes through floats, which lose digits of Azure's many-decimal amounts).

Paging: ``query.usage`` returns one page; its ``properties.nextLink`` must be POSTed again with the same body,
which the SDK does not do, so further pages go through the client's documented ``send_request`` (azure-core's
way to send a request through the client's pipeline: credentials, retries, logging).

Cost Management does not bill per query, so answers leave ``paid_calls`` null; they name the number of
requests made (rate-limited: a few a minute) in ``source`` instead, 0 when the answer came from the cache.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal, cast

from finops_core.breakdown import Cell, assemble, at_most_two_groups, money_total, period_start, top_costs
from finops_core.cached import cache_state
from finops_core.daily_charges import day_charge
from finops_core.dates import check_period, next_month_start
from finops_core.errors import InvalidInput, InvalidQuery, Unavailable
from finops_core.fanout import FanOut, fan_out
from finops_core.focus import CostLineItem
from finops_core.models import CostBreakdown, CostQuery, Dimension
from finops_core.money import Money, normalize_amount
from finops_core.paid import PaidAnswer

from finops_azure.costs.answers import (
    BenefitRecommendation,
    Benefits,
    BenefitUtilization,
    BudgetList,
    BudgetStatus,
    CostForecast,
    ForecastDay,
    ForecastTotal,
    NativeCosts,
    NativeRow,
)
from finops_azure.costs.focus_map import charge_category, charge_category_of_service, service_category
from finops_azure.costs.throttle import Backoff
from finops_azure.errors import P, azure_errors

if TYPE_CHECKING:
    from finops_azure.context import AzureContext

CostType = Literal["ActualCost", "AmortizedCost"]
TYPE_OF: dict[str, CostType] = {"billed": "ActualCost", "effective": "AmortizedCost"}
# Azure-native dimensions a question may group or filter by (names as Cost Management spells them).
AzureDimension = Literal[
    "ServiceName",
    "MeterCategory",
    "ResourceGroupName",
    "ResourceLocation",
    "SubscriptionId",
    "ChargeType",
    "PublisherType",
    "PricingModel",
]
# The Cost Management dimension behind each core dimension; provider and billing_account are constants.
_DIMENSION: dict[str, str] = {
    "sub_account": "SubscriptionId",
    "service": "ServiceName",
    "service_category": "ServiceName",
    "region": "ResourceLocation",
    "charge_category": "ChargeType",
    "resource": "ResourceId",
}
_SERVER_FILTERS: tuple[Dimension, ...] = (
    "sub_account",
    "service",
    "region",
    "resource",
)  # filtered by Cost Management itself
_DERIVED = ("service_category", "charge_category")  # filtered here, from their grouping's values
COST_COLUMNS = ("Cost", "PreTaxCost", "CostUSD", "totalCost")
MAX_PAGES = 50  # a question needing more is better asked narrower (each page counts against the rate limit)
HISTORY_HINT = (
    "Cost Management keeps the data of the last 13 months or more (by agreement) and the last day appears "
    "within 8-24 hours; check the dates, filters and scope."
)


def _raw_text(pipeline_response: Any, deserialized: Any, headers: Any) -> str:
    """``cls`` for an SDK call made with ``stream=True``: the response's JSON text, for exact parsing (the SDK
    leaves a streamed body unread instead of deserializing it through floats)."""
    response = pipeline_response.http_response
    response.read()
    return str(response.text())


def _parse(text: str, what: str) -> dict[str, Any]:
    """A Cost Management answer with its numbers as exact Decimals. An empty body is the documented ``204 No
    Content`` of a query or forecast with nothing to report: no rows, not an error."""
    if not text.strip():
        return {"properties": {"columns": [], "rows": [], "nextLink": None}}
    try:
        found = json.loads(text, parse_float=Decimal)
    except ValueError:
        found = None
    if not isinstance(found, dict):
        raise Unavailable(f"Azure sent an answer we could not read while {what}. Try again.", provider=P)
    return cast(dict[str, Any], found)


def cost_management_client(credential: Any, **options: Any) -> Any:
    """A ``CostManagementClient`` whose pipeline does not retry: ``Backoff`` waits out 429s as Cost Management
    asks (azure-core's policy ignores its rate-limit headers) and retries 5xx itself."""
    from azure.mgmt.costmanagement import CostManagementClient

    return CostManagementClient(credential, **{**options, "retry_policy": None, "retry_total": 0})


def _plain(value: Any) -> Any:
    """A parsed answer with Decimals as strings, for the cache (JSON); read back with ``Decimal(text)``."""
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, list):
        return [_plain(v) for v in value]  # pyright: ignore[reportUnknownVariableType]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}  # pyright: ignore[reportUnknownVariableType]
    return value


def _decimal(value: object) -> Decimal | None:
    if value is None or value == "":
        return None
    return Decimal(str(value))  # str of a float is its shortest round-trip text: the JSON's digits


def _percent(value: object) -> float | None:
    found = _decimal(value)
    return None if found is None else round(float(found), 2)


def _usage_day(value: object) -> date:
    """UsageDate: 20261101 (a number) or an ISO date-time text, as Cost Management sends either."""
    text = str(value)
    return datetime.strptime(text, "%Y%m%d").date() if text.isdigit() else date.fromisoformat(text[:10])


@dataclass(frozen=True)
class Table:
    """A query's answer: column names and rows (amounts as Decimal), with the number of requests made."""

    columns: list[str]
    rows: list[list[Any]]
    requests: int
    cached_at: datetime | None = None  # when a cached answer was fetched; None: fetched now

    def index(self, name: str) -> int | None:
        lowered = [c.lower() for c in self.columns]
        return lowered.index(name.lower()) if name.lower() in lowered else None

    def cost_index(self) -> int:
        for name in COST_COLUMNS:
            found = self.index(name)
            if found is not None:
                return found
        raise InvalidQuery(f"Cost Management answered without a cost column (columns: {self.columns}).", provider=P)


def _owner_scope(resource_id: str, asked: str) -> str:
    """The scope a Cost Management resource (a budget) belongs to, read from its id: listing the budgets of a
    subscription also lists those of its resource groups (Azure's Budgets_List example), so the scope asked is not
    always theirs, and two budgets may share a name."""
    at = resource_id.lower().find("/providers/microsoft.costmanagement/")
    return resource_id[:at].strip("/") if at > 0 else asked


def _time_period(start: date, end: date) -> dict[str, str]:
    """Cost Management's ``to`` is inclusive: the last second of the day before our exclusive ``end``."""
    return {"from": f"{start.isoformat()}T00:00:00Z", "to": f"{(end - timedelta(days=1)).isoformat()}T23:59:59Z"}


def _filter(terms: Sequence[dict[str, Any]]) -> dict[str, Any] | None:
    if not terms:
        return None
    return terms[0] if len(terms) == 1 else {"and": list(terms)}  # "and" needs two or more expressions


def _dimension_filter(name: str, values: Sequence[str]) -> dict[str, Any]:
    return {"dimensions": {"name": name, "operator": "In", "values": list(values)}}


class CostManagement:
    """Cost Management over the configured scope(s)."""

    def __init__(self, ctx: AzureContext) -> None:
        self.ctx = ctx

    # -- plumbing --------------------------------------------------------------------------------

    def _client(self) -> Any:
        return self.ctx.clients.client(cost_management_client)

    @property
    def billing_account(self) -> str | None:
        """The billing account of ``billing_scope`` (FOCUS's BillingAccountId), if configured."""
        scope = self.ctx.settings.billing_scope
        if not scope:
            return None
        parts = scope.strip("/").split("/")
        lowered = [p.lower() for p in parts]
        return parts[lowered.index("billingaccounts") + 1] if "billingaccounts" in lowered else scope

    def shared_scope(self) -> str | None:
        """The one scope covering everything (billing scope or management group), if configured."""
        settings = self.ctx.settings
        if settings.billing_scope:
            return settings.billing_scope.strip("/")
        if settings.management_group:
            return f"providers/Microsoft.Management/managementGroups/{settings.management_group}"
        return None

    async def scopes(self, subscriptions: Sequence[str] | None = None) -> list[str]:
        """The scopes to ask: the shared scope, or each subscription (``subscriptions`` narrows them)."""
        shared = self.shared_scope()
        if shared is not None:
            return [shared]
        subs = await self.ctx.subscriptions()
        if subscriptions is not None:
            wanted = {s.lower() for s in subscriptions}
            subs = [s for s in subs if s.lower() in wanted]
        return [f"subscriptions/{s}" for s in subs]

    @staticmethod
    def subscription_of(scope: str) -> str | None:
        parts = scope.strip("/").split("/")
        return parts[1] if len(parts) == 2 and parts[0].lower() == "subscriptions" else None

    def _fetch_query(self, operation: str, scope: str, body: dict[str, Any]) -> Table:
        """Every page of one query (or forecast), cached; waits out throttling within the budget."""
        what = f"querying Cost Management ({operation}) at {scope}"

        def fetch() -> tuple[Any, int]:
            from azure.core.rest import HttpRequest

            client = self._client()
            backoff = Backoff(self.ctx, what)
            call = client.query.usage if operation == "query" else client.forecast.usage
            text = backoff.run(lambda: call(scope, body, stream=True, cls=_raw_text))
            page = _parse(text, what)
            properties = page.get("properties") or {}
            columns = [str(c.get("name")) for c in properties.get("columns") or []]
            rows: list[list[Any]] = list(properties.get("rows") or [])
            next_link = properties.get("nextLink")
            pages = 1
            while next_link:
                if pages >= MAX_PAGES:
                    raise InvalidQuery(
                        f"Cost Management answered in more than {MAX_PAGES} pages while {what}; stopped. Narrow "
                        "the question: a shorter period, a total instead of daily, fewer groupings or a filter.",
                        provider=P,
                    )
                link = str(next_link)

                def follow(link: str = link) -> str:
                    response = client.send_request(HttpRequest("POST", link, json=body))
                    response.raise_for_status()
                    return str(response.text())

                page = _parse(backoff.run(follow), what)
                properties = page.get("properties") or {}
                rows.extend(properties.get("rows") or [])
                next_link = properties.get("nextLink")
                pages += 1
            return {"columns": columns, "rows": _plain(rows)}, backoff.requests

        answer: PaidAnswer = self.ctx.paid.call(operation, {"scope": scope, "body": body}, fetch)
        table = Table(
            list(answer.body["columns"]), [list(r) for r in answer.body["rows"]], answer.paid_calls, answer.cached_at
        )
        if table.rows:  # an empty answer (204) has no columns to look the cost up in
            cost = table.cost_index()
            for row in table.rows:
                row[cost] = Decimal(str(row[cost]))
        return table

    async def _query_all(
        self, operation: str, scopes: Sequence[str], body: Callable[[str], dict[str, Any]]
    ) -> FanOut[tuple[str, Table]]:
        async def one(scope: str) -> tuple[str, Table]:
            return scope, await self.ctx.run(self._fetch_query, operation, scope, body(scope))

        return await fan_out(list(scopes), one, lambda s: s)

    # -- the core CostSource ---------------------------------------------------------------------

    def _groupings(self, query: CostQuery, per_subscription: bool) -> list[dict[str, str]]:
        if query.metric not in TYPE_OF:
            raise InvalidQuery(
                f"Azure Cost Management has no {query.metric} cost in its query API. Ask for metric billed "
                "(ActualCost, as invoiced) or effective (AmortizedCost, reservations and savings plans spread over "
                "their term); list and contracted prices are in the cost details export (FOCUS) instead.",
                provider=P,
            )
        if "sku" in (*query.group_by, *query.filters):
            raise InvalidQuery(
                "Cost Management's query API does not break costs down by SKU; use azure_cost_by with MeterCategory, "
                "or the FOCUS cost details export.",
                provider=P,
            )
        needed = [*query.group_by, *(d for d in _DERIVED if d in query.filters)]
        names: list[str] = []
        for dim in needed:
            name = _DIMENSION.get(dim)
            if name is None or (dim == "sub_account" and per_subscription) or name in names:
                continue
            names.append(name)
        groups = [{"type": "Dimension", "name": n} for n in names]
        if query.tag_key is not None:
            groups.append({"type": "TagKey", "name": query.tag_key})
        at_most_two_groups(
            "Cost Management",
            [g["name"] for g in groups],
            advice="Drop one grouping, or filter on one value instead of grouping by it.",
            provider=P,
        )
        return groups

    def _body(
        self,
        cost_type: str,
        start: date,
        end: date,
        *,
        daily: bool,
        groupings: Sequence[dict[str, str]] = (),
        terms: Sequence[dict[str, Any]] = (),
    ) -> dict[str, Any]:
        dataset: dict[str, Any] = {"aggregation": {"totalCost": {"name": "Cost", "function": "Sum"}}}
        if daily:
            dataset["granularity"] = "Daily"
        if groupings:
            dataset["grouping"] = list(groupings)
        expression = _filter(terms)
        if expression is not None:
            dataset["filter"] = expression
        return {"type": cost_type, "timeframe": "Custom", "timePeriod": _time_period(start, end), "dataset": dataset}

    async def query_costs(self, query: CostQuery) -> CostBreakdown:
        """``query`` answered by one Cost Management query per scope (all pages), re-aggregated by core."""
        check_period(query.start, query.end)
        shared = self.shared_scope()
        groups = self._groupings(query, per_subscription=shared is None)
        cost_type = TYPE_OF[query.metric]
        constants: dict[str, str | None] = {"provider": "Microsoft", "billing_account": self.billing_account}
        empty_note = (
            f"Azure Cost Management has no {cost_type} from {query.start} to {query.end} (end exclusive) for this "
            f"question. {HISTORY_HINT}"
        )
        source = f"Azure Cost Management ({cost_type})"
        for dim, value in constants.items():
            wanted = query.filters.get(dim)  # pyright: ignore[reportArgumentType]
            if wanted is not None and value not in wanted:
                note = f"No Azure costs match {dim} in {list(wanted)}: this server's {dim} is {value}."
                return assemble(query, [], source=source, is_demo=False, empty_note=note)
        subs = query.filters.get("sub_account")
        scopes = await self.scopes(subs if shared is None else None)
        if not scopes:
            note = f"None of the configured subscriptions is in {list(subs or ())}; check the sub_account filter."
            return assemble(query, [], source=source, is_demo=False, empty_note=note)
        server: list[Dimension] = [
            d for d in _SERVER_FILTERS if d in query.filters and not (d == "sub_account" and shared is None)
        ]
        terms = [_dimension_filter(_DIMENSION[d], query.filters[d]) for d in server]
        daily = query.granularity != "total"
        body = self._body(cost_type, query.start, query.end, daily=daily, groupings=groups, terms=terms)
        out = await self._query_all("query", scopes, lambda _: body)
        client_filters = {d: v for d, v in query.filters.items() if d in _DERIVED}
        cells: list[Cell] = []
        requests = 0
        for scope, table in out.results:
            requests += table.requests
            for values, day, currency, amount in self._read(table, groups, scope):
                if amount == 0:
                    continue
                core = self._core_values(query, values, constants)
                if any(core[d] not in allowed for d, allowed in client_filters.items()):
                    continue
                group = tuple(core[d] for d in query.group_by)
                if query.tag_key is not None:
                    group = (*group, values.get("TagValue") or None)
                period = period_start(day, query.granularity) if day is not None else None
                cells.append(Cell(period, group, currency, amount))
        source += f"; {requests} request(s)" + (" (cached)" if requests == 0 else "")
        breakdown = assemble(query, cells, source=source, is_demo=False, empty_note=empty_note)
        breakdown = breakdown.model_copy(update=cache_state(*(t.cached_at for _, t in out.results)))
        if out.missing:
            partial = out.note()
            breakdown = breakdown.model_copy(
                update={"note": f"{breakdown.note} {partial}" if breakdown.note else partial}
            )
        return breakdown

    @staticmethod
    def _read(
        table: Table, groups: Sequence[dict[str, str]], scope: str
    ) -> list[tuple[dict[str, str], date | None, str, Decimal]]:
        """Each row as (grouping values by column name, day, currency, amount); the scope's subscription fills
        SubscriptionId when the scope is one."""
        if not table.rows:
            return []
        cost = table.cost_index()
        day_at = table.index("UsageDate")
        currency_at = table.index("Currency")
        fixed_currency = "USD" if table.columns[cost].lower() == "costusd" else None
        names = [g["name"] for g in groups if g["type"] == "Dimension"]
        if any(g["type"] == "TagKey" for g in groups):
            names.append("TagValue")
        positions = {n: table.index(n) for n in names}
        subscription = CostManagement.subscription_of(scope)
        out: list[tuple[dict[str, str], date | None, str, Decimal]] = []
        for row in table.rows:
            values = {n: str(row[i]) if row[i] is not None else "" for n, i in positions.items() if i is not None}
            if subscription is not None:
                values.setdefault("SubscriptionId", subscription)
            day = _usage_day(row[day_at]) if day_at is not None else None
            currency = fixed_currency or (str(row[currency_at]) if currency_at is not None else "USD")
            out.append((values, day, currency, row[cost]))
        return out

    @staticmethod
    def _core_values(
        query: CostQuery, values: Mapping[str, str], constants: Mapping[str, str | None]
    ) -> dict[str, str | None]:
        """Each core dimension the query groups or filters by, from a row's grouping values."""
        found: dict[str, str | None] = {}
        for dim in {*query.group_by, *(d for d in query.filters if d in _DERIVED)}:
            if dim in constants:
                found[dim] = constants[dim]
                continue
            raw = values.get(_DIMENSION.get(dim, ""), "")
            if dim == "service_category":
                found[dim] = service_category(raw)
            elif dim == "charge_category":
                found[dim] = charge_category(raw)
            elif dim == "sub_account":
                found[dim] = raw.lower() or None
            else:
                found[dim] = raw or None
        return found

    async def daily_costs(self, start: date, end: date) -> list[CostLineItem]:
        """Daily FOCUS rows per subscription, service and location (per subscription scope; per subscription and
        service at a shared scope, as a query groups by two things at most): billed from ActualCost and effective
        from AmortizedCost, two queries per scope. The query API has no list or contracted cost: list_cost
        carries the billed cost and ``x_extras`` says so."""
        if end <= start:
            raise InvalidInput(f"end ({end}) must be after start ({start}); the end date is exclusive.")
        check_period(start, end)
        shared = self.shared_scope()
        scopes = await self.scopes()
        names = ["ServiceName", "ResourceLocation"] if shared is None else ["SubscriptionId", "ServiceName"]
        groups = [{"type": "Dimension", "name": n} for n in names]
        billed_type: CostType = "ActualCost"
        effective_type: CostType = "AmortizedCost"
        merged: dict[tuple[date, str, str, str, str], list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
        missing: list[str] = []
        for position, cost_type in enumerate((billed_type, effective_type)):
            body = self._body(cost_type, start, end, daily=True, groupings=groups)
            out = await self._query_all("query", scopes, lambda _, body=body: body)
            missing.extend(out.missing)
            for scope, table in out.results:
                for values, day, currency, amount in self._read(table, groups, scope):
                    assert day is not None
                    key = (
                        day,
                        values.get("SubscriptionId", "").lower(),
                        values.get("ServiceName", ""),
                        values.get("ResourceLocation", ""),
                        currency,
                    )
                    merged[key][position] += amount
        account = self.billing_account
        items: list[CostLineItem] = []
        for (day, subscription, service, location, currency), (billed, effective) in sorted(merged.items()):
            if billed == 0 and effective == 0:
                continue
            items.append(
                CostLineItem(
                    billed_cost=billed,
                    effective_cost=effective,
                    list_cost=billed,
                    billing_currency=currency,
                    billing_account_id=account or subscription,
                    **day_charge(day, charge_category_of_service(service)),
                    provider_name="Microsoft",
                    publisher_name="Microsoft",
                    region_id=location or None,
                    service_name=service,
                    service_category=service_category(service),
                    sub_account_id=subscription,
                    x_extras={
                        "x_source": "Azure Cost Management",
                        "x_list_cost": "not in the query API: ActualCost",
                        **({"x_missing": missing} if missing else {}),
                    },
                )
            )
        return items

    # -- Azure-native questions ------------------------------------------------------------------

    async def costs_by(
        self,
        start: date,
        end: date,
        *,
        group_by: Sequence[str] = (),
        tag_key: str | None = None,
        metric: CostType = "ActualCost",
        granularity: Literal["daily", "monthly", "total"] = "total",
        filters: Mapping[str, Sequence[str]] | None = None,
        top_n: int = 10,
    ) -> NativeCosts:
        """Costs by up to two Azure dimensions (``ServiceName``, ``MeterCategory``, ``ResourceGroupName``, ...;
        ``tag_key`` counts as one) in ActualCost or AmortizedCost; ``filters`` maps dimensions to values."""
        check_period(start, end)
        if metric not in ("ActualCost", "AmortizedCost"):
            raise InvalidQuery(f"Unknown metric {metric!r}: use ActualCost or AmortizedCost.", provider=P)
        groups = [{"type": "Dimension", "name": g} for g in group_by]
        if tag_key:
            groups.append({"type": "TagKey", "name": tag_key})
        if len(groups) > 2:
            raise InvalidQuery(
                f"Cost Management groups by at most two things at once, not {len(groups)}; drop one or filter on it.",
                provider=P,
            )
        terms = [_dimension_filter(k, v) for k, v in (filters or {}).items() if v]
        body = self._body(metric, start, end, daily=granularity != "total", groupings=groups, terms=terms)
        out = await self._query_all("query", await self.scopes(), lambda _: body)
        sums: dict[tuple[date | None, tuple[str | None, ...], str], Decimal] = defaultdict(Decimal)
        requests = 0
        labels = [*group_by, *([f"tag:{tag_key}"] if tag_key else [])]
        for scope, table in out.results:
            requests += table.requests
            for values, day, currency, amount in self._read(table, groups, scope):
                if amount == 0:
                    continue
                period = None if day is None else (day.replace(day=1) if granularity == "monthly" else day)
                group = tuple(values.get(g) or None for g in group_by)
                if tag_key:
                    group = (*group, values.get("TagValue") or None)
                sums[(period, group, currency)] += amount
        # A period's rows are listed largest first, not by the group's rank over the whole period.
        by_period = dict(sorted(sums.items(), key=lambda kv: (kv[0][0] or date.min, -kv[1])))
        top = top_costs(by_period, top_n, by_rank=False)

        def row(period: date | None, group: dict[str, str | None], currency: str, amount: Decimal) -> NativeRow:
            return NativeRow(period_start=period, group=group, cost=normalize_amount(amount), currency=currency)

        note = out.note()
        if not sums:
            note = " ".join(filter(None, [f"No {metric} from {start} to {end} (end exclusive). {HISTORY_HINT}", note]))
        return NativeCosts(
            start=start,
            end=end,
            metric=metric,
            granularity=granularity,
            **top.fields(labels, row, money_total),
            requests=requests,
            note=note,
            **cache_state(*(t.cached_at for _, t in out.results)),
        )

    async def forecast(
        self, start: date | None = None, end: date | None = None, *, metric: CostType = "ActualCost"
    ) -> CostForecast:
        """Azure's forecast for ``[start, end)`` (default: this month), with the actual cost so far: per day and
        per currency, the expected total of the period."""
        today = self.ctx.today()
        first = start or today.replace(day=1)
        last = end or next_month_start(today).date()
        check_period(first, last)
        if last <= today:
            raise InvalidQuery(
                f"A forecast needs an end after today ({today}); for past days ask for costs.", provider=P
            )
        body = {
            "type": metric,
            "timeframe": "Custom",
            "timePeriod": _time_period(first, last),
            "dataset": {"granularity": "Daily", "aggregation": {"totalCost": {"name": "Cost", "function": "Sum"}}},
            "includeActualCost": True,
            "includeFreshPartialCost": False,
        }
        out = await self._query_all("forecast", await self.scopes(), lambda _: body)
        per_day: dict[tuple[date, str, str], Decimal] = defaultdict(Decimal)
        actual: dict[str, Decimal] = defaultdict(Decimal)
        predicted: dict[str, Decimal] = defaultdict(Decimal)
        requests = 0
        for _, table in out.results:
            requests += table.requests
            if not table.rows:
                continue
            cost, day_at = table.cost_index(), table.index("UsageDate")
            status_at, currency_at = table.index("CostStatus"), table.index("Currency")
            for row in table.rows:
                currency = str(row[currency_at]) if currency_at is not None else "USD"
                status = str(row[status_at]) if status_at is not None else "Forecast"
                amount: Decimal = row[cost]
                (actual if status.lower() == "actual" else predicted)[currency] += amount
                if day_at is not None:
                    per_day[(_usage_day(row[day_at]), currency, status)] += amount
        currencies = sorted({*actual, *predicted})
        return CostForecast(
            start=first,
            end=last,
            metric=metric,
            totals=[
                ForecastTotal(
                    currency=c,
                    actual=normalize_amount(actual[c]),
                    forecast=normalize_amount(predicted[c]),
                    total=normalize_amount(actual[c] + predicted[c]),
                )
                for c in currencies
            ],
            days=[
                ForecastDay(day=d, cost=normalize_amount(a), currency=c, status=s)
                for (d, c, s), a in sorted(per_day.items())
            ],
            requests=requests,
            note=out.note() if currencies else f"Azure has no forecast for {first}..{last}. {HISTORY_HINT}",
            **cache_state(*(t.cached_at for _, t in out.results)),
        )

    async def budgets(self) -> BudgetList:
        """The budgets of every scope, with spend so far and Azure's forecast for the budget period."""

        def list_budgets(scope: str) -> list[BudgetStatus]:
            client = self._client()
            backoff = Backoff(self.ctx, f"listing Cost Management budgets at {scope}")
            found: list[BudgetStatus] = []
            for item in backoff.run(lambda: list(client.budgets.list(scope))):
                props: Mapping[str, Any] = item.get("properties") or {}
                current: Mapping[str, Any] = props.get("currentSpend") or {}
                forecast: Mapping[str, Any] = props.get("forecastSpend") or {}
                currency = str(current.get("unit") or forecast.get("unit") or "USD")
                amount = _decimal(props.get("amount")) or Decimal(0)
                spent, expected = _decimal(current.get("amount")), _decimal(forecast.get("amount"))

                def share(part: Decimal | None, amount: Decimal = amount) -> float | None:
                    return None if part is None or amount == 0 else round(float(part / amount * 100), 1)

                found.append(
                    BudgetStatus(
                        name=str(item.get("name") or ""),
                        scope=_owner_scope(str(item.get("id") or ""), scope),
                        time_grain=props.get("timeGrain"),
                        amount=Money(amount=normalize_amount(amount), currency=currency),
                        current_spend=None
                        if spent is None
                        else Money(amount=normalize_amount(spent), currency=currency),
                        forecast_spend=None
                        if expected is None
                        else Money(amount=normalize_amount(expected), currency=currency),
                        percent_used=share(spent),
                        percent_forecast=share(expected),
                    )
                )
            return found

        async def one(scope: str) -> list[BudgetStatus]:
            return await self.ctx.run(list_budgets, scope)

        out = await fan_out(await self.scopes(), one, lambda s: s)
        budgets = [b for found in out.results for b in found]
        note = out.note()
        if not budgets:
            note = " ".join(filter(None, ["No budgets at these scopes: create one in Cost Management.", note]))
        return BudgetList(budgets=budgets, note=note)

    async def benefits(self, *, look_back: str = "Last30Days", term: str = "P3Y") -> Benefits:
        """Savings plan purchase recommendations (billing scope, else each subscription) and, with a billing
        scope, the utilization of existing reservations and savings plans."""
        scopes = await self.scopes()
        flt = f"properties/lookBackPeriod eq '{look_back}' AND properties/term eq '{term}'"

        def recommendations(scope: str) -> list[BenefitRecommendation]:
            client = self._client()
            backoff = Backoff(self.ctx, f"listing Cost Management benefit recommendations at {scope}")
            items = backoff.run(lambda: list(client.benefit_recommendations.list(scope, filter=flt)))
            found: list[BenefitRecommendation] = []
            for item in items:
                props: Mapping[str, Any] = item.get("properties") or {}
                details: Mapping[str, Any] = props.get("recommendationDetails") or {}
                currency = str(props.get("currencyCode") or "USD")

                def money(value: object, currency: str = currency) -> Money | None:
                    found = _decimal(value)
                    return None if found is None else Money(amount=normalize_amount(found), currency=currency)

                found.append(
                    BenefitRecommendation(
                        scope=scope,
                        kind=str(item.get("kind") or "SavingsPlan"),
                        benefit_scope=props.get("scope"),
                        term=props.get("term"),
                        look_back=props.get("lookBackPeriod"),
                        hourly_commitment=money(details.get("commitmentAmount")),
                        cost_without_benefit=money(props.get("costWithoutBenefit")),
                        cost_with_benefit=money(details.get("totalCost")),
                        savings=money(details.get("savingsAmount")),
                        savings_percent=_percent(details.get("savingsPercentage")),
                        coverage_percent=_percent(details.get("coveragePercentage")),
                        utilization_percent=_percent(details.get("averageUtilizationPercentage")),
                    )
                )
            return found

        async def one(scope: str) -> list[BenefitRecommendation]:
            return await self.ctx.run(recommendations, scope)

        out = await fan_out(scopes, one, lambda s: s)
        utilization: list[BenefitUtilization] = []
        notes = [out.note()]
        account = self.billing_account
        if account is not None:
            utilization = await self.ctx.run(self._utilization, account)
        else:
            notes.append("Utilization of reservations and savings plans needs [azure].billing_scope.")
        recs = sorted(
            (r for found in out.results for r in found),
            key=lambda r: -(r.savings.amount if r.savings is not None else Decimal(0)),
        )
        return Benefits(recommendations=recs, utilization=utilization, note=" ".join(filter(None, notes)) or None)

    def _utilization(self, account: str) -> list[BenefitUtilization]:
        client = self._client()
        scope = self.ctx.settings.billing_scope or ""
        parts = scope.strip("/").split("/")
        lowered = [p.lower() for p in parts]
        profile = parts[lowered.index("billingprofiles") + 1] if "billingprofiles" in lowered else None
        ops = client.benefit_utilization_summaries
        backoff = Backoff(self.ctx, f"reading benefit utilization of billing account {account}")
        with azure_errors(f"reading benefit utilization of billing account {account}"):
            if profile is not None:
                items = backoff.run(
                    lambda: list(ops.list_by_billing_profile_id(account, profile, grain_parameter="Daily"))
                )
            else:
                items = backoff.run(lambda: list(ops.list_by_billing_account_id(account, grain_parameter="Daily")))
        found: list[BenefitUtilization] = []
        for item in items:
            props: Mapping[str, Any] = item.get("properties") or {}
            usage = props.get("usageDate")
            found.append(
                BenefitUtilization(
                    kind=str(props.get("benefitType") or item.get("kind") or ""),
                    order_id=props.get("benefitOrderId"),
                    benefit_id=props.get("benefitId"),
                    day=_usage_day(usage) if usage else None,
                    average_percent=_percent(props.get("avgUtilizationPercentage")),
                    min_percent=_percent(props.get("minUtilizationPercentage")),
                    max_percent=_percent(props.get("maxUtilizationPercentage")),
                )
            )
        return found

"""``CostExplorer``: AWS costs through Cost Explorer, as the core ``CostSource`` and as AWS-native questions.

Every Cost Explorer request costs $0.01 and every page is billed, so each question goes through
``ctx.paid`` (answers reused from the store for ``cache_hours``) and says how many billed requests it made.
Metrics: billed = UnblendedCost, effective = NetAmortizedCost, contracted = NetUnblendedCost; Cost Explorer
offers no list cost, which the Athena tool (CUR 2.0 / FOCUS export) answers.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal

from finops_core.breakdown import Cell, assemble, at_most_two_groups, money_total, period_start, top_costs
from finops_core.cached import cache_state
from finops_core.daily_charges import day_charge
from finops_core.dates import check_period
from finops_core.errors import FinOpsError, InvalidInput, InvalidQuery
from finops_core.focus import CostLineItem
from finops_core.models import CostBreakdown, CostQuery, Dimension
from finops_core.money import Money, normalize_amount
from finops_core.paid import PaidAnswer

from finops_aws.costs.answers import (
    AnomalyCause,
    BudgetList,
    BudgetStatus,
    Commitments,
    CostAnomalies,
    CostAnomaly,
    CostForecast,
    ForecastPeriod,
    NativeCosts,
    NativeRow,
    ReservationFigures,
    SavingsPlansFigures,
)
from finops_aws.costs.focus_map import charge_category, charge_category_of_service, service_category
from finops_aws.errors import P, aws_errors

if TYPE_CHECKING:
    from finops_aws.context import AwsContext

AwsMetric = Literal["UnblendedCost", "AmortizedCost", "NetAmortizedCost", "NetUnblendedCost", "BlendedCost"]
AWS_METRICS: tuple[AwsMetric, ...] = (
    "UnblendedCost",
    "AmortizedCost",
    "NetAmortizedCost",
    "NetUnblendedCost",
    "BlendedCost",
)
NATIVE_DIMENSIONS = ("SERVICE", "LINKED_ACCOUNT", "REGION", "USAGE_TYPE", "INSTANCE_TYPE", "RECORD_TYPE")
NativeGranularity = Literal["daily", "monthly", "total"]

METRIC_OF = {"billed": "UnblendedCost", "effective": "NetAmortizedCost", "contracted": "NetUnblendedCost"}
_FORECAST_METRIC = {
    "UnblendedCost": "UNBLENDED_COST",
    "AmortizedCost": "AMORTIZED_COST",
    "NetAmortizedCost": "NET_AMORTIZED_COST",
    "NetUnblendedCost": "NET_UNBLENDED_COST",
    "BlendedCost": "BLENDED_COST",
}
# The Cost Explorer dimension behind each core dimension; provider and billing_account are constants.
_CE_DIMENSION: dict[str, str] = {
    "sub_account": "LINKED_ACCOUNT",
    "service": "SERVICE",
    "service_category": "SERVICE",
    "region": "REGION",
    "charge_category": "RECORD_TYPE",
}
_SERVER_FILTERS = ("sub_account", "service", "region")  # filtered by Cost Explorer itself
_ATHENA_ONLY = ("resource", "sku")
# Each page is a billed request: past this many, narrow the question instead of paying on.
MAX_PAGES = 40
_NO_REGION = ("", "NoRegion", "global")
HISTORY_HINT = (
    "Cost Explorer keeps 14 months of history (38 with multi-year data turned on) and the data of the last "
    "day appears within 24 hours; check the dates and filters."
)
_TOKENS = {"GetSavingsPlansCoverage": ("NextToken", "NextToken")}  # request key, response key


def _ce_day(value: str) -> date:
    return date.fromisoformat(value[:10])


def _amount(metrics: Mapping[str, Any], name: str) -> tuple[Decimal, str]:
    value = metrics.get(name) or {}
    return Decimal(str(value.get("Amount") or "0")), str(value.get("Unit") or "USD")


def _tag_value(key: str) -> str | None:
    """``team$web`` -> ``web``; ``team$`` (untagged) -> None."""
    value = key.split("$", 1)[1] if "$" in key else key
    return value or None


def _decimal(value: object) -> Decimal | None:
    if value is None or value == "":
        return None
    return Decimal(str(value))


def _percent(value: object) -> float | None:
    found = _decimal(value)
    return None if found is None else round(float(found), 2)


def _merge_pages(pages: list[dict[str, Any]], token_key: str) -> dict[str, Any]:
    """All pages as one answer: their lists joined, everything else from the first page that has it."""
    body: dict[str, Any] = {}
    for page in pages:
        for key, value in page.items():
            if key in (token_key, "ResponseMetadata"):
                continue
            if isinstance(value, list):
                body.setdefault(key, []).extend(value)  # pyright: ignore[reportUnknownMemberType]
            elif not body.get(key):
                body[key] = value
    return body


@dataclass(frozen=True)
class _Plan:
    """How a core ``CostQuery`` becomes one GetCostAndUsage request."""

    groups: list[dict[str, str]]  # Cost Explorer GroupBy, in order
    request: dict[str, Any]
    ce_metric: str


class CostExplorer:
    """Cost Explorer over the credentials' account (the management account sees the whole organization)."""

    def __init__(self, ctx: AwsContext) -> None:
        self.ctx = ctx
        self._payer_id: str | None = None

    # -- plumbing --------------------------------------------------------------------------------

    def _region(self) -> str:
        return self.ctx.clients.partition().billing_region

    async def _paid(self, operation: str, request: dict[str, Any], *, missing_ok: bool = False) -> PaidAnswer:
        """``operation`` with ``request``, every page, from the cache when fresh. ``missing_ok``: AWS's
        DataUnavailableException (no Savings Plans, ...) becomes ``{"DataUnavailable": message}``."""
        request_key, response_key = _TOKENS.get(operation, ("NextPageToken", "NextPageToken"))

        def fetch() -> tuple[Any, int]:
            from botocore import xform_name

            client = self.ctx.clients.client("ce", self._region())
            method = getattr(client, xform_name(operation))
            pages: list[dict[str, Any]] = []
            token: str | None = None
            with aws_errors(f"asking Cost Explorer ({operation})"):
                while True:
                    if len(pages) >= MAX_PAGES:
                        raise InvalidQuery(
                            f"Cost Explorer answered {operation} in more than {MAX_PAGES} pages (each is billed "
                            "$0.01); stopped. Narrow the question: a shorter period, monthly instead of daily, "
                            "fewer groupings or a filter.",
                            provider=P,
                        )
                    args = {**request, request_key: token} if token else request
                    try:
                        page = method(**args)
                    except client.exceptions.DataUnavailableException as exc:
                        if not missing_ok:
                            raise
                        return {"DataUnavailable": str(exc.response.get("Error", {}).get("Message", ""))}, 1
                    pages.append(page)
                    token = page.get(response_key)
                    if not token:
                        break
            return _merge_pages(pages, response_key), len(pages)

        return await self.ctx.run(self.ctx.paid.call, operation, request, fetch)

    async def payer_account(self) -> str:
        """The management (payer) account: FOCUS's BillingAccountId. From Organizations when the credentials
        may ask; otherwise the credentials' own account, which is its own payer outside an organization."""
        if self._payer_id is None:
            own = (await self.ctx.accounts())[0].account_id

            def ask() -> str:
                org = self.ctx.clients.client("organizations", self._region())
                with aws_errors("reading the organization (organizations:DescribeOrganization)"):
                    try:
                        organization = org.describe_organization().get("Organization") or {}
                    except org.exceptions.AWSOrganizationsNotInUseException:
                        return own
                # Neither member is required by the model, and AWS's own example answer carries only the ARN
                # (arn:aws:organizations::<payer>:account/o-<id>/<payer>): its last segment is the account.
                payer = organization.get("MasterAccountId") or str(organization.get("MasterAccountArn") or "")
                return str(payer).rpartition("/")[2] or own

            try:
                self._payer_id = await self.ctx.run(ask)
            except FinOpsError:  # a member account may not read its organization: its own id is the best guess
                self._payer_id = own
        return self._payer_id

    # -- the core CostSource ---------------------------------------------------------------------

    def _plan(self, query: CostQuery) -> _Plan:
        if query.metric == "list":
            raise InvalidQuery(
                "Cost Explorer has no list cost (public on-demand prices before discounts). Ask for metric "
                "billed, effective or contracted here, or use the Athena tool over the CUR 2.0 / FOCUS export, "
                "which has list cost.",
                provider=P,
            )
        athena = [d for d in (*query.group_by, *query.filters) if d in _ATHENA_ONLY]
        if athena:
            raise InvalidQuery(
                f"Cost Explorer does not break costs down by {athena[0]} (only EC2 resources, for 14 days). Use "
                "the Athena tool over the CUR 2.0 / FOCUS export for resource and SKU detail.",
                provider=P,
            )
        needed: list[Dimension] = [
            *query.group_by,
            *(d for d in ("service_category", "charge_category") if d in query.filters),
        ]
        groups: list[dict[str, str]] = []
        for dim in needed:
            ce = _CE_DIMENSION.get(dim)
            if ce is not None and {"Type": "DIMENSION", "Key": ce} not in groups:
                groups.append({"Type": "DIMENSION", "Key": ce})
        if query.tag_key is not None:
            groups.append({"Type": "TAG", "Key": query.tag_key})
        at_most_two_groups(
            "Cost Explorer",
            [g["Key"] for g in groups],
            advice="Drop one grouping, or filter on one value instead of grouping by it (e.g. services=[...]), or "
            "ask once per value.",
            provider=P,
        )
        terms: list[dict[str, Any]] = [
            {"Dimensions": {"Key": _CE_DIMENSION[d], "Values": list(query.filters[d])}}
            for d in _SERVER_FILTERS
            if d in query.filters
        ]
        ce_metric = METRIC_OF[query.metric]
        request: dict[str, Any] = {
            "TimePeriod": {"Start": query.start.isoformat(), "End": query.end.isoformat()},
            "Granularity": "DAILY" if query.granularity in ("daily", "weekly") else "MONTHLY",
            "Metrics": [ce_metric],
        }
        if groups:
            request["GroupBy"] = groups
        if len(terms) == 1:
            request["Filter"] = terms[0]
        elif terms:
            request["Filter"] = {"And": terms}
        return _Plan(groups, request, ce_metric)

    async def query_costs(self, query: CostQuery) -> CostBreakdown:
        """``query`` answered by one GetCostAndUsage request (all its pages), re-aggregated by core."""
        plan = self._plan(query)
        source = f"AWS Cost Explorer ({plan.ce_metric})"
        uses_payer = "billing_account" in query.group_by or "billing_account" in query.filters
        payer = await self.payer_account() if uses_payer else ""
        constants: dict[str, str] = {"provider": "AWS", "billing_account": payer}
        empty_note = (
            f"Cost Explorer has no {plan.ce_metric} costs from {query.start} to {query.end} (end exclusive) for "
            f"this question. {HISTORY_HINT}"
        )
        for dim, value in constants.items():
            wanted = query.filters.get(dim)  # pyright: ignore[reportArgumentType]
            if wanted is not None and value not in wanted:
                note = f"No AWS costs match {dim} in {list(wanted)}: this server's {dim} is {value}."
                return assemble(query, [], source=source, is_demo=False, empty_note=note).model_copy(
                    update={"paid_calls": 0, "cached": False}
                )
        answer = await self._paid("GetCostAndUsage", plan.request)
        # Cost Explorer filtered accounts, services and regions; categories are ours to filter (they are derived).
        client_filters = {d: v for d, v in query.filters.items() if d in ("service_category", "charge_category")}
        cells: list[Cell] = []
        estimated = False
        positions = {(g["Type"], g["Key"]): i for i, g in enumerate(plan.groups)}
        for result in answer.body.get("ResultsByTime", []):
            estimated = estimated or bool(result.get("Estimated"))
            day = _ce_day(result["TimePeriod"]["Start"])
            period = period_start(day, query.granularity)
            entries = [(g["Keys"], g["Metrics"]) for g in result.get("Groups", [])]
            if not plan.groups:
                entries = [([], result.get("Total") or {})]
            for keys, metrics in entries:
                amount, unit = _amount(metrics, plan.ce_metric)
                if amount == 0:
                    continue
                values = self._dimension_values(query, keys, positions, constants)
                if any(values[d] not in allowed for d, allowed in client_filters.items()):
                    continue
                group = tuple(values[d] for d in query.group_by)
                if query.tag_key is not None:
                    group = (*group, _tag_value(keys[positions[("TAG", query.tag_key)]]))
                cells.append(Cell(period, group, unit, amount))
        breakdown = assemble(query, cells, source=source, is_demo=False, empty_note=empty_note)
        update: dict[str, Any] = {"paid_calls": answer.paid_calls, **cache_state(answer.cached_at)}
        if estimated and cells:
            update["note"] = "Part of this period is still open: AWS's amounts for it are estimates until billed."
        return breakdown.model_copy(update=update)

    @staticmethod
    def _dimension_values(
        query: CostQuery,
        keys: Sequence[str],
        positions: Mapping[tuple[str, str], int],
        constants: Mapping[str, str],
    ) -> dict[str, str | None]:
        """Each core dimension the query groups or filters by, from a Cost Explorer group's keys."""
        values: dict[str, str | None] = {}
        for dim in {*query.group_by, *(d for d in query.filters if d not in _SERVER_FILTERS)}:
            if dim in constants:
                values[dim] = constants[dim]
                continue
            raw = keys[positions[("DIMENSION", _CE_DIMENSION[dim])]] if dim in _CE_DIMENSION else None
            if dim == "service_category":
                values[dim] = service_category(raw)
            elif dim == "charge_category":
                values[dim] = charge_category(raw or "")
            elif dim == "region":
                values[dim] = None if raw in _NO_REGION else raw
            else:
                values[dim] = raw
        return values

    async def daily_costs(self, start: date, end: date) -> list[CostLineItem]:
        """Daily FOCUS rows per linked account and service: billed (UnblendedCost), effective (NetAmortizedCost)
        and contracted (NetUnblendedCost) from one request per page. Cost Explorer has no list cost: list_cost
        carries UnblendedCost, the on-demand-rated charge, and ``x_extras`` says so."""
        if end <= start:
            raise InvalidInput(f"end ({end}) must be after start ({start}); the end date is exclusive.")
        check_period(start, end)
        request: dict[str, Any] = {
            "TimePeriod": {"Start": start.isoformat(), "End": end.isoformat()},
            "Granularity": "DAILY",
            "Metrics": ["UnblendedCost", "NetAmortizedCost", "NetUnblendedCost"],
            "GroupBy": [{"Type": "DIMENSION", "Key": "LINKED_ACCOUNT"}, {"Type": "DIMENSION", "Key": "SERVICE"}],
        }
        answer = await self._paid("GetCostAndUsage", request)
        payer = await self.payer_account()
        names = {
            str(a.get("Value")): str((a.get("Attributes") or {}).get("description") or "") or None
            for a in answer.body.get("DimensionValueAttributes", [])
        }
        items: list[CostLineItem] = []
        for result in answer.body.get("ResultsByTime", []):
            day = _ce_day(result["TimePeriod"]["Start"])
            estimated = bool(result.get("Estimated"))
            for group in result.get("Groups", []):
                account, service = group["Keys"]
                billed, currency = _amount(group["Metrics"], "UnblendedCost")
                effective, _ = _amount(group["Metrics"], "NetAmortizedCost")
                contracted, _ = _amount(group["Metrics"], "NetUnblendedCost")
                if billed == 0 and effective == 0 and contracted == 0:
                    continue
                items.append(
                    CostLineItem(
                        billed_cost=billed,
                        effective_cost=effective,
                        contracted_cost=contracted,
                        list_cost=billed,
                        billing_currency=currency,
                        billing_account_id=payer,
                        **day_charge(day, charge_category_of_service(service)),
                        provider_name="AWS",
                        service_name=service,
                        service_category=service_category(service),
                        sub_account_id=account,
                        sub_account_name=names.get(account),
                        x_extras={
                            "x_source": "AWS Cost Explorer",
                            "x_list_cost": "not in Cost Explorer: UnblendedCost",
                            **({"x_estimated": True} if estimated else {}),
                        },
                    )
                )
        return items

    # -- AWS-native questions --------------------------------------------------------------------

    @staticmethod
    def _native_group(name: str) -> dict[str, str]:
        kind, _, key = name.partition(":")
        if kind.upper() == "TAG" and key:
            return {"Type": "TAG", "Key": key}
        if kind.upper() == "COST_CATEGORY" and key:
            return {"Type": "COST_CATEGORY", "Key": key}
        if name.upper() in NATIVE_DIMENSIONS:
            return {"Type": "DIMENSION", "Key": name.upper()}
        raise InvalidQuery(
            f"Cannot group by {name!r}: use {', '.join(NATIVE_DIMENSIONS)}, TAG:<key> or COST_CATEGORY:<name>.",
            provider=P,
        )

    async def costs_by(
        self,
        start: date,
        end: date,
        *,
        group_by: Sequence[str] = (),
        metric: AwsMetric = "UnblendedCost",
        granularity: NativeGranularity = "monthly",
        filters: Mapping[str, Sequence[str]] | None = None,
        top_n: int = 10,
    ) -> NativeCosts:
        """Costs by up to two AWS dimensions (``SERVICE``, ``TAG:team``, ``COST_CATEGORY:env``, ...) in one
        Cost Explorer metric; ``filters`` maps the same names to the values to keep."""
        check_period(start, end)
        if metric not in AWS_METRICS:
            raise InvalidQuery(f"Unknown metric {metric!r}: use one of {', '.join(AWS_METRICS)}.", provider=P)
        if len(group_by) > 2:
            raise InvalidQuery(
                f"Cost Explorer groups by at most two things at once, not {len(group_by)}; drop one or filter on it.",
                provider=P,
            )
        groups = [self._native_group(g) for g in group_by]
        request: dict[str, Any] = {
            "TimePeriod": {"Start": start.isoformat(), "End": end.isoformat()},
            "Granularity": "DAILY" if granularity == "daily" else "MONTHLY",
            "Metrics": [metric],
        }
        if groups:
            request["GroupBy"] = groups
        terms = [_filter_term(self._native_group(name), values) for name, values in (filters or {}).items() if values]
        if terms:
            request["Filter"] = terms[0] if len(terms) == 1 else {"And": terms}
        answer = await self._paid("GetCostAndUsage", request)
        sums: dict[tuple[date | None, tuple[str | None, ...], str], Decimal] = defaultdict(Decimal)
        estimated = False
        for result in answer.body.get("ResultsByTime", []):
            estimated = estimated or bool(result.get("Estimated"))
            day = _ce_day(result["TimePeriod"]["Start"])
            period = None if granularity == "total" else day
            entries = [(g["Keys"], g["Metrics"]) for g in result.get("Groups", [])]
            if not groups:
                entries = [([], result.get("Total") or {})]
            for keys, metrics in entries:
                amount, unit = _amount(metrics, metric)
                if amount == 0:
                    continue
                group = tuple(
                    _tag_value(k) if g["Type"] != "DIMENSION" else k for g, k in zip(groups, keys, strict=True)
                )
                sums[(period, group, unit)] += amount
        labels = [str(g) for g in group_by]
        top = top_costs(sums, top_n)
        note = None
        if not sums:
            note = f"Cost Explorer has no {metric} costs from {start} to {end} (end exclusive). {HISTORY_HINT}"
        elif estimated:
            note = "Part of this period is still open: AWS's amounts for it are estimates until billed."
        return NativeCosts(
            start=start,
            end=end,
            metric=metric,
            granularity=granularity,
            **top.fields(labels, _native_row, money_total),
            estimated=estimated,
            note=note,
            paid_calls=answer.paid_calls,
            **cache_state(answer.cached_at),
        )

    async def forecast(
        self,
        start: date,
        end: date,
        *,
        metric: AwsMetric = "UnblendedCost",
        granularity: Literal["daily", "monthly"] = "monthly",
        level: int = 80,
    ) -> CostForecast:
        """AWS's forecast for ``[start, end)`` (start today or later), with a ``level``% prediction interval."""
        check_period(start, end)
        if not 51 <= level <= 99:
            raise InvalidQuery(f"level must be 51 to 99 (percent), not {level}.", provider=P)
        today = self.ctx.today()
        if start < today:
            raise InvalidQuery(
                f"A forecast starts today ({today}) or later, not {start}; for past days ask for costs.", provider=P
            )
        request = {
            "TimePeriod": {"Start": start.isoformat(), "End": end.isoformat()},
            "Metric": _FORECAST_METRIC[metric],
            "Granularity": "DAILY" if granularity == "daily" else "MONTHLY",
            "PredictionIntervalLevel": level,
        }
        answer = await self._paid("GetCostForecast", request)
        total, unit = _amount({"t": answer.body.get("Total")}, "t")
        periods = [
            ForecastPeriod(
                start=_ce_day(p["TimePeriod"]["Start"]),
                end=_ce_day(p["TimePeriod"]["End"]),
                mean=normalize_amount(Decimal(str(p.get("MeanValue") or "0"))),
                lower=_maybe_amount(p.get("PredictionIntervalLowerBound")),
                upper=_maybe_amount(p.get("PredictionIntervalUpperBound")),
            )
            for p in answer.body.get("ForecastResultsByTime", [])
        ]
        return CostForecast(
            start=start,
            end=end,
            metric=metric,
            prediction_interval_level=level,
            total=Money(amount=normalize_amount(total), currency=unit),
            periods=periods,
            paid_calls=answer.paid_calls,
            **cache_state(answer.cached_at),
        )

    async def anomalies(
        self, start: date, end: date, *, min_impact: float = 0.0, limit: int = 20, monitor_arn: str | None = None
    ) -> CostAnomalies:
        """Cost Anomaly Detection's anomalies that began within ``[start, end]``, largest impact first."""
        request: dict[str, Any] = {"DateInterval": {"StartDate": start.isoformat(), "EndDate": end.isoformat()}}
        if min_impact > 0:
            request["TotalImpact"] = {"NumericOperator": "GREATER_THAN_OR_EQUAL", "StartValue": min_impact}
        if monitor_arn:
            request["MonitorArn"] = monitor_arn
        answer = await self._paid("GetAnomalies", request)
        found = [_anomaly(a) for a in answer.body.get("Anomalies", [])]
        found.sort(key=lambda a: (-a.impact, a.anomaly_id))
        total = sum((a.impact for a in found), Decimal(0))
        note = None
        if not found:
            note = (
                f"No cost anomalies from {start} to {end}. Cost Anomaly Detection only reports on its monitors: "
                "check one exists (Billing console > Cost Anomaly Detection) or lower min_impact."
            )
        return CostAnomalies(
            start=start,
            end=end,
            anomalies=found[:limit],
            total_impact=Money(amount=normalize_amount(total), currency="USD"),
            count=len(found),
            truncated=len(found) > limit,
            note=note,
            paid_calls=answer.paid_calls,
            **cache_state(answer.cached_at),
        )

    async def commitments(self, start: date, end: date) -> Commitments:
        """Savings Plans and Reserved Instances coverage and utilization over ``[start, end)`` (4 requests)."""
        check_period(start, end)
        period = {"TimePeriod": {"Start": start.isoformat(), "End": end.isoformat()}, "Granularity": "MONTHLY"}
        sp_cov = await self._paid("GetSavingsPlansCoverage", dict(period), missing_ok=True)
        sp_use = await self._paid("GetSavingsPlansUtilization", dict(period), missing_ok=True)
        ri_cov = await self._paid("GetReservationCoverage", dict(period), missing_ok=True)
        ri_use = await self._paid("GetReservationUtilization", dict(period), missing_ok=True)
        answers = (sp_cov, sp_use, ri_cov, ri_use)
        notes: list[str] = []
        covered = on_demand = Decimal(0)
        for c in sp_cov.body.get("SavingsPlansCoverages", []):
            covered += _decimal(c["Coverage"].get("SpendCoveredBySavingsPlans")) or Decimal(0)
            on_demand += _decimal(c["Coverage"].get("OnDemandCost")) or Decimal(0)
        use = sp_use.body.get("Total") or {}
        if "DataUnavailable" in sp_use.body:
            notes.append("No Savings Plans were active in this period (utilization has nothing to measure).")
        utilization = use.get("Utilization") or {}
        savings_plans = SavingsPlansFigures(
            coverage_percent=round(float(covered * 100 / (covered + on_demand)), 2) if covered + on_demand else None,
            covered_spend=normalize_amount(covered),
            on_demand_spend=normalize_amount(on_demand),
            utilization_percent=_percent(utilization.get("UtilizationPercentage")),
            commitment=_maybe_amount(utilization.get("TotalCommitment")),
            unused_commitment=_maybe_amount(utilization.get("UnusedCommitment")),
            net_savings=_maybe_amount((use.get("Savings") or {}).get("NetSavings")),
        )
        hours = (ri_cov.body.get("Total") or {}).get("CoverageHours") or {}
        ri_cost = (ri_cov.body.get("Total") or {}).get("CoverageCost") or {}
        ri_total = ri_use.body.get("Total") or {}
        if "DataUnavailable" in ri_use.body:
            notes.append("No Reserved Instances were active in this period (utilization has nothing to measure).")
        reservations = ReservationFigures(
            coverage_hours_percent=_percent(hours.get("CoverageHoursPercentage")),
            reserved_hours=normalize_amount(_decimal(hours.get("ReservedHours")) or Decimal(0)),
            on_demand_hours=normalize_amount(_decimal(hours.get("OnDemandHours")) or Decimal(0)),
            on_demand_cost=_maybe_amount(ri_cost.get("OnDemandCost")),
            utilization_percent=_percent(ri_total.get("UtilizationPercentage")),
            purchased_hours=_maybe_amount(ri_total.get("PurchasedHours")),
            unused_hours=_maybe_amount(ri_total.get("UnusedHours")),
            net_savings=_maybe_amount(ri_total.get("NetRISavings")),
        )
        return Commitments(
            start=start,
            end=end,
            savings_plans=savings_plans,
            reservations=reservations,
            notes=notes,
            paid_calls=sum(a.paid_calls for a in answers),
            **cache_state(*(a.cached_at for a in answers)),
        )

    async def budgets(self) -> BudgetList:
        """The account's AWS Budgets with actual and forecast spend (Budgets API calls are free, not cached)."""
        account = (await self.ctx.accounts())[0].account_id

        def fetch() -> list[dict[str, Any]]:
            client = self.ctx.clients.client("budgets", self._region())
            found: list[dict[str, Any]] = []
            token: str | None = None
            with aws_errors(f"listing AWS Budgets of account {account}"):
                while True:
                    args: dict[str, Any] = {"AccountId": account, "MaxResults": 100}
                    if token:
                        args["NextToken"] = token
                    page = client.describe_budgets(**args)
                    found.extend(page.get("Budgets", []))
                    token = page.get("NextToken")
                    if not token:
                        return found

        raw = await self.ctx.run(fetch)
        budgets = sorted((_budget(b) for b in raw), key=lambda b: (-(b.percent_used or 0), b.name))
        over = sum(1 for b in budgets if (b.percent_used or 0) > 100)
        note = None if budgets else f"Account {account} has no AWS Budgets; create one in the Billing console."
        return BudgetList(account_id=account, budgets=budgets, over_limit=over, note=note)


def _filter_term(group: Mapping[str, str], values: Sequence[str]) -> dict[str, Any]:
    kind = {"DIMENSION": "Dimensions", "TAG": "Tags", "COST_CATEGORY": "CostCategories"}[group["Type"]]
    return {kind: {"Key": group["Key"], "Values": list(values)}}


def _maybe_amount(value: object) -> Decimal | None:
    found = _decimal(value)
    return None if found is None else normalize_amount(found)


def _native_row(period: date | None, group: dict[str, str | None], unit: str, amount: Decimal) -> NativeRow:
    return NativeRow(period=period, group=group, amount=normalize_amount(amount), currency=unit)


def _anomaly(raw: Mapping[str, Any]) -> CostAnomaly:
    impact = raw.get("Impact") or {}
    end = raw.get("AnomalyEndDate")
    return CostAnomaly(
        anomaly_id=str(raw.get("AnomalyId")),
        start=_ce_day(str(raw.get("AnomalyStartDate"))),
        end=_ce_day(str(end)) if end else None,
        impact=normalize_amount(Decimal(str(impact.get("TotalImpact", 0)))),
        actual=_maybe_amount(impact.get("TotalActualSpend")),
        expected=_maybe_amount(impact.get("TotalExpectedSpend")),
        impact_percent=_percent(impact.get("TotalImpactPercentage")),
        score=(raw.get("AnomalyScore") or {}).get("MaxScore"),
        dimension=raw.get("DimensionValue"),
        root_causes=[
            AnomalyCause(
                service=c.get("Service"),
                account_id=c.get("LinkedAccount"),
                account_name=c.get("LinkedAccountName"),
                region=c.get("Region"),
                usage_type=c.get("UsageType"),
                contribution=_maybe_amount((c.get("Impact") or {}).get("Contribution")),
            )
            for c in raw.get("RootCauses", [])
        ],
    )


def _money(value: Mapping[str, Any] | None) -> Money | None:
    if not value or value.get("Amount") in (None, ""):
        return None
    return Money(amount=normalize_amount(Decimal(str(value["Amount"]))), currency=str(value.get("Unit") or "USD"))


def _budget(raw: Mapping[str, Any]) -> BudgetStatus:
    limit = _money(raw.get("BudgetLimit"))
    spend = raw.get("CalculatedSpend") or {}
    actual, forecast = _money(spend.get("ActualSpend")), _money(spend.get("ForecastedSpend"))

    def share(part: Money | None) -> float | None:
        if part is None or limit is None or limit.amount == 0 or part.currency != limit.currency:
            return None
        return round(float(part.amount * 100 / limit.amount), 2)

    return BudgetStatus(
        name=str(raw.get("BudgetName")),
        budget_type=str(raw.get("BudgetType") or "COST"),
        time_unit=str(raw.get("TimeUnit") or ""),
        limit=limit,
        actual=actual,
        forecast=forecast,
        percent_used=share(actual),
        forecast_percent=share(forecast),
    )

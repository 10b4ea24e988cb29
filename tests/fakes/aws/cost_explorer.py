"""A Cost Explorer emulator that really computes its answers from a dataset of daily cost rows.

    rows = demo_rows(end=date(2026, 11, 26))          # deterministic: 3 accounts x 6 services x 2 regions
    ce = install(fake, rows, today=date(2026, 11, 26)) # fake: an AwsJsonFake; boto3 "ce" clients point at fake.url
    ce.page_size = 5                                   # groups per GetCostAndUsage page (paging is exercised)

Operations (target prefix ``AWSInsightsIndexService``), with the documented request and response shapes:

- ``GetCostAndUsage``: TimePeriod (End exclusive), DAILY/MONTHLY, Metrics (the five cost metrics), up to two
  GroupBy (DIMENSION, TAG -> ``key$value``, ``key$`` when untagged; COST_CATEGORY likewise), Filter
  (Dimensions/Tags/CostCategories, And/Or/Not), paging with NextPageToken, ``DimensionValueAttributes`` for
  LINKED_ACCOUNT. ``ValidationException`` for bad dates, an unknown metric or dimension, more than two GroupBy.
- ``GetCostForecast``: a flat forecast from the mean of the last 28 days of data, with a prediction interval
  that widens with PredictionIntervalLevel; Start must not be before ``today``.
- ``GetAnomalies``: the ``anomalies`` list (AWS's shape), filtered by DateInterval and TotalImpact, paged.
- ``GetSavingsPlansCoverage`` / ``GetSavingsPlansUtilization`` / ``GetReservationCoverage`` /
  ``GetReservationUtilization``: from ``savings_plan`` / ``reservation`` daily figures; without a Savings
  Plan, utilization raises ``DataUnavailableException`` as AWS does.

Amounts go out as strings (``"123.4567890123"``), as Cost Explorer sends them; the dataset's sums are exact.
Requests are recorded by the ``AwsJsonFake`` (``fake.calls("AWSInsightsIndexService.GetCostAndUsage")``).
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from tests.fakes.aws.json_service import AwsFault, AwsJsonFake

PREFIX = "AWSInsightsIndexService"
# Cost Explorer's metric and dimension names, each with the ``CostRow`` field that holds it.
METRICS = {
    "UnblendedCost": "unblended",
    "AmortizedCost": "amortized",
    "NetAmortizedCost": "net_amortized",
    "NetUnblendedCost": "net_unblended",
    "BlendedCost": "blended",
}
FORECAST_METRICS = {
    "UNBLENDED_COST": "UnblendedCost",
    "AMORTIZED_COST": "AmortizedCost",
    "NET_AMORTIZED_COST": "NetAmortizedCost",
    "NET_UNBLENDED_COST": "NetUnblendedCost",
    "BLENDED_COST": "BlendedCost",
}
DIMENSIONS = {
    "LINKED_ACCOUNT": "account",
    "SERVICE": "service",
    "REGION": "region",
    "USAGE_TYPE": "usage_type",
    "INSTANCE_TYPE": "instance_type",
    "RECORD_TYPE": "record_type",
}


@dataclass(frozen=True)
class CostRow:
    """One day's cost of one (account, service, region, usage type, record type, tags) combination."""

    day: date
    account: str
    service: str
    region: str
    usage_type: str
    record_type: str
    unblended: Decimal
    amortized: Decimal
    net_amortized: Decimal
    net_unblended: Decimal
    blended: Decimal
    instance_type: str = "NoInstanceType"
    tags: Mapping[str, str] = field(default_factory=lambda: dict[str, str]())
    cost_categories: Mapping[str, str] = field(default_factory=lambda: dict[str, str]())
    currency: str = "USD"

    def metric(self, name: str) -> Decimal:
        return getattr(self, METRICS[name])

    def dimension(self, key: str) -> str:
        return getattr(self, DIMENSIONS[key])


@dataclass(frozen=True)
class Commitment:
    """A commitment's daily figures (Savings Plan: dollars per day; Reserved Instances: hours per day)."""

    commitment: Decimal  # SP: committed spend per day; RI: purchased hours per day
    used: Decimal  # SP: commitment used per day; RI: hours used per day
    on_demand_equivalent: Decimal  # what the covered usage would have cost on demand, per day
    on_demand_spend: Decimal  # usage left on demand (not covered), per day; RI: on-demand hours per day


def _validation(message: str) -> AwsFault:
    return AwsFault("ValidationException", message)


def _day(value: object, name: str) -> date:
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise _validation(f"{name} {value!r} is not a valid date (yyyy-MM-dd)") from None


def _period(request: Mapping[str, Any], *, start_key: str = "Start", end_key: str = "End") -> tuple[date, date]:
    time_period = request.get("TimePeriod") or {}
    start, end = _day(time_period.get(start_key), "Start"), _day(time_period.get(end_key), "End")
    if start >= end:
        raise _validation("Start date (and hour) should be before end date (and hour)")
    return start, end


def _month_after(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def _periods(start: date, end: date, granularity: str) -> list[tuple[date, date]]:
    """Cost Explorer's periods: days, or calendar months clipped to [start, end)."""
    if granularity not in ("DAILY", "MONTHLY"):
        raise _validation(f"Granularity {granularity!r} is not supported by this fake (DAILY or MONTHLY)")
    out: list[tuple[date, date]] = []
    cursor = start
    while cursor < end:
        nxt = cursor + timedelta(days=1) if granularity == "DAILY" else min(_month_after(cursor), end)
        out.append((cursor, nxt))
        cursor = nxt
    return out


def _amount(value: Decimal) -> str:
    return "0" if value == 0 else format(value, "f")


def _matches(row: CostRow, expression: Mapping[str, Any]) -> bool:
    keys = [k for k in ("And", "Or", "Not", "Dimensions", "Tags", "CostCategories") if expression.get(k)]
    if len(keys) != 1:
        raise _validation("Expression must have exactly one of And, Or, Not, Dimensions, Tags, CostCategories")
    kind = keys[0]
    if kind in ("And", "Or"):
        parts = expression[kind]
        if len(parts) < 2:
            raise _validation(f"{kind} needs at least two expressions")
        results = (_matches(row, p) for p in parts)
        return all(results) if kind == "And" else any(results)
    if kind == "Not":
        return not _matches(row, expression["Not"])
    term = expression[kind]
    options = term.get("MatchOptions") or ["EQUALS"]
    if kind == "Dimensions":
        if term.get("Key") not in DIMENSIONS:
            raise _validation(f"Dimension {term.get('Key')!r} is not supported by this fake")
        value: str | None = row.dimension(term["Key"])
    else:
        value = (row.tags if kind == "Tags" else row.cost_categories).get(term.get("Key", ""))
    if "ABSENT" in options:
        return value is None or value == ""
    wanted = term.get("Values") or []
    if "CASE_INSENSITIVE" in options:
        return value is not None and value.lower() in {w.lower() for w in wanted}
    return value in wanted


class CostExplorerFake:
    """The dataset and the handlers; ``install`` routes them on an ``AwsJsonFake``."""

    def __init__(
        self,
        rows: Iterable[CostRow],
        *,
        today: date | None = None,
        page_size: int = 100,
        account_names: Mapping[str, str] | None = None,
        anomalies: Sequence[Mapping[str, Any]] = (),
        savings_plan: Commitment | None = None,
        reservation: Commitment | None = None,
    ) -> None:
        self.rows = list(rows)
        last = max((r.day for r in self.rows), default=date(2026, 1, 1))
        self.today = today or last + timedelta(days=1)
        self.page_size = page_size
        self.account_names = dict(account_names or {})
        self.anomalies = list(anomalies)
        self.savings_plan = savings_plan
        self.reservation = reservation

    # -- GetCostAndUsage -------------------------------------------------------------------------

    def get_cost_and_usage(self, request: Mapping[str, Any]) -> dict[str, Any]:
        start, end = _period(request)
        metrics = list(request.get("Metrics") or [])
        if not metrics:
            raise _validation("Metrics is required")
        if unknown := [m for m in metrics if m not in METRICS]:
            raise _validation(f"Metrics {unknown} are not supported by this fake")
        group_by = list(request.get("GroupBy") or [])
        if len(group_by) > 2:
            raise _validation("You can only group by up to two different groups")
        for g in group_by:
            if g.get("Type") == "DIMENSION" and g.get("Key") not in DIMENSIONS:
                raise _validation(f"Group Definition dimension {g.get('Key')!r} is not supported by this fake")
            if g.get("Type") not in ("DIMENSION", "TAG", "COST_CATEGORY"):
                raise _validation(f"Group Definition type {g.get('Type')!r} is invalid")
        periods = _periods(start, end, str(request.get("Granularity")))
        expression = request.get("Filter")
        sums: dict[tuple[int, tuple[str, ...]], dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
        units: dict[tuple[int, tuple[str, ...]], str] = {}
        index = {d: i for i, (lo, hi) in enumerate(periods) for d in _days(lo, hi)}
        for row in self.rows:
            i = index.get(row.day)
            if i is None or (expression and not _matches(row, expression)):
                continue
            keys = tuple(_group_key(row, g) for g in group_by)
            for m in metrics:
                sums[(i, keys)][m] += row.metric(m)
            units[(i, keys)] = row.currency
        # One entry per group and period (or per period without GroupBy), in order: pages cut this list.
        entries: list[tuple[int, tuple[str, ...] | None]] = []
        for i in range(len(periods)):
            groups = sorted(k for (j, k) in sums if j == i)
            if group_by:
                entries.extend((i, k) for k in groups)
                if not groups:
                    entries.append((i, None))
            else:
                entries.append((i, ()))
        offset = int(request.get("NextPageToken") or 0)
        page = entries[offset : offset + self.page_size]
        results: list[dict[str, Any]] = []
        for i, keys in page:
            lo, hi = periods[i]
            if not results or results[-1]["TimePeriod"]["Start"] != lo.isoformat():
                results.append(
                    {
                        "TimePeriod": {"Start": lo.isoformat(), "End": hi.isoformat()},
                        "Total": {},
                        "Groups": [],
                        # AWS estimates everything in a month not yet billed, i.e. the current month
                        "Estimated": hi > self.today.replace(day=1),
                    }
                )
            values = sums.get((i, keys or ()), {})
            unit = units.get((i, keys or ()), "USD")
            metric_values = {m: {"Amount": _amount(values.get(m, Decimal(0))), "Unit": unit} for m in metrics}
            if keys == ():
                results[-1]["Total"] = metric_values
            elif keys is not None:
                results[-1]["Groups"].append({"Keys": list(keys), "Metrics": metric_values})
        answer: dict[str, Any] = {
            "GroupDefinitions": [{"Type": g["Type"], "Key": g["Key"]} for g in group_by],
            "ResultsByTime": results,
            "DimensionValueAttributes": [],
        }
        if any(g == {"Type": "DIMENSION", "Key": "LINKED_ACCOUNT"} for g in group_by):
            position = [g.get("Key") for g in group_by].index("LINKED_ACCOUNT")
            seen = sorted({k[position] for _, k in page if k})
            answer["DimensionValueAttributes"] = [
                {"Value": a, "Attributes": {"description": self.account_names[a]}}
                for a in seen
                if a in self.account_names
            ]
        if offset + self.page_size < len(entries):
            answer["NextPageToken"] = str(offset + self.page_size)
        return answer

    # -- GetCostForecast -------------------------------------------------------------------------

    def get_cost_forecast(self, request: Mapping[str, Any]) -> dict[str, Any]:
        start, end = _period(request)
        if start < self.today:
            raise _validation("Start date must be equal to or later than the current date")
        metric = FORECAST_METRICS.get(str(request.get("Metric")))
        if metric is None:
            raise _validation(f"Metric {request.get('Metric')!r} is not valid for a forecast")
        level = int(request.get("PredictionIntervalLevel") or 80)
        if not 51 <= level <= 99:
            raise _validation("PredictionIntervalLevel must be between 51 and 99")
        recent = [r for r in self.rows if self.today - timedelta(days=28) <= r.day < self.today]
        if not recent:
            raise AwsFault("DataUnavailableException", "Insufficient amount of historical data to forecast")
        per_day = sum((r.metric(metric) for r in recent), Decimal(0)) / 28
        spread = Decimal(level - 50) / Decimal(250)  # 80% -> +-12%, 99% -> +-19.6%
        results: list[dict[str, Any]] = []
        total = Decimal(0)
        for lo, hi in _periods(start, end, str(request.get("Granularity"))):
            mean = (per_day * (hi - lo).days).quantize(Decimal("0.0000000001"))
            total += mean
            results.append(
                {
                    "TimePeriod": {"Start": lo.isoformat(), "End": hi.isoformat()},
                    "MeanValue": _amount(mean),
                    "PredictionIntervalLowerBound": _amount((mean * (1 - spread)).quantize(Decimal("0.0000000001"))),
                    "PredictionIntervalUpperBound": _amount((mean * (1 + spread)).quantize(Decimal("0.0000000001"))),
                }
            )
        return {"Total": {"Amount": _amount(total), "Unit": "USD"}, "ForecastResultsByTime": results}

    # -- GetAnomalies ----------------------------------------------------------------------------

    def get_anomalies(self, request: Mapping[str, Any]) -> dict[str, Any]:
        interval = request.get("DateInterval") or {}
        start = _day(interval.get("StartDate"), "StartDate")
        end = _day(interval["EndDate"], "EndDate") if interval.get("EndDate") else self.today
        impact = request.get("TotalImpact")
        found: list[Mapping[str, Any]] = []
        for anomaly in self.anomalies:
            day = _day(anomaly["AnomalyStartDate"][:10], "AnomalyStartDate")
            if not start <= day <= end:
                continue
            if impact and not _compare(anomaly["Impact"]["TotalImpact"], impact):
                continue
            found.append(anomaly)
        size = int(request.get("MaxResults") or self.page_size)
        offset = int(request.get("NextPageToken") or 0)
        answer: dict[str, Any] = {"Anomalies": [dict(a) for a in found[offset : offset + size]]}
        if offset + size < len(found):
            answer["NextPageToken"] = str(offset + size)
        return answer

    # -- commitments -----------------------------------------------------------------------------

    def _commitment_days(self, request: Mapping[str, Any]) -> list[tuple[date, date, int]]:
        start, end = _period(request)
        granularity = str(request.get("Granularity") or "MONTHLY")
        return [(lo, hi, (hi - lo).days) for lo, hi in _periods(start, end, granularity)]

    def get_savings_plans_coverage(self, request: Mapping[str, Any]) -> dict[str, Any]:
        sp = self.savings_plan or Commitment(Decimal(0), Decimal(0), Decimal(0), Decimal(0))
        coverages: list[dict[str, Any]] = []
        for lo, hi, days in self._commitment_days(request):
            covered, on_demand = sp.on_demand_equivalent * days, sp.on_demand_spend * days
            total = covered + on_demand
            coverages.append(
                {
                    "Attributes": {},
                    "Coverage": {
                        "SpendCoveredBySavingsPlans": _amount(covered),
                        "OnDemandCost": _amount(on_demand),
                        "TotalCost": _amount(total),
                        "CoveragePercentage": _amount(_percent(covered, total)),
                    },
                    "TimePeriod": {"Start": lo.isoformat(), "End": hi.isoformat()},
                }
            )
        return {"SavingsPlansCoverages": coverages}

    def get_savings_plans_utilization(self, request: Mapping[str, Any]) -> dict[str, Any]:
        sp = self.savings_plan
        if sp is None:
            raise AwsFault("DataUnavailableException", "No Savings Plans found for the requested period")
        by_time: list[dict[str, Any]] = []
        for lo, hi, days in self._commitment_days(request):
            by_time.append({"TimePeriod": {"Start": lo.isoformat(), "End": hi.isoformat()}, **_sp_figures(sp, days)})
        total_days = sum(d for _, _, d in self._commitment_days(request))
        return {"SavingsPlansUtilizationsByTime": by_time, "Total": _sp_figures(sp, total_days)}

    def get_reservation_coverage(self, request: Mapping[str, Any]) -> dict[str, Any]:
        ri = self.reservation or Commitment(Decimal(0), Decimal(0), Decimal(0), Decimal(0))
        return self._reservation_by_time(request, "CoveragesByTime", lambda days: _ri_cov(ri, days))

    def get_reservation_utilization(self, request: Mapping[str, Any]) -> dict[str, Any]:
        ri = self.reservation
        if ri is None:
            raise AwsFault("DataUnavailableException", "No Reserved Instances found for the requested period")
        return self._reservation_by_time(request, "UtilizationsByTime", lambda days: _ri_use(ri, days))

    def _reservation_by_time(
        self, request: Mapping[str, Any], key: str, figures: Callable[[int], dict[str, Any]]
    ) -> dict[str, Any]:
        """Reservation coverage and utilization answer alike: each period's figures (not grouped), then the
        whole range's."""
        periods = self._commitment_days(request)
        by_time = [
            {"TimePeriod": {"Start": lo.isoformat(), "End": hi.isoformat()}, "Groups": [], "Total": figures(days)}
            for lo, hi, days in periods
        ]
        return {key: by_time, "Total": figures(sum(days for _, _, days in periods))}


def _days(lo: date, hi: date) -> Iterable[date]:
    day = lo
    while day < hi:
        yield day
        day += timedelta(days=1)


def _group_key(row: CostRow, group: Mapping[str, Any]) -> str:
    key = str(group.get("Key"))
    if group.get("Type") == "DIMENSION":
        return row.dimension(key)
    values = row.tags if group.get("Type") == "TAG" else row.cost_categories
    return f"{key}${values.get(key, '')}"


def _compare(value: float, test: Mapping[str, Any]) -> bool:
    op, lo, hi = test.get("NumericOperator"), float(test.get("StartValue", 0)), float(test.get("EndValue", 0))
    ops: dict[str, Callable[[], bool]] = {
        "EQUAL": lambda: value == lo,
        "GREATER_THAN_OR_EQUAL": lambda: value >= lo,
        "LESS_THAN_OR_EQUAL": lambda: value <= lo,
        "GREATER_THAN": lambda: value > lo,
        "LESS_THAN": lambda: value < lo,
        "BETWEEN": lambda: lo <= value <= hi,
    }
    if op not in ops:
        raise _validation(f"NumericOperator {op!r} is invalid")
    return ops[str(op)]()


def _percent(part: Decimal, whole: Decimal) -> Decimal:
    return (part * 100 / whole).quantize(Decimal("0.01")) if whole else Decimal(0)


def _sp_figures(sp: Commitment, days: int) -> dict[str, Any]:
    total, used = sp.commitment * days, sp.used * days
    return {
        "Utilization": {
            "TotalCommitment": _amount(total),
            "UsedCommitment": _amount(used),
            "UnusedCommitment": _amount(total - used),
            "UtilizationPercentage": _amount(_percent(used, total)),
        },
        "Savings": {
            "NetSavings": _amount(sp.on_demand_equivalent * days - total),
            "OnDemandCostEquivalent": _amount(sp.on_demand_equivalent * days),
        },
        "AmortizedCommitment": {
            "AmortizedRecurringCommitment": _amount(total),
            "AmortizedUpfrontCommitment": "0",
            "TotalAmortizedCommitment": _amount(total),
        },
    }


def _ri_cov(ri: Commitment, days: int) -> dict[str, Any]:
    reserved, on_demand = ri.used * days, ri.on_demand_spend * days
    return {
        "CoverageHours": {
            "OnDemandHours": _amount(on_demand),
            "ReservedHours": _amount(reserved),
            "TotalRunningHours": _amount(reserved + on_demand),
            "CoverageHoursPercentage": _amount(_percent(reserved, reserved + on_demand)),
        },
        "CoverageCost": {"OnDemandCost": _amount(on_demand * Decimal("0.096"))},
    }


def _ri_use(ri: Commitment, days: int) -> dict[str, Any]:
    purchased, used = ri.commitment * days, ri.used * days
    fee = purchased * Decimal("0.06")
    return {
        "UtilizationPercentage": _amount(_percent(used, purchased)),
        "PurchasedHours": _amount(purchased),
        "TotalActualHours": _amount(used),
        "UnusedHours": _amount(purchased - used),
        "OnDemandCostOfRIHoursUsed": _amount(ri.on_demand_equivalent * days),
        "NetRISavings": _amount(ri.on_demand_equivalent * days - fee),
        "TotalPotentialRISavings": _amount(purchased * Decimal("0.096") - fee),
        "TotalAmortizedFee": _amount(fee),
    }


def install(fake: AwsJsonFake, rows: Iterable[CostRow], **options: Any) -> CostExplorerFake:
    """Serve Cost Explorer over ``rows`` on ``fake``; ``options`` go to ``CostExplorerFake``. Returns it, so a
    test can change ``page_size``, ``anomalies``, ``savings_plan`` or ``reservation`` afterwards."""
    ce = CostExplorerFake(rows, **options)
    handlers: dict[str, Callable[[Mapping[str, Any]], dict[str, Any]]] = {
        "GetCostAndUsage": ce.get_cost_and_usage,
        "GetCostForecast": ce.get_cost_forecast,
        "GetAnomalies": ce.get_anomalies,
        "GetSavingsPlansCoverage": ce.get_savings_plans_coverage,
        "GetSavingsPlansUtilization": ce.get_savings_plans_utilization,
        "GetReservationCoverage": ce.get_reservation_coverage,
        "GetReservationUtilization": ce.get_reservation_utilization,
    }
    for operation, handler in handlers.items():
        fake.route(f"{PREFIX}.{operation}", handler)
    return ce


# -- the demo dataset ------------------------------------------------------------------------------

DEMO_ACCOUNTS = {"111111111111": "payer", "222222222222": "web-prod", "333333333333": "data-prod"}
DEMO_REGIONS = ("us-east-1", "eu-west-1")
# service -> (usage type suffix, instance type, daily base cost in one region of one account)
DEMO_SERVICES: dict[str, tuple[str, str, Decimal]] = {
    "Amazon Elastic Compute Cloud - Compute": ("BoxUsage:m5.large", "m5.large", Decimal("41.5")),
    "EC2 - Other": ("EBS:VolumeUsage.gp3", "NoInstanceType", Decimal("12.25")),
    "Amazon Simple Storage Service": ("TimedStorage-ByteHrs", "NoInstanceType", Decimal("8.4")),
    "Amazon Relational Database Service": ("InstanceUsage:db.r6g.large", "db.r6g.large", Decimal("27.9")),
    "AWS Lambda": ("Lambda-GB-Second", "NoInstanceType", Decimal("3.15")),
    "Amazon DynamoDB": ("TimedStorage-ByteHrs", "NoInstanceType", Decimal("5.6")),
}
DEMO_TEAMS = {"222222222222": "web", "333333333333": "data"}  # the payer's own resources are untagged
TEN_PLACES = Decimal("0.0000000001")
DEMO_ANOMALY_MONITOR = "arn:aws:ce::111111111111:anomalymonitor/demo-services"


def demo_rows(end: date, days: int = 90, *, seed: int = 5) -> list[CostRow]:
    """A deterministic dataset for ``[end - days, end)``: 3 accounts x 6 services x 2 regions of daily usage
    (amounts with 10 decimals, as Cost Explorer has them), one tag key ``team``, a monthly tax line per
    account on the 1st and a credit on the 15th. Net metrics are 3% under the gross ones (a discount);
    EC2 compute in the payer account is covered by a Savings Plan (amortized 28% under unblended)."""
    rnd = random.Random(seed)
    rows: list[CostRow] = []
    for offset in range(days):
        day = end - timedelta(days=days - offset)
        for account in DEMO_ACCOUNTS:
            tags = {"team": DEMO_TEAMS[account]} if account in DEMO_TEAMS else {}
            factor = Decimal(1 + list(DEMO_ACCOUNTS).index(account)) / 2
            for service, (usage, instance, base) in DEMO_SERVICES.items():
                for region in DEMO_REGIONS:
                    noise = Decimal(rnd.randint(850_000, 1_150_000)) / 1_000_000
                    prefix = "USE1-" if region == "us-east-1" else "EUW1-"
                    cost = (base * factor * noise).quantize(TEN_PLACES)
                    covered = account == "111111111111" and service.endswith("Compute")
                    amortized = (cost * Decimal("0.72")).quantize(TEN_PLACES) if covered else cost
                    net = Decimal("0.97")
                    rows.append(
                        CostRow(
                            day=day,
                            account=account,
                            service=service,
                            region=region,
                            usage_type=prefix + usage,
                            record_type="SavingsPlanCoveredUsage" if covered else "Usage",
                            instance_type=instance,
                            tags=tags,
                            unblended=cost,
                            blended=cost,
                            amortized=amortized,
                            net_unblended=(cost * net).quantize(TEN_PLACES),
                            net_amortized=(amortized * net).quantize(TEN_PLACES),
                        )
                    )
            if day.day == 1:
                rows.append(_flat(day, account, "Tax", "NoRegion", "Tax", "Tax", Decimal("17.3100000000") * factor))
            if day.day == 15:
                rows.append(
                    _flat(day, account, "AWS Lambda", "us-east-1", "USE1-Lambda-GB-Second", "Credit", Decimal("-4.5"))
                )
    return rows


def _flat(day: date, account: str, service: str, region: str, usage: str, record: str, amount: Decimal) -> CostRow:
    """A row whose five metrics are all ``amount`` (tax and credits are not discounted or amortized)."""
    return CostRow(
        day=day,
        account=account,
        service=service,
        region=region,
        usage_type=usage,
        record_type=record,
        unblended=amount,
        amortized=amount,
        net_amortized=amount,
        net_unblended=amount,
        blended=amount,
    )


def demo_anomalies(end: date) -> list[dict[str, Any]]:
    """Two anomalies in AWS's GetAnomalies shape: a recent EC2 spike and an older S3 one."""

    def anomaly(ident: str, start: date, days: int, service: str, account: str, impact: float) -> dict[str, Any]:
        return {
            "AnomalyId": ident,
            "AnomalyStartDate": start.isoformat(),
            "AnomalyEndDate": (start + timedelta(days=days)).isoformat(),
            "DimensionValue": service,
            "RootCauses": [
                {
                    "Service": service,
                    "Region": "us-east-1",
                    "LinkedAccount": account,
                    "LinkedAccountName": DEMO_ACCOUNTS[account],
                    "UsageType": "USE1-BoxUsage:m5.large",
                    "Impact": {"Contribution": impact},
                }
            ],
            "AnomalyScore": {"MaxScore": 0.92, "CurrentScore": 0.4},
            "Impact": {
                "MaxImpact": impact / days,
                "TotalImpact": impact,
                "TotalActualSpend": impact + 300.0,
                "TotalExpectedSpend": 300.0,
                "TotalImpactPercentage": round(impact / 3.0, 2),
            },
            "MonitorArn": DEMO_ANOMALY_MONITOR,
        }

    return [
        anomaly("a-ec2", end - timedelta(days=6), 3, "Amazon Elastic Compute Cloud - Compute", "222222222222", 412.37),
        anomaly("a-s3", end - timedelta(days=40), 2, "Amazon Simple Storage Service", "333333333333", 57.5),
    ]

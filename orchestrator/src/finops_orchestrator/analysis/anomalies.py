"""Cost anomalies per series (provider x service x account, per currency), robust to weekly cycles.

Each checked day is compared with the same weekday of the previous ``WEEKS`` weeks: the expected cost is
their median and the spread their median absolute deviation (scaled to a standard deviation), floored at
5% of the median so a flat series does not flag pennies. A day is unusual when its robust z-score passes
the sensitivity. Recurring billing-calendar charges (the same fee on the 1st or the last day of every month,
see ``calendar_charges``) are expected, not unusual: they are taken out before scoring and added to the
expected cost of their day. Unusual days of one series in one direction with less than a week between them are
one anomaly: a spike when it spans under a week, else a shift (a step, a drift, a new weekly workload), reported
once from its first day with its typical daily change. Amounts are exact: the actual cost comes from the store in
nanos, the expected cost is the median (plus the day's calendar charge) rounded to the nano, and the impact is
their difference.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Literal

from finops_core.errors import InvalidInput
from finops_core.models import METRIC_MEANING, CostMetric
from finops_core.money import Amount, Money, from_nanos, parse_amount, to_nanos
from finops_core.reading import CostReader
from pydantic import BaseModel, Field

from finops_orchestrator.analysis import calendar_charges

if TYPE_CHECKING:  # numpy is imported where used: the servers import this module at start-up
    import numpy as np
    import numpy.typing as npt

WEEKS = 8  # weeks of same-weekday history behind each checked day
MIN_WEEKS = 3  # fewer and the day is not judged
_MAD_TO_SD = 1.4826
_FLOOR = 0.05  # the spread is at least this share of the expected cost
GAP_DAYS = 7  # unusual days closer than this belong to one anomaly; one spanning this many days is a shift

SeriesKey = tuple[str, str, str | None, str]  # provider, service, sub-account, currency


class Anomaly(BaseModel):
    provider: str
    service: str
    account: str | None = Field(description="Sub-account (AWS account, subscription, project).")
    currency: str
    direction: Literal["spike", "drop"]
    shape: Literal["spike", "shift"] = Field(
        description="spike: unusual days spanning under a week; shift: a change lasting longer (a step, a drift, "
        "a new weekly workload), reported once from its start."
    )
    start: date
    last_day: date
    days: int = Field(description="Unusual days from start to last_day.")
    daily_change: Amount = Field(description="Median of actual - expected over its days: the size of a shift.")
    actual: Amount = Field(description="Cost over the anomaly's days.")
    expected: Amount = Field(description="Same-weekday medians over those days.")
    impact: Amount = Field(description="actual - expected: what the anomaly cost (negative for a drop).")
    peak_day: date
    peak_score: float = Field(description="The largest robust z-score among its days.")


class AnomalyReport(BaseModel):
    start: date
    end: date = Field(description="Exclusive.")
    metric: CostMetric
    metric_meaning: str
    method: str
    series_checked: int
    anomalies: list[Anomaly] = Field(description="Largest impact first (the top_n of them).")
    count: int = Field(description="Anomalies found, listed or not.")
    truncated: bool
    spike_impact: list[Money] = Field(description="Summed impact of all the spikes found, per currency.")
    source: str
    is_demo: bool
    note: str


def find_anomalies(
    reader: CostReader,
    *,
    start: date,
    end: date,
    metric: CostMetric = "effective",
    providers: tuple[str, ...] = (),
    sensitivity: float = 4.0,
    min_impact: str = "10",
    drops: bool = False,
    top_n: int = 20,
    source: str = "local store",
    is_demo: bool = False,
) -> AnomalyReport:
    import numpy as np

    threshold = to_nanos(parse_amount(min_impact, "min_impact"))
    if end <= start:
        raise InvalidInput(f"end ({end}) must be after start ({start}).")
    history = start - timedelta(weeks=WEEKS)
    keys, days, values = _daily_series(reader, history, end, metric, providers)
    found: list[Anomaly] = []
    charges = _calendar_charges(values, history)
    scores, medians = _scores(values - charges, (start - history).days)
    medians += charges  # a calendar charge is part of its day's expected cost
    with np.errstate(invalid="ignore"):
        flagged = np.abs(scores) > sensitivity  # NaN (not judged) compares False
    for column, key in enumerate(keys):
        rows = np.flatnonzero(flagged[:, column])
        if rows.size:
            found += _runs(key, days, values[:, column], medians[:, column], scores[:, column], rows, threshold)
    if not drops:
        found = [a for a in found if a.direction == "spike"]
    found.sort(key=lambda a: (-abs(a.impact), a.start, a.provider, a.service))
    spikes: dict[str, Decimal] = {}
    for a in found:
        if a.direction == "spike":
            spikes[a.currency] = spikes.get(a.currency, Decimal(0)) + a.impact
    note = f"{len(found)} anomalies in {len(keys)} series from {start} to {end} (end exclusive)."
    if len(found) > top_n:
        note += f" Listing the {top_n} largest; raise top_n or sensitivity to see more or fewer."
    if not keys:
        note = f"No cost data from {history} to {end}: load data with `finops sync` or `finops ingest` first."
    elif (
        values.any()
        and (first := days[int(np.flatnonzero(values.any(axis=1))[0])]) + timedelta(weeks=MIN_WEEKS) > start
    ):
        note += f" The data starts on {first}: days with under {MIN_WEEKS} weeks of history before them are not judged."
    return AnomalyReport(
        start=start,
        end=end,
        metric=metric,
        metric_meaning=METRIC_MEANING[metric],
        method=f"same-weekday median and MAD over the previous {WEEKS} weeks, robust z-score > {sensitivity}, "
        f"impact at least {from_nanos(threshold)}, {'spikes and drops' if drops else 'spikes only'}; recurring "
        "1st-of-month and month-end charges expected; unusual days under a week apart are one anomaly; days whose "
        "same-weekday median is zero (intermittent cost) are not judged",
        series_checked=len(keys),
        anomalies=found[:top_n],
        count=len(found),
        truncated=len(found) > top_n,
        spike_impact=[Money(amount=v, currency=c) for c, v in sorted(spikes.items())],
        source=source,
        is_demo=is_demo,
        note=note,
    )


def _daily_series(
    reader: CostReader, start: date, end: date, metric: CostMetric, providers: tuple[str, ...]
) -> tuple[list[SeriesKey], list[date], npt.NDArray[np.int64]]:
    """Every series' keys (sorted), the days, and a days x series matrix of daily cost in nanos."""
    import numpy as np

    by = ("provider_name", "service_name", "sub_account_id")
    found = reader.daily_series(start, end, by=by, metric=metric, providers=providers)
    ordered = sorted(found, key=lambda k: tuple(v or "" for v in k))
    keys: list[SeriesKey] = [(str(k[0]), str(k[1]), k[2], str(k[3])) for k in ordered]
    days = [start + timedelta(days=i) for i in range((end - start).days)]
    values = np.zeros((len(days), len(keys)), dtype=np.int64)
    for column, key in enumerate(ordered):
        values[:, column] = found[key]
    return keys, days, values


def _calendar_charges(values: npt.NDArray[np.int64], first: date) -> npt.NDArray[np.int64]:
    """Per day and series, the recurring calendar charge in nanos (0 on other days)."""
    import numpy as np

    out = np.zeros_like(values)
    days = calendar_charges.anchors(first, len(values))
    for column in np.flatnonzero(values.any(axis=0)):
        found = calendar_charges.find(values[:, column].astype(np.float64), first, days)
        out[:, column] = np.round(found.removed).astype(np.int64)
    return out


def _scores(
    values: npt.NDArray[np.int64], first_checked: int
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Robust z-scores and expected costs (days x series), all series at once; NaN where a day is not judged:
    before ``first_checked``, with under ``MIN_WEEKS`` same-weekdays of history since the series began, or when
    that history's median is zero (intermittent cost: a same-weekday median says nothing about it)."""
    import numpy as np

    costs = values.astype(np.float64)
    n_days, n_series = values.shape
    present = values != 0
    born = np.where(present.any(axis=0), present.argmax(axis=0), n_days)  # first day with cost, per series
    scores = np.full((n_days, n_series), np.nan)
    medians = np.full((n_days, n_series), np.nan)
    for i in range(first_checked, n_days):
        lags = np.array([i - 7 * k for k in range(1, WEEKS + 1) if i - 7 * k >= 0], dtype=np.int64)
        if lags.size < MIN_WEEKS:
            continue
        history = np.where(lags[:, None] >= born[None, :], costs[lags], np.nan)
        judged = (np.isfinite(history).sum(axis=0) >= MIN_WEEKS) & (np.nan_to_num(history).any(axis=0))
        if not judged.any():
            continue
        picked = history[:, judged]
        median = np.nanmedian(picked, axis=0)
        spread = np.maximum(
            np.maximum(_MAD_TO_SD * np.nanmedian(np.abs(picked - median), axis=0), _FLOOR * np.abs(median)), 1.0
        )
        ok = median != 0
        columns = np.flatnonzero(judged)[ok]
        scores[i, columns] = (costs[i, columns] - median[ok]) / spread[ok]
        medians[i, columns] = median[ok]
    return scores, medians


def _runs(
    key: SeriesKey,
    days: list[date],
    values: npt.NDArray[np.int64],
    medians: npt.NDArray[np.float64],
    scores: npt.NDArray[np.float64],
    rows: npt.NDArray[np.int64],
    threshold: int,
) -> list[Anomaly]:
    """Flagged days of one series in one direction less than ``GAP_DAYS`` apart, as anomalies (impact at least
    ``threshold``)."""
    import numpy as np

    flagged = [
        (i, "spike" if scores[i] > 0 else "drop", int(values[i]), round(float(medians[i])), float(scores[i]))
        for i in rows.tolist()
    ]
    out: list[Anomaly] = []
    run: list[tuple[int, str, int, int, float]] = []
    for item in [*flagged, (-GAP_DAYS - 1, "", 0, 0, 0.0)]:  # a sentinel closes the last run
        if run and (item[0] - run[-1][0] >= GAP_DAYS or item[0] < run[-1][0] or item[1] != run[-1][1]):
            actual, expected = sum(r[2] for r in run), sum(r[3] for r in run)
            if abs(actual - expected) >= threshold:
                peak = max(run, key=lambda r: abs(r[4]))
                out.append(
                    Anomaly(
                        provider=key[0],
                        service=key[1],
                        account=key[2],
                        currency=key[3],
                        direction="spike" if run[0][1] == "spike" else "drop",
                        shape="shift" if run[-1][0] - run[0][0] + 1 >= GAP_DAYS else "spike",
                        start=days[run[0][0]],
                        last_day=days[run[-1][0]],
                        days=len(run),
                        daily_change=from_nanos(int(np.median([r[2] - r[3] for r in run]))),
                        actual=from_nanos(actual),
                        expected=from_nanos(expected),
                        impact=from_nanos(actual - expected),
                        peak_day=days[peak[0]],
                        peak_score=round(peak[4], 1),
                    )
                )
            run = []
        run.append(item)
    return out

"""Cost forecasts: month-end and the next N days per series, from the model a backtest chose, with 80% intervals.

Each series (a provider or a service, per currency; the smaller ones folded into ``(other)``) gets the model that
did best in a rolling-origin backtest over the question's horizon (the next N days or the rest of the month,
whichever is longer), never one that did worse there than seasonal naive; recurring charges on the 1st or the last
day of a month are known amounts added on their days; intervals come from the backtest's errors (``backtest``).
Prophet fits are cached by their exact history, so a question asked again, or about a series whose data did not
change, refits nothing.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Sequence
from datetime import date, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from typing import TYPE_CHECKING, Any, Literal

from finops_core.dates import next_month_start
from finops_core.models import METRIC_MEANING, CostMetric
from finops_core.money import Amount, from_nanos
from finops_core.reading import CostReader
from pydantic import BaseModel, Field

from finops_orchestrator.analysis import backtest

if TYPE_CHECKING:  # numpy is imported where used: the servers import this module at start-up
    import numpy as np
    import numpy.typing as npt

HISTORY_DAYS = 730
_CENT = Decimal("0.01")
_fits: OrderedDict[tuple[Any, ...], Any] = OrderedDict()  # prophet forecasts by exact input, most recent last
_fits_lock = threading.Lock()
_CACHE_SIZE = 4096  # a few KB each

ForecastBy = Literal["total", "provider", "service"]
_COLUMN = {"provider": "provider_name", "service": "service_name"}


class KnownCharge(BaseModel):
    day: date
    amount: Amount = Field(description="The latest month's charge on this calendar day, included in the forecast.")


class SeriesForecast(BaseModel):
    series: str = Field(description="The provider or service ('total' when not split; '(other)' = the rest).")
    currency: str
    month_to_date: Amount = Field(description="Actual cost from the 1st through yesterday (exact).")
    month_end: Amount = Field(description="month_to_date + the forecast of the month's remaining days.")
    month_end_low: Amount
    month_end_high: Amount
    next_days: Amount = Field(description="Forecast cost of the next horizon_days days from today.")
    next_days_low: Amount
    next_days_high: Amount
    model: backtest.Candidate = Field(description="The model the backtest chose.")
    backtest_error_percent: float | None = Field(
        description="The model's backtest error: absolute daily error over the backtest days, % of their cost."
    )
    seasonal_naive_error_percent: float | None = Field(description="The same for the same weekday a week before.")
    candidate_errors: dict[str, float | None] = Field(
        description="Every backtested candidate's error (%); prophet's only where it was tried."
    )
    backtest_windows: int = Field(description="Backtest origins, each forecasting backtest_days days.")
    interval_hits: int = Field(description="Backtest windows whose total fell inside the 80% interval (leave-one-out).")
    known_charges: list[KnownCharge] = Field(description="Recurring 1st-of-month / month-end charges ahead.")
    history_days: int


class ForecastReport(BaseModel):
    as_of: date = Field(description="Forecasts start on this day; actuals run through the day before.")
    horizon_days: int
    backtest_days: int = Field(description="Each backtest window's length: the longer of horizon and month's rest.")
    by: ForecastBy
    metric: CostMetric
    metric_meaning: str
    method: str
    series: list[SeriesForecast]
    interval_coverage_percent: float | None = Field(
        description="Share of all backtest windows whose total fell inside their 80% interval (leave-one-out)."
    )
    models_reused: int = Field(description="Prophet fits taken from the cache (the same history: no refit).")
    source: str
    is_demo: bool
    note: str


def _money(value: float) -> Decimal:
    return Decimal(repr(value)).quantize(_CENT, rounding=ROUND_HALF_EVEN)


def _daily(
    reader: CostReader, start: date, end: date, by: ForecastBy, metric: CostMetric, providers: tuple[str, ...]
) -> dict[tuple[str, str], npt.NDArray[np.int64]]:
    """(series value, currency) -> daily cost in nanos from ``start`` to ``end`` (a day without cost is 0)."""
    columns = () if by == "total" else (_COLUMN[by],)
    found = reader.daily_series(start, end, by=columns, metric=metric, providers=providers)
    return {(str(key[0]) if columns else "total", str(key[-1])): values for key, values in found.items()}


def _fold(series: dict[tuple[str, str], npt.NDArray[np.int64]], keep: int) -> dict[tuple[str, str], Any]:
    """The ``keep`` largest series per currency (by the last 30 days), the rest summed into ``(other)``."""
    import numpy as np

    out: dict[tuple[str, str], npt.NDArray[np.int64]] = {}
    for currency in sorted({c for _, c in series}):
        mine = sorted(
            ((k, v) for k, v in series.items() if k[1] == currency), key=lambda kv: (-int(kv[1][-30:].sum()), kv[0])
        )
        out.update(mine[:keep])
        if rest := mine[keep:]:
            out[("(other)", currency)] = np.sum([v for _, v in rest], axis=0)
    return out


class CachedProphet:
    """Runs prophet fits on every core (``fitting``), each answered from the cache when its exact input was fitted
    before. Counts what it reused."""

    def __init__(self) -> None:
        self.reused = 0

    def __call__(self, fits: Sequence[backtest.ProphetFit]) -> list[npt.NDArray[np.float64]]:
        keys = [(f.mode, f.first, f.days, hashlib.blake2b(f.history.tobytes(), digest_size=16).digest()) for f in fits]
        with _fits_lock:
            found = [_fits.get(key) for key in keys]
            for key, hit in zip(keys, found, strict=True):
                if hit is not None:
                    _fits.move_to_end(key)
        missing = [i for i, hit in enumerate(found) if hit is None]
        self.reused += len(fits) - len(missing)
        if missing:
            from finops_orchestrator.analysis import fitting  # imports prophet: a second, and only forecasts need it

            done = fitting.run_all([fitting.job(fits[i]) for i in missing])
            with _fits_lock:
                for i, result in zip(missing, done, strict=True):
                    found[i] = result
                    _fits[keys[i]] = result
                while len(_fits) > _CACHE_SIZE:
                    _fits.popitem(last=False)
        return [f for f in found if f is not None]


def forecast(
    reader: CostReader,
    *,
    today: date,
    horizon_days: int = 30,
    by: ForecastBy = "provider",
    metric: CostMetric = "effective",
    providers: tuple[str, ...] = (),
    top_n: int = 5,
    source: str = "local store",
    is_demo: bool = False,
) -> ForecastReport:
    import numpy as np

    start = today - timedelta(days=HISTORY_DAYS)
    series = _fold(_daily(reader, start, today, by, metric, providers), top_n)
    month_start = today.replace(day=1)  # the month being forecast: today's (actuals before today)
    remaining = (next_month_start(today).date() - today).days
    window = max(horizon_days, remaining)
    needed = backtest.needed_days(window)
    skipped: list[str] = []
    prepared: list[tuple[str, str, npt.NDArray[np.int64], npt.NDArray[np.float64]]] = []
    for (value, currency), nanos in series.items():
        present = np.flatnonzero(nanos)
        if present.size == 0:
            continue
        values = nanos[int(present[0]) :].astype(np.float64) / 1e9
        if len(values) < needed:
            skipped.append(f"{value} ({currency}): {len(values)} days of history")
            continue
        prepared.append((value, currency, nanos, values))
    runner = CachedProphet()
    choices = backtest.choose_all(
        [(values, today - timedelta(days=len(values))) for _, _, _, values in prepared], window, window, runner
    )
    out: list[SeriesForecast] = []
    for (value, currency, nanos, values), choice in zip(prepared, choices, strict=True):
        mtd_days = (today - month_start).days
        mtd_amount = from_nanos(int(nanos[-mtd_days:].sum()) if mtd_days else 0)
        floor = 0.0 if values.min() >= 0 else -np.inf  # a series with credits may go below zero

        def total(days: int, choice: backtest.Choice = choice, floor: float = floor) -> tuple[Decimal, ...]:
            point, half = float(choice.path[:days].sum()), choice.half_width(days)
            return _money(point), _money(max(point - half, floor)), _money(point + half)

        month, month_low, month_high = total(remaining)
        ahead, ahead_low, ahead_high = total(horizon_days)
        errors = choice.errors
        out.append(
            SeriesForecast(
                series=value,
                currency=currency,
                month_to_date=mtd_amount,
                month_end=mtd_amount + month,
                month_end_low=mtd_amount + min(month_low, month),
                month_end_high=mtd_amount + month_high,
                next_days=ahead,
                next_days_low=min(ahead_low, ahead),
                next_days_high=ahead_high,
                model=choice.model,
                backtest_error_percent=errors[choice.model],
                seasonal_naive_error_percent=errors[backtest.BASELINE],
                candidate_errors={str(m): e for m, e in errors.items()},
                backtest_windows=choice.origins,
                interval_hits=choice.interval_hits(),
                known_charges=[
                    KnownCharge(day=today + timedelta(days=i), amount=_money(float(amount)))
                    for i, amount in enumerate(choice.known)
                    if amount
                ],
                history_days=len(values),
            )
        )
    windows = sum(s.backtest_windows for s in out)
    coverage = round(100 * sum(s.interval_hits for s in out) / windows, 1) if windows else None
    note = (
        "Forecasts are estimates rounded to cents; month_to_date is exact. Each series' model is the one with the "
        "lowest backtest error, and seasonal naive whenever no other beat it."
    )
    if skipped:
        note += (
            f" Not forecast (under {needed} days of history, which a backtest of {window}-day windows needs; a "
            "shorter horizon_days needs less, down to the rest of the month): " + "; ".join(skipped) + "."
        )
    if not series:
        note = (
            f"No cost data in the {HISTORY_DAYS} days before {today}: load data with `finops sync` or `finops ingest`."
        )
    return ForecastReport(
        as_of=today,
        horizon_days=horizon_days,
        backtest_days=window,
        by=by,
        metric=metric,
        metric_meaning=METRIC_MEANING[metric],
        method="per series, the lowest-error model of a rolling-origin backtest (up to "
        f"{backtest.ORIGINS} back-to-back windows of {window} days): seasonal naive, naive, drift, exponential "
        "smoothing (weekly, on the logarithm, or without season), a line plus weekday effects, prophet "
        "(multiplicative; 1st and last day of the month as effects; tried where the others did not beat seasonal "
        f"naive by {100 - round(100 * backtest.PROPHET_ROOM)}%), or the median of them all; 80% intervals from the "
        "backtest errors",
        series=out,
        interval_coverage_percent=coverage,
        models_reused=runner.reused,
        source=source,
        is_demo=is_demo,
        note=note,
    )

"""Cost forecasts with prophet: month-end and the next N days, with an 80% interval and a backtest.

Each series (a provider or a service, per currency; the smaller ones folded into ``(other)``) is fitted on
its daily cost with weekly seasonality (and yearly, given two years). Intervals come from prophet's
predictive samples summed over the days asked, so they are intervals of the total, not of single days.
Every answer reports its backtest: the last 28 days held out, the mean absolute percentage error of the
daily forecast, beside a seasonal-naive forecast (the same weekday a week before) on the same days.
Fitted models are cached until the store's data changes.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from datetime import date, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from typing import TYPE_CHECKING, Any, Literal

from finops_core.dates import next_month_start
from finops_core.models import METRIC_MEANING, CostMetric
from finops_core.money import Amount, from_nanos
from finops_core.reading import CostReader
from pydantic import BaseModel, Field

from finops_orchestrator.analysis.series import daily_series

if TYPE_CHECKING:  # numpy is imported where used: the servers import this module at start-up
    import numpy as np
    import numpy.typing as npt
    import pandas as pd  # imported where used: the server imports this module at start-up, pandas takes 0.3 s
    from prophet import Prophet

    from finops_orchestrator.analysis.fitting import Window

HISTORY_DAYS = 730
BACKTEST_DAYS = 28
MIN_HISTORY_DAYS = 2 * BACKTEST_DAYS
_CENT = Decimal("0.01")
_models: OrderedDict[tuple[Any, ...], Any] = OrderedDict()  # fitted models, most recently used last
_models_lock = threading.Lock()
_CACHE_SIZE = 64

ForecastBy = Literal["total", "provider", "service"]
_COLUMN = {"provider": "provider_name", "service": "service_name"}


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
    backtest_mape_percent: float | None = Field(description="Daily error over the held-out last 28 days.")
    seasonal_naive_mape_percent: float | None = Field(description="Same weekday a week before, on those days.")
    history_days: int


class ForecastReport(BaseModel):
    as_of: date = Field(description="Forecasts start on this day; actuals run through the day before.")
    horizon_days: int
    by: ForecastBy
    metric: CostMetric
    metric_meaning: str
    method: str
    series: list[SeriesForecast]
    models_reused: int = Field(description="Series answered from cached models (no refit).")
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
    found = daily_series(reader, start, end, by=columns, metric=metric, providers=providers)
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


def _predict(jobs: list[tuple[tuple[Any, ...], pd.DataFrame, tuple[Window, ...]]]) -> list[list[Any]]:
    """Each (cache key, history, windows)'s predictions: from its cached model, or from a model fitted now (and
    cached). All jobs run together, on every core when there are several (see ``fitting``)."""
    from finops_orchestrator.analysis import fitting  # imports prophet: seconds, and only this tool needs it

    with _models_lock:
        cached: list[Prophet | None] = []
        for key, _, _ in jobs:
            if key in _models:
                _models.move_to_end(key)
            cached.append(_models.get(key))
    done = fitting.run_all(
        [fitting.Job(history, windows, model) for (_, history, windows), model in zip(jobs, cached, strict=True)]
    )
    with _models_lock:
        for (key, _, _), (model, _) in zip(jobs, done, strict=True):
            _models[key] = model
            _models.move_to_end(key)
        while len(_models) > _CACHE_SIZE:
            _models.popitem(last=False)
    return [predictions for _, predictions in done]


def _mape(predicted: npt.NDArray[np.float64], actual: npt.NDArray[np.float64]) -> float | None:
    import numpy as np

    mask = actual > 0
    if not mask.any():
        return None
    return float(round(np.mean(np.abs(predicted[mask] - actual[mask]) / actual[mask]) * 100, 1))


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
    import pandas as pd

    start = today - timedelta(days=HISTORY_DAYS)
    version = reader.data_version()  # names the store or lake too
    series = _fold(_daily(reader, start, today, by, metric, providers), top_n)
    month_start = today.replace(day=1)  # the month being forecast: today's (actuals before today)
    remaining = (next_month_start(today).date() - today).days
    reused = 0
    out: list[SeriesForecast] = []
    skipped: list[str] = []
    prepared: list[tuple[str, str, npt.NDArray[np.int64], npt.NDArray[np.float64]]] = []
    jobs: list[tuple[tuple[Any, ...], pd.DataFrame, tuple[Window, ...]]] = []
    for (value, currency), nanos in series.items():
        present = np.flatnonzero(nanos)
        if present.size == 0:
            continue
        first = int(present[0])
        values = nanos[first:].astype(np.float64) / 1e9
        if len(values) < MIN_HISTORY_DAYS:
            skipped.append(f"{value} ({currency}): {len(values)} days of history")
            continue
        dates = pd.date_range(start + timedelta(days=first), periods=len(values), freq="D")
        frame = pd.DataFrame({"ds": dates, "y": values})
        key = (version, by, metric, providers, value, currency)
        with _models_lock:
            reused += int((*key, "full") in _models)
        held_out_start = start + timedelta(days=first + len(values) - BACKTEST_DAYS)
        prepared.append((value, currency, nanos, values))
        jobs.append(((*key, "full"), frame, (("draws", today, max(horizon_days, remaining)),)))
        jobs.append(((*key, "backtest"), frame.iloc[:-BACKTEST_DAYS], (("draws", held_out_start, BACKTEST_DAYS),)))
    predictions = _predict(jobs)  # every series at once, so they can share the cores
    for (value, currency, nanos, values), [draws], [backtest] in zip(
        prepared, predictions[0::2], predictions[1::2], strict=True
    ):
        ahead, month = draws[:horizon_days].sum(axis=0), draws[:remaining].sum(axis=0)
        mtd_days = (today - month_start).days
        mtd = int(nanos[-mtd_days:].sum()) if mtd_days else 0
        mtd_amount = from_nanos(mtd)
        held_out = values[-BACKTEST_DAYS:]
        predicted = backtest.mean(axis=1)
        naive = np.array([values[-BACKTEST_DAYS - 7 + (i % 7)] for i in range(BACKTEST_DAYS)])
        out.append(
            SeriesForecast(
                series=value,
                currency=currency,
                month_to_date=mtd_amount,
                month_end=mtd_amount + _money(float(month.mean())),
                month_end_low=mtd_amount + _money(float(np.quantile(month, 0.1))),
                month_end_high=mtd_amount + _money(float(np.quantile(month, 0.9))),
                next_days=_money(float(ahead.mean())),
                next_days_low=_money(float(np.quantile(ahead, 0.1))),
                next_days_high=_money(float(np.quantile(ahead, 0.9))),
                backtest_mape_percent=_mape(predicted, held_out),
                seasonal_naive_mape_percent=_mape(naive, held_out),
                history_days=len(values),
            )
        )
    note = (
        "Forecasts are estimates (prophet, 80% intervals from predictive samples, rounded to cents); "
        "month_to_date is exact."
    )
    if skipped:
        note += f" Not forecast (under {MIN_HISTORY_DAYS} days of history): " + "; ".join(skipped) + "."
    if not series:
        note = (
            f"No cost data in the {HISTORY_DAYS} days before {today}: load data with `finops sync` or `finops ingest`."
        )
    return ForecastReport(
        as_of=today,
        horizon_days=horizon_days,
        by=by,
        metric=metric,
        metric_meaning=METRIC_MEANING[metric],
        method="prophet (weekly seasonality; yearly with two years of history) per series, fitted on daily cost; "
        f"backtest on the last {BACKTEST_DAYS} days",
        series=out,
        models_reused=reused,
        source=source,
        is_demo=is_demo,
        note=note,
    )

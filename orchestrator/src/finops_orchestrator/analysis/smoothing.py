"""Holt-Winters exponential smoothing with a weekly season: ETS(A,Ad,A), additive error, damped additive trend,
additive seasonality. Fitted by least squares over a fixed grid of smoothing parameters, every grid point at once
in numpy: a few milliseconds a series.

Why not a library (measured here, 2 shared cores under load, 20 series of 400 days, fit + 30-day forecast):
statsforecast 2.1.1 AutoETS took 418 ms a series (71 ms with the model fixed to AAdA) after a 7 s import,
statsmodels 0.15 ExponentialSmoothing 1.35 s and ETSModel 1.7 s, against 150 ms for one prophet fit in the same
run. The model choice fits every candidate at several backtest origins of every series within 3 s for 50 series,
and either library would also bring scipy (statsforecast also fugue and more) into the install.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

SEASON = 7
MAX_DAYS = 365  # the fit reads the last year at most: at these smoothing rates older days weigh nothing


def _grid() -> tuple[npt.NDArray[np.float64], ...]:
    import numpy as np

    alpha, beta, gamma, phi = (
        a.ravel()
        for a in np.meshgrid(
            [0.05, 0.1, 0.2, 0.3, 0.5, 0.7],  # level
            [0.0, 0.02, 0.1],  # trend, as a share of the level's rate
            [0.0, 0.05, 0.15, 0.3],  # season
            [0.8, 0.9, 0.98],  # damping
            indexing="ij",
        )
    )
    keep = gamma <= 1 - alpha  # the usual admissible region
    return alpha[keep], (alpha * beta)[keep], gamma[keep], phi[keep]


def forecast(history: npt.NDArray[np.float64], days: int, *, seasonal: bool = True) -> npt.NDArray[np.float64]:
    """The next ``days`` daily values after ``history`` (at least two weeks), floored at zero. ``seasonal=False``:
    no weekly season (ETS(A,Ad,N)), for series that have none."""
    import numpy as np

    y = np.asarray(history[-MAX_DAYS:], dtype=np.float64)
    n = len(y)
    alpha, beta, gamma, phi = _grid()
    if not seasonal:
        keep = gamma == 0
        alpha, beta, gamma, phi = alpha[keep], beta[keep], gamma[keep], phi[keep]
    level = np.full(alpha.shape, y[:SEASON].mean())
    trend = np.full(alpha.shape, (y[SEASON : 2 * SEASON].mean() - y[:SEASON].mean()) / SEASON)
    season = np.tile(y[:SEASON] - y[:SEASON].mean() if seasonal else np.zeros(SEASON), (alpha.size, 1))
    sse = np.zeros(alpha.shape)
    for t in range(n):
        slot = season[:, t % SEASON]
        damped = phi * trend
        error = y[t] - (level + damped + slot)
        if t >= SEASON:  # the first week made the initial state
            sse += error * error
        level = level + damped + alpha * error
        trend = damped + beta * error
        season[:, t % SEASON] = slot + gamma * error
    best = int(np.argmin(sse))
    steps = np.arange(1, days + 1)
    path = level[best] + np.cumsum(phi[best] ** steps) * trend[best] + season[best, (n + steps - 1) % SEASON]
    return np.clip(path, 0.0, None)

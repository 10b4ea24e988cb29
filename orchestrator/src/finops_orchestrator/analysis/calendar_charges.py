"""Billing-calendar charges: amounts that land on the 1st of every month or on its last day (monthly fees,
commitment purchases, support plans, recurring credits). They are known in advance, not noise: forecasts take
them out of the history the models learn from and add them back, as known amounts, on the days they will land;
the anomaly detector does not flag them.

A day's charge is its excess over the same weekday in the weeks around it (their median). An anchor (1st or
month end) carries a recurring charge when each of its last ``MONTHS`` occurrences (at least two) has an excess
of one sign, well above the day-to-day noise, and they differ by under a quarter of their median (or by what the
noise allows). Their median is the known amount ahead.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

Anchor = Literal["first_of_month", "month_end"]
MONTHS = 3  # recent occurrences that must agree
NOISE_SCORES = 4.0  # an excess must pass this many robust day-to-day deviations
AGREEMENT = 0.25  # recent occurrences differ by at most this share of their median
NEIGHBOURS = (-28, -21, -14, -7, 7, 14, 21, 28)  # same weekday, the weeks around


def anchor_of(day: date) -> Anchor | None:
    if day.day == 1:
        return "first_of_month"
    if day.day == calendar.monthrange(day.year, day.month)[1]:
        return "month_end"
    return None


@dataclass(frozen=True)
class Charges:
    """What was found in a history: the amount ahead per anchor, and per history day the charge taken out."""

    amounts: dict[Anchor, float]
    removed: npt.NDArray[np.float64]

    def ahead(self, first: date, days: int) -> npt.NDArray[np.float64]:
        """The known charges on each of ``days`` days from ``first`` (0 on other days)."""
        import numpy as np

        out = np.zeros(days)
        for i in range(days):
            anchor = anchor_of(first + timedelta(days=i))
            if anchor is not None:
                out[i] = self.amounts.get(anchor, 0.0)
        return out


def _noise(values: npt.NDArray[np.float64], ordinary: npt.NDArray[np.bool_]) -> float:
    """Robust day-to-day deviation: the scaled MAD of week-over-week changes between ordinary days."""
    import numpy as np

    both = ordinary[7:] & ordinary[:-7]
    changes = (values[7:] - values[:-7])[both]
    if changes.size == 0:
        return 0.0
    return float(1.4826 * np.median(np.abs(changes - np.median(changes))) / np.sqrt(2))


def anchors(first: date, days: int) -> list[Anchor | None]:
    """Each day's anchor, for ``days`` days from ``first``."""
    import numpy as np

    dates = np.datetime64(first, "D") + np.arange(days + 1)
    first_day = dates.astype("datetime64[M]").astype("datetime64[D]") == dates
    named = np.where(first_day[:-1], "first_of_month", np.where(first_day[1:], "month_end", ""))
    return [None if a == "" else a for a in named.tolist()]


def row_medians(rows: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Each row's median of its values that are not NaN (at least one each): what ``np.nanmedian(rows, axis=1)``
    gives, without its per-row cost on small arrays."""
    import numpy as np

    ordered = np.sort(rows, axis=1)  # NaN last
    counts = (~np.isnan(rows)).sum(axis=1)
    pick = np.arange(len(rows))
    return (ordered[pick, (counts - 1) // 2] + ordered[pick, counts // 2]) / 2


def excesses(
    values: npt.NDArray[np.float64], days: Sequence[Anchor | None]
) -> tuple[dict[int, float], npt.NDArray[np.bool_]]:
    """Each anchor day's excess over the median of its same-weekday neighbours (ordinary days only, at least two),
    by day index; and which days are ordinary (not an anchor)."""
    import numpy as np

    n = len(values)
    ordinary = np.array([a is None for a in days], dtype=np.bool_)
    at = np.flatnonzero(~ordinary)
    if at.size == 0:
        return {}, ordinary
    # Every anchor day's neighbours in one array (one median call: a backtest finds charges at every origin).
    near = at[:, None] + np.array(NEIGHBOURS)
    inside = (near >= 0) & (near < n)
    near = np.clip(near, 0, n - 1)
    valid = inside & ordinary[near]
    counts = valid.sum(axis=1)
    judged = counts >= 2
    if not judged.any():
        return {}, ordinary
    medians = row_medians(np.where(valid, values[near], np.nan)[judged])
    found = at[judged]
    return {int(i): float(values[i] - m) for i, m in zip(found, medians, strict=True)}, ordinary


def find(values: npt.NDArray[np.float64], first: date, days: Sequence[Anchor | None] | None = None) -> Charges:
    """The recurring calendar charges in ``values`` (daily, from ``first``; ``days``: their anchors, if known)."""
    import numpy as np

    days = anchors(first, len(values)) if days is None else days
    found, ordinary = excesses(values, days)
    noise = _noise(values, ordinary)
    amounts: dict[Anchor, float] = {}
    removed = np.zeros(len(values))
    for anchor in ("first_of_month", "month_end"):
        mine = [(i, e) for i, e in found.items() if days[i] == anchor]
        recent = [e for _, e in mine[-MONTHS:]]
        if len(recent) < 2:
            continue
        typical = float(np.median(recent))
        if all(abs(e) > NOISE_SCORES * noise and e * typical > 0 for e in recent) and max(recent) - min(recent) <= max(
            AGREEMENT * abs(typical), 2 * NOISE_SCORES * noise
        ):
            amounts[anchor] = typical
            for i, e in mine:
                if e * typical > 0 and abs(e) > NOISE_SCORES * noise:  # the months charged (older ones may not be)
                    removed[i] = e
    return Charges(amounts, removed)

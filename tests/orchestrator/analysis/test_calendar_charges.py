"""Billing-calendar charges: a fee that lands on every 1st (or every month end) is found with its amount, taken
out of the history and put on the days ahead it will land on; one-off or changing charges are not."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pytest
from finops_orchestrator.analysis import calendar_charges

FIRST = date(2026, 5, 1)
DAYS = 200


def _usage(seed: int = 1) -> np.ndarray:
    rng = np.random.default_rng(seed)
    weekend = np.array([(FIRST + timedelta(days=i)).weekday() >= 5 for i in range(DAYS)])
    return np.where(weekend, 600.0, 1000.0) * rng.normal(1, 0.02, DAYS)


def _on(anchor: calendar_charges.Anchor) -> np.ndarray:
    return np.array([calendar_charges.anchor_of(FIRST + timedelta(days=i)) == anchor for i in range(DAYS)])


def test_a_fee_on_every_first_of_the_month_is_a_known_amount_on_the_next_first() -> None:
    usage = _usage()
    charges = calendar_charges.find(usage + 3650 * _on("first_of_month"), FIRST)
    assert charges.amounts["first_of_month"] == pytest.approx(3650, abs=60)
    assert "month_end" not in charges.amounts
    # Taken out of the history: what is left is the usage (within the noise of its same-weekday neighbours).
    left = usage + 3650 * _on("first_of_month") - charges.removed
    assert np.abs(left - usage).max() < 100
    ahead = charges.ahead(FIRST + timedelta(days=DAYS), 40)  # 2026-11-17 onwards: the 1st is 14 days ahead
    assert np.flatnonzero(ahead).tolist() == [14]
    assert ahead[14] == charges.amounts["first_of_month"]


def test_a_credit_at_every_month_end_is_found_with_its_sign() -> None:
    charges = calendar_charges.find(_usage() - 150 * _on("month_end"), FIRST)
    assert charges.amounts == {"month_end": pytest.approx(-150, abs=40)}


def test_a_one_off_charge_and_a_fee_that_changed_are_not_known_amounts() -> None:
    once = _usage() + 3650 * (np.arange(DAYS) == 153)  # only 2026-10-01
    assert calendar_charges.find(once, FIRST).amounts == {}
    months = np.cumsum(_on("first_of_month"))
    changed = _usage() + np.where(_on("first_of_month"), 1000.0 * months, 0.0)  # 1000, 2000, ... 7000
    assert calendar_charges.find(changed, FIRST).amounts == {}

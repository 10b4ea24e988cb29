"""Tag coverage and showback: how much cost carries a tag key, what each value costs, and who is untagged.

Exact amounts per currency from the store's line items (a tag is on the line item or not); currencies are
never added together.
"""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import date
from decimal import Decimal

from finops_core.breakdown import Cell
from finops_core.errors import InvalidInput
from finops_core.models import METRIC_MEANING, CostMetric, CostQuery, Dimension
from finops_core.money import Amount
from finops_core.reading import CostReader
from pydantic import BaseModel, Field

OTHER = "(other)"
_ZERO = Decimal(0)
# Keys as the clouds allow them (AWS is the widest: letters, digits, spaces and _ . : / = + - @), without control
# characters or quotes that would only be a typo here.
_TAG_KEY = re.compile(r"[\w .:/=+\-@]{1,128}")


class Coverage(BaseModel):
    provider: str
    currency: str
    total: Amount
    tagged: Amount
    untagged: Amount
    untagged_percent: float | None = Field(description="untagged / total in percent; null when total is 0.")


class Share(BaseModel):
    value: str | None = Field(description="The tag value (showback) or the untagged group; null = untagged/not set.")
    currency: str
    cost: Amount


class TagCoverage(BaseModel):
    tag_key: str
    start: date
    end: date = Field(description="Exclusive.")
    metric: CostMetric
    metric_meaning: str
    coverage: list[Coverage] = Field(description="Per provider and currency.")
    showback: list[Share] = Field(description="Cost per tag value, per currency, largest first; null = untagged.")
    untagged_by_service: list[Share] = Field(description="Services with the most untagged cost.")
    untagged_by_account: list[Share] = Field(description="Sub-accounts with the most untagged cost.")
    source: str
    is_demo: bool
    note: str


def tag_coverage(
    reader: CostReader,
    *,
    tag_key: str,
    start: date,
    end: date,
    metric: CostMetric = "effective",
    providers: tuple[str, ...] = (),
    top_n: int = 10,
    source: str = "local store",
    is_demo: bool = False,
) -> TagCoverage:
    key = tag_key.strip()
    if not _TAG_KEY.fullmatch(key):
        raise InvalidInput(
            f"{tag_key!r} is not a tag key: use 1-128 letters, digits, spaces or _ . : / = + - @ (e.g. team, "
            "cost-center)."
        )
    filters: dict[Dimension, tuple[str, ...]] = {"provider": providers} if providers else {}

    def cells(*group_by: Dimension) -> list[Cell]:
        query = CostQuery(start=start, end=end, metric=metric, group_by=group_by, tag_key=key, filters=filters)
        return reader.cost_cells(query)

    by_provider: dict[tuple[str, str], list[Decimal]] = defaultdict(lambda: [_ZERO, _ZERO])  # [tagged, untagged]
    for cell in cells("provider"):
        provider, value = cell.group
        by_provider[(provider or "", cell.currency)][value is None] += cell.amount
    coverage = [
        Coverage(
            provider=provider,
            currency=currency,
            total=tagged + untagged,
            tagged=tagged,
            untagged=untagged,
            untagged_percent=None if tagged + untagged == 0 else float(round(untagged / (tagged + untagged) * 100, 1)),
        )
        for (provider, currency), (tagged, untagged) in sorted(by_provider.items())
    ]
    showback = _top([(c.group[0], c.currency, c.amount) for c in cells()], top_n)
    untagged_services = _top(
        [(c.group[0], c.currency, c.amount) for c in cells("service") if c.group[1] is None], top_n
    )
    untagged_accounts = _top(
        [(c.group[0], c.currency, c.amount) for c in cells("sub_account") if c.group[1] is None], top_n
    )
    note = (
        f"Cost with and without the tag {key!r} from {start} to {end} (end exclusive), per currency. Showback lists "
        f"the top {top_n} values per currency, the rest as '(other)'."
    )
    if not coverage:
        note = f"No cost data from {start} to {end}; widen the period or load data first."
    elif all(c.tagged == 0 for c in coverage):
        note += f" No line item carries {key!r}: check the key's spelling and case (tags are case-sensitive)."
    return TagCoverage(
        tag_key=key,
        start=start,
        end=end,
        metric=metric,
        metric_meaning=METRIC_MEANING[metric],
        coverage=coverage,
        showback=showback,
        untagged_by_service=untagged_services,
        untagged_by_account=untagged_accounts,
        source=source,
        is_demo=is_demo,
        note=note,
    )


def _top(rows: list[tuple[str | None, str, Decimal]], keep: int) -> list[Share]:
    """Per currency, the ``keep`` largest values and the rest folded into ``(other)``; exact sums."""
    sums: dict[str, dict[str | None, Decimal]] = defaultdict(lambda: defaultdict(lambda: _ZERO))
    for value, currency, amount in rows:
        sums[currency][value] += amount
    out: list[Share] = []
    for currency in sorted(sums):
        ordered = sorted(sums[currency].items(), key=lambda kv: (-kv[1], kv[0] or ""))
        out += [Share(value=v, currency=currency, cost=a) for v, a in ordered[:keep]]
        if rest := ordered[keep:]:
            out.append(Share(value=OTHER, currency=currency, cost=sum((a for _, a in rest), _ZERO)))
    return out

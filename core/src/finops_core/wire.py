"""The wire contract between the orchestrator and a remote per-cloud server: what both sides must agree on.

A per-cloud server (``server.build_server``) publishes these; the orchestrator's ``RemoteProvider`` sends and
validates them. Changing one here changes both sides at once, which is the point: they are one contract.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Final

from pydantic import BaseModel, Field

from finops_core.focus import CostLineItem
from finops_core.models import Dimension

DAILY_COSTS_MAX_DAYS: Final = 31
"""The most days one ``<cloud>_daily_costs`` call answers; a longer range is asked for in pieces."""

RESOURCES_LIMIT: Final = 500
"""The most resources one ``<cloud>_list_resources`` call lists (its ``limit``): what a sync or a check asks for."""

RECOMMENDATIONS_LIMIT: Final = 500
"""The most recommendations one ``<cloud>_list_recommendations`` call lists (its ``limit``)."""

COST_FILTER_ARGUMENTS: Final[dict[Dimension, str]] = {
    "provider": "providers",
    "service": "services",
    "sub_account": "accounts",
    "region": "regions",
}
"""The dimensions a ``<cloud>_cost_query`` call filters on, and the argument that carries each one's values."""


class DailyCosts(BaseModel):
    """Daily cost rows in FOCUS columns, for loading into a store (``finops sync``)."""

    provider: str
    start: date
    end: date
    items: list[CostLineItem]
    is_demo: bool
    cached: bool | None = Field(default=None, description="From the cache of paid calls; null: no paid call.")
    cached_at: datetime | None = None

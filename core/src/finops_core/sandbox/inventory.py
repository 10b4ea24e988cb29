"""The demo company's resources: a few healthy ones, and the waste a FinOps review finds.

Each cloud has an idle instance, an oversized one, a stopped one, an unattached disk, an unassociated
IP and an orphaned snapshot; the rows are data, in inventory.toml. ``SandboxResource`` is mutable: sandbox
remediation changes it.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from pydantic import ConfigDict, TypeAdapter, with_config

from finops_core.models import ResourceState
from finops_core.package_data import read_toml
from finops_core.provider import ResourceType


@with_config(ConfigDict(extra="forbid"))  # inventory.toml's rows are validated into it: an unknown key is a typo
@dataclass
class SandboxResource:
    resource_id: str
    name: str
    resource_type: ResourceType
    native_type: str
    account_id: str
    region: str
    state: ResourceState
    size: str
    monthly_cost: Decimal
    age_days: int
    tags: dict[str, str] = field(default_factory=lambda: dict[str, str]())
    cpu_percent_14d: float | None = None
    rightsize_to: str | None = None  # the size a rightsizing review would pick
    rightsized_cost: Decimal | None = None
    stopped_cost: Decimal | None = None  # what it still costs stopped (its disks)
    attached_to: str | None = None
    source_volume: str | None = None  # for snapshots: the volume it was taken from

    def created_at(self, as_of: date) -> datetime:
        day = as_of - timedelta(days=self.age_days)
        return datetime(day.year, day.month, day.day, 9, 30, tzinfo=UTC)


# Each cloud's rows (inventory.toml), read once; the functions below hand out copies, since remediation changes them.
_INVENTORY = read_toml(
    "finops_core.sandbox", "inventory.toml", TypeAdapter(dict[str, list[SandboxResource]]).validate_python
)


def resources(cloud: str) -> list[SandboxResource]:
    """A fresh copy of ``cloud``'s demo inventory."""
    return copy.deepcopy(_INVENTORY[cloud])


def aws_resources() -> list[SandboxResource]:
    """A fresh copy of AWS's demo inventory."""
    return resources("aws")


def azure_resources() -> list[SandboxResource]:
    """A fresh copy of Azure's demo inventory."""
    return resources("azure")


def gcp_resources() -> list[SandboxResource]:
    """A fresh copy of Google Cloud's demo inventory."""
    return resources("gcp")

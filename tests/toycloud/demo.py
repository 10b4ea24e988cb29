"""The toy cloud's part of the demo company: two projects, three services, a small inventory with waste."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from finops_core.sandbox.company import CloudSpec, Series
from finops_core.sandbox.inventory import SandboxResource

_APP, _LAB = "toy-app", "toy-lab"


def resources() -> list[SandboxResource]:
    """A fresh copy of the toy inventory: a busy machine, an idle one, a loose disk and a protected idle machine."""
    forgotten = SandboxResource(
        "toy://lab/machines/forgotten",
        "forgotten",
        "instance",
        "toy.Machine",
        _LAB,
        "toy-north",
        "running",
        "t.xlarge",
        Decimal("240.00"),
        500,
        {"team": "lab"},
        0.5,
        stopped_cost=Decimal("10.00"),
    )
    # The forgotten machine's twin, protected by its tag: remediation must leave it alone.
    keep = replace(
        forgotten,
        resource_id="toy://lab/machines/keep",
        name="keep",
        tags={"team": "lab", "finops.protect": "true"},
        cpu_percent_14d=0.7,
    )
    return [
        SandboxResource(
            "toy://app/machines/web",
            "web",
            "instance",
            "toy.Machine",
            _APP,
            "toy-north",
            "running",
            "t.large",
            Decimal("120.00"),
            300,
            {"team": "web", "env": "prod"},
            55.0,
            stopped_cost=Decimal("5.00"),
        ),
        forgotten,
        SandboxResource(
            "toy://lab/disks/loose",
            "loose",
            "volume",
            "toy.Disk",
            _LAB,
            "toy-north",
            "unattached",
            "500 GB",
            Decimal("20.00"),
            200,
            {"team": "lab"},
        ),
        keep,
    ]


TOY = CloudSpec(
    cloud="toy",
    provider_name="Toy Cloud Inc.",
    billing_account_id="toy-billing-1",
    billing_account_name="Northwind on Toy",
    currency="USD",
    sub_account_type="Project",
    services={"Toy Machines": ("Compute", "Virtual Machines"), "Toy Disks": ("Storage", "Block Storage")},
    resources=resources,
    commitment_savings=Decimal("30.00"),
    series=(
        Series(_APP, _APP, "Toy Machines", "Compute", "toy-north", 40, tags={"team": "web", "env": "prod"}),
        Series(_APP, _APP, "Toy Disks", "Storage", "toy-north", 6, weekday_heavy=False, tags={"team": "web"}),
        Series(_LAB, _LAB, "Toy Machines", "Compute", "toy-north", 15, tags={"team": "lab"}),
    ),
)

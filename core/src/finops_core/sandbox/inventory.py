"""The demo company's resources: a few healthy ones, and the waste a FinOps review finds.

Each cloud has an idle instance, an oversized one, a stopped one, an unattached disk, an unassociated
IP and an orphaned snapshot. ``SandboxResource`` is mutable: sandbox remediation changes it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from finops_core.models import ResourceState
from finops_core.provider import ResourceType


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


d = Decimal
_R = SandboxResource  # a short alias keeps the tables readable


def aws_resources() -> list[SandboxResource]:
    """A fresh copy of AWS's demo inventory."""
    prod, data, stage = "210987654321", "345678901234", "456789012345"
    return [
        _R(
            "i-0a1b2c3d4e5f60718",
            "web-1",
            "instance",
            "AWS::EC2::Instance",
            prod,
            "us-east-1",
            "running",
            "m5.xlarge",
            d("140.16"),
            410,
            {"team": "web", "env": "prod"},
            41.0,
            stopped_cost=d("8.00"),
        ),
        _R(
            "i-0b2c3d4e5f6071829",
            "batch-legacy",
            "instance",
            "AWS::EC2::Instance",
            data,
            "us-east-1",
            "running",
            "m5.2xlarge",
            d("280.32"),
            620,
            {"team": "data"},
            0.8,
            stopped_cost=d("16.00"),
        ),
        _R(
            "i-0c3d4e5f607182930",
            "analytics-1",
            "instance",
            "AWS::EC2::Instance",
            data,
            "us-east-1",
            "running",
            "r5.4xlarge",
            d("735.84"),
            300,
            {"team": "data", "env": "prod"},
            7.5,
            rightsize_to="r5.xlarge",
            rightsized_cost=d("183.96"),
            stopped_cost=d("20.00"),
        ),
        _R(
            "i-0d4e5f60718293a41",
            "build-old",
            "instance",
            "AWS::EC2::Instance",
            stage,
            "us-east-1",
            "stopped",
            "c5.large",
            d("24.00"),
            800,
            {},
            None,
            stopped_cost=d("24.00"),
        ),
        _R(
            "vol-0e5f60718293a4b52",
            "data-scratch",
            "volume",
            "AWS::EC2::Volume",
            data,
            "us-east-1",
            "unattached",
            "gp2 500 GiB",
            d("50.00"),
            210,
            {"team": "data"},
        ),
        _R(
            "vol-0f60718293a4b5c63",
            "web-1-root",
            "volume",
            "AWS::EC2::Volume",
            prod,
            "us-east-1",
            "in-use",
            "gp3 100 GiB",
            d("8.00"),
            410,
            {"team": "web", "env": "prod"},
            attached_to="i-0a1b2c3d4e5f60718",
        ),
        _R(
            "snap-0718293a4b5c6d74",
            "pre-migration-2023",
            "snapshot",
            "AWS::EC2::Snapshot",
            prod,
            "us-east-1",
            "available",
            "250 GiB",
            d("12.50"),
            700,
            {},
            source_volume="vol-0deadbeef0000001",
        ),
        _R(
            "eipalloc-08293a4b5c6d7e85",
            "old-bastion-ip",
            "ip",
            "AWS::EC2::EIP",
            stage,
            "us-east-1",
            "unattached",
            "IPv4",
            d("3.65"),
            500,
            {},
        ),
        _R(
            "nat-093a4b5c6d7e8f96",
            "staging-nat",
            "nat_gateway",
            "AWS::EC2::NatGateway",
            stage,
            "us-east-1",
            "available",
            "NAT gateway",
            d("32.85"),
            450,
            {"env": "staging"},
        ),
    ]


def azure_resources() -> list[SandboxResource]:
    """A fresh copy of Azure's demo inventory."""
    sub = "/subscriptions/6f1c2a7e-41b3-4c8e-9d2f-0a5b7c9e1d34/resourceGroups"
    prod, dev = "6f1c2a7e-41b3-4c8e-9d2f-0a5b7c9e1d34", "b3e8d5c1-7a92-4f06-8e1d-2c4a6b8f0e57"
    dev_sub = f"/subscriptions/{dev}/resourceGroups"
    return [
        _R(
            f"{sub}/rg-web/providers/Microsoft.Compute/virtualMachines/vm-web-01",
            "vm-web-01",
            "instance",
            "Microsoft.Compute/virtualMachines",
            prod,
            "westeurope",
            "running",
            "Standard_D4s_v5",
            d("155.49"),
            380,
            {"team": "web", "env": "prod"},
            36.0,
            stopped_cost=d("17.92"),
        ),
        _R(
            f"{dev_sub}/rg-etl/providers/Microsoft.Compute/virtualMachines/vm-etl-02",
            "vm-etl-02",
            "instance",
            "Microsoft.Compute/virtualMachines",
            dev,
            "westeurope",
            "running",
            "Standard_D8s_v5",
            d("310.98"),
            540,
            {"team": "data"},
            1.1,
            stopped_cost=d("35.84"),
        ),
        _R(
            f"{sub}/rg-bi/providers/Microsoft.Compute/virtualMachines/vm-report",
            "vm-report",
            "instance",
            "Microsoft.Compute/virtualMachines",
            prod,
            "westeurope",
            "running",
            "Standard_E16s_v5",
            d("812.54"),
            260,
            {"team": "bi", "env": "prod"},
            6.0,
            rightsize_to="Standard_E4s_v5",
            rightsized_cost=d("203.13"),
            stopped_cost=d("35.84"),
        ),
        _R(
            f"{dev_sub}/rg-old/providers/Microsoft.Compute/virtualMachines/vm-old-jump",
            "vm-old-jump",
            "instance",
            "Microsoft.Compute/virtualMachines",
            dev,
            "westeurope",
            "stopped",
            "Standard_B2s",
            d("17.92"),
            900,
            {},
            stopped_cost=d("17.92"),
        ),
        _R(
            f"{dev_sub}/rg-old/providers/Microsoft.Compute/disks/disk-archive-01",
            "disk-archive-01",
            "volume",
            "Microsoft.Compute/disks",
            dev,
            "westeurope",
            "unattached",
            "Premium_LRS P30 1 TiB",
            d("122.88"),
            400,
            {"team": "data"},
        ),
        _R(
            f"{sub}/rg-web/providers/Microsoft.Compute/snapshots/snap-web-2022",
            "snap-web-2022",
            "snapshot",
            "Microsoft.Compute/snapshots",
            prod,
            "westeurope",
            "available",
            "128 GiB",
            d("6.40"),
            1000,
            {},
            source_volume=f"{sub}/rg-web/providers/Microsoft.Compute/disks/deleted-disk",
        ),
        _R(
            f"{dev_sub}/rg-old/providers/Microsoft.Network/publicIPAddresses/pip-old-gw",
            "pip-old-gw",
            "ip",
            "Microsoft.Network/publicIPAddresses",
            dev,
            "westeurope",
            "unattached",
            "Standard IPv4",
            d("3.29"),
            700,
            {},
        ),
    ]


def gcp_resources() -> list[SandboxResource]:
    """A fresh copy of Google Cloud's demo inventory."""
    proj, data = "northwind-prod-412", "northwind-data-178"
    base = "//compute.googleapis.com/projects"
    return [
        _R(
            f"{base}/{proj}/zones/us-central1-a/instances/web-a",
            "web-a",
            "instance",
            "compute.Instance",
            proj,
            "us-central1",
            "running",
            "n2-standard-4",
            d("141.79"),
            350,
            {"team": "web", "env": "prod"},
            44.0,
            stopped_cost=d("10.00"),
        ),
        _R(
            f"{base}/{data}/zones/us-central1-b/instances/etl-worker-old",
            "etl-worker-old",
            "instance",
            "compute.Instance",
            data,
            "us-central1",
            "running",
            "n2-standard-8",
            d("283.58"),
            480,
            {"team": "data"},
            1.5,
            stopped_cost=d("20.00"),
        ),
        _R(
            f"{base}/{data}/zones/us-central1-b/instances/notebook-big",
            "notebook-big",
            "instance",
            "compute.Instance",
            data,
            "us-central1",
            "running",
            "n2-highmem-16",
            d("765.12"),
            200,
            {"team": "data", "env": "prod"},
            5.0,
            rightsize_to="n2-highmem-4",
            rightsized_cost=d("191.28"),
            stopped_cost=d("40.00"),
        ),
        _R(
            f"{base}/{proj}/zones/us-central1-a/instances/old-ci",
            "old-ci",
            "instance",
            "compute.Instance",
            proj,
            "us-central1",
            "stopped",
            "e2-standard-2",
            d("10.00"),
            750,
            {},
            stopped_cost=d("10.00"),
        ),
        _R(
            f"{base}/{data}/zones/us-central1-b/disks/scratch-ssd",
            "scratch-ssd",
            "volume",
            "compute.Disk",
            data,
            "us-central1",
            "unattached",
            "pd-ssd 500 GB",
            d("85.00"),
            300,
            {"team": "data"},
        ),
        _R(
            f"{base}/{proj}/global/snapshots/web-a-2023",
            "web-a-2023",
            "snapshot",
            "compute.Snapshot",
            proj,
            "us-central1",
            "available",
            "200 GB",
            d("5.20"),
            650,
            {},
            source_volume=f"{base}/{proj}/zones/us-central1-a/disks/web-a-old",
        ),
        _R(
            f"{base}/{proj}/regions/us-central1/addresses/old-lb-ip",
            "old-lb-ip",
            "ip",
            "compute.Address",
            proj,
            "us-central1",
            "unattached",
            "static external IPv4",
            d("7.30"),
            540,
            {},
        ),
    ]

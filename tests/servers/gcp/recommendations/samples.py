"""Recommendations as the Recommender API sends them, one per cost recommender we read."""

from __future__ import annotations

from typing import Any

from tests.fakes.gcp.recommender import recommendation

P = "finops-demo-web"
ZONE = "us-central1-a"
REGION = "us-central1"
VM = f"//compute.googleapis.com/projects/{P}/zones/{ZONE}/instances/web-1"
DISK = f"//compute.googleapis.com/projects/{P}/zones/{ZONE}/disks/old-data"
ADDRESS = f"//compute.googleapis.com/projects/{P}/regions/{REGION}/addresses/spare-ip"


def parent(recommender: str, location: str = ZONE, project: str = P) -> str:
    return f"projects/{project}/locations/{location}/recommenders/{recommender}"


IDLE_VM = "google.compute.instance.IdleResourceRecommender"
MACHINE_TYPE = "google.compute.instance.MachineTypeRecommender"
IDLE_DISK = "google.compute.disk.IdleResourceRecommender"
IDLE_ADDRESS = "google.compute.address.IdleResourceRecommender"
IDLE_IMAGE = "google.compute.image.IdleResourceRecommender"
CUD = "google.compute.commitment.UsageCommitmentRecommender"
SQL_IDLE = "google.cloudsql.instance.IdleRecommender"
SQL_OVER = "google.cloudsql.instance.OverprovisionedRecommender"
RUN = "google.run.service.CostRecommender"


def op(action: str, resource: str, resource_type: str, path: str = "/", **extra: Any) -> dict[str, Any]:
    return {"action": action, "resource": resource, "resourceType": resource_type, "path": path, **extra}


def idle_vm(cost: str = "-42.5", **kw: Any) -> dict[str, Any]:
    return recommendation(
        parent(IDLE_VM),
        "vm1",
        cost=cost,
        subtype="STOP_VM",
        description="Save cost by stopping Idle VM 'web-1'.",
        operations=[
            op("test", VM, "compute.googleapis.com/Instance", "/status", value="RUNNING"),
            op("replace", VM, "compute.googleapis.com/Instance", "/status", value="TERMINATED"),
        ],
        **kw,
    )


def machine_type(cost: str = "-73.04") -> dict[str, Any]:
    return recommendation(
        parent(MACHINE_TYPE),
        "mt1",
        cost=cost,
        subtype="CHANGE_MACHINE_TYPE",
        description="Save cost by changing machine type from n1-standard-4 to e2-standard-2.",
        operations=[
            op(
                "test",
                VM,
                "compute.googleapis.com/Instance",
                "/machineType",
                valueMatcher={"matchesPattern": f".*zones/{ZONE}/machineTypes/n1-standard-4"},
            ),
            op(
                "replace",
                VM,
                "compute.googleapis.com/Instance",
                "/machineType",
                value=f"zones/{ZONE}/machineTypes/e2-standard-2",
            ),
        ],
    )


def idle_disk(cost: str = "-8.000000001") -> dict[str, Any]:
    snapshot = f"//compute.googleapis.com/projects/{P}/global/snapshots/$snapshot-name"
    return recommendation(
        parent(IDLE_DISK),
        "d1",
        cost=cost,
        subtype="SNAPSHOT_AND_DELETE_DISK",
        description="Save cost by snapshotting and then deleting idle persistent disk 'old-data'.",
        operations=[
            op("add", snapshot, "compute.googleapis.com/Snapshot", value={"sourceDisk": DISK}),
            op("remove", DISK, "compute.googleapis.com/Disk"),
        ],
    )


def idle_address(cost: str = "-7.3") -> dict[str, Any]:
    return recommendation(
        parent(IDLE_ADDRESS, REGION),
        "a1",
        cost=cost,
        subtype="DELETE_ADDRESS",
        description="Save cost by deleting idle address 'spare-ip'.",
        operations=[op("remove", ADDRESS, "compute.googleapis.com/Address")],
    )

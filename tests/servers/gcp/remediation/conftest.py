"""Compute Engine state for remediation tests (``ops``), and the full names actions use."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest
from finops_gcp.context import GcpContext

from tests.fakes.gcp.compute_ops import ComputeOps
from tests.fakes.gcp.google_api import GoogleFake
from tests.servers.gcp.conftest import PROJECTS

P = PROJECTS[0]
ZONE = "us-central1-a"
REGION = "us-central1"
FULL = "//compute.googleapis.com/projects"


def instance_id(name: str, project: str = P, zone: str = ZONE) -> str:
    return f"{FULL}/{project}/zones/{zone}/instances/{name}"


def disk_id(name: str, project: str = P, zone: str = ZONE) -> str:
    return f"{FULL}/{project}/zones/{zone}/disks/{name}"


def address_id(name: str, region: str | None = REGION, project: str = P) -> str:
    scope = f"regions/{region}" if region else "global"
    return f"{FULL}/{project}/{scope}/addresses/{name}"


def snapshot_id(name: str, project: str = P) -> str:
    return f"{FULL}/{project}/global/snapshots/{name}"


def world(ops: ComputeOps) -> tuple[Any, ...]:
    """Everything a remediation could change, to compare before and after a plan."""
    return copy.deepcopy((ops.instances, ops.disks, ops.addresses, ops.snapshots, len(ops.operations)))


@pytest.fixture
def ops(google: GoogleFake) -> ComputeOps:
    return ComputeOps(google)


@pytest.fixture
def ctx(gcp_context: Callable[..., GcpContext]) -> GcpContext:
    """A ``GcpContext`` over the emulator, with the default settings."""
    return gcp_context()

"""``finops-aws`` as a user runs it: a subprocess over stdio, driven by the MCP Inspector CLI (an outside client),
against the moto server. Without credentials: ``tests/servers/test_end_to_end.py``, as for every cloud."""

from __future__ import annotations

import json
from pathlib import Path

import boto3
import pytest

from tests.commands import BIN, cloud_env, inspect
from tests.servers.aws.conftest import ACCESS_KEY, SECRET_KEY

pytestmark = pytest.mark.slow


def _aws_env(home: Path, **extra: str) -> dict[str, str]:
    return cloud_env(home, ("AWS_",), **extra)


def aws_inspect(env: dict[str, str], *args: str) -> dict[str, object]:
    return inspect([str(BIN / "finops-aws")], env, *args)


def test_against_moto_it_lists_resources_and_answers_over_stdio(home: Path, moto: str) -> None:
    ec2 = boto3.client(
        "ec2",
        region_name="us-east-1",
        endpoint_url=moto,
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
    )
    volume = ec2.create_volume(AvailabilityZone="us-east-1a", Size=100, VolumeType="gp3")["VolumeId"]
    env = _aws_env(
        home,
        AWS_ACCESS_KEY_ID=ACCESS_KEY,
        AWS_SECRET_ACCESS_KEY=SECRET_KEY,
        AWS_REGION="us-east-1",
        AWS_ENDPOINT_URL=moto,
        FINOPS_AWS__REGIONS="us-east-1",
        FINOPS_AWS__MAX_ATTEMPTS="1",
    )
    info = aws_inspect(env, "--method", "tools/call", "--tool-name", "aws_provider_info")
    assert info.get("isError") in (None, False), info
    assert info["structuredContent"]["accounts"] == ["123456789012"]  # type: ignore[index]
    listed = aws_inspect(
        env, "--method", "tools/call", "--tool-name", "aws_list_resources", "--tool-arg", "resource_type=volume"
    )
    ids = [r["resource_id"] for r in listed["structuredContent"]["resources"]]  # type: ignore[index]
    assert ids == [volume]
    assert ACCESS_KEY not in json.dumps(listed)
    assert SECRET_KEY not in json.dumps(listed)

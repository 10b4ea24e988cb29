"""The AWS emulators: a moto server for the session (reset before each test) and a fresh ``AwsJsonFake``.

``aws_context(...)`` builds the adapter's ``AwsContext`` with boto3 clients pointed at them, with fixed test
credentials and no retries against moto (DESIGN.md), so a test reads like a user's call.
"""

from __future__ import annotations

import functools
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from finops_aws.clients import AwsClients
from finops_aws.context import AwsContext
from finops_aws.settings import AwsSettings
from moto.server import ThreadedMotoServer

from tests.credentials import AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY
from tests.fakes.aws.json_service import AwsJsonFake
from tests.fakes.aws.shapes import answer_problems
from tests.servers.contexts import contexts

ACCESS_KEY = AWS_ACCESS_KEY_ID
SECRET_KEY = AWS_SECRET_ACCESS_KEY
# Services moto serves; the rest go to AwsJsonFake.
MOTO_SERVICES = ("sts", "ec2", "elbv2", "rds", "s3", "cloudwatch", "athena", "budgets", "organizations", "iam")
FAKE_SERVICES = ("ce", "compute-optimizer", "cost-optimization-hub", "pricing")


@pytest.fixture(scope="session")
def moto_url() -> Iterator[str]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


@pytest.fixture
def moto(moto_url: str) -> str:
    """The moto server's URL, with every service's state emptied."""
    urllib.request.urlopen(urllib.request.Request(f"{moto_url}/moto-api/reset", method="POST"))
    return moto_url


@pytest.fixture
def fake() -> Iterator[AwsJsonFake]:
    """The JSON fake; after the test, every answer it gave must match botocore's model of its operation."""
    with AwsJsonFake() as emulator:
        yield emulator
    problems = answer_problems(emulator.answers)
    assert not problems, "The AWS fake answered what AWS never would:\n  " + "\n  ".join(problems)


@functools.cache
def fixed_session(region: str = "us-east-1") -> boto3.Session:
    """One session per region for the whole run: a new one reloads botocore's service models (about 1 s)."""
    return boto3.Session(aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY, region_name=region)


def endpoints(moto: str, fake: AwsJsonFake | None) -> dict[str, str]:
    urls: dict[str, str] = dict.fromkeys(MOTO_SERVICES, moto)
    if fake is not None:
        urls.update(dict.fromkeys(FAKE_SERVICES, fake.url))
    return urls


@pytest.fixture
def aws_settings(moto: str, fake: AwsJsonFake) -> Callable[..., AwsSettings]:
    """``aws_settings(**overrides)``: settings pointing every service at the emulators, no retries."""

    def make(**overrides: Any) -> AwsSettings:
        values: dict[str, Any] = {
            "regions": ["us-east-1", "eu-west-1"],
            "endpoint_urls": endpoints(moto, fake),
            "max_attempts": 1,
            **overrides,
        }
        return AwsSettings.model_validate(values)

    return make


@pytest.fixture
def aws_context(aws_settings: Callable[..., AwsSettings], tmp_path: Path) -> Callable[..., AwsContext]:
    """``aws_context(**setting_overrides)``: an ``AwsContext`` over the emulators with a store in ``tmp_path``."""
    return contexts(AwsContext, aws_settings, lambda s: AwsClients(s, fixed_session), tmp_path)

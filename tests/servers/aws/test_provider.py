"""``AwsProvider`` — what ``finops-aws`` and the orchestrator use — passes the core provider contract over the
emulators: Cost Explorer (fake, over a dataset), EC2/CloudWatch (moto), prices and recommendation APIs (fakes)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from finops_aws.provider import AwsProvider, create_provider
from finops_core.settings import Settings
from finops_core.testing.contract import CloudProviderContract

from tests.conftest import AS_OF
from tests.fakes.aws import ce_recommendations, compute_optimizer, cost_explorer, cost_optimization_hub, pricing
from tests.fakes.aws.json_service import AwsJsonFake
from tests.servers.aws.conftest import endpoints, fixed_session
from tests.servers.aws.inventory.conftest import PRICES


def aws_provider(moto: str, fake: AwsJsonFake, home: Path) -> AwsProvider:
    """A provider over the emulators, as ``finops.toml`` would configure it."""
    cost_explorer.install(fake, cost_explorer.demo_rows(AS_OF))
    cost_optimization_hub.install(fake, [])
    compute_optimizer.install(fake)
    ce_recommendations.install(fake)
    pricing.install(fake, PRICES)
    aws = {"regions": ["us-east-1", "eu-west-1"], "endpoint_urls": endpoints(moto, fake), "max_attempts": 1}
    settings = Settings.load({"FINOPS_HOME": str(home)}, overrides={"aws": aws})
    return create_provider(settings, session_factory=fixed_session, today=lambda: AS_OF)


class TestAwsProvider(CloudProviderContract):
    @pytest.fixture
    def provider(self, moto: str, fake: AwsJsonFake, home: Path) -> AwsProvider:
        ec2 = fixed_session().client("ec2", region_name="us-east-1", endpoint_url=moto)
        ec2.create_volume(AvailabilityZone="us-east-1a", Size=50, VolumeType="gp3")  # unattached: a finding to act on
        return aws_provider(moto, fake, home)

    @pytest.fixture
    def cost_period(self) -> tuple[date, date]:
        return date(2026, 10, 1), date(2026, 11, 1)

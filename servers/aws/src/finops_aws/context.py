"""What every part of the AWS adapter is handed: settings, clients, the paid-call cache, and how to run
blocking boto3 calls (in worker threads, at most ``max_concurrency`` at once) across accounts and regions."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from finops_core.cloud_context import CloudContext
from finops_core.fanout import FanOut

from finops_aws.clients import Account, AwsClients
from finops_aws.errors import aws_errors
from finops_aws.settings import AwsSettings

T = TypeVar("T")


@dataclass
class AwsContext(CloudContext[AwsSettings, AwsClients]):
    _regions: list[str] | None = None

    async def accounts(self) -> list[Account]:
        return await self.run(self.clients.accounts)

    async def regions(self) -> list[str]:
        """The configured regions; ``["all"]`` expands to every region enabled for the account."""
        if self._regions is None:
            configured = self.settings.regions
            if configured == ["all"]:
                home = await self.run(self.clients.home_region)
                ec2 = await self.run(self.clients.client, "ec2", home)

                def enabled() -> list[str]:
                    with aws_errors("listing the enabled regions (ec2:DescribeRegions)"):
                        return sorted(r["RegionName"] for r in ec2.describe_regions()["Regions"])

                self._regions = await self.run(enabled)
            else:
                self._regions = configured or [await self.run(self.clients.home_region)]
        return self._regions

    async def fan_out(
        self,
        fn: Callable[[Account, str], T],
        *,
        regions: Sequence[str] | None = None,
    ) -> FanOut[T]:
        """``fn(account, region)`` for every account and region, concurrently; failures become ``missing``.

        When every call fails the first error is raised instead (a partial answer of nothing helps nobody).
        """
        accounts = await self.accounts()
        targets = [(a, r) for a in accounts for r in (regions if regions is not None else await self.regions())]
        return await self.run_each(lambda target: fn(*target), targets, lambda t: f"{t[1]} in {t[0]}")

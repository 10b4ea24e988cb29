"""Cost Explorer answers cached in a store shared by several processes are reused only for the same caller: the
same account, principal, endpoint and partition (issue 15, item 6; the scenario: ``tests.servers.paid_cache``)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import boto3
import pytest
from finops_aws.clients import AwsClients, principal_of
from finops_aws.context import AwsContext
from finops_aws.costs import CostExplorer
from finops_aws.settings import AwsSettings
from finops_core.models import CostQuery

from tests.conftest import AS_OF
from tests.credentials import AWS_SECRET_ACCESS_KEY
from tests.fakes.aws.cost_explorer import DEMO_ACCOUNTS, CostExplorerFake, install
from tests.fakes.aws.json_service import AwsJsonFake
from tests.servers.aws.conftest import endpoints, fixed_session
from tests.servers.aws.costs.conftest import GET_COSTS, dataset
from tests.servers.paid_cache import CostProcesses, SharedCache, shared_cache

OTHER_ACCOUNT = "210987654321"


def explorer(settings: AwsSettings, session: Callable[[], boto3.Session], store: Path) -> CostExplorer:
    """A Cost Explorer as one ``finops-aws`` process builds it, over the store file ``store``."""
    clients = AwsClients(settings, session)
    return CostExplorer(AwsContext(settings, clients, shared_cache(store, "aws", clients.caller), today=lambda: AS_OF))


def assumed_session(moto: str, account: str) -> Callable[[], boto3.Session]:
    """Session credentials of a role in ``account`` (moto answers for the account a role's keys belong to)."""
    sts = fixed_session().client("sts", endpoint_url=moto)
    creds = sts.assume_role(RoleArn=f"arn:aws:iam::{account}:role/finops-reader", RoleSessionName="someone")
    keys = creds["Credentials"]
    session = boto3.Session(
        aws_access_key_id=keys["AccessKeyId"],
        aws_secret_access_key=keys["SecretAccessKey"],
        aws_session_token=keys["SessionToken"],
        region_name="us-east-1",
    )
    return lambda: session


class CostExplorerProcesses(CostProcesses):
    query = CostQuery(start=date(2026, 10, 1), end=date(2026, 11, 1), group_by=("service",))

    def __init__(self, settings: Callable[..., AwsSettings], fake: AwsJsonFake, moto: str) -> None:
        self.settings, self.fake, self.moto = settings, fake, moto
        self.reader = fixed_session

    def source(self, store: Path, credentials: Any, **settings: Any) -> CostExplorer:
        return explorer(self.settings(**settings), credentials, store)

    def strangers(self) -> dict[str, tuple[Any, Any, dict[str, Any]]]:
        return {"account": (fixed_session, assumed_session(self.moto, OTHER_ACCOUNT), {})}

    def asked(self) -> int:
        return len(self.fake.calls(GET_COSTS))


class TestCostExplorer(SharedCache):
    @pytest.fixture
    def processes(
        self, aws_settings: Callable[..., AwsSettings], ce: CostExplorerFake, fake: AwsJsonFake, moto: str
    ) -> CostExplorerProcesses:
        return CostExplorerProcesses(aws_settings, fake, moto)


@pytest.mark.anyio
async def test_another_cost_explorer_endpoint_is_asked_itself(
    aws_settings: Callable[..., AwsSettings], ce: CostExplorerFake, fake: AwsJsonFake, moto: str, tmp_path: Path
) -> None:
    store = tmp_path / "shared.sqlite"
    await explorer(aws_settings(), fixed_session, store).query_costs(CostExplorerProcesses.query)
    with AwsJsonFake() as elsewhere:
        install(elsewhere, dataset(), today=AS_OF, account_names=DEMO_ACCOUNTS)
        moved = aws_settings(endpoint_urls={**endpoints(moto, fake), "ce": elsewhere.url})
        answer = await explorer(moved, fixed_session, store).query_costs(CostExplorerProcesses.query)
        assert answer.paid_calls == 1
        assert len(elsewhere.calls(GET_COSTS)) == 1


def test_the_caller_names_account_principal_endpoint_and_partition_but_no_secret(
    aws_settings: Callable[..., AwsSettings], fake: AwsJsonFake, moto: str
) -> None:
    session = assumed_session(moto, OTHER_ACCOUNT)
    caller = AwsClients(aws_settings(), session).caller()
    assert caller.account == OTHER_ACCOUNT
    assert caller.principal == f"arn:aws:sts::{OTHER_ACCOUNT}:assumed-role/finops-reader"
    assert (caller.endpoint, caller.partition) == (fake.url, "aws/us-east-1")
    keys = session().get_credentials()
    assert keys is not None
    text = repr(caller)
    secrets = [keys.secret_key, keys.token, keys.access_key, AWS_SECRET_ACCESS_KEY]
    assert all(s and s not in text for s in secrets)


@pytest.mark.parametrize(
    ("arn", "principal"),
    [
        ("arn:aws:sts::111:assumed-role/Reader/i-0abc", "arn:aws:sts::111:assumed-role/Reader"),
        ("arn:aws-cn:sts::111:assumed-role/Reader/me@example.com", "arn:aws-cn:sts::111:assumed-role/Reader"),
        ("arn:aws:iam::111:user/ops/alice", "arn:aws:iam::111:user/ops/alice"),
        ("arn:aws:iam::111:root", "arn:aws:iam::111:root"),
    ],
)
def test_every_session_of_one_role_is_one_principal(arn: str, principal: str) -> None:
    assert principal_of(arn) == principal

"""boto3 sessions and clients: one per account, region and service, made on first use and reused.

Nothing here runs at import or at server start, so the server starts and lists its tools without
credentials; the first call that needs AWS finds them (boto3's standard chain, or ``profile`` in [aws]).
Each member account of ``role_arns`` is reached by assuming its role; its credentials are renewed before
they expire. boto3 is imported on first use (about a second), not when the server starts.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from finops_core.lazy import Lazy
from finops_core.paid import Caller

from finops_aws.errors import aws_errors
from finops_aws.partitions import AWS, Partition, account_of_arn, partition_of, partition_of_arn
from finops_aws.settings import AwsSettings

if TYPE_CHECKING:
    import boto3
    from botocore.client import BaseClient

# Assumed-role credentials are renewed when they have less than this left.
RENEW_BEFORE = timedelta(minutes=10)


class RetryDeadline:
    """Ends a call's retries once ``seconds`` have passed since the call began.

    botocore bounds attempts, not time: each attempt may take connect_timeout + read_timeout, and throttling
    back-off grows between them. This handler runs first on botocore's ``needs-retry`` event; its ``False``
    (the first answer that is not None) tells botocore not to retry, so a call lasts at most ``seconds``, one
    back-off wait and one last attempt. The start is stamped on the call's own context, so concurrent calls on
    one client (threads) each keep their own clock.
    """

    KEY = "finops_call_started"

    def __init__(self, seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.seconds = seconds
        self.clock = clock

    def attach(self, client: BaseClient) -> None:
        service = client.meta.service_model.service_id.hyphenize()
        client.meta.events.register(f"before-call.{service}", self._stamp)
        client.meta.events.register_first(f"needs-retry.{service}", self._expired)

    def _stamp(self, context: dict[str, Any], **_: Any) -> None:
        context[self.KEY] = self.clock()

    def _expired(self, request_dict: dict[str, Any], **_: Any) -> bool | None:
        started = (request_dict.get("context") or {}).get(self.KEY)
        if started is not None and self.clock() - started >= self.seconds:
            return False
        return None  # botocore's retry handler decides


@dataclass(frozen=True)
class Account:
    """An AWS account we act in: the credentials' own (``role_arn`` None) or one reached through a role."""

    account_id: str
    partition: Partition
    role_arn: str | None = None

    def __str__(self) -> str:
        return f"account {self.account_id}"


class AwsClients:
    """Sessions per account and cached clients. ``session_factory`` builds the base session (tests pass one
    with fixed credentials); by default it is ``boto3.Session(profile_name=settings.profile)``."""

    def __init__(self, settings: AwsSettings, session_factory: Callable[[], boto3.Session] | None = None) -> None:
        self.settings = settings
        self._lock = threading.RLock()
        self.base_session = Lazy(session_factory or self._default_session, "loading the AWS configuration", aws_errors)
        self._assumed: dict[str, tuple[boto3.Session, datetime]] = {}
        self._clients: dict[tuple[str | None, str, str], BaseClient] = {}
        self._accounts: list[Account] | None = None
        self._identity: tuple[str, str] | None = None
        self._config: Any = None

    # -- sessions --------------------------------------------------------------------------------

    def _default_session(self) -> boto3.Session:
        import boto3

        return boto3.Session(profile_name=self.settings.profile)

    def home_region(self) -> str:
        """The region for calls that need one: the first configured region, the profile's, or us-east-1."""
        configured = [r for r in self.settings.regions if r != "all"]
        return configured[0] if configured else (self.base_session().region_name or "us-east-1")

    def partition(self) -> Partition:
        return partition_of(self.home_region())

    def _session(self, account: Account | None) -> boto3.Session:
        if account is None or account.role_arn is None:
            return self.base_session()
        with self._lock:
            held = self._assumed.get(account.role_arn)
            if held is not None and held[1] - datetime.now(UTC) > RENEW_BEFORE:
                return held[0]
            session, expires = self._assume(account)
            self._assumed[account.role_arn] = (session, expires)
            self._clients = {k: v for k, v in self._clients.items() if k[0] != account.account_id}
            return session

    def _assume(self, account: Account) -> tuple[boto3.Session, datetime]:
        import boto3

        assert account.role_arn is not None
        sts = self.client("sts", self.home_region())
        request: dict[str, Any] = {"RoleArn": account.role_arn, "RoleSessionName": self.settings.role_session_name}
        if self.settings.external_id:
            request["ExternalId"] = self.settings.external_id
        with aws_errors(f"assuming {account.role_arn}"):
            creds = sts.assume_role(**request)["Credentials"]
        session = boto3.Session(
            aws_access_key_id=creds["AccessKeyId"],
            aws_secret_access_key=creds["SecretAccessKey"],
            aws_session_token=creds["SessionToken"],
            region_name=self.home_region(),
        )
        expires = creds["Expiration"]
        return session, expires if expires.tzinfo else expires.replace(tzinfo=UTC)

    # -- clients ---------------------------------------------------------------------------------

    def _client_config(self) -> Any:
        if self._config is None:
            from botocore.config import Config

            self._config = Config(
                # botocore's "max_attempts" counts retries; "total_max_attempts" counts attempts, as ours does.
                retries={"mode": "adaptive", "total_max_attempts": self.settings.max_attempts},
                connect_timeout=self.settings.connect_timeout,
                read_timeout=self.settings.read_timeout,
                max_pool_connections=max(10, self.settings.max_concurrency * 2),
                user_agent_extra="finops-mcp",
            )
        return self._config

    def client(self, service: str, region: str, account: Account | None = None) -> BaseClient:
        """A client for ``service`` in ``region`` with ``account``'s credentials (default: the base session's)."""
        key = (account.account_id if account and account.role_arn else None, service, region)
        with self._lock:
            found = self._clients.get(key)
            if found is not None and (account is None or account.role_arn is None):
                return found
            session = self._session(account)
            found = self._clients.get(key)
            if found is None:
                with aws_errors(f"creating the {service} client for {region}"):
                    found = session.client(  # pyright: ignore[reportUnknownMemberType]
                        service,  # pyright: ignore[reportArgumentType]
                        region_name=region,
                        endpoint_url=self.settings.endpoint_urls.get(service),
                        config=self._client_config(),
                    )
                RetryDeadline(self.settings.retry_seconds).attach(found)
                self._clients[key] = found
            return found

    # -- accounts --------------------------------------------------------------------------------

    def identity(self) -> tuple[str, str]:
        """The base credentials' account id and ARN (sts:GetCallerIdentity, asked once)."""
        with self._lock:
            if self._identity is None:
                sts = self.client("sts", self.home_region())
                with aws_errors("identifying the AWS account (sts:GetCallerIdentity)"):
                    identity = sts.get_caller_identity()
                self._identity = (str(identity["Account"]), str(identity.get("Arn", "")))
            return self._identity

    def caller(self) -> Caller:
        """Who asks Cost Explorer (every paid AWS call goes to it with the base credentials): their account and
        principal, the Cost Explorer endpoint and the partition's billing region."""
        account, principal = self.identity()
        partition = partition_of_arn(principal) if principal else self.partition()
        return Caller(
            account=account,
            principal=principal_of(principal),
            endpoint=self.settings.endpoint_urls.get("ce", "").rstrip("/"),
            partition=f"{partition.name}/{partition.billing_region}",
        )

    def accounts(self) -> list[Account]:
        """The credentials' own account, then each account of ``role_arns`` (once each)."""
        with self._lock:
            if self._accounts is None:
                account, arn = self.identity()
                own = Account(account, partition_of_arn(arn) or AWS)
                accounts = [own]
                for role_arn in self.settings.role_arns:
                    member = Account(account_of_arn(role_arn), partition_of_arn(role_arn), role_arn)
                    accounts = [a for a in accounts if a.account_id != member.account_id] + [member]
                self._accounts = accounts
            return self._accounts


def principal_of(arn: str) -> str:
    """The IAM principal behind a caller ARN: an assumed role's session name (an instance id, a person's SSO
    login, a random string) is dropped, since every session of one role has the same rights."""
    parts = arn.split(":", 5)
    if len(parts) == 6 and parts[2] == "sts" and parts[5].startswith("assumed-role/"):
        role = parts[5].split("/")[1]
        return ":".join([*parts[:5], f"assumed-role/{role}"])
    return arn

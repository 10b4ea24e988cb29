"""The adapter's plumbing over the emulators: clients, fan-out across regions, and error mapping."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import boto3
import pytest
from finops_aws.clients import Account, AwsClients
from finops_aws.context import AwsContext
from finops_aws.errors import aws_errors
from finops_aws.settings import AwsSettings
from finops_core.errors import AuthError, ConfigError, Throttled, Unavailable

from tests.fakes.aws.json_service import AwsJsonFake

pytestmark = pytest.mark.anyio


async def test_fan_out_answers_for_every_region_of_the_account(aws_context: Callable[..., AwsContext]) -> None:
    ctx = aws_context()

    def volumes(account: Account, region: str) -> tuple[str, str, int]:
        ec2 = ctx.clients.client("ec2", region, account)
        ec2.create_volume(AvailabilityZone=f"{region}a", Size=8)
        return account.account_id, region, len(ec2.describe_volumes()["Volumes"])

    out = await ctx.fan_out(volumes)
    assert sorted(r[1:] for r in out.results) == [("eu-west-1", 1), ("us-east-1", 1)]
    assert out.missing == []


async def test_a_region_that_fails_is_named_and_the_rest_still_answer(aws_context: Callable[..., AwsContext]) -> None:
    ctx = aws_context()

    def flaky(account: Account, region: str) -> str:
        with aws_errors(f"listing volumes in {region}"):
            if region == "eu-west-1":
                ctx.clients.client("ec2", region, account).describe_volumes(VolumeIds=["vol-missing"])
        return region

    out = await ctx.fan_out(flaky)
    assert out.results == ["us-east-1"]
    assert len(out.missing) == 1
    assert "eu-west-1" in out.missing[0]
    assert "Partial answer" in (out.note() or "")


async def test_when_every_region_fails_the_error_itself_is_raised(aws_context: Callable[..., AwsContext]) -> None:
    ctx = aws_context()

    def broken(account: Account, region: str) -> str:
        with aws_errors("listing volumes"):
            ctx.clients.client("ec2", region, account).describe_volumes(VolumeIds=["vol-missing"])
        return region

    with pytest.raises(Exception, match="Not found while listing volumes"):
        await ctx.fan_out(broken)


def test_without_credentials_the_error_says_how_to_configure_them(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    settings = AwsSettings(regions=["us-east-1"], endpoint_urls={"sts": "http://127.0.0.1:9"})
    clients = AwsClients(settings, lambda: boto3.Session(region_name="us-east-1"))
    with pytest.raises(AuthError, match="aws configure"):
        clients.accounts()


def test_throttling_is_retried_with_back_off_then_answered(fake: AwsJsonFake) -> None:
    fake.route("AWSPriceListService.DescribeServices", lambda body: {"Services": [{"ServiceCode": "AmazonEC2"}]})
    fake.fail("AWSPriceListService.DescribeServices", "throttle", times=2)
    settings = AwsSettings(endpoint_urls={"pricing": fake.url}, max_attempts=3)
    from tests.servers.aws.conftest import fixed_session

    pricing = AwsClients(settings, fixed_session).client("pricing", "us-east-1")
    with aws_errors("listing price services"):
        assert pricing.describe_services()["Services"] == [{"ServiceCode": "AmazonEC2"}]
    assert len(fake.calls("AWSPriceListService.DescribeServices")) == 3


@pytest.mark.parametrize(("kind", "error"), [("throttle", Throttled), ("error5xx", Unavailable)])
def test_faults_that_outlast_the_retries_say_what_to_do(fake: AwsJsonFake, kind: str, error: type[Exception]) -> None:
    fake.route("AWSPriceListService.DescribeServices", lambda body: {"Services": []})
    fake.fail("AWSPriceListService.DescribeServices", kind, times=5)
    settings = AwsSettings(endpoint_urls={"pricing": fake.url}, max_attempts=1)
    from tests.servers.aws.conftest import fixed_session

    pricing = AwsClients(settings, fixed_session).client("pricing", "us-east-1")
    with pytest.raises(error, match=r"(?i)try again|ask again"), aws_errors("listing price services"):
        pricing.describe_services()


def test_wrong_aws_settings_name_the_key() -> None:
    with pytest.raises(ConfigError, match=r"aws\.max_concurrency"):
        AwsSettings.from_section({"max_concurrency": 0})


def test_regions_and_roles_may_be_comma_separated_as_in_environment_variables() -> None:
    settings = AwsSettings.from_section({"regions": "us-east-1, eu-west-1", "role_arns": "arn:aws:iam::1:role/a"})
    assert settings.regions == ["us-east-1", "eu-west-1"]
    assert settings.role_arns == ["arn:aws:iam::1:role/a"]


def test_a_service_that_stops_answering_is_unavailable_once_the_read_timeout_passes(fake: AwsJsonFake) -> None:
    fake.route("AWSPriceListService.DescribeServices", lambda body: {"Services": []})
    fake.fail("AWSPriceListService.DescribeServices", "slow")
    settings = AwsSettings(endpoint_urls={"pricing": fake.url}, max_attempts=1, read_timeout=0.3)
    from tests.servers.aws.conftest import fixed_session

    pricing = AwsClients(settings, fixed_session).client("pricing", "us-east-1")
    with pytest.raises(Unavailable, match=r"Could not reach AWS.*ReadTimeout"), aws_errors("listing price services"):
        pricing.describe_services()


# -- retries: attempts counted as attempts, time capped -------------------------------------------

DESCRIBE = "AWSPriceListService.DescribeServices"


def _pricing(fake: AwsJsonFake, **settings: object) -> Any:
    from tests.servers.aws.conftest import fixed_session

    values: dict[str, object] = {"endpoint_urls": {"pricing": fake.url}, **settings}
    return AwsClients(AwsSettings.model_validate(values), fixed_session).client("pricing", "us-east-1")


@pytest.mark.parametrize("attempts", [1, 3, 5])
def test_a_server_error_is_tried_exactly_max_attempts_times_and_the_error_says_so(
    fake: AwsJsonFake, attempts: int
) -> None:
    fake.route(DESCRIBE, lambda body: {"Services": []})
    fake.fail(DESCRIBE, "error5xx", times=10)
    pricing = _pricing(fake, max_attempts=attempts)
    tries = f"after {attempts} attempts" if attempts > 1 else "on its only attempt"
    expected = f"server error while listing price services .*{tries}.*Try again"
    with pytest.raises(Unavailable, match=expected), aws_errors("listing price services"):
        pricing.describe_services()
    assert len(fake.calls(DESCRIBE)) == attempts


def test_by_default_a_call_is_tried_three_times_as_botocore_itself_does(fake: AwsJsonFake) -> None:
    fake.route(DESCRIBE, lambda body: {"Services": []})
    fake.fail(DESCRIBE, "error5xx", times=10)
    assert AwsSettings().max_attempts == 3
    with pytest.raises(Unavailable, match="after 3 attempts"), aws_errors("listing price services"):
        _pricing(fake).describe_services()
    assert len(fake.calls(DESCRIBE)) == 3


def test_no_retry_starts_once_retry_seconds_have_passed(fake: AwsJsonFake) -> None:
    import time

    fake.route(DESCRIBE, lambda body: {"Services": []})
    fake.fail(DESCRIBE, "slow", times=5)  # each attempt waits out the read timeout
    pricing = _pricing(fake, max_attempts=5, read_timeout=0.3, retry_seconds=0.2)
    began = time.monotonic()
    with pytest.raises(Unavailable, match="ReadTimeout"), aws_errors("listing price services"):
        pricing.describe_services()
    assert len(fake.calls(DESCRIBE)) == 1  # five attempts without the cap: 1.5 s
    assert time.monotonic() - began < 1.2  # an upper bound only


def test_zero_attempts_is_refused_naming_the_setting() -> None:
    with pytest.raises(ConfigError, match=r"aws\.max_attempts"):
        AwsSettings.from_section({"max_attempts": 0})


async def test_a_region_whose_service_keeps_failing_is_named_in_a_partial_answer(
    fake: AwsJsonFake, aws_context: Callable[..., AwsContext]
) -> None:
    from finops_aws.recommendations.compute_optimizer import compute_optimizer_recommendations

    from tests.fakes.aws import compute_optimizer as co
    from tests.fakes.aws.json_service import AwsFault

    findings = {"ec2": {"us-east-1": [co.ec2_instance()], "eu-west-1": [co.ec2_instance("i-2", region="eu-west-1")]}}
    co.install(fake, findings)
    for target in co.TARGETS.values():
        healthy = fake.handlers[target]

        def broken_in_ireland(body: dict[str, Any], healthy: Callable[..., dict[str, Any]] = healthy) -> dict[str, Any]:
            if fake.current_region() == "eu-west-1":
                raise AwsFault("InternalServerException", "Internal error", 500)
            return healthy(body)

        fake.route(target, broken_in_ireland)
    recs, missing = await compute_optimizer_recommendations(aws_context(max_attempts=2))
    assert [r.region for r in recs] == ["us-east-1"]
    assert len(missing) == 1
    assert "eu-west-1" in missing[0]
    assert "server error" in missing[0]
    assert "after 2 attempts" in missing[0]
    ireland = [r for r in fake.requests if r.region == "eu-west-1"]
    assert len(ireland) == 2 * len(co.TARGETS)  # every kind, each tried exactly twice


# -- endpoints: [aws] endpoint_urls over the SDK's AWS_ENDPOINT_URL* variables --------------------


def test_aws_endpoint_url_variables_reach_a_service_and_endpoint_urls_wins_over_them(
    fake: AwsJsonFake, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.servers.aws.conftest import fixed_session

    fake.route(DESCRIBE, lambda body: {"Services": [{"ServiceCode": "AmazonEC2"}]})
    closed = "http://127.0.0.1:9"  # nothing listens: a client sent there fails at once
    monkeypatch.setenv("AWS_ENDPOINT_URL", closed)
    monkeypatch.setenv("AWS_ENDPOINT_URL_PRICING", fake.url)  # the service's own variable beats the global one
    pricing = AwsClients(AwsSettings(max_attempts=1), fixed_session).client("pricing", "us-east-1")
    assert pricing.describe_services()["Services"] == [{"ServiceCode": "AmazonEC2"}]
    monkeypatch.setenv("AWS_ENDPOINT_URL_PRICING", closed)
    settings = AwsSettings(max_attempts=1, endpoint_urls={"pricing": fake.url})
    pricing = AwsClients(settings, fixed_session).client("pricing", "us-east-1")
    assert pricing.describe_services()["Services"] == [{"ServiceCode": "AmazonEC2"}]
    assert len(fake.calls(DESCRIBE)) == 2


def test_a_proxys_error_page_is_named_by_its_title_not_pasted_into_the_answer(fake: AwsJsonFake) -> None:
    fake.route(DESCRIBE, lambda body: {"Services": []})
    fake.fail(DESCRIBE, "proxy_page", times=3)
    with pytest.raises(Unavailable) as caught, aws_errors("listing price services"):
        _pricing(fake).describe_services()
    message = str(caught.value)
    assert "an HTML page (502 Bad Gateway), not an AWS answer" in message
    assert "after 3 attempts" in message
    assert "<" not in message
    assert len(message) < 400
    assert len(fake.calls(DESCRIBE)) == 3

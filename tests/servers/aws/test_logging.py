"""At DEBUG botocore logs what goes over the wire; none of the secrets in it reaches the log (issue 15, item 7)."""

from __future__ import annotations

from collections.abc import Callable

import boto3
from finops_aws.clients import AwsClients
from finops_aws.settings import AwsSettings

from tests.credentials import AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, leaked

MEMBER = "arn:aws:iam::210987654321:role/finops-reader"


def test_debug_logs_of_real_calls_with_session_credentials_carry_no_secret(
    aws_settings: Callable[..., AwsSettings], moto: str, debug_logs: Callable[[], str]
) -> None:
    session = boto3.Session(
        aws_access_key_id=AWS_ACCESS_KEY_ID,
        aws_secret_access_key=AWS_SECRET_ACCESS_KEY,
        aws_session_token=AWS_SESSION_TOKEN,
        region_name="us-east-1",
    )
    clients = AwsClients(aws_settings(role_arns=[MEMBER]), lambda: session)
    own, member = clients.accounts()  # sts:GetCallerIdentity, signed with the session token
    clients.client("sts", "us-east-1", member).get_caller_identity()  # sts:AssumeRole, then a call as the member
    sts = session.client("sts", endpoint_url=moto)
    issued = sts.assume_role(RoleArn=MEMBER, RoleSessionName="finops-test")["Credentials"]
    text = debug_logs()
    # The wire was logged: the header, the signing steps and the AssumeRole answer are there, their values not.
    assert "X-Amz-Security-Token" in text
    assert "botocore.auth" in text
    assert "<SecretAccessKey>" in text
    assert leaked(text) == []
    assert issued["SecretAccessKey"] not in text
    assert issued["SessionToken"] not in text
    assert own.account_id != member.account_id

"""The one place AWS SDK exceptions become finops errors.

Every boto3 call runs inside ``aws_errors(what)``; ``what`` says what we were doing ("listing EC2 volumes in
eu-west-1 (account 111122223333)") so the message tells the user which call failed and what to do next.
Messages pass through ``redact_text``: AWS error texts never carry keys, but a misconfigured endpoint might.
"""

from __future__ import annotations

import functools
import re
from contextlib import AbstractContextManager
from typing import Any

from finops_core.errors import (
    AuthError,
    FinOpsError,
    InvalidQuery,
    NotFound,
    PermissionDenied,
    ProviderError,
    Throttled,
    Unavailable,
    translated_errors,
)
from finops_core.redact import redact_text

P = "aws"
CREDENTIALS_HINT = (
    "Configure AWS credentials the standard way: `aws configure` or `aws sso login`, AWS_PROFILE=<profile>, "
    "or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY in the server's environment (an instance or task role also works)."
)

_AUTH = {
    "ExpiredToken",
    "ExpiredTokenException",
    "InvalidClientTokenId",
    "UnrecognizedClientException",
    "AuthFailure",
    "SignatureDoesNotMatch",
    "InvalidSignatureException",
    "IncompleteSignature",
    "InvalidAccessKeyId",
    "MissingAuthenticationToken",
}
_DENIED = {
    "AccessDenied",
    "AccessDeniedException",
    "UnauthorizedOperation",
    "UnauthorizedException",
    "Forbidden",
    "OptInRequiredException",
}
_THROTTLED = {
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "RequestLimitExceeded",
    "TooManyRequestsException",
    "RequestThrottled",
    "RequestThrottledException",
    "SlowDown",
    "LimitExceededException",  # Cost Explorer's way of saying "too many requests"
    "ProvisionedThroughputExceededException",
}
_INVALID = {
    "ValidationException",
    "ValidationError",
    "InvalidParameterValue",
    "InvalidParameterCombination",
    "InvalidParameter",
    "InvalidParameterException",
    "InvalidInput",
    "InvalidRequestException",
    "DataUnavailableException",
    "BillExpirationException",
    "RequestChangedException",
    "UnresolvableUsageUnitException",
    "InvalidNextTokenException",
    "MissingParameter",
    "IncorrectState",
    "IncorrectInstanceState",
    "InvalidVolume.ZoneMismatch",
    "VolumeInUse",
    "InvalidIPAddress.InUse",
    "InvalidSnapshot.InUse",
}


def _error_code(response: dict[str, Any]) -> tuple[str, str, int]:
    error = response.get("Error") or {}
    status = int((response.get("ResponseMetadata") or {}).get("HTTPStatusCode") or 0)
    return str(error.get("Code") or ""), str(error.get("Message") or ""), status


def _attempts(response: dict[str, Any]) -> int:
    """How many times botocore sent the request: its retries (``RetryAttempts``) plus the first attempt."""
    return int((response.get("ResponseMetadata") or {}).get("RetryAttempts") or 0) + 1


def _tries(attempts: int | None) -> str:
    if attempts is None:
        return "after retries"
    return "on its only attempt (max_attempts = 1 in [aws])" if attempts == 1 else f"after {attempts} attempts"


_HTML = re.compile(r"<\s*(!doctype|html|head|body|title)\b", re.IGNORECASE)
_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)
MAX_MESSAGE = 300


def _message(message: str) -> str:
    """AWS's error message, one line and short. A web page (a proxy's, a load balancer's, an emulator's error page:
    botocore passes on any body it cannot parse) is named by its title, not pasted whole into the answer."""
    if _HTML.search(message):
        title = _TITLE.search(message)
        named = " ".join(title.group(1).split()) if title else ""
        return f"an HTML page{f' ({named[:100]})' if named else ''}, not an AWS answer: a proxy or the endpoint?"
    text = " ".join(message.split())
    return text if len(text) <= MAX_MESSAGE else text[: MAX_MESSAGE - 3] + "..."


def map_client_error(code: str, message: str, status: int, what: str, attempts: int | None = None) -> FinOpsError:
    """The finops error for an AWS error ``code`` (HTTP ``status``) met while ``what``, after ``attempts`` tries
    (None: not known)."""
    message = _message(message)
    detail = redact_text(f"{code}: {message}" if message else code)
    if code in _AUTH:
        return AuthError(f"AWS rejected the credentials while {what} ({detail}). {CREDENTIALS_HINT}", provider=P)
    if code == "OptInRequiredException":
        return PermissionDenied(
            f"{what}: the account has not opted in to this service ({detail}). Opt in from the AWS console "
            "(Compute Optimizer and Cost Optimization Hub need it), then ask again.",
            provider=P,
        )
    if code in _DENIED or status == 403:
        return PermissionDenied(
            f"The credentials may not do this: {what} ({detail}). Grant the permission listed in "
            "docs/aws-iam-policy.json to the role or user, or remove this account/region from [aws].",
            provider=P,
        )
    if code in _THROTTLED or status == 429:
        return Throttled(
            f"AWS throttled us while {what} ({detail}), {_tries(attempts)}. Wait a minute and "
            "ask again, or narrow the question (fewer regions, a shorter period).",
            provider=P,
        )
    if code.endswith((".NotFound", "NotFound", "NotFoundException")) or code in ("NoSuchBucket", "NoSuchEntity"):
        return NotFound(f"Not found while {what} ({detail}). Check the id, account and region.", provider=P)
    if status >= 500 or code in ("InternalError", "InternalFailure", "ServiceUnavailable", "InternalServerException"):
        return Unavailable(
            f"AWS had a server error while {what} ({detail}), {_tries(attempts)}. Try again in a few minutes.",
            provider=P,
        )
    if code in _INVALID or code.startswith("Invalid") or status == 400:
        return InvalidQuery(f"AWS refused the request while {what} ({detail}).", provider=P)
    return ProviderError(f"AWS failed while {what} ({detail}).", provider=P)


def aws_errors(what: str) -> AbstractContextManager[None]:
    """Run a boto3 call, turning SDK exceptions into finops errors that say what to do next."""
    return translated_errors(functools.partial(_translate, what))


def _translate(what: str, exc: Exception) -> FinOpsError | None:
    """The finops error for boto3's ``exc`` met while ``what``; None for an exception that is not the SDK's."""
    from botocore import exceptions as bx  # imported when a call fails: botocore takes ~0.5 s to import
    from botocore.parsers import ResponseParserError  # not a BotoCoreError

    if isinstance(exc, bx.ClientError):
        response: dict[str, Any] = exc.response  # pyright: ignore[reportAssignmentType]
        code, message, status = _error_code(response)
        return map_client_error(code, message, status, what, _attempts(response))
    if isinstance(exc, (bx.NoCredentialsError, bx.PartialCredentialsError, bx.ProfileNotFound)):
        return AuthError(f"No usable AWS credentials for {what}: {exc}. {CREDENTIALS_HINT}", provider=P)
    if isinstance(exc, (bx.SSOTokenLoadError, bx.UnauthorizedSSOTokenError, bx.TokenRetrievalError)):
        return AuthError(
            f"The AWS SSO session has expired or is missing ({type(exc).__name__}). Run `aws sso login`.", provider=P
        )
    if isinstance(exc, bx.NoRegionError):
        return AuthError(
            f"No AWS region is configured for {what}: set AWS_REGION or regions in [aws] of finops.toml.", provider=P
        )
    if isinstance(
        exc, (bx.EndpointConnectionError, bx.ConnectTimeoutError, bx.ReadTimeoutError, bx.ConnectionClosedError)
    ):
        return Unavailable(
            f"Could not reach AWS while {what} ({type(exc).__name__}: {redact_text(str(exc))}). Check the network, "
            "proxy or endpoint settings, then try again.",
            provider=P,
        )
    if isinstance(exc, ResponseParserError):
        return Unavailable(
            f"AWS answered with something that is not an AWS response while {what} (a proxy or firewall page, or "
            "a server error). Check the network, proxy or endpoint settings, then try again.",
            provider=P,
        )
    if isinstance(exc, bx.ParamValidationError):
        return InvalidQuery(f"Invalid request while {what}: {redact_text(str(exc))}", provider=P)
    if isinstance(exc, bx.BotoCoreError):
        return ProviderError(
            f"The AWS SDK failed while {what} ({type(exc).__name__}: {redact_text(str(exc))}).", provider=P
        )
    return None

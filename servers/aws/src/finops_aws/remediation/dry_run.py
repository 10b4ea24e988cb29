"""EC2's own dry run: the call with ``DryRun=True`` checks permissions (and, on AWS, the request) without acting.

AWS answers a dry run that would succeed with the error ``DryRunOperation``, and one the credentials may not make
with ``UnauthorizedOperation``. Any other refusal means the real call would fail too: the change is refused.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from finops_core.errors import (
    AuthError,
    FinOpsError,
    NotFound,
    PermissionDenied,
    ProviderError,
    RemediationRefused,
    Throttled,
    Unavailable,
)

from finops_aws.errors import aws_errors, map_client_error
from finops_aws.remediation.plans import Done


def dry_run_outcome(code: str, message: str, status: int, *, operation: str, what: str) -> FinOpsError | None:
    """None when an EC2 dry run of ``operation`` (e.g. ``StopInstances``) answered "would succeed"; otherwise
    the error to raise: PermissionDenied naming the IAM action to grant, or RemediationRefused with AWS's reason."""
    if code == "DryRunOperation":
        return None
    mapped = map_client_error(code, message, status, what)
    if isinstance(mapped, PermissionDenied) and code != "OptInRequiredException":
        return PermissionDenied(
            f"The credentials may not {what} (dry run: {code}). Grant ec2:{operation} to the role or user "
            "(docs/aws-iam-policy.json lists what remediation needs). Nothing was changed.",
            provider="aws",
        )
    if isinstance(mapped, AuthError | PermissionDenied | Throttled | Unavailable | NotFound):
        return mapped
    reason = f"{code}: {message}" if message else code
    return RemediationRefused(f"The dry run refused to {what} ({reason}). Nothing was changed.")


def dry_run(call: Callable[..., Any], *, operation: str, what: str, **request: Any) -> None:
    """Make ``call(DryRun=True, **request)`` and raise unless AWS says the real call would succeed."""
    from botocore.exceptions import ClientError

    with aws_errors(f"dry-running ec2:{operation} to {what}"):
        try:
            call(DryRun=True, **request)
        except ClientError as exc:
            error = exc.response.get("Error") or {}
            status = int((exc.response.get("ResponseMetadata") or {}).get("HTTPStatusCode") or 0)
            problem = dry_run_outcome(
                str(error.get("Code") or ""), str(error.get("Message") or ""), status, operation=operation, what=what
            )
            if problem is not None:
                raise problem from exc
            return
    # A dry run never succeeds outright: an endpoint that says it did is not one to trust with the real call.
    raise ProviderError(
        f"EC2 answered a dry run of {operation} without DryRunOperation; refusing to {what}. Nothing was changed.",
        provider="aws",
    )


def dry_run_step(
    call: Callable[..., Any], *, operation: str, what: str, doing: str, done: Done, **request: Any
) -> Callable[[], Done]:
    """``call(**request)`` dry-run now, and the step apply performs: the real call (its errors said as ``doing``),
    which did ``done``."""
    dry_run(call, operation=operation, what=what, **request)

    def perform() -> Done:
        with aws_errors(doing):
            call(**request)
        return done

    return perform

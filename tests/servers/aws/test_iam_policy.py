"""``docs/aws-iam-policy.json`` grants exactly what the code calls: every boto3 operation in ``finops_aws`` is in
it (read-only operations in ``ReadOnly``, changes in ``Remediation``), and it grants nothing the code never calls
beyond the few listed extras each with its reason."""

from __future__ import annotations

import ast
import json
from functools import cache
from pathlib import Path

import botocore.session
import finops_aws

from tests.conftest import REPO

POLICY = REPO / "docs" / "aws-iam-policy.json"
SOURCE = Path(finops_aws.__file__).parent
# The IAM prefix of a service, where it differs from its botocore name.
IAM_PREFIX = {"cloudwatch": "cloudwatch", "elbv2": "elasticloadbalancing"}
# Operations whose IAM action is named differently from the API operation.
IAM_ACTION = {
    "s3:ListBuckets": "s3:ListAllMyBuckets",
    "s3:GetBucketLifecycleConfiguration": "s3:GetLifecycleConfiguration",
    "s3:PutBucketLifecycleConfiguration": "s3:PutLifecycleConfiguration",
    "budgets:DescribeBudgets": "budgets:ViewBudget",
    "budgets:DescribeBudget": "budgets:ViewBudget",
}
# Operations any caller may make without a grant.
NO_GRANT_NEEDED = {"sts:GetCallerIdentity"}
# Granted but not called by name: what AWS checks on our behalf.
EXTRAS = {
    "glue:GetTable": "Athena reads the export table's definition",
    "glue:GetDatabase": "Athena reads the export database",
    "glue:GetPartitions": "Athena lists the export's partitions",
    "s3:GetObject": "Athena reads the export files and writes/reads query results",
    "s3:ListBucket": "Athena lists the export and results prefixes",
    "s3:PutObject": "Athena writes query results to the output location",
    "s3:GetBucketLocation": "Athena locates the results bucket",
    "ec2:DescribeImages": "checking a snapshot is not behind an AMI",
}
# Names in the package that match an operation of a service we use but are not calls to it.
NOT_AWS_CALLS = {"get_session"}  # botocore.session.get_session(): loads endpoint data locally
READ_VERBS = ("Describe", "Get", "List", "Search", "Lookup", "View", "BatchGet")


@cache
def _operations(service: str) -> dict[str, str]:
    model = botocore.session.get_session().get_service_model(service)
    return {botocore.xform_name(name): name for name in model.operation_names}


def _services_used() -> set[str]:
    """Every service named in ``x.client("<service>", ...)`` or ``ctx.run(x.client, "<service>", ...)``."""
    found: set[str] = set()
    for path in SOURCE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.Call):
                continue
            args = node.args
            if not (isinstance(node.func, ast.Attribute) and node.func.attr == "client"):
                at = [i for i, a in enumerate(args) if isinstance(a, ast.Attribute) and a.attr == "client"]
                args = args[at[0] + 1 :] if at else []
            if args and isinstance(args[0], ast.Constant) and isinstance(args[0].value, str):
                found.add(args[0].value)
    return found & set(botocore.session.get_session().get_available_services())


def _called_names() -> set[str]:
    """Attribute names (``x.describe_volumes``) and every string constant in the package, less names known not to
    be AWS calls."""
    names: set[str] = set()
    for path in SOURCE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Attribute):  # called, or passed on to be called (ctx.run(client.get_x, ...))
                names.add(node.attr)
            elif isinstance(node, ast.Constant) and isinstance(node.value, str):
                # Paginator and waiter names, and operations called by name ("GetAnomalies" via getattr).
                names.add(node.value)
                names.add(botocore.xform_name(node.value))
    return names - NOT_AWS_CALLS


def _iam_actions_called() -> set[str]:
    actions: set[str] = set()
    names = _called_names()
    for service in _services_used():
        prefix = IAM_PREFIX.get(service) or botocore.session.get_session().get_service_model(service).signing_name
        for snake, operation in _operations(service).items():
            if snake in names:
                action = f"{prefix}:{operation}"
                actions.add(IAM_ACTION.get(action, action))
    return actions - NO_GRANT_NEEDED


def _granted(document: dict[str, object]) -> set[str]:
    granted: set[str] = set()
    for statement in document["Statement"]:  # type: ignore[union-attr]
        assert statement["Effect"] == "Allow"  # type: ignore[index]
        action = statement["Action"]  # type: ignore[index]
        granted.update([action] if isinstance(action, str) else action)
    return granted


def test_the_policy_file_holds_a_read_only_and_a_remediation_policy_document() -> None:
    policy = json.loads(POLICY.read_text())
    assert set(policy) >= {"ReadOnly", "Remediation"}
    for name in ("ReadOnly", "Remediation"):
        assert policy[name]["Version"] == "2012-10-17"
        assert all("*" not in a.split(":")[1] for a in _granted(policy[name])), "no wildcard actions"


def test_every_operation_the_code_calls_is_granted_in_the_right_policy() -> None:
    policy = json.loads(POLICY.read_text())
    read_only, remediation = _granted(policy["ReadOnly"]), _granted(policy["Remediation"])
    called = _iam_actions_called()
    assert len(called) > 20, called  # the scan found the adapter's calls
    reads = {a for a in called if a.split(":")[1].startswith(READ_VERBS)} - {"sts:AssumeRole"}
    changes = called - reads
    assert reads - read_only == set(), "read operations missing from ReadOnly"
    assert changes - (remediation | read_only) == set(), "operations missing from the policies"
    writes_in_read_only = {a for a in read_only if not a.split(":")[1].startswith(READ_VERBS)} - {
        "sts:AssumeRole",
        "athena:StartQueryExecution",
        "athena:StopQueryExecution",
        "s3:PutObject",
    }
    assert writes_in_read_only == set(), "ReadOnly must not grant changes"


def test_the_policy_grants_nothing_the_code_does_not_need() -> None:
    policy = json.loads(POLICY.read_text())
    granted = _granted(policy["ReadOnly"]) | _granted(policy["Remediation"])
    unused = granted - _iam_actions_called() - set(EXTRAS)
    assert unused == set()

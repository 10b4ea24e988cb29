"""S3 changes: add a lifecycle rule (merged with the bucket's existing rules) and set bucket tags (merged).

S3 has no dry run. The "dry run" here is what can be known without writing: the bucket exists and is readable,
the parameters make a valid rule, and the merged configuration is built and shown. S3's PUT calls replace the
whole lifecycle configuration or tag set, so both are read first and every existing rule and tag is kept.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from finops_core.actions import already
from finops_core.errors import InvalidInput, RemediationRefused

from finops_aws.errors import aws_errors
from finops_aws.remediation.params import days
from finops_aws.remediation.plans import Done, Prepared
from finops_aws.remediation.targets import Target, bucket_tags, tags_of

if TYPE_CHECKING:
    from finops_aws.context import AwsContext

# Storage classes a lifecycle rule can move objects to, and the least days in S3 Standard before each.
STORAGE_CLASSES: dict[str, int] = {
    "STANDARD_IA": 30,
    "ONEZONE_IA": 30,
    "INTELLIGENT_TIERING": 0,
    "GLACIER_IR": 0,
    "GLACIER": 0,
    "DEEP_ARCHIVE": 0,
}
MAX_RULES = 1000
MAX_TAGS = 50


def _lifecycle(t: Target) -> dict[str, Any]:
    """The bucket's lifecycle configuration ({} for none: S3 answers NoSuchLifecycleConfiguration)."""
    from botocore.exceptions import ClientError

    with aws_errors(f"reading the lifecycle rules of S3 bucket {t.resource_id} {t.where}"):
        try:
            answer = t.client.get_bucket_lifecycle_configuration(Bucket=t.resource_id)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == "NoSuchLifecycleConfiguration":
                return {}
            raise
    answer.pop("ResponseMetadata", None)
    return dict(answer)


def _versioned(t: Target) -> bool:
    with aws_errors(f"reading the versioning of S3 bucket {t.resource_id} {t.where}"):
        return t.client.get_bucket_versioning(Bucket=t.resource_id).get("Status") == "Enabled"


def new_rule(parameters: dict[str, str]) -> dict[str, Any]:
    """The lifecycle rule ``parameters`` ask for: ``prefix``, ``transition_days`` + ``storage_class``,
    ``expire_days``, ``noncurrent_expire_days``, ``abort_multipart_days``, ``rule_id`` (all optional, at least
    one action)."""
    prefix = parameters.get("prefix", "").strip()
    storage_class = parameters.get("storage_class", "").strip().upper()
    transition = days(parameters, "transition_days", least=0)
    expire = days(parameters, "expire_days")
    noncurrent = days(parameters, "noncurrent_expire_days")
    abort = days(parameters, "abort_multipart_days")
    if (transition is None) != (not storage_class):
        raise InvalidInput("A transition needs both parameters.transition_days and parameters.storage_class.")
    if storage_class and storage_class not in STORAGE_CLASSES:
        raise InvalidInput(f"parameters.storage_class must be one of {', '.join(STORAGE_CLASSES)}.")
    if transition is not None and transition < STORAGE_CLASSES[storage_class]:
        raise InvalidInput(f"S3 moves objects to {storage_class} after at least {STORAGE_CLASSES[storage_class]} days.")
    if expire is not None and transition is not None and expire <= transition:
        raise InvalidInput("parameters.expire_days must be later than transition_days.")
    if transition is None and expire is None and noncurrent is None and abort is None:
        raise InvalidInput(
            "add_lifecycle_rule needs transition_days + storage_class, expire_days, noncurrent_expire_days or "
            "abort_multipart_days in parameters (prefix is optional: default, the whole bucket)."
        )
    rule: dict[str, Any] = {"ID": "", "Filter": {"Prefix": prefix}, "Status": "Enabled"}
    parts = ["finops", prefix.strip("/").replace("/", "-")] if prefix else ["finops"]
    if transition is not None:
        rule["Transitions"] = [{"Days": transition, "StorageClass": storage_class}]
        parts.append(f"{storage_class.lower()}-{transition}d")
    if expire is not None:
        rule["Expiration"] = {"Days": expire}
        parts.append(f"expire-{expire}d")
    if noncurrent is not None:
        rule["NoncurrentVersionExpiration"] = {"NoncurrentDays": noncurrent}
        parts.append(f"noncurrent-{noncurrent}d")
    if abort is not None:
        rule["AbortIncompleteMultipartUpload"] = {"DaysAfterInitiation": abort}
        parts.append(f"abort-mpu-{abort}d")
    rule["ID"] = (parameters.get("rule_id", "").strip() or "-".join(parts))[:255]
    return rule


def in_form_of(rule: dict[str, Any], rules: list[dict[str, Any]]) -> dict[str, Any]:
    """``rule`` written as the bucket's ``rules`` are. Rules made before S3's lifecycle V2 name their prefix at the
    top (``Prefix``; AWS's own GetBucketLifecycleConfiguration example has one), and S3 refuses a configuration that
    mixes them with ``Filter`` rules ("Filter element can only be used in Lifecycle V2"): next to such rules, ours
    takes the same form, and theirs are kept exactly as they are."""
    if not any("Prefix" in r and "Filter" not in r for r in rules):
        return rule
    legacy = {"ID": rule["ID"], "Prefix": rule["Filter"]["Prefix"]}
    legacy.update((k, v) for k, v in rule.items() if k not in ("ID", "Filter"))
    return legacy


def _prefix(rule: dict[str, Any]) -> str:
    return str((rule.get("Filter") or {}).get("Prefix") or rule.get("Prefix") or "")


def _describe(rule: dict[str, Any]) -> str:
    scope = f"objects under {_prefix(rule)!r}" if _prefix(rule) else "all objects"
    steps: list[str] = []
    for move in rule.get("Transitions", []):
        steps.append(f"move to {move['StorageClass']} after {move['Days']} days")
    if "Expiration" in rule:
        steps.append(f"expire after {rule['Expiration']['Days']} days")
    if "NoncurrentVersionExpiration" in rule:
        steps.append(f"delete old versions {rule['NoncurrentVersionExpiration']['NoncurrentDays']} days after replaced")
    if "AbortIncompleteMultipartUpload" in rule:
        steps.append(
            f"abort unfinished uploads after {rule['AbortIncompleteMultipartUpload']['DaysAfterInitiation']} days"
        )
    return f"rule {rule['ID']!r}: {scope}, {', '.join(steps)}"


def prepare_lifecycle(ctx: AwsContext, t: Target, parameters: dict[str, str]) -> Prepared:
    rule = new_rule(parameters)  # bad parameters are refused before anything is read
    existing = _lifecycle(t)
    rules: list[dict[str, Any]] = list(existing.get("Rules") or [])
    rule = in_form_of(rule, rules)
    before: dict[str, Any] = {"lifecycle_rules": rules}
    read = lambda: {"lifecycle_rules": list(_lifecycle(t).get("Rules") or [])}  # noqa: E731
    if existing:
        undo = (
            f"put back the {len(rules)} rule(s) in before.lifecycle_rules (s3api put-bucket-lifecycle-configuration), "
            f"i.e. remove rule {rule['ID']!r}"
        )
    else:
        undo = f"delete the lifecycle configuration of {t.resource_id} (s3api delete-bucket-lifecycle): it had none"
    same_id = [r for r in rules if r.get("ID") == rule["ID"]]
    if same_id and same_id[0] == rule:
        return already(f"S3 bucket {t.resource_id} {t.where} already has {_describe(rule)}", before, undo, read)
    if same_id:
        raise RemediationRefused(
            f"S3 bucket {t.resource_id} {t.where} already has a different rule {rule['ID']!r}: pass another "
            "parameters.rule_id, or change that rule outside this server. Nothing was changed."
        )
    if len(rules) >= MAX_RULES:
        raise RemediationRefused(
            f"S3 bucket {t.resource_id} already has {MAX_RULES} lifecycle rules. Nothing was changed."
        )
    merged = [*rules, rule]
    request: dict[str, Any] = {"Bucket": t.resource_id, "LifecycleConfiguration": {"Rules": merged}}
    if existing.get("TransitionDefaultMinimumObjectSize"):  # keep the bucket's own setting; a PUT would reset it
        request["TransitionDefaultMinimumObjectSize"] = existing["TransitionDefaultMinimumObjectSize"]
    caution = ""
    if "Expiration" in rule and "NoncurrentVersionExpiration" not in rule and _versioned(t):
        caution = (
            "; the bucket is versioned, so expired objects leave old versions that keep billing until a "
            "noncurrent_expire_days rule removes them"
        )

    def perform() -> Done:
        with aws_errors(f"writing the lifecycle rules of S3 bucket {t.resource_id} {t.where}"):
            t.client.put_bucket_lifecycle_configuration(**request)
        return Done(
            f"Added {_describe(rule)} to S3 bucket {t.resource_id} {t.where}, keeping {len(rules)} existing rule(s)."
        )

    subject = (
        f"Add lifecycle {_describe(rule)} to S3 bucket {t.resource_id} {t.where}, keeping its {len(rules)} "
        f"existing rule(s) (S3 has no dry run: the bucket and the merged rules were checked){caution}"
    )
    return Prepared(subject, before, {"lifecycle_rules": merged}, undo, perform, read)


def prepare_bucket_tags(t: Target, tags: dict[str, str], undo: str) -> Prepared:
    """set_tags on a bucket: S3 replaces the whole tag set, so the new tags are merged into the current ones."""
    current = t.tags
    merged = {**current, **tags}
    before = {"tags": current}
    where = f"{t.region}, {t.account}"
    read = lambda: {"tags": tags_of({"TagSet": bucket_tags(t.client, t.resource_id, where)})}  # noqa: E731
    if merged == current:
        return already(f"S3 bucket {t.resource_id} {t.where} already has these tags", before, undo, read)
    if len(merged) > MAX_TAGS:
        raise RemediationRefused(
            f"S3 bucket {t.resource_id} would have more than {MAX_TAGS} tags. Nothing was changed."
        )
    changes = {k: v for k, v in tags.items() if current.get(k) != v}
    listed = ", ".join(f"{k}={v}" for k, v in changes.items())

    def perform() -> Done:
        tag_set = [{"Key": k, "Value": v} for k, v in merged.items()]
        with aws_errors(f"tagging S3 bucket {t.resource_id} {t.where}"):
            t.client.put_bucket_tagging(Bucket=t.resource_id, Tagging={"TagSet": tag_set})
        return Done(f"Set {listed} on S3 bucket {t.resource_id} {t.where}, keeping its other tags.")

    subject = f"Set tags {listed} on S3 bucket {t.resource_id} {t.where}, keeping its other {len(current)} tag(s)"
    return Prepared(subject, before, {"tags": merged}, undo, perform, read)

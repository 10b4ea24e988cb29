"""Labels (Google Cloud's tags): merge new labels into a resource's own, with its current label fingerprint.

Google Cloud label keys are 1-63 lowercase letters, digits, '_' and '-', starting with a letter; values are at
most 63 of the same characters (possibly empty); a resource has at most 64 labels. ``set_tags`` never removes a
label: the undo restores changed values with set_tags and names the gcloud command that removes added keys.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from finops_core.actions import already
from finops_core.errors import InvalidInput
from finops_core.tag_changes import TagChange

from finops_gcp.remediation.addresses import address_state
from finops_gcp.remediation.disks import disk_state, snapshot_state
from finops_gcp.remediation.instances import instance_state
from finops_gcp.remediation.operations import change
from finops_gcp.remediation.plans import Done, Prepared
from finops_gcp.remediation.targets import Target, TargetKind, read_back

if TYPE_CHECKING:
    from finops_gcp.context import GcpContext

_KEY = re.compile(r"^[a-z][a-z0-9_-]{0,62}$")
_VALUE = re.compile(r"^[a-z0-9_-]{0,63}$")
MAX_LABELS = 64
STATES: dict[TargetKind, Callable[[Any], dict[str, Any]]] = {
    "instance": instance_state,
    "disk": disk_state,
    "address": address_state,
    "snapshot": snapshot_state,
}


def check_labels(labels: dict[str, str]) -> None:
    if not labels:
        raise InvalidInput("set_tags needs the labels to set as parameters, e.g. {'team': 'data'}.")
    for key, value in labels.items():
        if not _KEY.match(key):
            raise InvalidInput(
                f"Label key {key!r}: Google Cloud keys are 1-63 lowercase letters, digits, '_' or '-', starting "
                "with a letter (no ':' or '.')."
            )
        if not _VALUE.match(value):
            raise InvalidInput(f"Label {key}={value!r}: values are at most 63 lowercase letters, digits, '_' or '-'.")


def _location_flag(t: Target) -> str:
    if t.ref.scope == "global":
        return "--global"
    return f"--{t.ref.scope.split('/')[0].removesuffix('s')} {t.ref.location}"


def _remove_labels(t: Target, added: list[str]) -> str:
    collection = {"instance": "instances", "disk": "disks", "address": "addresses", "snapshot": "snapshots"}
    return (
        f"remove the new label(s): gcloud compute {collection[t.kind]} remove-labels {t.ref.name} "
        f"--labels={','.join(added)} {_location_flag(t)} --project {t.ref.project}"
    )


async def _set(ctx: GcpContext, t: Target, labels: dict[str, str], fingerprint: str, what: str) -> None:
    """``setLabels`` on the resource (every kind takes the same body: labels and the current fingerprint), waited
    for."""
    body = {"labels": labels, "labelFingerprint": fingerprint}
    await change(ctx, "POST", f"{t.ref.path}/setLabels", project=t.ref.project, what=what, body=body)


async def prepare_set_labels(ctx: GcpContext, t: Target, labels: dict[str, str]) -> Prepared:
    """Merge ``labels`` into ``t``'s labels (the others are kept)."""
    check_labels(labels)
    state = STATES[t.kind]
    before = state(t.record)
    current = t.labels
    merged = {**current, **labels}
    if len(merged) > MAX_LABELS:
        raise InvalidInput(f"{t.label()} would have {len(merged)} labels; Google Cloud allows {MAX_LABELS}.")
    undo = TagChange.of(current, labels).undo(t.resource_id, lambda added: _remove_labels(t, added))

    read_after = read_back(ctx, t.ref, state)
    if merged == current:
        return already(f"{t.label()} {t.where} already has these labels", before, undo, read_after)
    fingerprint = str(t.record.get("labelFingerprint") or "")
    what = f"setting labels on {t.label()} {t.where}"

    async def perform() -> Done:
        await _set(ctx, t, merged, fingerprint, what)
        return Done(f"Set {', '.join(f'{k}={v}' for k, v in labels.items())} on {t.label()} {t.where}.")

    summary = f"Set labels {labels} on {t.label()} {t.where} (its other labels are kept)"
    return Prepared(summary, before, {**before, "labels": merged}, undo, perform, read_after)

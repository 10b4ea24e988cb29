"""``set_tags`` on any resource this server changes, through the Tags API (``PATCH {id}/providers/
Microsoft.Resources/tags/default``, operation Merge: existing tags are kept). It is sent through the resource
provider client's own pipeline (``send_request``), as no Resource Manager SDK is installed; it needs
``Microsoft.Resources/tags/write`` (the Tag Contributor role), not write access to the resource."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from finops_core.actions import already
from finops_core.errors import InvalidInput
from finops_core.tag_changes import TagChange

from finops_azure.errors import azure_errors
from finops_azure.remediation.plans import Done, Prepared
from finops_azure.remediation.targets import Target, read_record

if TYPE_CHECKING:
    from finops_azure.context import AzureContext

TAGS_API_VERSION = "2021-04-01"
_FORBIDDEN = set("<>%&\\?/")
MAX_TAGS = 50


def _validate(tags: dict[str, str]) -> None:
    if not tags:
        raise InvalidInput("set_tags needs the tags to set as parameters, e.g. {'team': 'data'}.")
    for key, value in tags.items():
        if not key or len(key) > 512 or len(value) > 256 or _FORBIDDEN & set(key):
            raise InvalidInput(
                f"Tag {key!r}: names are 1-512 characters without < > % & \\ ? /, values at most 256 characters."
            )
        if key.lower().startswith(("microsoft", "azure", "windows")):
            raise InvalidInput(f"Tag {key!r}: names starting with microsoft, azure or windows are reserved.")


def patch_tags(t: Target, operation: str, tags: dict[str, str]) -> dict[str, str]:
    """Send one Tags API request; the resource's tags after it."""
    from azure.core.exceptions import HttpResponseError
    from azure.core.rest import HttpRequest
    from azure.mgmt.core.exceptions import ARMErrorFormat

    request = HttpRequest(
        "PATCH",
        f"{t.resource_id}/providers/Microsoft.Resources/tags/default",
        params={"api-version": TAGS_API_VERSION},
        json={"operation": operation, "properties": {"tags": tags}},
    )
    with azure_errors(f"setting tags on {t.resource_id}"):
        response = t.client.send_request(request)
        if response.status_code != 200:
            raise HttpResponseError(response=response, error_format=ARMErrorFormat)
        body: dict[str, Any] = response.json()
    return {str(k): str(v) for k, v in ((body.get("properties") or {}).get("tags") or {}).items()}


def prepare_set_tags(ctx: AzureContext, t: Target, parameters: dict[str, str]) -> Prepared:
    tags = {k.strip(): v for k, v in parameters.items()}
    _validate(tags)
    current = t.tags
    change = TagChange.of(current, tags, any_case=True)  # Azure tag names are case-insensitive
    changed = change.changed
    if len({k.lower() for k in current} | {k.lower() for k in change.added}) > MAX_TAGS:
        raise InvalidInput(f"A resource holds at most {MAX_TAGS} tags; {t.label()} would have more.")
    before = {"tags": current}
    undo = change.undo(
        t.resource_id,
        lambda added: (
            f"delete the added tag(s) {', '.join(added)} (az tag update --resource-id {t.resource_id} "
            "--operation Delete --tags " + " ".join(f"{k}={tags[k]}" for k in added) + ")"
        ),
    )
    read = lambda: {"tags": dict((read_record(t.client, t.arm) or {}).get("tags") or {})}  # noqa: E731
    if not changed:
        return already(f"{t.label()} {t.where} already has these tags", before, undo, read)
    summary = f"Set tag(s) {changed} on {t.label()} {t.where}, keeping its other tags"

    def perform() -> Done:
        patch_tags(t, "Merge", changed)
        return Done(f"Set tag(s) {', '.join(changed)} on {t.label()} {t.where}.")

    return Prepared(summary, before, {"tags": {**current, **changed}}, undo, perform, read)

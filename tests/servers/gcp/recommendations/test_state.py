"""Marking a recommendation claimed, succeeded or failed, with its etag."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from finops_core.errors import InvalidInput, InvalidQuery
from finops_gcp.context import GcpContext
from finops_gcp.recommendations import mark_claimed, mark_failed, mark_succeeded

from tests.fakes.gcp.google_api import GoogleFake
from tests.fakes.gcp.recommender import install
from tests.servers.gcp.recommendations.samples import IDLE_VM, idle_vm, parent

pytestmark = pytest.mark.anyio


async def test_a_claimed_recommendation_is_marked_succeeded_with_each_new_etag(
    google: GoogleFake, gcp_context: Callable[..., GcpContext]
) -> None:
    fake = install(google, {parent(IDLE_VM): [idle_vm()]})
    item = fake.recommendations[parent(IDLE_VM)][0]
    ctx = gcp_context()
    first = item["etag"]
    claimed = await mark_claimed(ctx, item["name"], first)
    assert item["stateInfo"] == {"state": "CLAIMED", "stateMetadata": {"finops-mcp": "claimed"}}
    assert claimed not in ("", first)
    succeeded = await mark_succeeded(ctx, item["name"], claimed, note="stop_instance")
    assert item["stateInfo"] == {"state": "SUCCEEDED", "stateMetadata": {"finops-mcp": "stop_instance"}}
    assert succeeded == item["etag"]
    claim, success = google.calls("mark")
    assert (claim.path, claim.body["etag"]) == (f"/v1/{item['name']}:markClaimed", first)
    assert (success.path, success.body["etag"]) == (f"/v1/{item['name']}:markSucceeded", claimed)


async def test_a_failed_change_is_marked_failed(google: GoogleFake, gcp_context: Callable[..., GcpContext]) -> None:
    fake = install(google, {parent(IDLE_VM): [idle_vm()]})
    item = fake.recommendations[parent(IDLE_VM)][0]
    await mark_failed(gcp_context(), item["name"], item["etag"])
    assert item["stateInfo"]["state"] == "FAILED"


async def test_a_stale_etag_says_to_list_again_and_changes_nothing(
    google: GoogleFake, gcp_context: Callable[..., GcpContext]
) -> None:
    fake = install(google, {parent(IDLE_VM): [idle_vm()]})
    item = fake.recommendations[parent(IDLE_VM)][0]
    with pytest.raises(InvalidQuery, match=r"changed since it was listed.*List recommendations again"):
        await mark_succeeded(gcp_context(), item["name"], '"stale"')
    assert item["stateInfo"]["state"] == "ACTIVE"


async def test_a_dismissed_recommendation_cannot_be_marked(
    google: GoogleFake, gcp_context: Callable[..., GcpContext]
) -> None:
    fake = install(google, {parent(IDLE_VM): [idle_vm(state="DISMISSED")]})
    item = fake.recommendations[parent(IDLE_VM)][0]
    with pytest.raises(InvalidQuery, match="state DISMISSED"):
        await mark_succeeded(gcp_context(), item["name"], item["etag"])


@pytest.mark.parametrize(
    ("name", "etag", "note"),
    [("web-1", '"e"', "applied"), (idle_vm()["name"], "", "applied"), (idle_vm()["name"], '"e"', "not allowed")],
)
async def test_a_wrong_name_etag_or_note_is_refused_before_asking_google(
    google: GoogleFake, gcp_context: Callable[..., GcpContext], name: str, etag: str, note: str
) -> None:
    install(google, {})
    with pytest.raises(InvalidInput):
        await mark_succeeded(gcp_context(), name, etag, note=note)
    assert google.calls("mark") == []

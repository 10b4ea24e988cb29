"""The Google Cloud adapter's plumbing over the fake: real clients over REST, fan-out across projects, errors."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from finops_core.errors import AuthError, ConfigError, NotFound, PermissionDenied, Throttled, Unavailable
from finops_gcp.clients import GcpClients
from finops_gcp.context import GcpContext
from finops_gcp.errors import gcp_errors
from finops_gcp.settings import GcpSettings
from google.cloud.recommender_v1 import RecommenderClient

from tests.fakes.gcp.google_api import GoogleError, GoogleFake, GoogleRequest
from tests.servers.gcp.conftest import PROJECTS

pytestmark = pytest.mark.anyio
LIST = r"/v1/projects/([^/]+)/locations/([^/]+)/recommenders/([^/]+)/recommendations"
IDLE_DISKS = "google.compute.disk.IdleResourceRecommender"


def _recommendations(request: GoogleRequest) -> dict[str, Any]:
    project = request.path.split("/")[3]
    if project == PROJECTS[1]:
        raise GoogleError(
            403, "PERMISSION_DENIED", "Permission 'recommender.computeDiskIdleResourceRecommendations.list' denied"
        )
    name = f"projects/{project}/locations/us-central1-a/recommenders/{IDLE_DISKS}/recommendations/r1"
    return {"recommendations": [{"name": name, "recommenderSubtype": "DELETE_DISK"}]}


async def test_fan_out_answers_per_project_and_names_the_one_that_refused(
    google: GoogleFake, gcp_context: Callable[..., GcpContext]
) -> None:
    google.route("recommendations", "GET", LIST, _recommendations)
    ctx = gcp_context()

    def names(project: str) -> list[str]:
        client = ctx.clients.gapic(RecommenderClient, "recommender")
        parent = f"projects/{project}/locations/us-central1-a/recommenders/{IDLE_DISKS}"
        with gcp_errors(f"listing idle disks in project {project}"):
            return [r.recommender_subtype for r in client.list_recommendations(parent=parent)]

    out = await ctx.fan_out(names)
    assert out.results == [["DELETE_DISK"]]
    assert len(out.missing) == 1
    assert PROJECTS[1] in out.missing[0]
    assert "docs/gcp-roles.md" in out.missing[0]


@pytest.mark.parametrize(
    ("status", "error"),
    [(401, AuthError), (403, PermissionDenied), (404, NotFound), (429, Throttled), (503, Unavailable)],
)
def test_http_errors_become_finops_errors_that_say_what_to_do(
    google: GoogleFake, gcp_settings: Callable[..., GcpSettings], status: int, error: type[Exception]
) -> None:
    def refuse(request: GoogleRequest) -> dict[str, Any]:
        raise GoogleError(status, "", "refused")

    google.route("recommendations", "GET", LIST, refuse)
    from google.auth.credentials import AnonymousCredentials

    client = GcpClients(gcp_settings(), AnonymousCredentials).gapic(RecommenderClient, "recommender")
    parent = f"projects/p/locations/global/recommenders/{IDLE_DISKS}"
    with pytest.raises(error), gcp_errors("listing recommendations"):
        list(client.list_recommendations(parent=parent, retry=None))


def test_without_credentials_the_error_says_how_to_configure_them(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(tmp_path / "missing.json"))
    monkeypatch.setenv("NO_GCE_CHECK", "True")
    monkeypatch.setenv("CLOUDSDK_CONFIG", str(tmp_path / "gcloud"))
    with pytest.raises(AuthError, match="gcloud auth application-default login"):
        GcpClients(GcpSettings()).credentials()


async def test_no_projects_configured_says_what_to_set(gcp_context: Callable[..., GcpContext]) -> None:
    with pytest.raises(ConfigError, match="FINOPS_GCP__PROJECTS"):
        await gcp_context(projects=[]).projects()


def test_wrong_gcp_settings_name_the_key() -> None:
    with pytest.raises(ConfigError, match=r"gcp\.standard_export_table"):
        GcpSettings.from_section({"standard_export_table": "not a table; DROP"})
    assert GcpSettings.from_section({"projects": "a, b"}).projects == ["a", "b"]


def test_a_service_that_stops_answering_is_unavailable_once_the_timeout_passes(
    google: GoogleFake, gcp_settings: Callable[..., GcpSettings]
) -> None:
    google.route("recommendations", "GET", LIST, _recommendations)
    google.fail("recommendations", "slow")
    from google.auth.credentials import AnonymousCredentials

    client = GcpClients(gcp_settings(), AnonymousCredentials).gapic(RecommenderClient, "recommender")
    parent = f"projects/{PROJECTS[0]}/locations/us-central1-a/recommenders/{IDLE_DISKS}"
    with pytest.raises(Unavailable, match="Could not reach Google"), gcp_errors("listing idle disks"):
        list(client.list_recommendations(parent=parent, retry=None, timeout=0.3))

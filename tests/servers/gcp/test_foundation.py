"""The Google Cloud adapter's plumbing over the fake: real clients over REST, fan-out across projects, errors
(``tests.servers.plumbing.RestPlumbing`` over the Recommender), and what only Google has: credentials, projects."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from finops_core.errors import AuthError, ConfigError
from finops_core.fanout import FanOut
from finops_gcp.clients import GcpClients
from finops_gcp.context import GcpContext
from finops_gcp.errors import gcp_errors
from finops_gcp.settings import GcpSettings
from google.cloud.recommender_v1 import RecommenderClient

from tests.fakes.gcp.google_api import GoogleError, GoogleFake, GoogleRequest
from tests.servers.gcp.conftest import PROJECTS
from tests.servers.plumbing import Listing, RestPlumbing

pytestmark = pytest.mark.anyio
LIST = r"/v1/projects/([^/]+)/locations/([^/]+)/recommenders/([^/]+)/recommendations"
IDLE_DISKS = "google.compute.disk.IdleResourceRecommender"


class Recommender(Listing[GcpContext]):
    """The Recommender's idle-disk recommendations in each project."""

    route, path, places, item = "recommendations", LIST, PROJECTS, "DELETE_DISK"
    role_doc, unreachable = "docs/gcp-roles.md", "Could not reach Google"

    def answer(self, request: GoogleRequest) -> dict[str, Any]:
        project = request.path.split("/")[3]
        if project == PROJECTS[1]:
            raise GoogleError(
                403, "PERMISSION_DENIED", "Permission 'recommender.computeDiskIdleResourceRecommendations.list' denied"
            )
        name = f"projects/{project}/locations/us-central1-a/recommenders/{IDLE_DISKS}/recommendations/r1"
        return {"recommendations": [{"name": name, "recommenderSubtype": "DELETE_DISK"}]}

    def refusal(self, status: int) -> GoogleError:
        return GoogleError(status, "", "refused")

    async def fan_out(self) -> FanOut[list[str]]:
        ctx = self.context()

        def names(project: str) -> list[str]:
            client = ctx.clients.gapic(RecommenderClient, "recommender")
            parent = f"projects/{project}/locations/us-central1-a/recommenders/{IDLE_DISKS}"
            with gcp_errors(f"listing idle disks in project {project}"):
                return [r.recommender_subtype for r in client.list_recommendations(parent=parent)]

        return await ctx.fan_out(names)

    def list_once(self, **settings: Any) -> list[str]:
        ctx = self.context(**settings)
        client = ctx.clients.gapic(RecommenderClient, "recommender")
        parent = f"projects/{PROJECTS[0]}/locations/us-central1-a/recommenders/{IDLE_DISKS}"
        with gcp_errors("listing idle disks"):
            listed = client.list_recommendations(parent=parent, retry=None, timeout=ctx.settings.timeout_seconds)
            return [r.recommender_subtype for r in listed]


class TestOnGoogleCloud(RestPlumbing):
    @pytest.fixture
    def listing(self, google: GoogleFake, gcp_context: Callable[..., GcpContext]) -> Recommender:
        return Recommender(google, gcp_context)


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

"""The cloud registry: the built-in clouds, a cloud an installed package declares, and what it refuses."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest
from finops_core import clouds
from finops_core.clouds import CLOUDS, entry, registered
from finops_core.models import RemediationAction
from pydantic import ValidationError

from tests.toycloud.cloud import ENTRY as TOY


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A folder on sys.path where a test installs a distribution (its .dist-info), read again after the test."""
    monkeypatch.syspath_prepend(str(tmp_path))
    yield tmp_path
    monkeypatch.undo()
    clouds.rediscover()


def _install(site: Path, name: str, points: str) -> None:
    info = site / f"{name.replace('-', '_')}-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text(f"[{clouds.ENTRY_POINT_GROUP}]\n{points}\n")


def test_an_installed_package_s_entry_point_registers_its_cloud_and_nothing_else_does(site: Path) -> None:
    assert "toy" not in CLOUDS
    _install(site, "finops-mcp-toy", "toy = tests.toycloud.cloud:ENTRY")
    assert "toy" not in CLOUDS  # read once per process: a package installed meanwhile waits for rediscover()
    clouds.rediscover()
    assert list(CLOUDS) == ["aws", "azure", "gcp", "toy"]
    assert entry("toy") is TOY


def test_an_installed_package_never_replaces_a_built_in_cloud(site: Path) -> None:
    _install(site, "finops-mcp-fake-aws", "aws = tests.core.test_clouds:IMPOSTOR")
    clouds.rediscover()
    assert entry("aws").provider == "finops_aws.provider:create_provider"


def test_a_broken_entry_point_is_left_out_with_a_warning_naming_it_and_the_other_clouds_load(
    site: Path, caplog: pytest.LogCaptureFixture
) -> None:
    _install(site, "finops-mcp-odd", "odd = tests.core.test_clouds:NOT_AN_ENTRY")
    _install(site, "finops-mcp-gone", "gone = finops_gone_cloud.cloud:ENTRY")
    _install(site, "finops-mcp-toy", "toy = tests.toycloud.cloud:ENTRY")
    clouds.rediscover()
    with caplog.at_level("WARNING", logger="finops.clouds"):
        assert list(CLOUDS) == ["aws", "azure", "gcp", "toy"]
    warned = sorted(r.getMessage() for r in caplog.records)
    assert len(warned) == 2
    assert warned[0].startswith("Cloud 'gone' (entry point finops_gone_cloud.cloud:ENTRY in finops_mcp.clouds) cannot")
    assert "ModuleNotFoundError" in warned[0]
    assert "Cloud 'odd' (entry point tests.core.test_clouds:NOT_AN_ENTRY in finops_mcp.clouds) is a str" in warned[1]
    assert all(w.endswith("Reinstall or uninstall the package that declares it.") for w in warned)


def test_an_unregistered_cloud_is_refused_naming_the_registered_ones() -> None:
    with pytest.raises(ValidationError, match="Input should be 'aws', 'azure' or 'gcp'"):
        RemediationAction(provider="toy", kind="stop_instance", resource_id="m1")
    with pytest.raises(KeyError, match=r"No cloud 'toy' is registered \(known: aws, azure, gcp\)"):
        entry("toy")
    with registered(TOY):
        assert RemediationAction(provider="toy", kind="stop_instance", resource_id="m1").provider == "toy"
    assert "toy" not in CLOUDS


def test_a_cloud_id_must_serve_as_a_tool_prefix_a_section_and_a_variable_name() -> None:
    with pytest.raises(ValueError, match="2-16 lower-case letters and digits"):
        dataclasses.replace(TOY, id="toy-cloud")
    with pytest.raises(ValueError, match="is not 'module:attribute'"):
        dataclasses.replace(TOY, provider="tests.toycloud.provider.create_provider")
    with pytest.raises(ValueError, match="Another cloud is already registered as 'aws'"):
        clouds.register(dataclasses.replace(TOY, id="aws"))
    with pytest.raises(ValueError, match="'aws' is built in"):
        clouds.unregister("aws")


IMPOSTOR = dataclasses.replace(TOY, id="aws", provider="tests.toycloud.provider:create_provider")
NOT_AN_ENTRY = "toy"

"""`uv build` makes one wheel per published member, with the metadata, commands and files a user installs."""

from __future__ import annotations

import configparser
import zipfile
from email.message import Message
from email.parser import HeaderParser
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.conftest import REPO
from tests.packaging.conftest import MEMBERS, SERVERS, Member, member

OURS = {canonicalize_name(m.name) for m in MEMBERS}


def _metadata(wheel: Path, m: Member) -> Message:
    with zipfile.ZipFile(wheel) as z:
        return HeaderParser().parsestr(z.read(f"{m.wheel_stem}.dist-info/METADATA").decode())


def _scripts(wheel: Path, m: Member) -> dict[str, str]:
    with zipfile.ZipFile(wheel) as z:
        names = z.namelist()
        text = z.read(f"{m.wheel_stem}.dist-info/entry_points.txt").decode() if m.command else ""
    assert (f"{m.wheel_stem}.dist-info/entry_points.txt" in names) == bool(m.command)
    parser = configparser.ConfigParser(delimiters=("=",))
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # keep the commands' case
    parser.read_string(text)
    return dict(parser["console_scripts"]) if parser.has_section("console_scripts") else {}


def test_every_published_member_and_nothing_else_builds_a_wheel(wheels: dict[str, Path]) -> None:
    built = {p.name for p in next(iter(wheels.values())).parent.glob("*.whl")}
    assert built == {p.name for p in wheels.values()}, "tests/ and bench/ are not published; every other member is"


@pytest.mark.parametrize("m", MEMBERS, ids=lambda m: m.folder)
def test_a_wheels_metadata_is_its_pyproject_with_its_readme_and_license(m: Member, wheels: dict[str, Path]) -> None:
    meta = _metadata(wheels[m.name], m)
    project = m.project
    assert (meta["Name"], meta["Version"]) == (m.name, m.version)
    assert meta["Summary"] == project["description"]
    assert meta["Requires-Python"] == project["requires-python"] == ">=3.11"
    assert meta["License-Expression"] == "Apache-2.0"
    assert meta["Description-Content-Type"] == "text/markdown"
    assert str(meta.get_payload()).strip() == (m.root / "README.md").read_text().strip()  # the PyPI page
    assert "Typing :: Typed" in meta.get_all("Classifier", [])
    urls = dict(u.split(", ", 1) for u in meta.get_all("Project-URL", []))
    assert urls["Repository"].startswith("https://github.com/")
    with zipfile.ZipFile(wheels[m.name]) as z:
        license_text = z.read(f"{m.wheel_stem}.dist-info/licenses/LICENSE").decode()
    assert license_text == (REPO / "LICENSE").read_text()
    assert "Apache License" in license_text


@pytest.mark.parametrize("m", MEMBERS, ids=lambda m: m.folder)
def test_a_wheel_declares_exactly_its_pyprojects_dependencies_and_extras(m: Member, wheels: dict[str, Path]) -> None:
    meta = _metadata(wheels[m.name], m)
    project = m.project
    expected = {str(Requirement(r)) for r in project["dependencies"]}
    for extra, requirements in project.get("optional-dependencies", {}).items():
        expected |= {str(Requirement(f"{r} ; extra == '{extra}'")) for r in requirements}
    assert {str(Requirement(r)) for r in meta.get_all("Requires-Dist", [])} == expected
    assert set(meta.get_all("Provides-Extra", [])) == set(project.get("optional-dependencies", {}))


def test_the_orchestrator_offers_each_cloud_and_each_bucket_reader_as_an_extra(wheels: dict[str, Path]) -> None:
    m = member("finops-mcp")
    extras = set(_metadata(wheels[m.name], m).get_all("Provides-Extra", []))
    assert {"aws", "azure", "gcp", "all", "s3", "gcs", "azure-blob"} <= extras


@pytest.mark.parametrize("m", MEMBERS, ids=lambda m: m.folder)
def test_our_own_dependencies_admit_the_versions_built_beside_them_and_no_other_minor(
    m: Member, wheels: dict[str, Path]
) -> None:
    """A wheel must install with its siblings from the same release, and never with a core from another minor
    version (0.x changes its contracts): a bare name would take any version PyPI offers."""
    for line in _metadata(wheels[m.name], m).get_all("Requires-Dist", []):
        requirement = Requirement(line)
        if canonicalize_name(requirement.name) not in OURS:
            continue
        sibling = member(requirement.name)
        assert requirement.specifier.contains(sibling.version), f"{m.name}: {line} refuses {sibling.version}"
        major, minor, *_ = sibling.version.split(".")
        assert not requirement.specifier.contains(f"{major}.{int(minor) + 1}.0"), f"{m.name}: {line} is too loose"


@pytest.mark.parametrize("m", SERVERS, ids=lambda m: m.folder)
def test_a_server_installs_its_command_and_one_named_like_its_package(m: Member, wheels: dict[str, Path]) -> None:
    scripts = _scripts(wheels[m.name], m)
    assert m.command is not None
    # The command users know, and the one `uvx <package>` (the MCP Registry's runtime hint) runs.
    assert set(scripts) == {m.command, m.name}
    assert scripts[m.command] == scripts[m.name]


@pytest.mark.parametrize("m", [m for m in MEMBERS if not m.command], ids=lambda m: m.folder)
def test_a_library_member_installs_no_command(m: Member, wheels: dict[str, Path]) -> None:
    assert _scripts(wheels[m.name], m) == {}


@pytest.mark.parametrize("m", MEMBERS, ids=lambda m: m.folder)
def test_a_wheel_holds_every_file_of_its_source_tree(m: Member, wheels: dict[str, Path]) -> None:
    """Code and package data alike: the orchestrator's bundled exports and lookup tables (*.csv.gz), the prompts'
    Markdown templates, the licenses of bundled data, py.typed."""
    src = m.root / "src"
    expected = {
        p.relative_to(src).as_posix()
        for p in src.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"
    }
    with zipfile.ZipFile(wheels[m.name]) as z:
        shipped = {n for n in z.namelist() if not n.endswith("/") and ".dist-info/" not in n}
    assert shipped == expected
    package = next(iter({name.split("/")[0] for name in expected}))
    assert f"{package}/py.typed" in shipped


def test_the_orchestrator_wheel_ships_its_bundled_data_and_the_prompts_wheel_its_templates(
    wheels: dict[str, Path],
) -> None:
    with zipfile.ZipFile(wheels["finops-mcp"]) as z:
        data = {n.rsplit("/", 1)[1] for n in z.namelist() if n.startswith("finops_orchestrator/data/")}
    assert {"focus_sample_1000.csv.gz", "azure_regions.csv.gz", "azure_resource_types.csv.gz", "README.md"} <= data
    with zipfile.ZipFile(wheels["finops-mcp-prompts"]) as z:
        templates = [n for n in z.namelist() if n.startswith("finops_prompts/templates/") and n.endswith(".md")]
    assert len(templates) == len(list((REPO / "prompts/src/finops_prompts/templates").glob("*.md"))) >= 6

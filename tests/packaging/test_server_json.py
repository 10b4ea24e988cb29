"""Each server's server.json describes it to the MCP Registry: valid against the registry's published schema, at its
package's version, runnable the way the registry's clients run it (uvx), claimed by its package's README, and
documenting only settings the server reads."""

from __future__ import annotations

import copy
import hashlib
import importlib
import json
import re
import types
import typing
from typing import Any

import pytest
from finops_core.settings import Settings
from jsonschema import Draft7Validator
from pydantic import BaseModel

from tests.conftest import REPO
from tests.packaging.conftest import SERVERS, Member

SCHEMA_FILE = REPO / "tests/data/outside/mcp-registry/server.schema.json"
SCHEMA_ID = "https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json"
SCHEMA_SHA256 = "d4c163f299ece68b7432f4e44c4108f2fdb663d99dc088c8344142e5b0a4b520"
CLOUD_SETTINGS = {
    "aws": "finops_aws.settings:AwsSettings",
    "azure": "finops_azure.settings:AzureSettings",
    "gcp": "finops_gcp.settings:GcpSettings",
}
SDK_PREFIXES = {"aws": "AWS_", "azure": "AZURE_", "gcp": "GOOGLE_"}


def _doc(m: Member) -> dict[str, Any]:
    return json.loads((m.root / "server.json").read_text())


def _validator() -> Draft7Validator:
    schema = json.loads(SCHEMA_FILE.read_text())
    Draft7Validator.check_schema(schema)
    return Draft7Validator(schema, format_checker=Draft7Validator.FORMAT_CHECKER)


def _problems(doc: dict[str, Any]) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path)) or '(top)'}: {e.message}" for e in _validator().iter_errors(doc)]


def _cloud(m: Member) -> str | None:
    return m.folder.removeprefix("servers/") if m.folder.startswith("servers/") else None


def _fields(model: type[BaseModel]) -> set[str]:
    return set(model.model_fields)


def _section_model(section: str, m: Member) -> type[BaseModel] | None:
    if section in CLOUD_SETTINGS:
        if _cloud(m) not in (None, section):  # a cloud server reads only its own section
            return None
        module, name = CLOUD_SETTINGS[section].split(":")
        return getattr(importlib.import_module(module), name)
    field = Settings.model_fields.get(section)
    annotation = field.annotation if field else None
    options = typing.get_args(annotation) if isinstance(annotation, types.UnionType) else (annotation,)
    return next((o for o in options if isinstance(o, type) and issubclass(o, BaseModel)), None)


def test_the_schema_is_the_registrys_2025_12_11_release_unchanged() -> None:
    assert hashlib.sha256(SCHEMA_FILE.read_bytes()).hexdigest() == SCHEMA_SHA256
    assert json.loads(SCHEMA_FILE.read_text())["$id"] == SCHEMA_ID


@pytest.mark.parametrize("m", SERVERS, ids=lambda m: m.folder)
def test_a_server_json_is_valid_against_the_registry_schema(m: Member) -> None:
    doc = _doc(m)
    assert doc["$schema"] == SCHEMA_ID
    assert _problems(doc) == []


def test_the_schema_check_refuses_what_the_registry_refuses() -> None:
    good = _doc(SERVERS[0])
    too_long = copy.deepcopy(good) | {"description": "x" * 101}
    no_namespace = copy.deepcopy(good) | {"name": "finops"}
    latest = copy.deepcopy(good)
    latest["packages"][0]["version"] = "latest"
    no_transport = copy.deepcopy(good)
    del no_transport["packages"][0]["transport"]
    assert any("description" in p for p in _problems(too_long))
    assert any(p.startswith("name") for p in _problems(no_namespace))
    assert any("packages/0/version" in p for p in _problems(latest))
    assert any("transport" in p for p in _problems(no_transport))


@pytest.mark.parametrize("m", SERVERS, ids=lambda m: m.folder)
def test_a_server_json_names_its_package_at_the_packages_own_version(m: Member) -> None:
    doc = _doc(m)
    assert doc["version"] == m.version
    (package,) = doc["packages"]
    assert (package["registryType"], package["identifier"], package["version"]) == ("pypi", m.name, m.version)
    assert package["runtimeHint"] == "uvx"
    assert package["transport"] == {"type": "stdio"}


@pytest.mark.parametrize("m", SERVERS, ids=lambda m: m.folder)
def test_uvx_runs_the_package_by_a_command_of_its_name(m: Member) -> None:
    """A registry client runs ``uvx <identifier>==<version> [packageArguments]``: that command must exist and
    start the MCP server (the orchestrator's needs ``serve``)."""
    (package,) = _doc(m)["packages"]
    scripts = m.project["scripts"]
    assert scripts[package["identifier"]] == scripts[m.command]
    arguments = [a["value"] for a in package.get("packageArguments", [])]
    assert arguments == (["serve"] if m.command == "finops" else [])


@pytest.mark.parametrize("m", SERVERS, ids=lambda m: m.folder)
def test_a_packages_readme_claims_its_registry_name_under_the_repositorys_owner(m: Member) -> None:
    """The registry publishes a PyPI package only if its README (the PyPI page) says ``mcp-name: <name>``."""
    doc = _doc(m)
    repository = m.project["urls"]["Repository"]
    owner = re.fullmatch(r"https://github\.com/([A-Za-z0-9-]+)/[A-Za-z0-9._-]+", repository)
    assert owner, repository
    assert doc["name"] == f"io.github.{owner[1]}/{m.command}"
    assert doc["repository"] == {"url": repository, "source": "github", "subfolder": m.folder}
    claims = re.findall(r"mcp-name: (\S+?)(?=\s|<|-->|$)", (m.root / "README.md").read_text())
    assert claims == [doc["name"]]


@pytest.mark.parametrize("m", SERVERS, ids=lambda m: m.folder)
def test_the_environment_variables_a_server_json_documents_are_ones_the_server_reads(m: Member) -> None:
    (package,) = _doc(m)["packages"]
    variables = package["environmentVariables"]
    names = [v["name"] for v in variables]
    assert len(names) == len(set(names))
    assert {"FINOPS_HOME", "FINOPS_CONFIG"} <= set(names)
    for variable in variables:
        name = variable["name"]
        assert variable["description"], name
        if re.search(r"KEY|SECRET|TOKEN|PASSWORD", name):
            assert variable.get("isSecret") is True, f"{name} must be marked secret"
        if not name.startswith("FINOPS_"):  # the cloud SDK's own variables, for this server's cloud only
            cloud = _cloud(m)
            assert cloud is not None, f"{name}: the orchestrator documents only its own settings"
            assert name.startswith(SDK_PREFIXES[cloud]), name
            continue
        key = name.removeprefix("FINOPS_").lower()
        if "__" not in key:
            assert key in Settings.model_fields or key in ("home", "config"), f"{name} is no setting"
            continue
        section, field = key.split("__", 1)
        model = _section_model(section, m)
        assert model is not None, f"{name}: {m.command} reads no [{section}]"
        assert field in _fields(model), f"{name}: [{section}] has no {field}"

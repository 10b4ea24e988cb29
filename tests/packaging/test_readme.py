"""The READMEs' install commands and client snippets run what the packages install, in each client's own format:
Claude Desktop and Cursor read ``mcpServers`` (command, args, env), VS Code's ``.vscode/mcp.json`` reads ``servers``
(with ``type``) and ``inputs``, Claude Code takes ``claude mcp add [options] NAME -- COMMAND ARGS``."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO
from tests.packaging.conftest import MEMBERS, SERVERS, Member

READMES = [REPO / "README.md", *(m.root / "README.md" for m in SERVERS if m.command != "finops")]
WITH_UVX = [REPO / "README.md", *(m.root / "README.md" for m in SERVERS)]
GIT = re.compile(
    r"^(?:(?P<name>[a-z-]+)(?:\[(?P<extras>[a-z,-]+)\])? @ )?(?P<url>git\+\S+)#subdirectory=(?P<folder>\S+)$"
)
WHEEL = re.compile(r"^(?:/abs/path/)?dist/(?P<stem>[a-z_]+)-(?:\*|[0-9.]+-py3-none-any)\.whl$")


def _blocks(readme: Path, language: str) -> list[str]:
    return re.findall(rf"^```{language}\n(.*?)^```", readme.read_text(), flags=re.MULTILINE | re.DOTALL)


def _json_blocks(readme: Path) -> list[dict[str, Any]]:
    return [json.loads(block) for block in _blocks(readme, "json")]


def _member_of(spec: str) -> Member:
    """The member a ``uvx --from`` spec installs: a git URL's subdirectory, or a wheel file from dist/."""
    if git := GIT.match(spec):
        repository = {m.project["urls"]["Repository"] for m in MEMBERS}
        assert {git["url"].removeprefix("git+")} == repository, spec
        found = next(m for m in MEMBERS if m.folder == git["folder"])
        assert git["name"] in (None, found.name), spec
        for extra in (git["extras"] or "").split(",") if git["extras"] else []:
            assert extra in found.project["optional-dependencies"], spec
        return found
    wheel = WHEEL.match(spec)
    assert wheel, f"{spec!r} is neither a git URL with a subdirectory nor a wheel in dist/"
    return next(m for m in MEMBERS if m.name.replace("-", "_") == wheel["stem"])


def _check_uvx(args: list[str]) -> tuple[Member, str, list[str]]:
    """``uvx [--find-links DIR] --from SPEC SCRIPT ARGS...``: SPEC installs SCRIPT; returns who, what and its args."""
    if args[:1] == ["--find-links"]:
        assert args[1].endswith("dist"), args
        args = args[2:]
    assert args[0] == "--from", args
    found, script, rest = _member_of(args[1]), args[2], args[3:]
    assert script in found.project.get("scripts", {}), f"{found.name} installs no {script}"
    return found, script, rest


def _check_server(entry: dict[str, Any]) -> None:
    """A host's server entry starts an MCP server over stdio, with variables that server documents."""
    assert entry["command"] == "uvx", entry
    found, script, rest = _check_uvx(entry["args"])
    assert rest[:1] == (["serve"] if script == "finops" else rest[:1]), f"{script} serves MCP only as `finops serve`"
    documented = {
        v["name"]
        for v in json.loads((found.root / "server.json").read_text())["packages"][0].get("environmentVariables", [])
    }
    assert set(entry.get("env", {})) <= documented, f"{script}: {set(entry.get('env', {})) - documented}"


@pytest.mark.parametrize("readme", READMES, ids=lambda p: str(p.relative_to(REPO)))
def test_every_json_snippet_parses_and_each_server_in_it_starts_with_uvx(readme: Path) -> None:
    blocks = _json_blocks(readme)
    assert blocks
    for block in blocks:
        servers = block.get("mcpServers") or block.get("servers") or {}
        for entry in servers.values():
            _check_server(entry)


def test_the_claude_desktop_and_cursor_snippets_use_mcp_servers_with_command_args_and_env() -> None:
    text = (REPO / "README.md").read_text()
    assert "claude_desktop_config.json" in text
    assert ".cursor/mcp.json" in text
    blocks = [b for b in _json_blocks(REPO / "README.md") if "mcpServers" in b]
    assert len(blocks) >= 2
    for block in blocks:
        assert set(block) == {"mcpServers"}
        for entry in block["mcpServers"].values():
            assert set(entry) <= {"command", "args", "env"}
            assert all(isinstance(a, str) for a in entry["args"])
            assert all(isinstance(v, str) for v in entry.get("env", {}).values())


def test_the_vs_code_snippet_uses_servers_with_a_type_and_declares_each_input_it_asks_for() -> None:
    assert ".vscode/mcp.json" in (REPO / "README.md").read_text()
    (block,) = [b for b in _json_blocks(REPO / "README.md") if "servers" in b]
    assert set(block) <= {"servers", "inputs"}
    declared = {i["id"] for i in block.get("inputs", [])}
    for entry in block["servers"].values():
        assert entry["type"] == "stdio"
        assert set(entry) <= {"type", "command", "args", "env"}
        for value in entry.get("env", {}).values():
            for used in re.findall(r"\$\{input:([^}]+)\}", value):
                assert used in declared, f"${{input:{used}}} is not declared in inputs"
    for declaration in block.get("inputs", []):
        assert declaration["type"] == "promptString"
        assert declaration["description"]
        if re.search(r"secret|key|token|password", declaration["id"]):
            assert declaration.get("password") is True


def test_the_claude_code_commands_put_options_before_the_name_and_the_server_after_a_double_dash() -> None:
    lines = [
        line
        for block in _blocks(REPO / "README.md", "bash")
        for line in block.splitlines()
        if line.startswith("claude mcp add")
    ]
    assert len(lines) >= 2
    for line in lines:
        words = shlex.split(line)
        options, command = words[3 : words.index("--")], words[words.index("--") + 1 :]
        name = options.pop()
        assert re.fullmatch(r"[a-z-]+", name), line
        while options:  # only --env KEY=VALUE / --scope S / --transport stdio before the name
            flag, value = options.pop(0), options.pop(0)
            assert flag in ("--env", "-e", "--scope", "-s", "--transport"), line
            assert flag not in ("--env", "-e") or re.fullmatch(r"[A-Z_]+=\S+", value), line
        assert command[0] == "uvx"
        _check_server({"command": "uvx", "args": command[1:]})


def _uvx_lines(readme: Path) -> list[list[str]]:
    return [
        shlex.split(line, comments=True)
        for block in _blocks(readme, "bash")
        for line in block.splitlines()
        if line.startswith("uvx ")
    ]


@pytest.mark.parametrize("readme", WITH_UVX, ids=lambda p: str(p.relative_to(REPO)))
def test_every_uvx_command_installs_the_command_it_runs(readme: Path) -> None:
    for words in _uvx_lines(readme):
        _check_uvx(words[1:])


def test_the_install_commands_run_the_orchestrator_and_a_cloud_server_from_git_and_from_wheels() -> None:
    kinds = set()
    for words in _uvx_lines(REPO / "README.md"):
        found, _, _ = _check_uvx(words[1:])
        kinds.add((found.name, "git" if GIT.match(words[words.index("--from") + 1]) else "wheel"))
    assert {
        ("finops-mcp", "git"),
        ("finops-mcp", "wheel"),
        ("finops-mcp-aws", "git"),
        ("finops-mcp-aws", "wheel"),
    } <= kinds

"""The packages' modules import each other without cycles: a cycle ties two modules into one (neither can change or be
understood alone) and makes import order matter. Every import counts, including those under ``TYPE_CHECKING`` and
inside functions, since each is a dependency all the same."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.conftest import REPO

MEMBERS = ("core", "servers", "orchestrator", "prompts")


def _modules() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for member in MEMBERS:
        for src in (REPO / member).rglob("src"):
            for path in src.rglob("*.py"):
                parts = path.relative_to(src).with_suffix("").parts
                found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def _imports(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """The modules of ours that ``name`` imports: ``from a.b import c`` names ``a.b.c`` when that is a module, else
    ``a.b``."""
    out = {target if target in modules else base for base, target in _named(name, path)}
    return {m for m in out if m in modules and m != name}


def _named(name: str, path: Path) -> set[tuple[str, str]]:
    """Every import of ``name`` as (module, module.name), as written (relative ones resolved), found or not."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out: set[tuple[str, str]] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out |= {(alias.name, alias.name) for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                up = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*up, *([node.module] if node.module else [])])
            out |= {(base, f"{base}.{alias.name}") for alias in node.names}
    return out


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan's algorithm, iteratively)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component: list[str] = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    cycles.append(sorted(component))
    return cycles


def test_the_finder_sees_a_cycle_through_three_modules() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_module_of_the_packages_imports_itself_back_through_others() -> None:
    modules = _modules()
    graph = {name: _imports(name, path, modules) for name, path in modules.items()}
    assert len(graph) > 100  # the packages were found
    assert _cycles(graph) == []


def _imports_under(package: str, forbidden: str) -> dict[str, set[str]]:
    """Each module under ``package`` that imports a module under ``forbidden``, with those modules."""

    def under(module: str) -> bool:
        return module == forbidden or module.startswith(f"{forbidden}.")

    found: dict[str, set[str]] = {}
    for name, path in _modules().items():
        if name == package or name.startswith(f"{package}."):
            bad = {base for base, target in _named(name, path) if under(base) or under(target)}
            if bad:
                found[name] = bad
    return found


def test_the_remote_provider_speaks_the_wire_contract_not_the_server_factory() -> None:
    assert _imports_under("finops_orchestrator.providers.remote", "finops_core.server") == {}


def test_the_analysis_imports_nothing_from_the_remediation_nor_the_sync() -> None:
    assert _imports_under("finops_orchestrator.analysis", "finops_orchestrator.remediation") == {}
    assert _imports_under("finops_orchestrator.analysis", "finops_orchestrator.sync") == {}

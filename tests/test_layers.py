"""The floors of the code, checked by reading its imports (every import, function-local ones
included): arrows go down only, and no module takes part in an import circle.

    dags -> vigie.run -> {vigie.alerting, vigie.stories} -> {vigie.store, enrich, ingest} -> vigie.core
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("vigie", "ingest", "enrich")

# floor -> the floors it may import (its own included)
ALLOWED: dict[str, set[str]] = {
    "core": {"core"},
    "ingest": {"core", "ingest"},
    "enrich": {"core", "enrich"},
    "store": {"core", "store"},
    "stories": {"core", "store", "ingest", "enrich", "stories"},
    "alerting": {"core", "store", "ingest", "enrich", "alerting"},
    "run": {"core", "store", "ingest", "enrich", "stories", "alerting", "run"},
    "dev": {"core", "dev"},
    "app": {"core", "store", "ingest", "enrich", "stories", "alerting", "run", "dev", "app"},
    "dags": {"core", "run"},
}


def floor_of(module: str) -> str:
    parts = module.split(".")
    if parts[0] in ("ingest", "enrich"):
        return parts[0]
    if parts[0] == "dags":
        return "dags"
    if module == "vigie":
        return "core"  # the package root holds only the version
    if parts[1] in ("cli", "demo"):
        return "app"
    return parts[1]


def project_modules() -> dict[str, Path]:
    modules: dict[str, Path] = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts = parts[:-1]
            modules[".".join(parts)] = path
    for path in (ROOT / "dags").glob("*.py"):
        modules[f"dags.{path.stem}"] = path
    return modules


def imports_of(module: str, path: Path, known: set[str]) -> set[str]:
    """Project modules `module` imports, resolved to the deepest known module."""
    is_package = path.name == "__init__.py"
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = module.split(".") if is_package else module.split(".")[:-1]
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            names = [f"{base}.{alias.name}" for alias in node.names] + [base]
        for name in names:
            while name and name not in known:
                name = name.rpartition(".")[0]
            if name and name != module:
                found.add(name)
    return found


def _lazy_exports(module: str) -> set[str]:
    """Modules a package's `__init__` re-exports lazily (its `_EXPORTS` table)."""
    exports = getattr(importlib.import_module(module), "_EXPORTS", {})
    return {importlib.util.resolve_name(target, module) for target in exports.values()}


@pytest.fixture(scope="module")
def graph() -> dict[str, set[str]]:
    modules = project_modules()
    known = set(modules)
    edges = {module: imports_of(module, path, known) for module, path in modules.items()}
    for module, path in modules.items():
        if path.name == "__init__.py" and not module.startswith("dags"):
            edges[module] |= _lazy_exports(module)
    return edges


def test_every_import_goes_down_a_floor(graph: dict[str, set[str]]) -> None:
    wrong = sorted(
        f"{module} ({floor_of(module)}) imports {target} ({floor_of(target)})"
        for module, targets in graph.items()
        for target in targets
        # a package's __init__ may name its own modules; the package root is the version only
        if floor_of(target) not in ALLOWED[floor_of(module)] and target != "vigie"
    )
    assert wrong == []


def test_nothing_but_dags_cli_and_demo_imports_the_orchestration(graph: dict[str, set[str]]) -> None:
    users = {
        module
        for module, targets in graph.items()
        if floor_of(module) != "run" and any(floor_of(t) == "run" for t in targets)
    }
    assert users <= {"vigie.cli", "vigie.demo"} | {m for m in graph if m.startswith("dags.")}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph.get(node, ()):
            # a module importing its own package's public surface is not a circle
            if node.startswith(target + "."):
                continue
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_import_circle(graph: dict[str, set[str]]) -> None:
    assert _cycles(graph) == []


def test_the_scan_sees_a_wrong_import_and_a_circle() -> None:
    """The checks above can fail: a ground module importing the indexer, and a circle."""
    assert floor_of("vigie.store.indexer") not in ALLOWED[floor_of("vigie.core.models")]
    assert floor_of("vigie.run.pipeline") not in ALLOWED[floor_of("ingest.fetch")]
    assert _cycles({"a.x": {"a.y"}, "a.y": {"a.x"}}) == [["a.x", "a.y"]]


def test_every_subpackage_names_its_public_surface() -> None:
    for package in (
        "vigie.core",
        "vigie.store",
        "vigie.stories",
        "vigie.alerting",
        "vigie.run",
        "vigie.dev",
        "ingest",
        "enrich",
    ):
        module = importlib.import_module(package)
        assert module.__all__, package
        for name in module.__all__:
            assert getattr(module, name) is not None, f"{package}.{name}"

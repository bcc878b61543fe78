"""The package keeps its shape: no import cycles, nothing private crossing modules, few loose services."""

from __future__ import annotations

import ast
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "mediator"
# Capability packages hold the services; a few shared helpers may stay loose beside them.
MAX_LOOSE_SERVICE_MODULES = 8


def _strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm: the groups of modules that import each other, directly or not."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return groups


def _is_package(module: str) -> bool:
    return (PACKAGE.parent / module.replace(".", "/") / "__init__.py").exists()


def test_no_module_imports_itself_through_others() -> None:
    graph = grimp.build_graph("mediator", cache_dir=None)
    # A package's __init__ that re-exports its own modules is not a cycle between modules.
    edges = {
        module: {
            target
            for target in graph.find_modules_directly_imported_by(module)
            if not (_is_package(target) and module.startswith(target + "."))
        }
        for module in graph.modules
    }
    cycles = [group for group in _strongly_connected(edges) if len(group) > 1]
    assert cycles == [], f"modules that import each other: {cycles}"


def test_no_private_name_is_imported_from_another_module() -> None:
    crossings = []
    for path in sorted((ROOT / "mediator").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("mediator"):
                # ``_`` is gettext's translation function, public by convention.
                names = [a.name for a in node.names if a.name != "_"]
                private = [n for n in names if n.startswith("_") and not n.startswith("__")]
                if private:
                    crossings.append(f"{path.relative_to(ROOT)}: {node.module} {private}")
    assert crossings == []


def test_services_live_in_capability_packages() -> None:
    services = PACKAGE / "services"
    loose = sorted(p.name for p in services.glob("*.py") if p.name != "__init__.py")
    assert len(loose) <= MAX_LOOSE_SERVICE_MODULES, loose
    packages = sorted(p.parent.name for p in services.glob("*/__init__.py"))
    for name in packages:
        init = services / name / "__init__.py"
        assert ast.get_docstring(ast.parse(init.read_text(encoding="utf-8"))), f"{init} says what it offers"

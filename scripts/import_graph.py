"""The import graph of core/ and bots/: cycles, and imports made inside functions.

`python scripts/import_graph.py` prints every cycle (strongly connected group of modules that
import each other, TYPE_CHECKING and function-level imports included) and every function-level
import in core/; it exits 1 when there is a cycle.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("core", "bots")


def module_name(path: Path) -> str:
    """core/chat/flows.py → core.chat.flows (a package's __init__ → the package)."""
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    """Every module of our packages."""
    return {
        module_name(path): path for pkg in PACKAGES for path in sorted((ROOT / pkg).rglob("*.py"))
    }


def imported(tree: ast.AST, known: set[str], this: str) -> Iterator[tuple[str, ast.AST]]:
    """(module, node) for every import of one of our modules in the tree."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
        else:
            continue
        for name in names:
            if name in known and name != this:
                yield name, node


def graph() -> dict[str, set[str]]:
    """module → the modules of ours it imports."""
    mods = modules()
    known = set(mods)
    return {
        name: {dep for dep, _ in imported(ast.parse(path.read_text()), known, name)}
        for name, path in mods.items()
    }


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of two or more modules (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for dep in sorted(edges.get(node, ())):
            if dep not in index:
                visit(dep)
                low[node] = min(low[node], low[dep])
            elif dep in stack:
                low[node] = min(low[node], index[dep])
        if low[node] == index[node]:
            group = []
            while True:
                top = stack.pop()
                group.append(top)
                if top == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    sys.setrecursionlimit(10_000)
    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def function_imports(package: str = "core") -> list[str]:
    """'module:line imported' for every import inside a function body."""
    found = []
    for name, path in modules().items():
        if not name.startswith(package):
            continue
        for func in ast.walk(ast.parse(path.read_text())):
            if isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef):
                for node in ast.walk(func):
                    if isinstance(node, ast.Import | ast.ImportFrom):
                        what = getattr(node, "module", None) or node.names[0].name
                        found.append(f"{name}:{node.lineno} {what}")
    return sorted(set(found))


def main() -> int:
    """Print the cycles and function-level imports; 1 when there is a cycle."""
    found = cycles(graph())
    for group in found:
        print("cycle:", " ↔ ".join(group))
    for line in function_imports():
        print("function-level import:", line)
    print(f"{len(found)} import cycles in {', '.join(PACKAGES)}")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())

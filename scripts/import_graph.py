"""The import graph of core/ and bots/: the layer order, cycles, and imports made inside
functions.

`python scripts/import_graph.py` prints the layers (LAYERS, top first), every import against
their order (a module may import its own unit and any unit of a LOWER layer; never a unit of its
own layer or of a higher one), every module that is in no layer, every cycle (strongly connected
group of modules that import each other, TYPE_CHECKING and function-level imports included) and
every function-level import in core/; it exits 1 when there is a cycle or an import against the
order, or a module in no layer.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("core", "bots")

# The layers, top first. Each entry is a unit: a package or module with everything under it, or
# (an entry naming several, like the base) exactly those modules, which may import each other. A
# module may import modules of its own unit and of any unit in a lower layer, never one of its
# own layer (siblings such as core.jobs and core.delivery stay apart) or of a higher one.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("core.cli",),  # `voiceover …`
    ("core.app",),  # starts the service with its chat platforms, or the worker
    ("bots", "core.worker", "core.voices_cli", "core.backups"),  # front doors: chat platforms,
    # the worker, `voiceover voices` and `voiceover backup|restore`
    ("core.service",),  # the bot process: messages into the users' lanes, started as one
    ("core.wiring",),  # the composition root: every part built from the settings, each handed
    # its collaborators at construction; started in order, closed in reverse
    ("core.web",),  # front door for browsers: upload and result pages, /healthz
    ("core.chat",),  # the chat core: lanes, routing, flows, sessions
    ("core.housekeeping",),  # clearing dead work at start (the service's and the worker's)
    ("core.jobs", "core.delivery"),  # running jobs; telling their owners
    ("core.work",),  # a job as both read it: Job, the JobQueue protocol, where it answers
    ("core.backends",),  # the Backend protocol; the local engine's and the cloud's
    ("core.media",),  # the MediaStore protocol: disk, bucket
    ("core.engine",),  # probe, scripts, voices, TTS, captions, mix, ffmpeg
    ("core.disk",),  # free space: checked before work, a full disk told as one refusal
    ("core.errors",),  # VoiceoverError and its stored form
    ("core.words",),  # everything a user reads or sees: replies, error texts, timeline
    (  # the base: settings, codes, ports, storage and process helpers
        "core.config core.logs core.error_codes core.ports core.store core.clock core.files "
        "core.failpoints core.metrics core.uninterrupted core.progressbar core.lifecycle core",
    ),
)


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


def unit_of(module: str, layers: tuple[tuple[str, ...], ...] = LAYERS) -> str | None:
    """The layer unit holding a module: the one it is, or the longest single-unit entry it sits
    under (None: in no layer)."""
    found = None
    for layer in layers:
        for entry in layer:
            units = entry.split()
            if module in units:
                return module
            under = len(units) == 1 and module.startswith(entry + ".")
            if under and (found is None or len(entry) > len(found)):
                found = entry
    return found


def layer_of(unit: str, layers: tuple[tuple[str, ...], ...] = LAYERS) -> tuple[int, str]:
    """(the layer's index, top 0; the entry naming the unit): a base entry names several."""
    for index, layer in enumerate(layers):
        for entry in layer:
            if unit in entry.split():
                return index, entry
    raise KeyError(unit)


def against_order(
    edges: dict[str, set[str]], layers: tuple[tuple[str, ...], ...] = LAYERS
) -> list[str]:
    """'a → b (why)' for every import against the layer order, and every module in no layer."""
    found = []
    for module in sorted(edges):
        unit = unit_of(module, layers)
        if unit is None:
            found.append(f"{module} is in no layer: add it to LAYERS in scripts/import_graph.py")
            continue
        level, entry = layer_of(unit, layers)
        for dep in sorted(edges[module]):
            dep_unit = unit_of(dep, layers)
            if dep_unit is None:
                continue  # reported as a module of its own
            dep_level, dep_entry = layer_of(dep_unit, layers)
            if dep_entry == entry or dep_level > level:
                continue
            why = "a sibling in its layer of" if dep_level == level else "a higher layer than"
            found.append(f"{module} → {dep} ({dep_unit} is {why} {unit})")
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
    """Print the layers, imports against them, cycles and function-level imports; 1 when an
    import goes against the order or there is a cycle."""
    edges = graph()
    print("layers, top first (each may import only the layers below it):")
    for index, layer in enumerate(LAYERS):
        print(f"  {index:2}. {' | '.join(' '.join(entry.split()) for entry in layer)}")
    wrong = against_order(edges)
    for line in wrong:
        print("against the layer order:", line)
    found = cycles(edges)
    for group in found:
        print("cycle:", " ↔ ".join(group))
    for line in function_imports():
        print("function-level import:", line)
    print(f"{len(wrong)} imports against the layer order, {len(found)} import cycles in ", end="")
    print(", ".join(PACKAGES))
    return 1 if found or wrong else 0


if __name__ == "__main__":
    sys.exit(main())

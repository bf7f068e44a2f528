"""The code's shape: imports follow the layer order, no import cycles, our modules imported at
the top, every intent routed to a flow."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

from core.chat.commands import (
    COMMAND_TABLE,
    INTENTS,
    READ_ONLY,
    Command,
    discord_commands,
    help_commands,
    shown,
    telegram_menu,
)
from core.chat.flows import Flows
from core.chat.routing import ROUTES, route_command
from core.chat.turn import FlowDeps

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))
import import_graph  # noqa: E402

# Imported only when chosen: the optional NemoVideo backend and the chat platforms; each CLI
# command's parts (a fast `voiceover --help`, tests/test_cli_imports.py); Redis/SAQ and boto3
# only with QUEUE_URL and STORAGE_URL; python-docx only for a .docx.
OPTIONAL = (
    "core.backends.registry",
    "core.app",
    "core.cli",
    "core.voices_cli",
    "core.jobs.select",
    "core.media.select",
    "core.engine.docx_reader",
    "core.backups.cli",
    "core.asr_cli",
    "core.jobs.reconcile",
)


def test_no_import_goes_against_the_layer_order() -> None:
    assert import_graph.against_order(import_graph.graph()) == []


def _edges_of(module: str, source: str) -> dict[str, set[str]]:
    """The graph with one more module of ours, written as source."""
    edges = import_graph.graph()
    known = set(edges) | {module}
    edges[module] = {dep for dep, _ in import_graph.imported(ast.parse(source), known, module)}
    return edges


def test_an_engine_module_importing_the_chat_is_caught() -> None:
    edges = _edges_of("core.engine.trial", "from core.chat.flows import Flows\n")
    assert import_graph.against_order(edges) == [
        "core.engine.trial → core.chat.flows (core.chat is a higher layer than core.engine)"
    ]


def test_jobs_importing_delivery_is_caught_as_a_sibling() -> None:
    edges = _edges_of("core.jobs.trial", "import core.delivery.results\n")
    assert import_graph.against_order(edges) == [
        "core.jobs.trial → core.delivery.results "
        "(core.delivery is a sibling in its layer of core.jobs)"
    ]


def test_words_importing_the_engine_is_caught() -> None:
    edges = _edges_of("core.words.trial", "from core.engine.probe import probe\n")
    assert len(import_graph.against_order(edges)) == 1


def test_a_module_in_no_layer_is_caught() -> None:
    edges = _edges_of("core.newthing", "from core.config import Settings\n")
    assert import_graph.against_order(edges) == [
        "core.newthing is in no layer: add it to LAYERS in scripts/import_graph.py"
    ]


def test_imports_down_the_layers_and_inside_a_unit_pass() -> None:
    source = "from core.words.replies import reply\nfrom core.chat.turn import Turn\n"
    assert import_graph.against_order(_edges_of("core.chat.trial", source)) == []


def test_no_import_cycles_in_core_or_bots() -> None:
    assert import_graph.cycles(import_graph.graph()) == []


def test_our_modules_are_imported_at_the_top_except_optional_ones() -> None:
    inside = [
        line
        for line in import_graph.function_imports()
        if line.split()[1].startswith(("core.", "bots.")) and not line.startswith(OPTIONAL)
    ]
    assert inside == []


@pytest.mark.parametrize("intent", INTENTS)
def test_every_routed_intent_has_a_flow(intent: str) -> None:
    assert callable(getattr(Flows, f"flow_{intent}", None)), intent


def test_the_routing_table_names_only_known_intents() -> None:
    assert {row.intent for row in ROUTES} <= set(INTENTS)
    assert FlowDeps.__dataclass_fields__.keys() >= {"backend", "queue", "sessions"}


def _mismatches(flows: type, table: tuple[Command, ...]) -> list[str]:
    """Rows without a flow and flows without a row."""
    rows = {row.intent for row in table}
    defined = {name.removeprefix("flow_") for name in dir(flows) if name.startswith("flow_")}
    return [f"row {i} has no flow" for i in sorted(rows - defined)] + [
        f"flow_{i} has no row" for i in sorted(defined - rows)
    ]


def test_every_command_row_has_a_flow_and_every_flow_a_row() -> None:
    assert _mismatches(Flows, COMMAND_TABLE) == []


def test_a_flow_without_a_row_and_a_row_without_a_flow_are_caught() -> None:
    class More(Flows):
        async def flow_trial(self) -> None:
            """A flow nobody can reach."""

    assert _mismatches(More, COMMAND_TABLE) == ["flow_trial has no row"]
    assert _mismatches(Flows, (*COMMAND_TABLE, Command("nowhere", ("nowhere",)))) == [
        "row nowhere has no flow"
    ]


def test_menus_and_help_come_from_the_table() -> None:
    menu = telegram_menu("en")
    # Today's menu comes first, in its order (a new command joins it without touching this).
    today = [
        "start",
        "help",
        "voiceover",
        "credits",
        "status",
        "export",
        "voices",
        "cancel",
        "upload",
        "preview",
    ]
    assert list(menu)[: len(today)] == today
    assert list(menu) == [row.names[0] for row in shown() if row.menu]
    assert list(telegram_menu("zh")) == list(menu)
    assert set(discord_commands()) == set(menu) - {"start"}
    listed = help_commands("en").replace(",\n  ", ", ").split(", ")
    assert listed == [f"/{row.names[0]}" for row in shown() if row.in_help]
    assert "/lexicon" in listed and "/start" not in listed
    assert {
        "help", "credits", "voices", "status", "cancel", "did_you_mean", "unknown_command",
        "language",
    } <= READ_ONLY  # fmt: skip
    assert {row.intent for row in COMMAND_TABLE if row.read_only} == READ_ONLY
    for name in (*menu, *discord_commands()):
        assert route_command(name).intent in INTENTS


MAX_FILE_LINES = 300
MAX_FUNCTION_LINES = 40
SIZED = ("core", "bots", "bench", "scripts")  # our code; tests/ and data files are not held to it
STATIC = "core/web/static"  # the pages' own scripts and styles (not vendor/) are held to it too


def _oversized(root: Path, folders: tuple[str, ...] = SIZED) -> list[str]:
    """'path: N lines' for every Python file over MAX_FILE_LINES and 'path:line name: N lines'
    for every function (or method) over MAX_FUNCTION_LINES, from its `def` to its last line."""
    found = []
    for path in sorted(p for folder in folders for p in (root / folder).rglob("*.py")):
        text = path.read_text()
        name = path.relative_to(root).as_posix()
        if len(text.splitlines()) > MAX_FILE_LINES:
            found.append(f"{name}: {len(text.splitlines())} lines")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    found.append(f"{name}:{node.lineno} {node.name}: {length} lines")
    for path in sorted(p for p in (root / STATIC).glob("*") if p.suffix in (".js", ".css")):
        lines = len(path.read_text().splitlines())
        if lines > MAX_FILE_LINES:
            found.append(f"{path.relative_to(root).as_posix()}: {lines} lines")
    return found


def test_no_file_over_300_lines_and_no_function_over_40() -> None:
    assert _oversized(import_graph.ROOT) == []


def test_a_long_file_and_a_long_function_are_caught(tmp_path: Path) -> None:
    (tmp_path / "core").mkdir()
    lines = [f"    x{n} = {n}\n" for n in range(40)]
    (tmp_path / "core" / "long.py").write_text("def long() -> None:\n" + "".join(lines))  # 41
    (tmp_path / "core" / "fine.py").write_text("def fine() -> None:\n" + "".join(lines[1:]))
    (tmp_path / "core" / "big.py").write_text("x = 1\n" * 301)
    (tmp_path / STATIC).mkdir(parents=True)
    (tmp_path / STATIC / "page.js").write_text("x();\n" * 301)
    (tmp_path / STATIC / "page.css").write_text("p {}\n" * 300)
    assert _oversized(tmp_path, ("core",)) == [
        "core/big.py: 301 lines",
        "core/long.py:1 long: 41 lines",
        "core/web/static/page.js: 301 lines",
    ]

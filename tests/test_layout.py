"""The code's shape: no import cycles, our modules imported at the top, every intent routed to
a flow."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from core.chat.flows import Flows
from core.chat.routing import INTENTS, ROUTES
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
)


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

"""A finished render's output is one type from the render job to the delivery and the result
page; stored with its job as JSON and read back the same (older records too)."""

from __future__ import annotations

import json

from core.words.notes import Note
from core.words.text import Bilingual
from core.work.output import RenderOutput


def test_an_output_survives_its_stored_form() -> None:
    warning = Note("voice_missing", {"what": Bilingual("female", "女声"), "voice": "joe"})
    output = RenderOutput(
        key="results/j1.mp4",
        duration_s=12.5,
        width=1920,
        height=1080,
        size_bytes=2_000_000,
        warning=warning,
        voices=("joe (male)",),
        narration_s=9.0,
    )
    back = RenderOutput.from_record(json.loads(json.dumps(output.to_record())))
    assert back == output
    assert back.warning is not None and back.warning.text("zh") == warning.text("zh")


def test_an_older_record_with_a_path_and_plain_warning_reads_back() -> None:
    record = {"path": "/data/results/j1.mp4", "size_bytes": "10", "warning": "Old note."}
    output = RenderOutput.from_record(record)
    assert (output.key, output.path, output.size_bytes) == (None, "/data/results/j1.mp4", 10)
    assert output.warning is not None and output.warning.text("en") == "Old note."
    assert RenderOutput.from_record(None) == RenderOutput()

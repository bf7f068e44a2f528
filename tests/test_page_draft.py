"""The edit page's view of a project and a save read back (no service): pauses at a line's end,
voices as speaker labels only when the lines differ, versions that change with any edit."""

from __future__ import annotations

from dataclasses import replace

from core.backends.local.page_draft import read_page, split_pause, version_of
from core.backends.local.project import Project
from core.engine.model import Limits, RenderOptions, Script, ScriptCue, VoiceInfo
from tests.voice_repo import JOE

AMY = replace(JOE, id="en_US-amy-medium")
VOICES = [JOE, AMY]


def project(*texts: str) -> Project:
    cues = tuple(ScriptCue(text, float(n * 3)) for n, text in enumerate(texts))
    return Project("p" * 32, "telegram:1", "en", RenderOptions(), Script(cues), None, None, None)


def lines(*voices: str) -> dict[str, object]:
    rows = [
        {"text": f"Line {n}.", "start": n * 2.0, "voice": voice, "speed": None, "pause": 0}
        for n, voice in enumerate(voices)
    ]
    return {"lines": rows, "options": {}}


def read(data: dict[str, object], voices: list[VoiceInfo] = VOICES) -> Script:
    edit = read_page(data, project("A."), voices, Limits(), "en", JOE.id)
    assert edit.script is not None, (edit.line_errors, edit.errors)
    return edit.script


def test_a_trailing_pause_is_the_lines_pause_after() -> None:
    assert split_pause("Meet Aurora. [pause 1.5s]") == ("Meet Aurora.", 1.5)
    assert split_pause("Meet [pause] Aurora.") == ("Meet [pause] Aurora.", 0.0)
    assert split_pause("Hi [pause 500ms] [pause]") == ("Hi", 1.5)
    data = lines(JOE.id)
    data["lines"][0]["pause"] = 0.8  # type: ignore[index]
    assert read(data).cues[0].text == "Line 0. [pause 0.8s]"


def test_voices_become_labels_only_when_a_line_differs() -> None:
    assert [c.speaker for c in read(lines(JOE.id, JOE.id)).cues] == [None, None]
    labelled = read(lines(JOE.id, AMY.id, JOE.id)).cues
    assert [c.speaker for c in labelled] == [JOE.id, AMY.id, JOE.id]


def test_lines_are_ordered_by_their_starts_and_refusals_are_per_line() -> None:
    data = lines(JOE.id, JOE.id)
    data["lines"][0]["start"] = 5.0  # type: ignore[index]
    assert [c.text for c in read(data).cues] == ["Line 1.", "Line 0."]
    data["lines"][1]["speed"] = 9  # type: ignore[index]
    edit = read_page(data, project("A."), VOICES, Limits(), "zh", JOE.id)
    assert edit.script is None and set(edit.line_errors) == {1}


def test_the_version_changes_with_any_edit() -> None:
    one, two = project("A.", "B."), project("A.", "B.")
    assert version_of(one) == version_of(two)
    moved = replace(two, script_obj=Script((ScriptCue("A.", 0.0), ScriptCue("B.", 4.0))))
    slower = replace(two, options=RenderOptions(speed=0.9))
    assert len({version_of(one), version_of(moved), version_of(slower)}) == 3

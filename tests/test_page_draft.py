"""The edit page's view of a project and a save read back (no service): pauses at a line's end,
voices as speaker labels only when the lines differ, versions that change with any edit."""

from __future__ import annotations

from dataclasses import replace

from core.backends.local.instructions import apply_changes, read_changes
from core.backends.local.page_draft import read_page, split_pause, version_of
from core.backends.local.page_options import LOOK_OPTIONS, page_choices, shown_options
from core.backends.local.project import Project
from core.engine.caption_styles import colour_code
from core.engine.model import (
    Captions,
    CaptionStyle,
    Limits,
    RenderOptions,
    Script,
    ScriptCue,
    VoiceInfo,
)
from core.web.edit_controls import page_controls
from core.words.edit_text import choice_words
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


def looks(**options: object) -> tuple[RenderOptions | None, dict[str, str]]:
    """A save of one line with these options: (the options saved, or None; errors by option)."""
    data = {**lines(JOE.id), "options": options}
    edit = read_page(data, project("A."), VOICES, Limits(), "en", JOE.id)
    return (edit.options if edit.script else None), edit.option_errors


def test_a_caption_look_from_the_page_is_read_as_the_chat_reads_it() -> None:
    saved, _ = looks(caption_style="karaoke", caption_position="top", caption_colour="yellow")
    assert saved is not None
    assert (saved.caption_style, saved.caption_position) == (CaptionStyle.KARAOKE, "top")
    assert saved.caption_colour == colour_code("yellow") and saved.captions is Captions.BURN
    chat = apply_changes(RenderOptions(), read_changes("karaoke captions at the top in yellow"))
    assert chat == saved  # the same options as the chat's words give
    assert shown_options(saved)["caption_colour"] == "yellow"  # shown back by its name
    same, _ = looks(captions="none", caption_style="classic", caption_position="bottom")
    assert same is not None and same.captions is Captions.NONE  # an unchanged look burns nothing
    bigger, _ = looks(caption_scale=1.2)
    assert bigger is not None and bigger.caption_scale == 1.2


def test_a_bad_look_is_refused_next_to_its_control() -> None:
    saved, wrong = looks(caption_style="sparkly", caption_colour="mauve", caption_scale=3)
    assert saved is None and set(wrong) == {"caption_style", "caption_colour", "caption_scale"}
    assert "karaoke" in wrong["caption_style"] and "yellow" in wrong["caption_colour"]
    assert wrong["caption_style"].startswith("caption style can't be sparkly")
    assert "1.4" in wrong["caption_scale"]
    saved, wrong = looks(caption_position="sideways", speed="fast")
    assert saved is None and set(wrong) == {"caption_position", "speed"}


def test_every_choice_has_words_in_english_and_chinese() -> None:
    for option, values in page_choices().items():
        for value in values:
            en, zh = choice_words(option, value, "en"), choice_words(option, value, "zh")
            assert ":" in value or (en != zh and en), (option, value)  # "16:9" says itself
    assert page_choices()["caption_style"] == [style.value for style in CaptionStyle]
    controls = page_controls("zh")
    assert [c["option"] for c in controls["looks"]] == ["captions", *LOOK_OPTIONS]
    assert all(c["label"] and c["label"] != c["option"] for c in controls["looks"])

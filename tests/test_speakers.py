"""Speaker labels in every script format, the rule that tells them from ordinary colons, the
voice each segment gets (its speaker's, its language's), and speakers' voices asked in chat."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import docx
import pytest

from core.backends.local.instructions import apply_changes, parse
from core.backends.local.project import (
    Project,
    build_draft,
    options_from_json,
    options_to_json,
    script_from_json,
    script_to_json,
)
from core.engine.model import Limits, RenderOptions, Script, ScriptCue, VoiceInfo
from core.engine.scripts import parse_script_text, read_script_file
from core.engine.voice_plan import plan_voices
from core.engine.voices import discover_voices
from core.errors import ErrorCode, VoiceoverError
from core.words.timeline import summarize_draft

LIMITS = Limits()
JOE = discover_voices(None)[0]
AMY = replace(JOE, id="en_US-amy-medium", name="amy", gender="female")
ALAN = replace(JOE, id="en_GB-alan-medium", language="en_GB", name="alan", gender="male")
ZH = replace(JOE, id="zh_CN-test-medium", language="zh_CN", name="test", gender=None)
HUAYAN = replace(JOE, id="zh_CN-huayan-medium", language="zh_CN", name="huayan", gender="female")
ENGLISH = "Meet Aurora, the desk lamp that follows the sun. At sunrise it glows a soft amber."
CHINESE = "认识一下极光台灯，它会跟随太阳。日出时它发出柔和的琥珀色光。"
DIALOGUE = "A: Meet Aurora.\nB: What does it do?\nA: It follows the sun.\nB: Wow."


def turns(script: Script) -> list[tuple[str | None, str]]:
    return [(cue.speaker, cue.text) for cue in script.cues]


def timed(script: Script) -> list[tuple[str | None, str, float | None]]:
    return [(cue.speaker, cue.text, cue.start_s) for cue in script.cues]


def test_typed_dialogue_one_segment_per_labelled_line_the_label_taken_off() -> None:
    assert turns(parse_script_text(DIALOGUE, LIMITS)) == [
        ("A", "Meet Aurora."),
        ("B", "What does it do?"),
        ("A", "It follows the sun."),
        ("B", "Wow."),
    ]


def test_names_brackets_and_continuation_lines() -> None:
    text = "[Anna] Hello there.\nThis line is still Anna.\n[Bob] Hi Anna.\n[Anna] Bye.\n\nAnd on."
    assert turns(parse_script_text(text, LIMITS)) == [
        ("Anna", "Hello there. This line is still Anna."),
        ("Bob", "Hi Anna."),
        ("Anna", "Bye."),
        ("Anna", "And on."),  # a paragraph without a label: the same speaker goes on
    ]
    chinese = "小明：你好。\n小红：你好！\n小明：再见。"
    assert [s for s, _ in turns(parse_script_text(chinese, LIMITS))] == ["小明", "小红", "小明"]
    named = "Anna Lee: Hello.\nDr. Bob: Hi.\nAnna Lee: Bye.\nDr. Bob：再见。"
    assert [s for s, _ in turns(parse_script_text(named, LIMITS))] == [
        "Anna Lee",
        "Dr. Bob",
        "Anna Lee",
        "Dr. Bob",
    ]


@pytest.mark.parametrize(
    "text",
    [
        "Note: this is a lamp.\nIt glows.",
        "Note: this is a lamp.\nWarning: it is hot.\nTip: turn it off.",
        "See http://example.com: it glows.\nOpen https://a.example today.",
        "The show starts at 10:30 today.\nDoors open 9:45.",
        "Here is the plan: we go.\nAnd then: we stay.",  # each label once, not every line
        "A: only one label here.\nA: used twice.",
        "Ratio 16:9 looks fine.\nAnd 4:5 too.",
        "Step 1: unbox it.\nStep 2: plug it in.\nChapter 3: enjoy.",
        "他说：你好。\n她问：你好吗？\n他说：很好。",
        "原因很简单：它跟随太阳。\n结果很明显：更省电。\n原因很简单：好用。",
    ],
)
def test_ordinary_colons_urls_and_times_are_not_speakers(text: str) -> None:
    script = parse_script_text(text, LIMITS)
    assert all(cue.speaker is None for cue in script.cues)
    assert script.text.replace("\n\n", " ") == " ".join(text.split())


def test_two_labels_on_every_line_are_speakers_even_once_each() -> None:
    assert turns(parse_script_text("A: Hello there.\nB: Hi!", LIMITS)) == [
        ("A", "Hello there."),
        ("B", "Hi!"),
    ]


def test_inline_timestamps_with_labels_are_not_confused() -> None:
    text = "[0:05] A: Hello there.\n[0:08] B: Hi!\n[0:10] A: Bye.\nB: See you."
    assert timed(parse_script_text(text, LIMITS)) == [
        ("A", "Hello there.", 5.0),
        ("B", "Hi!", 8.0),
        ("A", "Bye.", 10.0),
        ("B", "See you.", 10.0),  # a turn inside a cue starts with it, then follows it
    ]


def test_srt_and_vtt_cues_carry_their_speakers() -> None:
    srt = (
        "1\n00:00:01,000 --> 00:00:02,500\nA: Hello there.\n\n"
        "2\n00:00:03,000 --> 00:00:04,000\nB: Hi!\nA: Bye.\n\n"
        "3\n00:00:05,000 --> 00:00:06,000\nB: Later.\n"
    )
    assert timed(parse_script_text(srt, LIMITS)) == [
        ("A", "Hello there.", 1.0),
        ("B", "Hi!", 3.0),
        ("A", "Bye.", 3.0),
        ("B", "Later.", 5.0),
    ]
    vtt = (
        "WEBVTT\n\n00:01.000 --> 00:02.000\n<v Anna>Hello there.\n\n"
        "00:03.000 --> 00:04.000\n<v Bob>Hi!\n\n00:05.000 --> 00:06.000\n<v Anna>Bye.</v>\n"
    )
    assert timed(parse_script_text(vtt, LIMITS)) == [
        ("Anna", "Hello there.", 1.0),
        ("Bob", "Hi!", 3.0),
        ("Anna", "Bye.", 5.0),
    ]


def _docx(path: Path, paragraphs: list[str]) -> Path:
    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    document.save(str(path))
    return path


def test_txt_and_docx_files_carry_speakers(tmp_path: Path) -> None:
    txt = tmp_path / "dialogue.txt"
    txt.write_text(DIALOGUE, encoding="utf-8")
    docx = _docx(tmp_path / "dialogue.docx", DIALOGUE.split("\n"))
    for path in (txt, docx):
        assert [s for s, _ in turns(read_script_file(path, LIMITS))] == ["A", "B", "A", "B"]


def test_speakers_survive_the_project_json() -> None:
    script = parse_script_text(DIALOGUE, LIMITS)
    assert script_from_json(json.loads(json.dumps(script_to_json(script)))) == script
    assert script_from_json([["Old cue", 1.0, None]]) == Script((ScriptCue("Old cue", 1.0),))
    options = RenderOptions(speakers=(("A", "male"), ("B", "zh_CN-huayan-medium")))
    assert options_from_json(json.loads(json.dumps(options_to_json(options)))) == options


def ids(script: Script, voices: list[VoiceInfo], **asked: Any) -> list[str]:
    plan = plan_voices(script, voices, RenderOptions(**asked))
    return [v.id for v in plan.cue_voices]


def test_unassigned_labels_get_distinct_voices_of_the_language_first_label_the_main() -> None:
    script = parse_script_text(DIALOGUE, LIMITS)
    assert ids(script, [JOE, AMY]) == [JOE.id, AMY.id, JOE.id, AMY.id]
    three = parse_script_text(DIALOGUE + "\nC: And me.", LIMITS)
    assert set(ids(three, [JOE, AMY])) == {JOE.id}  # not enough voices: the main voice
    assert ids(three, [JOE, AMY, ALAN])[-1] == ALAN.id
    assert set(ids(script, [JOE, AMY], voice=JOE.id)) == {JOE.id, AMY.id}


def test_asked_voices_per_label_gender_language_or_id() -> None:
    script = parse_script_text(DIALOGUE, LIMITS)
    speakers = (("a", "female"), ("B", "male"))  # labels match in any case
    assert ids(script, [JOE, AMY], speakers=speakers) == [AMY.id, JOE.id, AMY.id, JOE.id]
    by_id = (("B", "en_GB-alan-medium"),)
    assert ids(script, [JOE, AMY, ALAN], speakers=by_id) == [JOE.id, ALAN.id, JOE.id, ALAN.id]
    assert ids(script, [JOE, HUAYAN], speakers=(("B", "zh"),))[1] == HUAYAN.id
    assert ids(script, [JOE, AMY], speakers=(("Nobody", "female"),))[0] == JOE.id


@pytest.mark.parametrize(
    ("want", "words"),
    [
        ("female", ["speaker B", "female English", "/voices install en_US-"]),
        ("ja", ["speaker B", "Japanese"]),
        ("en_US-nobody-low", ["speaker B", "en_US-nobody-low", "/voices"]),
    ],
)
def test_a_label_asking_for_what_no_voice_gives_is_refused(want: str, words: list[str]) -> None:
    script = parse_script_text(DIALOGUE, LIMITS)
    with pytest.raises(VoiceoverError) as caught:
        plan_voices(script, [JOE, ZH], RenderOptions(speakers=(("B", want),)))
    assert caught.value.code is ErrorCode.SPEAKER_VOICE
    message = caught.value.message()
    assert all(word in message for word in words), message
    assert "说话人 B" in caught.value.message("zh")


def test_each_paragraph_is_read_in_its_own_language() -> None:
    script = Script((ScriptCue(ENGLISH), ScriptCue(CHINESE), ScriptCue(ENGLISH)))
    assert ids(script, [JOE, ZH]) == [JOE.id, ZH.id, JOE.id]
    assert ids(script, [JOE, AMY, ZH, HUAYAN], gender="female") == [AMY.id, HUAYAN.id, AMY.id]
    assert ids(script, [JOE, ZH], language="en") == [JOE.id] * 3  # an explicit request wins
    assert ids(script, [JOE, ZH], voice=ZH.id) == [ZH.id] * 3


def test_a_real_share_in_a_language_no_voice_speaks_is_refused_a_small_bit_is_noted() -> None:
    script = Script((ScriptCue(ENGLISH), ScriptCue(CHINESE)))
    with pytest.raises(VoiceoverError) as caught:
        plan_voices(script, [JOE], RenderOptions())
    assert caught.value.code is ErrorCode.NO_VOICE_FOR_LANGUAGE
    assert "Chinese" in caught.value.message()
    small = Script((ScriptCue(ENGLISH * 3), ScriptCue("你好，谢谢大家。")))
    plan = plan_voices(small, [JOE], RenderOptions())
    assert [v.id for v in plan.cue_voices] == [JOE.id, JOE.id]
    assert str(plan.note) == "Parts of the script look like Chinese; joe (male) reads them."
    assert (
        plan.note is not None
        and plan.note.text("zh") == "脚本中有部分内容像是中文，这些部分由 joe（男声） 朗读。"
    )


def test_foreign_words_in_an_english_paragraph_are_not_a_foreign_paragraph() -> None:
    menu = Script(
        (ScriptCue("Welcome to Luigi's."), ScriptCue("Pizza margherita, espresso, tiramisu."))
    )
    plan = plan_voices(menu, [JOE], RenderOptions())  # ~0.7 Italian: not sure enough to refuse
    assert [v.id for v in plan.cue_voices] == [JOE.id, JOE.id]


@pytest.mark.parametrize(
    ("text", "speakers", "rest"),
    [
        ("A is male, B is female", {"A": "male", "B": "female"}, {}),
        ("Anna is female", {"Anna": "female"}, {}),
        ("Anna: en_US-amy-medium", {"Anna": "en_US-amy-medium"}, {}),
        ("A用男声，B用女声", {"A": "male", "B": "female"}, {}),
        ("B should be a woman, slower", {"B": "female"}, {"speed_delta": -0.1}),
        ("Bob is Chinese", {"Bob": "zh"}, {}),
        ("the voice is female", {}, {"gender": "female"}),
        ("请用女声", {}, {"gender": "female"}),
        ("use a male voice", {}, {"gender": "male"}),
    ],
)
def test_speakers_voices_from_chat(
    text: str, speakers: dict[str, str], rest: dict[str, Any]
) -> None:
    found = parse(text)
    expected = {**({"speakers": speakers} if speakers else {}), **rest}
    assert (found.changes, found.script) == (expected, None)


def test_a_message_with_speakers_voices_then_the_dialogue() -> None:
    found = parse("A is male, B is female\nA: Hello there.\nB: Hi!")
    assert found.changes == {"speakers": {"A": "male", "B": "female"}}
    assert found.script == "A: Hello there.\nB: Hi!"
    assert parse(DIALOGUE).changes == {}  # a dialogue alone is a script, not instructions


def test_later_requests_replace_earlier_ones_for_the_same_label() -> None:
    options = apply_changes(RenderOptions(), parse("A is male, B is female").changes)
    options = apply_changes(options, parse("a is female").changes)
    assert options.speakers == (("B", "female"), ("a", "female"))


def test_the_timeline_names_the_speakers_and_their_voices() -> None:
    script = parse_script_text(DIALOGUE + "\nC: Me too.", LIMITS)
    options = RenderOptions(gender="male", speakers=(("a", "female"),))
    project = Project("p", "u", "en", options, script, None, None, None)
    summary = summarize_draft(build_draft(project))
    assert "Voiceover: male voice; speakers A: female, B: auto, C: auto (0-" in summary
    assert script.labelled_text.startswith("A: Meet Aurora.\n\nB: What does it do?")

"""Pronunciation fixes: the lexicon's rules, what Piper receives, the chat commands, the
operator's file and the CLI."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from piper import PiperVoice

from core.app import check_settings
from core.chat.routing import route_say_as
from core.chat.sessions import Sessions
from core.config import Settings
from core.engine.lexicon import MAX_ENTRIES, Lexicon, parse_entry, read_lexicon_file
from core.engine.model import Script, ScriptCue
from core.engine.narration import NarrationBuilder
from core.engine.tts import VOICE_CACHE, Synthesizer
from core.engine.voices import installed_voices
from core.errors import ErrorCode, VoiceoverError
from core.service import Service
from tests.chat_helpers import incoming
from tests.cli_helpers import voiceover
from tests.fakes import RecordingChat

SCRIPT = "Meet Aurora, the lamp that follows the sun."


@pytest.fixture
def piper_heard(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Every text Piper itself is asked to speak (its real synthesis still runs)."""
    heard: list[str] = []
    original = PiperVoice.synthesize

    def recording(self: PiperVoice, text: str, *args: object, **kwargs: object) -> object:
        heard.append(text)
        return original(self, text, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(PiperVoice, "synthesize", recording)
    yield heard


def test_whole_words_any_case_phrases_and_chinese() -> None:
    lexicon = Lexicon.from_pairs(
        [["Aurora", "aw-ROAR-uh"], ["New York", "noo york"], ["微信", "威信"]]
    )
    said = lexicon.apply("AURORA and aurora, not Auroras or Aurorae; new  York; 用微信")
    assert said == "aw-roar-uh and aw-roar-uh, not Auroras or Aurorae; noo york; 用威信"
    newer = lexicon.merged(Lexicon.from_pairs([["aurora", "or-OR-a"]]))
    assert newer.apply("Aurora") == "or-or-a"


@pytest.mark.parametrize(
    ("word", "say", "why"),
    [
        ("x" * 41, "ex", "1–40 characters"),
        ("Aurora", "aw(ROAR)", "respelling"),
        ("Aurora", "", "respelling"),
        ("Aurora", "[[ h€ ]]", "phonemes: €"),
        ("<b>", "bee", "letters, digits"),
    ],
)
def test_a_bad_entry_is_refused_saying_why(word: str, say: str, why: str) -> None:
    with pytest.raises(VoiceoverError) as caught:
        parse_entry(word, say)
    assert caught.value.code is ErrorCode.BAD_LEXICON
    assert why in caught.value.message("en")
    assert "例如" in caught.value.message("zh")


def test_phonemes_are_kept_as_one_block() -> None:
    entry = parse_entry("GPT", "[[  dʒˈiː   pˈiː tˈiː ]]")
    assert entry.say == "[[ dʒˈiː pˈiː tˈiː ]]"
    assert Lexicon((entry,)).apply("Ask GPT.") == "Ask [[ dʒˈiː pˈiː tˈiː. ]]"  # . kept inside


@pytest.mark.parametrize(
    ("text", "rest"),
    [
        ("say Aurora as aw-ROAR-uh", "Aurora = aw-ROAR-uh"),
        ('Pronounce "GPT" like [[ dʒˈiː ]].', "GPT = [[ dʒˈiː ]]"),
        ("Aurora is pronounced aw-ROAR-uh", "Aurora = aw-ROAR-uh"),
        ("把Aurora读作奥罗拉", "Aurora = 奥罗拉"),
        ("把重庆读作崇庆", "重庆 = 崇庆"),
        ("Meet Aurora. Say it as you like, and then we go on with the show today", None),
        ("say hello as you walk into the room and greet everyone you see there", None),
    ],
)
def test_fixes_asked_in_words_are_recognised(text: str, rest: str | None) -> None:
    routed = route_say_as(text)
    assert (routed.rest if routed else None) == rest


def test_the_voice_hears_the_fix_and_the_captions_keep_the_word(
    piper_heard: list[str], settings: Settings
) -> None:
    (joe,) = [v for v in installed_voices(settings.voices_dir) if v.id == "en_US-joe-medium"]
    synth = Synthesizer(1)
    script = Script((ScriptCue(SCRIPT),))
    fix = Lexicon.from_pairs([["aurora", "[[ æɹˈoʊɹæ ]]"]])
    try:
        builder = NarrationBuilder(synth, joe, 1.0, 1.2, lambda _: None, None, fix)
        narration = builder.build(script)
        piper = VOICE_CACHE.get(joe)
    finally:
        synth.close()
    (heard,) = piper_heard
    assert heard == "Meet [[ æɹˈoʊɹæ, ]] the lamp that follows the sun."
    assert [s.text for s in narration.segments] == [SCRIPT]  # the captions keep the word
    plain = "".join(piper.phonemize(SCRIPT)[0])
    assert "".join(piper.phonemize(heard)[0]) == plain.replace("ɔːɹˈɔːɹə", "æɹˈoʊɹæ")


async def test_a_fix_in_chat_is_listed_shown_in_status_and_rendered(
    service: Service, tiny: Path, piper_heard: list[str]
) -> None:
    chat = RecordingChat()
    await service.handle(incoming("say Aurora as aw-ROAR-uh"), chat)
    assert chat.texts[-1].startswith("📖 Got it: I'll say Aurora as aw-ROAR-uh.")
    await service.handle(incoming(SCRIPT, files=(tiny,)), chat)
    await asyncio.wait_for(service.wait_idle(), 120)
    assert [r.kind for r in chat.results] == ["video"]
    assert any("aw-roar-uh, the lamp" in text for text in piper_heard)
    await service.handle(incoming("status"), chat)
    assert "📖 Pronunciations: Aurora → aw-ROAR-uh" in chat.texts[-1]
    await service.handle(incoming("/lexicon"), chat)
    assert "• Aurora → aw-ROAR-uh" in chat.texts[-1]
    await service.handle(incoming("export"), chat)  # nothing changed: the same video again
    await asyncio.wait_for(service.wait_idle(), 120)
    assert len(piper_heard) == 1
    await service.handle(incoming("/lexicon remove aurora"), chat)
    assert chat.texts[-1] == "📖 Removed the pronunciation of aurora."
    await service.handle(incoming("export"), chat)  # the fix is gone: a new render
    await asyncio.wait_for(service.wait_idle(), 120)
    assert piper_heard[-1].startswith("Meet Aurora, the lamp")
    await service.handle(incoming("/lexicon"), chat)
    assert chat.texts[-1].startswith("📖 No pronunciation fixes yet.")


async def test_a_job_reads_the_fixes_it_was_asked_with(
    service: Service, tiny: Path, piper_heard: list[str], render_gate: object
) -> None:
    chat = RecordingChat()
    await service.handle(incoming("say Aurora as aw-ROAR-uh"), chat)
    await service.handle(incoming(SCRIPT, files=(tiny,)), chat)
    (job,) = await service.queue.active_for("telegram:1")
    assert job.inputs["lexicon"] == [["Aurora", "aw-ROAR-uh"]]


async def test_bad_fixes_and_a_full_lexicon_are_refused_in_one_line(service: Service) -> None:
    chat = RecordingChat()
    await service.handle(incoming("/lexicon Aurora = aw(ROAR)"), chat)
    assert "I can't use that pronunciation for Aurora" in chat.texts[-1]
    for n in range(MAX_ENTRIES):
        await Sessions(service.store).add_word("telegram:1", parse_entry(f"word{n}", "wurd"))
    await service.handle(incoming("say Aurora as aw-ROAR-uh"), chat)
    assert chat.texts[-1].startswith(f"You have {MAX_ENTRIES} pronunciation fixes")
    await service.handle(incoming("/lexicon remove nothing-here", lang="zh"), chat)
    assert chat.texts[-1] == "没有 nothing-here 的读音修正。发送 /lexicon 查看你的修正。"
    assert "Traceback" not in chat.all_text


def test_the_operators_file_is_read_and_a_bad_line_named(
    tmp_path: Path, settings: Settings
) -> None:
    good = tmp_path / "lexicon.txt"
    good.write_text(
        "# brand names\nAurora = aw-ROAR-uh\nGPT = [[ dʒˈiː pˈiː tˈiː ]]  # phonemes\n"
    )
    assert read_lexicon_file(good).to_pairs() == [
        ["Aurora", "aw-ROAR-uh"],
        ["GPT", "[[ dʒˈiː pˈiː tˈiː ]]"],
    ]
    assert check_settings(settings.model_copy(update={"lexicon_file": good})) == []
    bad = tmp_path / "bad.txt"
    bad.write_text("Aurora = aw-ROAR-uh\nno equals sign here\n")
    (problem,) = check_settings(settings.model_copy(update={"lexicon_file": bad}))
    assert problem.startswith("LEXICON_FILE:") and "bad.txt line 2" in problem


def test_the_cli_takes_a_lexicon_and_refuses_a_bad_one(tmp_path: Path) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_text("Aurora = <b>\n")
    out = tmp_path / "out.mp4"
    args = ("render", "--text", SCRIPT, "--out", str(out), "--lexicon", str(bad))
    done = voiceover(*args, cwd=tmp_path)
    assert done.returncode == 2 and "bad.txt line 1" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and not out.exists()


async def test_a_preview_says_the_words_as_fixed(
    service: Service, tiny: Path, piper_heard: list[str]
) -> None:
    chat = RecordingChat()
    await service.handle(incoming("say Aurora as aw-ROAR-uh"), chat)
    await service.handle(incoming(SCRIPT, files=(tiny,)), chat)  # a full render starts…
    await service.handle(incoming("/cancel"), chat)  # …and is stopped
    await asyncio.wait_for(service.wait_idle(), 120)
    piper_heard.clear()
    await service.handle(incoming("preview"), chat)
    assert any("Preview" in c.text for c in chat.calls if c.kind == "video")
    assert piper_heard == [SCRIPT.replace("Aurora", "aw-roar-uh")]

"""Understanding the user: every corpus message through the real chat flow (no renders run:
the Service's job runner is not started, so a render shows as a queued job holding credits)."""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from core.backends.local.classify import Kind, State, classify
from core.backends.local.instructions import apply_changes, read_changes
from core.chat.routing import route_keywords
from core.config import Settings
from core.engine.scripts import parse_script_text
from core.service import Service
from tests.chat_helpers import SCRIPT
from tests.corpus_flow import HELD_OUT, TUNED, User, load
from tests.voice_repo import install_relabelled

CANNOT = "🤷"


@pytest.fixture
async def idle(service_settings: Settings) -> AsyncIterator[Service]:
    """A Service with its store open and no job runner; a Chinese voice installed. One user
    sends the whole corpus in seconds, so the flood limits (tests/test_floods.py) are lifted."""
    assert service_settings.voices_dir is not None
    install_relabelled(service_settings.voices_dir, "zh_CN-huayan-medium")
    unlimited = {"flood_burst": 100_000, "flood_rate_per_s": 1000.0, "max_queued_renders": 1000}
    service = Service(service_settings.model_copy(update=unlimited))
    await service.store.open()
    try:
        yield service
    finally:
        await service.backend.aclose()
        await service.store.close()


def test_the_corpora_are_big_enough_and_bilingual() -> None:
    tuned, held = load(TUNED), load(HELD_OUT)
    assert len(tuned) >= 150 and len(held) >= 40
    for rows in (tuned, held):
        for label in ("instruction", "script", "chat", "unsupported"):
            texts = [text for kind, text in rows if kind == label]
            assert any(t.isascii() for t in texts) and not all(t.isascii() for t in texts)


def outcome(text: str, state: State) -> str:
    reading = classify(text, state)
    if reading.kind is Kind.INSTRUCTION:
        return "mixed" if reading.missing else "instruction"
    return str(reading.kind)


@pytest.mark.parametrize("path", [TUNED, HELD_OUT], ids=["tuned", "held-out"])
def test_classification_figures(path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = load(path)
    for state in (State(has_script=True, has_media=True), State(has_media=True)):
        right, total, wrong = Counter[str](), Counter[str](), []
        for label, text in rows:
            if route_keywords(text) == "edit":  # the edit page's link, never classified
                continue
            got = outcome(text, state)
            total[label] += 1
            right[label] += got == label
            wrong += [(label, got, text)] if got != label else []
            assert not (label == "unsupported" and got == "script"), text
        with capsys.disabled():
            figures = ", ".join(f"{k} {right[k]}/{total[k]}" for k in sorted(total))
            print(f"\n{path.name} script={state.has_script}: {figures}; wrong: {wrong}")
        assert right["script"] >= 0.98 * total["script"]
        if path == TUNED:
            assert right == total, wrong


async def check_script(user: User, text: str) -> bool:
    """The script is taken (after a yes when asked), and undo puts the old draft back."""
    turn = await user.say(text)
    if turn.asked:
        assert turn.after.script == turn.before.script and turn.after.jobs == turn.before.jobs
        turn = await user.say("yes")
    expected = parse_script_text(text, user.backend.limits)
    taken = (await user.project()).script_obj == expected
    if taken and any("replacing the old one" in s or "已替换旧脚本" in s for s in turn.said):
        assert any("undo" in s or "撤销" in s for s in turn.said)
    await user.say("undo")
    after = await user.snapshot()
    assert (after.options, after.script) == (turn.before.options, turn.before.script), text
    return taken


async def check_instruction(user: User, label: str, text: str) -> bool:
    """Applied (every option the rule table reads from it), said what could not be done."""
    turn = await user.say(text)
    said = "\n".join(turn.said)
    if label == "mixed":
        applied = turn.after.options != turn.before.options and CANNOT in said
    else:
        asked = read_changes(text)
        expected = apply_changes(turn.before.options, asked)
        applied = bool(asked) and turn.after.options == expected and CANNOT not in said
    if turn.after.options != turn.before.options:
        await user.say("undo")
        after = await user.snapshot()
        assert (after.options, after.script) == (turn.before.options, turn.before.script), text
    return applied or turn.refused


async def run_corpus(user: User, path: Path, tiny: Path) -> tuple[Counter[str], Counter[str]]:
    """Every message of the corpus once, on a project with a video and a script; the figures
    per label (right, total), the misses in `user.missed`."""
    await user.say(SCRIPT, files=(tiny,))
    right, total = Counter[str](), Counter[str]()
    for label, text in load(path):
        total[label] += 1
        if label == "script":
            ok = await check_script(user, text)
        elif label in ("instruction", "mixed"):
            ok = await check_instruction(user, label, text)
        else:
            turn = await user.say(text)
            assert turn.said, f"no answer to {text!r}"
            assert turn.after == turn.before, f"{text!r} changed the draft, a job or credits"
            assert not any("Script" in s or "脚本：" in s for s in turn.said), text
            if turn.asked:  # taken for a script, asked first: "no" keeps everything
                kept = await user.say("no")
                assert kept.after == turn.before, text
            cannot = any(CANNOT in s for s in turn.said)
            ok = not turn.asked and cannot == (label == "unsupported")
        right[label] += ok
        user.missed += [] if ok else [f"{label}: {text}"]
    return right, total


@pytest.mark.parametrize("path", [TUNED, HELD_OUT], ids=["tuned", "held-out"])
async def test_the_corpus_through_the_chat_flow(
    idle: Service, tiny: Path, path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    user = User(idle)
    right, total = await run_corpus(user, path, tiny)
    with capsys.disabled():
        figures = ", ".join(f"{k} {right[k]}/{total[k]}" for k in total)
        print(f"\n{path.name} flow: {figures}; missed: {user.missed}")
    assert right["script"] >= 0.98 * total["script"]
    if path == TUNED:
        assert right == total


async def test_scripts_without_a_script_yet_are_taken_at_once(idle: Service) -> None:
    user = User(idle)
    for label, text in load(TUNED) + load(HELD_OUT):
        if label != "script":
            continue
        await user.say("/new")
        turn = await user.say(text)
        assert not turn.asked, text
        project = await user.project()
        assert project.script_obj == parse_script_text(text, user.backend.limits), text


@pytest.mark.parametrize(
    ("text", "start"),
    [
        ("加水印", "🤷 我暂时还不能添加标志、水印或贴图；我可以烧录字幕"),
        ("make the voice more excited", "🤷 I can't change the voice's emotion yet; I can make"),
        ("make it pop", "🤷 I didn't understand “make it pop”, so I changed nothing."),
        ("为什么这么慢？", "⏳ 视频在本机渲染"),
        ("ok thanks", "😊 You're welcome!"),
    ],
)
async def test_answers_are_in_the_messages_language(idle: Service, text: str, start: str) -> None:
    user = User(idle)
    await user.say(SCRIPT)
    turn = await user.say(text)
    assert turn.said[0].startswith(start), turn.said

"""A real browser on the edit page (headless Chromium, the real service, the Telegram fake):
the link from chat; a line's words edited, another line dragged 1 s later on the ruler, a third
switched to another installed voice, Listen, Render; the video the chat receives has the edited
words (its pinned draft), the moved line starting 1 s later (measured in its audio) and the
third line read by the new voice (its length against that line spoken by each voice). Also: a
chat edit between opening and saving gives the stale-save refusal and a reload; the page in
Chinese, operated by keyboard alone. Screenshots are saved."""

from __future__ import annotations

import asyncio
import wave
from pathlib import Path

import numpy as np
import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import Select

from core.chat.floodgate import FloodLimits
from core.config import Settings
from core.engine.lexicon import Lexicon
from core.engine.line_audio import speak_line
from core.engine.tts import get_synthesizer
from core.engine.voices import installed_voices
from core.service import Service
from core.web.edit_limits import PageLimiter
from tests.analysis import RATE, audio_samples, onsets
from tests.browser import poll
from tests.edit_helpers import SLOW, ask_for_link, install_slow_voice, project_with_script, texts
from tests.fake_telegram import FakeTelegram, message_update
from tests.media import make_video
from tests.shot_clips import make_colour_shots
from tests.telegram_helpers import bot_running

EDITED = "Meet Aurora, the bright lamp."
THIRD = "Your desk glows."
LOUD = 0.02  # a 10 ms frame above this RMS is speech (the mix is normalised to -16 LUFS)


@pytest.fixture(scope="module")
def quiet_clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 9-second 160×120 clip without sound: the output's audio is the narration alone."""
    folder = tmp_path_factory.mktemp("quiet")
    return make_video(folder / "quiet.mp4", seconds=9, size="160x120", audio=False)


@pytest.fixture(scope="module")
def three_shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 9-second clip of three 3-second shots (cuts at 3 s and 6 s), without sound."""
    return make_colour_shots(tmp_path_factory.mktemp("shots") / "shots.mp4", (3.0, 3.0, 3.0))


def open_page(driver: WebDriver, url: str) -> None:
    """Open the link and wait for the page's script to have drawn the draft."""
    driver.get(url)

    def ready() -> bool:
        return "ready" in (driver.find_element(By.TAG_NAME, "body").get_attribute("class") or "")

    poll(ready, 30, "the page never got ready")


def row(driver: WebDriver, n: int, part: str) -> object:
    """A control of line n (1-based)."""
    return driver.find_element(By.CSS_SELECTOR, f"#line-{n} {part}")


def edit_in_browser(driver: WebDriver, shots: Path) -> None:
    """Fix line 1's words, drag line 2 one second later, switch line 3's voice, Listen."""
    text = row(driver, 1, ".text")
    text.clear()  # type: ignore[attr-defined]
    text.send_keys(EDITED)  # type: ignore[attr-defined]
    block = driver.find_element(By.ID, "block-2")
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", block)
    ActionChains(driver).drag_and_drop_by_offset(block, 60, 0).perform()  # 60 px = 1 s
    assert row(driver, 2, ".start").get_attribute("value") == "4"  # type: ignore[attr-defined]
    Select(row(driver, 3, ".voice")).select_by_value(SLOW)
    row(driver, 3, ".listen").click()  # type: ignore[attr-defined]
    audio = driver.find_element(By.ID, "listen-audio")
    poll(lambda: "/listen/" in (audio.get_attribute("src") or ""), 60, "Listen gave no clip")
    assert audio.get_attribute("data-line") == "3"
    driver.save_screenshot(str(shots / "edit-page-edited.png"))


def render_and_wait(driver: WebDriver, shots: Path, name: str, keys: bool = False) -> None:
    """Press Render (by keyboard alone with `keys`) and wait for the result player."""
    if keys:
        body = driver.find_element(By.TAG_NAME, "body")
        for _ in range(80):
            if driver.switch_to.active_element.get_attribute("id") == "render":
                break
            ActionChains(driver).send_keys(Keys.TAB).perform()
        assert driver.switch_to.active_element.get_attribute("id") == "render", body.text
        ActionChains(driver).send_keys(Keys.ENTER).perform()
    else:
        driver.find_element(By.ID, "render").click()

    def rendered() -> bool:
        body = driver.find_element(By.TAG_NAME, "body")
        return "rendered" in (body.get_attribute("class") or "")

    poll(rendered, 300, "the render never finished on the page")
    result = driver.find_element(By.ID, "result-box")
    driver.execute_script("arguments[0].scrollIntoView({block: 'end'})", result)
    driver.save_screenshot(str(shots / name))


def speech_span(samples: np.ndarray, start_s: float, end_s: float) -> tuple[float, float]:
    """(first, last) time of speech between two times (10 ms frames over LOUD)."""
    frame = RATE // 100
    part = samples[int(start_s * RATE) : int(end_s * RATE)]
    loud = [
        n / 100
        for n in range(len(part) // frame)
        if np.sqrt(np.mean(part[n * frame : (n + 1) * frame] ** 2)) >= LOUD
    ]
    assert loud, f"no speech between {start_s} and {end_s}"
    return start_s + loud[0], start_s + loud[-1] + 0.01


def clip_length(path: Path) -> float:
    """The speech in a Listen clip: first to last loud frame."""
    with wave.open(str(path)) as clip:
        rate, data = clip.getframerate(), clip.readframes(clip.getnframes())
    samples = np.frombuffer(data, dtype="<i2").astype(np.float32) / 32768
    frame = rate // 100
    levels = [np.sqrt(np.mean(samples[i : i + frame] ** 2)) for i in range(0, len(samples), frame)]
    peak = max(levels)
    loud = [n for n, level in enumerate(levels) if level >= peak * 0.1]
    return (loud[-1] + 1 - loud[0]) / 100


def voice_lengths(settings: Settings, folder: Path) -> dict[str, float]:
    """The third line's speech length read by each installed voice alone."""
    synth = get_synthesizer(settings.tts_threads)
    return {
        voice.id: clip_length(speak_line(synth, THIRD, voice, 1.0, Lexicon(), folder))
        for voice in installed_voices(settings.voices_dir)
    }


async def delivered(fake: FakeTelegram, count: int, folder: Path) -> Path:
    """The `count`-th video the chat received, written to a file."""
    await fake.wait_until(lambda: len(fake.called("sendVideo")) >= count, 300)
    path = folder / f"delivered-{count}.mp4"
    path.write_bytes(fake.called("sendVideo")[count - 1].files["video"])
    return path


async def last_job_inputs(service: Service, owner: str) -> dict[str, object]:
    session = await service.flows.deps.sessions.current(owner)
    assert session is not None
    job = await service.jobs.get(session["last_job"])
    assert job is not None
    return job.inputs


def shot_strip(driver: WebDriver) -> list[int]:
    """The shot strip's pictures: the width each loaded at (0: not loaded)."""
    pictures = driver.find_elements(By.CSS_SELECTOR, "#shot-list img")
    return [int(p.get_attribute("naturalWidth") or 0) for p in pictures]


async def test_done_when_fix_a_word_move_a_line_switch_a_voice_listen_render(
    fake: FakeTelegram, tg_settings: Settings, three_shots: Path, browser: WebDriver,
    shots: Path, tmp_path: Path,
) -> None:  # fmt: skip
    install_slow_voice(tg_settings)
    async with bot_running(tg_settings, fake) as service:
        await project_with_script(fake, three_shots)
        link = await ask_for_link(fake, "/edit")
        await asyncio.to_thread(open_page, browser, link)
        widths = await asyncio.to_thread(
            poll, lambda: all(shot_strip(browser)) and shot_strip(browser), 30, "no strip"
        )
        assert widths == [160, 160, 160]  # a picture at the start and at each of the two cuts
        await asyncio.to_thread(browser.save_screenshot, str(shots / "edit-page-opened.png"))
        await asyncio.to_thread(edit_in_browser, browser, shots)
        await asyncio.to_thread(render_and_wait, browser, shots, "edit-page-rendered.png")
        video = await delivered(fake, 2, tmp_path)
        inputs = await last_job_inputs(service, "telegram:42")
        await service.wait_idle()
    script = inputs["payload"]["script"]  # type: ignore[index]
    assert [cue[0] for cue in script] == [EDITED, "It follows the sun.", THIRD]
    assert [cue[1] for cue in script] == [0.0, 4.0, 6.0]
    samples = await asyncio.to_thread(audio_samples, video)
    first = onsets(samples, LOUD)[0]
    second, _ = speech_span(samples, 3.0, 5.9)
    assert abs((second - first) - 4.0) < 0.1, (first, second)  # was 3.0: moved 1 s later
    third = speech_span(samples, 5.9, 8.9)
    heard = third[1] - third[0]
    lengths = await asyncio.to_thread(voice_lengths, tg_settings, tmp_path / "alone")
    assert abs(heard - lengths[SLOW]) < abs(heard - lengths["en_US-joe-medium"]), (heard, lengths)
    assert "✅" in str(fake.called("sendVideo")[1].params.get("caption", ""))


async def test_a_chat_edit_meanwhile_refuses_the_save_and_offers_a_reload(
    fake: FakeTelegram, tg_settings: Settings, quiet_clip: Path, browser: WebDriver, shots: Path
) -> None:
    async with bot_running(tg_settings, fake) as service:
        await project_with_script(fake, quiet_clip)
        link = await ask_for_link(fake)
        await asyncio.to_thread(open_page, browser, link)
        text = row(browser, 2, ".text")
        await asyncio.to_thread(text.send_keys, " Every day.")  # type: ignore[attr-defined]
        before = len(texts(fake))
        fake.push(message_update(text="slower"))
        await fake.wait_until(lambda: len(texts(fake)) > before, 30)
        await asyncio.to_thread(browser.refresh)  # unsaved edits survive a reload of the page
        await asyncio.to_thread(poll, lambda: browser.find_element(By.ID, "lines").text, 30, "x")
        kept = row(browser, 2, ".text").get_attribute("value")  # type: ignore[attr-defined]
        assert kept == "It follows the sun. Every day."
        await asyncio.to_thread(browser.find_element(By.ID, "save").click)
        message = browser.find_element(By.ID, "message")
        await asyncio.to_thread(poll, lambda: "changed in the chat" in message.text, 30, "stale")
        assert browser.find_element(By.ID, "stale").is_displayed()
        await asyncio.to_thread(browser.save_screenshot, str(shots / "edit-page-stale.png"))
        await asyncio.to_thread(browser.find_element(By.ID, "reload").click)
        speed = browser.find_element(By.ID, "opt-speed")
        await asyncio.to_thread(poll, lambda: speed.get_attribute("value") == "0.9", 30, "reload")
        assert row(browser, 2, ".text").get_attribute("value") == "It follows the sun."  # type: ignore[attr-defined]
        await asyncio.to_thread(too_many_listens, browser, service)


def too_many_listens(driver: WebDriver, service: Service) -> None:
    """Past the owner's Listen bucket the page says to wait (the 429's words)."""
    limits = FloodLimits(rate_per_s=0.001, burst=1, window_s=60, max_waiting=10, max_uploads=1)
    service.parts.edit_pages.limiter = PageLimiter(limits, lambda: 5000.0)
    audio, message = (
        driver.find_element(By.ID, "listen-audio"),
        driver.find_element(By.ID, "message"),
    )
    row(driver, 1, ".listen").click()  # type: ignore[attr-defined]
    poll(lambda: "/listen/" in (audio.get_attribute("src") or ""), 60, "Listen gave no clip")
    row(driver, 2, ".listen").click()  # type: ignore[attr-defined]
    poll(lambda: "Too many saves or listens" in message.text, 30, "no 429 words")
    assert message.get_attribute("class") == "error" and audio.get_attribute("data-line") == "1"


async def test_the_page_in_chinese_moved_and_rendered_by_keyboard_alone(
    fake: FakeTelegram, tg_settings: Settings, quiet_clip: Path, browser: WebDriver, shots: Path
) -> None:
    async with bot_running(tg_settings, fake):
        await project_with_script(fake, quiet_clip, language="zh")
        link = await ask_for_link(fake, "编辑", language="zh")
        await asyncio.to_thread(open_page, browser, link)
        assert browser.title == "编辑配音"
        assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "zh"
        assert "试听" in browser.find_element(By.ID, "lines").text

        def keyboard_move() -> None:
            for _ in range(40):
                if browser.switch_to.active_element.get_attribute("id") == "block-2":
                    break
                ActionChains(browser).send_keys(Keys.TAB).perform()
            assert browser.switch_to.active_element.get_attribute("id") == "block-2"
            ActionChains(browser).send_keys(*[Keys.ARROW_RIGHT] * 5).perform()  # 0.1 s each
            assert row(browser, 2, ".start").get_attribute("value") == "3.5"  # type: ignore[attr-defined]
            browser.save_screenshot(str(shots / "edit-page-zh-focus.png"))

        await asyncio.to_thread(keyboard_move)
        videos = len(fake.called("sendVideo"))
        await asyncio.to_thread(render_and_wait, browser, shots, "edit-page-zh-rendered.png", True)
        await fake.wait_until(lambda: len(fake.called("sendVideo")) > videos, 120)
        assert "完成" in browser.find_element(By.ID, "job-message").text

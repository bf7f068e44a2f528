"""The captions' look on the edit page (headless Chromium, the real service, the Telegram fake):
a chat's "captions in the middle" shows on the page; karaoke at the top chosen there by keyboard
burns the captions in, is saved, shown by `status` in the chat, and drawn at the top with its
highlight in the page's preview and in the video the chat receives; a size out of range is
refused next to its control; a chat's "yellow captions" shows on the page reloaded."""

from __future__ import annotations

import asyncio
from pathlib import Path

import aiohttp
import numpy as np
import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webdriver import WebDriver

from core.config import Settings
from tests.analysis import frame_at
from tests.browser import poll
from tests.edit_helpers import ask_for_link, project_with_script, texts
from tests.fake_telegram import FakeTelegram, message_update
from tests.media import ffmpeg
from tests.telegram_helpers import bot_running
from tests.test_browser_edit import delivered, last_job_inputs, open_page


@pytest.fixture(scope="module")
def black_clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 9-second 320×180 black clip without sound: anything bright in a frame is a caption."""
    path = tmp_path_factory.mktemp("black") / "black.mp4"
    ffmpeg(
        *("-f", "lavfi", "-i", "color=c=black:s=320x180:r=10:d=9"),
        *("-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", str(path)),
    )
    return path


def drawn_where(frame: np.ndarray) -> tuple[float, float, int]:
    """Where the captions are in a frame: the middle of what is drawn (0 top, 1 bottom), the
    lowest drawn row's place, and how many pixels are lit in karaoke's yellow."""
    r, g, b = (frame[..., i].astype(int) for i in range(3))
    ys, _ = np.nonzero(frame.max(axis=2) > 100)
    assert len(ys), "no captions drawn"
    yellow = int(((r > 150) & (g > 120) & (b < 90)).sum())
    height = frame.shape[0]
    return float((ys.min() + ys.max()) / 2 / height), float(ys.max() / height), yellow


def assert_karaoke_at_the_top(video: Path) -> None:
    """Line 1's caption (0-1 s) drawn in the top part, one word lit yellow."""
    middle, lowest, yellow = drawn_where(frame_at(video, 0.5))
    assert middle < 0.35 and lowest < 0.5, (middle, lowest)
    assert yellow > 10, yellow


def by_keys(driver: WebDriver, target: str, value: str, key: str = Keys.ARROW_DOWN) -> None:
    """Tab to a control (from where the focus is) and choose `value` with an arrow key."""
    for _ in range(60):
        if driver.switch_to.active_element.get_attribute("id") == target:
            break
        ActionChains(driver).send_keys(Keys.TAB).perform()
    control = driver.switch_to.active_element
    assert control.get_attribute("id") == target
    for _ in range(10):
        if control.get_attribute("value") == value:
            return
        ActionChains(driver).send_keys(key).perform()
    raise AssertionError(f"{target} never took {value}")


def choose_look(driver: WebDriver, shots: Path) -> None:
    """Karaoke at the top, by keyboard; then a size out of range refused beside its control;
    then the size fixed and the draft saved."""
    position = driver.find_element(By.ID, "opt-caption-position")
    captions = driver.find_element(By.ID, "opt-captions")
    assert position.get_attribute("value") == "middle"  # the chat's edit, shown
    assert captions.get_attribute("value") == "burn"  # a look burns them in (the chat's rule)
    driver.find_element(By.ID, "opt-speed").click()
    by_keys(driver, "opt-captions", "none", Keys.ARROW_UP)
    by_keys(driver, "opt-caption-style", "karaoke")
    assert captions.get_attribute("value") == "burn"  # a look chosen here burns them in too
    ActionChains(driver).send_keys(Keys.TAB).perform()
    assert driver.switch_to.active_element.get_attribute("id") == "opt-caption-position"
    ActionChains(driver).send_keys(Keys.ARROW_DOWN).perform()  # middle → top
    assert position.get_attribute("value") == "top"
    size = driver.find_element(By.ID, "opt-caption-scale")
    size.clear()
    size.send_keys("3", Keys.TAB)
    driver.find_element(By.ID, "save").click()
    error = driver.find_element(By.ID, "opt-caption-scale-error")
    poll(lambda: "1.4" in error.text, 30, "no error beside the size")
    assert size.get_attribute("aria-invalid") == "true"
    assert driver.switch_to.active_element.get_attribute("id") == "opt-caption-scale"
    driver.save_screenshot(str(shots / "edit-page-looks-refused.png"))
    size.clear()
    size.send_keys("1", Keys.TAB)
    driver.find_element(By.ID, "save").click()
    message = driver.find_element(By.ID, "message")
    poll(lambda: "Saved" in message.text, 30, "not saved")
    assert not error.text and size.get_attribute("aria-invalid") is None
    driver.save_screenshot(str(shots / "edit-page-looks-saved.png"))
    driver.set_window_size(1280, 900)  # a desktop's window (the tests' is a phone's)
    driver.save_screenshot(str(shots / "edit-page-looks-desktop.png"))
    driver.set_window_size(412, 915)


def preview_address(driver: WebDriver) -> str:
    """Press Preview and wait for its player's address."""
    driver.find_element(By.ID, "preview").click()
    player = driver.find_element(By.ID, "preview-player")
    return poll(lambda: player.get_attribute("src") or "", 300, "no preview")


async def download(url: str, path: Path) -> Path:
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        assert response.status == 200
        data = await response.read()
    await asyncio.to_thread(path.write_bytes, data)
    return path


async def test_karaoke_at_the_top_chosen_on_the_page_reaches_status_preview_and_render(
    fake: FakeTelegram, tg_settings: Settings, black_clip: Path, browser: WebDriver,
    shots: Path, tmp_path: Path,
) -> None:  # fmt: skip
    async with bot_running(tg_settings, fake) as service:
        await project_with_script(fake, black_clip)
        before = len(texts(fake))
        fake.push(message_update(text="captions in the middle"))
        await fake.wait_until(lambda: len(texts(fake)) > before, 30)
        link = await ask_for_link(fake)
        await asyncio.to_thread(open_page, browser, link)
        await asyncio.to_thread(choose_look, browser, shots)
        before = len(texts(fake))
        fake.push(message_update(text="status"))
        await fake.wait_until(lambda: len(texts(fake)) > before, 30)
        shown = "\n".join(texts(fake)[before:])
        assert "karaoke, top" in shown, shown
        address = await asyncio.to_thread(preview_address, browser)
        preview = await download(address, tmp_path / "preview.mp4")
        await asyncio.to_thread(assert_karaoke_at_the_top, preview)
        videos = len(fake.called("sendVideo"))
        await asyncio.to_thread(browser.find_element(By.ID, "render").click)
        video = await delivered(fake, videos + 1, tmp_path)
        options = (await last_job_inputs(service, "telegram:42"))["payload"]["options"]  # type: ignore[index]
        await service.wait_idle()
        before = len(texts(fake))
        fake.push(message_update(text="yellow captions"))
        await fake.wait_until(lambda: len(texts(fake)) > before, 30)
        await asyncio.to_thread(open_page, browser, link)  # a reload shows the chat's look
        colour = browser.find_element(By.ID, "opt-caption-colour")
        assert colour.get_attribute("value") == "yellow"
        style = browser.find_element(By.ID, "opt-caption-style")
        assert style.get_attribute("value") == "karaoke"
    assert (options["captions"], options["caption_style"], options["caption_position"]) == (
        "burn",
        "karaoke",
        "top",
    )
    await asyncio.to_thread(assert_karaoke_at_the_top, video)

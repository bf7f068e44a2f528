"""A real browser on the upload page: headless Chromium picks a ~60 MB generated video, the
progress bar reaches 100 % and the chat (through the Telegram fake) receives the file; the
same with the service killed mid-upload (a failpoint, then kill -9) and started again, the page
resuming from the stored offset. Screenshots of the page are saved by the tests."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver

from core.config import Settings
from core.failpoints import PAUSE_AT, PAUSE_MARK
from core.ports import Incoming
from core.service import Service
from tests.browser import poll
from tests.cli_helpers import cli_command, cli_env
from tests.fake_telegram import TOKEN, FakeTelegram, message_update, video_media
from tests.fakes import RecordingChat
from tests.gate_proxy import GateProxy
from tests.loopback import free_port
from tests.media import ffmpeg
from tests.telegram_helpers import bot_running

LINK = re.compile(r"http://127\.0\.0\.1:\d+/u/[0-9a-f]{32}\?e=\d+&s=[0-9a-f]{64}")
LINK_R = re.compile(r"http://127\.0\.0\.1:\d+/r/[0-9a-f]{32}\?e=\d+&s=[0-9a-f]{64}")
CAPTION = "Welcome to the tour. This clip shows a field of noise, and then a little more."


@pytest.fixture(scope="module")
def big_video(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A ~60 MB real video (noise, lossless: it doesn't compress) made with ffmpeg."""
    path = tmp_path_factory.mktemp("big") / "big video.mp4"
    picture = "nullsrc=size=640x360:rate=25:duration=7,geq=lum=random(1)*255:cb=128:cr=128"
    sound = "sine=frequency=440:sample_rate=48000:duration=7"
    ffmpeg(
        *("-f", "lavfi", "-i", picture, "-f", "lavfi", "-i", sound),
        *("-c:v", "libx264", "-preset", "ultrafast", "-qp", "0", "-pix_fmt", "yuv420p"),
        *("-c:a", "aac", "-shortest", str(path)),
    )
    assert 50_000_000 < path.stat().st_size < 80_000_000
    return path


def sent_texts(fake: FakeTelegram) -> list[str]:
    """Every text the bot sent."""
    return [str(c.params.get("text", "")) for c in fake.called("sendMessage")]


def link_in(fake: FakeTelegram) -> str:
    """The upload link the bot offered (with its button)."""
    for call in fake.called("sendMessage"):
        found = LINK.search(str(call.params.get("text", "")))
        if found and call.params.get("reply_markup"):
            return found.group(0)
    raise AssertionError(f"no upload link in {sent_texts(fake)}")


def pick_file(driver: WebDriver, url: str, video: Path) -> None:
    """Open the page and choose the file (as the picker would)."""
    driver.get(url)
    assert "Upload your file" in driver.title
    driver.find_element(By.ID, "file").send_keys(str(video))


def percent(driver: WebDriver) -> int:
    """The progress shown on the page."""
    return int(driver.find_element(By.ID, "percent").text.rstrip("%") or 0)


def wait_finished(driver: WebDriver, limit_s: float = 120) -> str:
    """Until the page says the upload is done; returns what it says."""

    def finished() -> bool:
        body = driver.find_element(By.TAG_NAME, "body")
        return "finished" in (body.get_attribute("class") or "")

    poll(finished, limit_s, "the upload never finished")
    assert percent(driver) == 100
    return driver.find_element(By.ID, "message").text


async def test_the_page_uploads_a_60_mb_video_and_the_chat_gets_it(
    fake: FakeTelegram, tg_settings: Settings, browser: WebDriver, big_video: Path, shots: Path
) -> None:
    async with bot_running(tg_settings, fake) as service:
        fake.push(message_update(text="/upload"))
        await fake.wait_until(lambda: any("/u/" in t for t in sent_texts(fake)), 30)
        url = link_in(fake)
        await asyncio.to_thread(pick_file, browser, url, big_video)
        said = await asyncio.to_thread(wait_finished, browser)
        await asyncio.to_thread(browser.save_screenshot, str(shots / "upload-page-done.png"))
        assert said.startswith("✅ Uploaded")
        await fake.wait_until(lambda: any("🎬 Got big video.mp4" in t for t in sent_texts(fake)))
        await service.wait_idle()
    assert (shots / "upload-page-done.png").stat().st_size > 1000


async def test_done_when_a_300_mb_video_goes_through_the_page_interrupted_once(
    fake: FakeTelegram, browser: WebDriver, big_video: Path, tmp_path: Path, shots: Path
) -> None:
    """The issue's "done when": a 300 MB video with a caption through the Telegram fake → the
    upload link → the page in a real browser, the service killed half way and started again,
    the page resuming → 🎬 Got, "preview" first, then the voiced-over result as a result page
    with a player and the timeline picture."""
    env, mark = service_env(fake, tmp_path), tmp_path / "paused"
    logs = [tmp_path / "first.log", tmp_path / "second.log"]
    first = serve(env | {PAUSE_AT: "upload_half", PAUSE_MARK: str(mark)}, logs[0])
    second: subprocess.Popen[bytes] | None = None
    try:
        await fake.wait_for("getUpdates", 1, within_s=60)
        size = 300_000_000
        file_id = fake.add_file(b"\x00" * 1024, size=size, name="big video.mp4")
        video = video_media(file_id, size, name="big video.mp4")
        fake.push(message_update(caption=CAPTION, video=video))
        await fake.wait_until(lambda: any("/u/" in t for t in sent_texts(fake)), 60)
        await asyncio.to_thread(pick_file, browser, link_in(fake), big_video)
        second = await kill_half_way_and_restart(first, env, mark, logs[1], browser, shots)
        await fake.wait_until(lambda: any("🎬 Got big video.mp4" in t for t in sent_texts(fake)))
        fake.push(message_update(text="preview"))
        await fake.wait_until(lambda: previewed(fake), 180)
        await fake.wait_until(lambda: any("/r/" in t for t in sent_texts(fake)), 300)
        result = next(LINK_R.search(t) for t in sent_texts(fake) if LINK_R.search(t))
        assert result is not None
        await asyncio.to_thread(look_at_result, browser, result.group(0), shots)
        leftovers = tmp_path / "data" / "tus" / "files"
        await asyncio.to_thread(poll, lambda: not list(leftovers.iterdir()), 60, "upload kept")
    finally:
        for process in (first, second):
            if process is not None and process.poll() is None:
                process.send_signal(signal.SIGTERM)
                await asyncio.to_thread(process.wait, 60)
    check_resumed(logs[1], big_video)
    assert "📝" in "\n".join(sent_texts(fake))  # the kept caption was read as the script


def service_env(fake: FakeTelegram, root: Path) -> dict[str, str]:
    """`voiceover serve` for the Telegram fake, on a port of its own, data under root."""
    port = free_port()
    return cli_env(
        root / "data",
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_BASE_URL=f"{fake.url}/bot",
        TELEGRAM_BASE_FILE_URL=f"{fake.url}/file/bot",
        TELEGRAM_UPLOAD_LIMIT="20000000",  # the preview fits, the (copied) result does not
        HTTP_PORT=str(port),
        PUBLIC_BASE_URL=f"http://127.0.0.1:{port}",
        LINK_SECRET="a-link-secret-for-tests",
        MAX_CONCURRENT_JOBS="1",
        TMPDIR=str(root),
    )


async def kill_half_way_and_restart(
    first: subprocess.Popen[bytes],
    env: dict[str, str],
    mark: Path,
    log: Path,
    browser: WebDriver,
    shots: Path,
) -> subprocess.Popen[bytes]:
    """When the upload is half way (the failpoint holds the service there), kill -9 it,
    start it again, and wait for the page to finish; returns the new service."""
    await asyncio.to_thread(poll, mark.exists, 120, "the upload never reached half way")
    await asyncio.to_thread(browser.save_screenshot, str(shots / "upload-interrupted.png"))
    assert percent(browser) < 100
    os.kill(first.pid, signal.SIGKILL)
    await asyncio.to_thread(first.wait, 30)
    second = serve(env, log)
    try:
        await asyncio.to_thread(wait_finished, browser, 180)
        await asyncio.to_thread(browser.save_screenshot, str(shots / "upload-resumed.png"))
    except BaseException:
        second.kill()
        await asyncio.to_thread(second.wait, 30)
        raise
    return second


def previewed(fake: FakeTelegram) -> bool:
    """True once the bot sent a preview video."""
    return any("Preview" in str(c.params.get("caption")) for c in fake.called("sendVideo"))


def look_at_result(driver: WebDriver, url: str, shots: Path) -> None:
    """The result page plays the video and shows the timeline picture (screenshot saved)."""
    driver.get(url)
    ready = "return document.getElementById('player').readyState"
    poll(lambda: driver.execute_script(ready) >= 1, 30, "the player never loaded")
    width = "return document.getElementById('timeline').naturalWidth"
    poll(lambda: driver.execute_script(width) > 0, 30, "no timeline picture")
    driver.save_screenshot(str(shots / "result-page.png"))
    assert driver.find_element(By.ID, "download").get_attribute("href").endswith("download=1")


def check_resumed(log: Path, video: Path) -> None:
    """The second service resumed the first one's upload from past half way."""
    text = log.read_text()
    resumed = re.findall(r"resumes at offset (\d+)", text)
    assert resumed and int(resumed[0]) * 2 >= video.stat().st_size, text
    assert "created" not in text  # the same upload went on, no new one


def _link_or_none(fake: FakeTelegram) -> str | None:
    try:
        return link_in(fake)
    except AssertionError:
        return None


def serve(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    """`voiceover serve` with this environment, its log in a file."""
    with log.open("wb") as out:
        return subprocess.Popen(
            cli_command("serve"), env=env, stdout=out, stderr=subprocess.STDOUT, cwd=log.parent
        )


async def test_the_page_checks_type_and_size_before_sending_and_speaks_chinese(
    service: Service, browser: WebDriver, tmp_path: Path, shots: Path
) -> None:
    chat = RecordingChat()
    service.register_platform("web", lambda chat_id, context: chat)
    incoming = Incoming(platform="web", user_id="1", chat_id="c1", message_id="m1", language="zh")
    url = await service.uploads.issue(incoming, "web:1", "", "zh")
    huge = tmp_path / "huge.mp4"
    with huge.open("wb") as sparse:  # 600 MB that take no disk
        sparse.truncate(600_000_000)
    odd = tmp_path / "notes.exe"
    odd.write_bytes(b"MZ" * 100)

    def try_both() -> tuple[str, str, str]:
        browser.get(url)
        title = browser.title
        browser.find_element(By.ID, "file").send_keys(str(huge))
        too_big = browser.find_element(By.ID, "message").text
        browser.find_element(By.ID, "file").send_keys(str(odd))
        wrong = browser.find_element(By.ID, "message").text
        browser.save_screenshot(str(shots / "upload-page-refusal-zh.png"))
        return title, too_big, wrong

    title, too_big, wrong = await asyncio.to_thread(try_both)
    assert title == "上传文件"
    assert too_big == "huge.mp4 有 600 MB，上限是 500 MB。"
    assert wrong == "notes.exe 不是视频、图片、音频或脚本文件。"
    files = service.settings.data_dir / "tus" / "files"
    assert not files.exists() or not list(files.iterdir())  # nothing was sent

    def refused(link: str) -> str:
        browser.get(link)
        return browser.find_element(By.TAG_NAME, "main").text

    tampered = url[:-1] + ("0" if url[-1] != "0" else "1")
    words = await asyncio.to_thread(refused, tampered)
    assert "This upload link isn't valid" in words and "此上传链接无效" in words


async def test_pause_and_resume_on_the_page(
    service: Service, browser: WebDriver, big_video: Path, shots: Path
) -> None:
    chat = RecordingChat()
    service.register_platform("web", lambda chat_id, context: chat)
    incoming = Incoming(platform="web", user_id="1", chat_id="c1", message_id="m1")
    url = await service.uploads.issue(incoming, "web:1", "", "en")
    proxy = GateProxy(service.signer.base_url, hold_nth=2)  # the second 8 MiB piece waits
    base = await proxy.start()
    try:
        page = url.replace(service.signer.base_url, base)
        await asyncio.to_thread(pick_file, browser, page, big_video)
        await asyncio.wait_for(proxy.held.wait(), 60)
        said = await asyncio.to_thread(click_toggle, browser)
        assert said == ("Paused. Press Resume to go on.", "Resume")
        assert percent(browser) < 100
        await asyncio.to_thread(browser.save_screenshot, str(shots / "upload-paused.png"))
        proxy.release.set()  # later requests pass
        assert await asyncio.to_thread(click_toggle, browser) == ("", "Pause")
        await asyncio.to_thread(wait_finished, browser)
        await chat.wait_for(lambda c: any("🎬 Got big video.mp4" in t for t in c.texts))
        await service.uploads.settled()
        await service.wait_idle()
    finally:
        await proxy.stop()


def click_toggle(driver: WebDriver) -> tuple[str, str]:
    """Press Pause (or Resume); the page's message and the button's new label."""
    button = driver.find_element(By.ID, "toggle")
    button.click()
    return driver.find_element(By.ID, "message").text, button.text

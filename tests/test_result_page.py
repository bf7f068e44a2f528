"""The result page behind a result link: a browser gets a page with a player (Range requests),
a download button (?download=1 is the MP4), length, size, the script and the timeline
picture; download tools still get the file; refused links say why in words. Plus the timeline
picture itself, and `status` sending it."""

from __future__ import annotations

import asyncio
import io
import os
import re
import time
from pathlib import Path

import httpx
import pytest
from PIL import Image
from selenium.webdriver.common.by import By

from bots.console import run_console
from core.service import Service
from core.web.result_page import ResultPageMaker
from core.words.timeline_picture import (
    COLOURS,
    LABEL_W,
    PAD,
    ROW_H,
    TOP,
    WIDTH,
    _font,
    draw_timeline,
)
from tests.browser import chromium, poll
from tests.chat_helpers import incoming
from tests.fakes import RecordingChat

SCRIPT = "Hello and welcome to the demo. This is the result page."
HTML = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
DRAFT = {
    "d": 8000,
    "t": [
        {"tt": 0, "sg": [{"s": 0, "d": 4000, "m": {"name": "demo.mp4", "role": "video"}}]},
        {"tt": 1, "sg": [{"s": 0, "d": 8000, "m": {"name": "joe", "role": "voiceover"}}]},
    ],
}


@pytest.fixture
async def result_link(service: Service, tiny: Path) -> str:
    """A real render's result link (through the console chat)."""
    out = io.StringIO()
    await run_console(service, [f"{tiny} {SCRIPT}"], out)
    return next(line.strip() for line in out.getvalue().splitlines() if "/r/" in line)


async def test_a_browser_gets_the_page_and_tools_get_the_file(result_link: str) -> None:
    async with httpx.AsyncClient() as http:
        page = await http.get(result_link, headers=HTML)
        tool = await http.get(result_link)
        download = await http.get(result_link + "&download=1", headers=HTML)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    html = page.text
    assert "<video" in html and "&amp;play=1" in html and "&amp;download=1" in html
    assert "timeline.png?e=" in html and "Hello and welcome to the demo." in html
    assert re.search(r'id="length">0:0\d<', html) and re.search(r'id="size">[\d.]+ [KM]B<', html)
    assert "default-src 'none'" in page.headers["content-security-policy"]
    assert page.headers["referrer-policy"] == "no-referrer"
    for response in (tool, download):
        assert response.status_code == 200 and response.content[4:8] == b"ftyp"
        assert response.headers["content-disposition"].startswith("attachment")


async def test_the_player_streams_with_range_requests(result_link: str) -> None:
    async with httpx.AsyncClient() as http:
        whole = await http.get(result_link + "&play=1")
        part = await http.get(result_link + "&play=1", headers={"Range": "bytes=100-199"})
    assert whole.status_code == 200 and "content-disposition" not in whole.headers
    assert part.status_code == 206 and part.content == whole.content[100:200]
    assert part.headers["content-range"] == f"bytes 100-199/{len(whole.content)}"


async def test_the_timeline_picture_is_served_with_the_link(result_link: str) -> None:
    path, query = result_link.split("?")
    async with httpx.AsyncClient() as http:
        picture = await http.get(f"{path}/timeline.png?{query}")
        flipped = query[:-1] + ("0" if query[-1] != "0" else "1")  # always a changed signature
        tampered = await http.get(f"{path}/timeline.png?{flipped}")
    assert picture.status_code == 200 and picture.headers["content-type"] == "image/png"
    image = Image.open(io.BytesIO(picture.content))
    assert image.format == "PNG" and image.width == WIDTH
    assert tampered.status_code in (403,)


async def test_refused_links_say_why_in_words(service: Service, result_link: str) -> None:
    job_id = result_link.split("/r/")[1].split("?")[0]
    owner = "console:you"
    service.signer.ttl_s = -60  # a link that expired a minute ago
    expired = service.signer.url(job_id, owner)
    flipped = result_link[:-1] + ("0" if result_link[-1] != "0" else "1")
    async with httpx.AsyncClient() as http:
        old = await http.get(expired, headers=HTML)
        bad = await http.get(flipped, headers=HTML)
    assert old.status_code == 410 and "This link has expired" in old.text
    assert "此链接已过期" in old.text  # whose link it was is unknown: both languages
    assert bad.status_code == 403 and "This link isn" in bad.text and "此链接无效" in bad.text
    assert "<video" not in old.text + bad.text


def test_the_timeline_picture_draws_each_track_in_its_colour(tmp_path: Path) -> None:
    out = draw_timeline(DRAFT, tmp_path / "t.png")
    image = Image.open(out).convert("RGB")
    left, right = LABEL_W + PAD, WIDTH - PAD
    scale = (right - left) / 8000
    video_mid, voice_mid = TOP + ROW_H // 2, TOP + ROW_H + ROW_H // 2
    assert image.getpixel((left + 5, video_mid)) == COLOURS["Video"]
    assert image.getpixel((int(left + 3000 * scale), video_mid)) == COLOURS["Video"]
    assert image.getpixel((int(left + 6000 * scale), video_mid)) != COLOURS["Video"]  # it ends
    assert image.getpixel((int(left + 7500 * scale), voice_mid)) == COLOURS["Voiceover"]
    assert image.height == TOP + 2 * ROW_H + 40


async def test_status_sends_the_timeline_as_a_picture(service: Service, tiny: Path) -> None:
    chat = RecordingChat()
    await service.handle(incoming(SCRIPT, files=(tiny,)), chat)
    await service.handle(incoming("status"), chat)
    [picture] = [c for c in chat.calls if c.kind == "image"]
    assert picture.text == "🗂 The timeline"
    image = await asyncio.to_thread(Image.open, picture.url)
    assert image.format == "PNG" and image.width == WIDTH
    await service.wait_idle()


async def test_a_browser_plays_the_result_and_shows_the_timeline(
    result_link: str, tmp_path: Path
) -> None:
    shots = tmp_path / "screenshots"
    shots.mkdir()

    def look() -> tuple[float, int, str]:
        with chromium(tmp_path) as driver:
            driver.get(result_link)
            ready = "return document.getElementById('player').readyState"
            poll(lambda: driver.execute_script(ready) >= 1, 30, "the player never loaded")
            width = "return document.getElementById('timeline').naturalWidth"
            poll(lambda: driver.execute_script(width) > 0, 30, "no timeline picture")
            driver.save_screenshot(str(shots / "result-page.png"))
            duration = driver.execute_script("return document.getElementById('player').duration")
            href = driver.find_element(By.ID, "download").get_attribute("href") or ""
            return float(duration), int(driver.execute_script(width)), href

    duration, width, href = await asyncio.to_thread(look)
    assert 1.0 < duration < 30.0 and width == WIDTH and href.endswith("download=1")
    assert (shots / "result-page.png").stat().st_size > 1000


async def test_old_timeline_pictures_are_removed(tmp_path: Path) -> None:
    async def no_job(job_id: str) -> None:
        return None

    maker = ResultPageMaker(no_job, tmp_path)
    old, new = tmp_path / f"{'a' * 32}.png", tmp_path / f"{'b' * 32}.png"
    for picture in (old, new):
        await asyncio.to_thread(picture.write_bytes, b"\x89PNG")
    os.utime(old, (time.time() - 7200, time.time() - 7200))
    assert await maker.expire(3600, time.time()) == 1
    assert not await asyncio.to_thread(old.exists) and await asyncio.to_thread(new.exists)


def test_the_timeline_picture_speaks_chinese_with_real_glyphs(tmp_path: Path) -> None:
    font = _font(18)

    def drawn(char: str) -> bytes:
        return bytes(font.getmask(char))

    tofu = drawn("\U000f0000")  # a code point no font has: the .notdef box
    assert drawn("配") != tofu and drawn("音") != tofu
    draft = {"d": 4000, "t": [{"tt": 1, "sg": [{"s": 0, "d": 4000, "m": {"role": "voiceover"}}]}]}
    english = draw_timeline(draft, tmp_path / "en.png", "en").read_bytes()
    chinese = draw_timeline(draft, tmp_path / "zh.png", "zh").read_bytes()
    assert english != chinese

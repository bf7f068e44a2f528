"""The edit page's link and JSON against the real service and the Telegram fake: /edit, "edit"
and "编辑" give a personal signed link; tampered links get 403, expired 410, another owner's
project 404; the page edits the chat's draft (one draft, versioned: a save made before a chat
edit is refused, never overwriting it), validated by the chat's rules with errors per line;
Listen speaks one line (cached), and the render honours each line's start, voice and speed."""

from __future__ import annotations

import io
import threading
import wave
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from core.chat.floodgate import FloodLimits
from core.config import Settings
from core.engine.model import Script, ScriptCue
from core.engine.narration import NarrationBuilder
from core.engine.tts import get_synthesizer, listen_synthesizer
from core.engine.voices import installed_voices
from core.service import Service
from core.web.edit_limits import PageLimiter
from tests.edit_helpers import (
    SLOW,
    ask_for_link,
    call,
    install_slow_voice,
    part,
    project_with_script,
    texts,
)
from tests.fake_telegram import FakeTelegram, message_update
from tests.media import make_video
from tests.telegram_helpers import bot_running


@pytest.fixture(scope="module")
def quiet_clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 9-second 160×120 clip without sound (the output's audio is then the narration)."""
    folder = tmp_path_factory.mktemp("quiet")
    return make_video(folder / "quiet.mp4", seconds=9, size="160x120", audio=False)


async def get(url: str, accept: str = "text/html") -> tuple[int, str]:
    async with (
        aiohttp.ClientSession() as session,
        session.get(url, headers={"Accept": accept}) as response,
    ):
        return response.status, await response.text()


async def test_the_link_from_chat_and_its_refusals(
    fake: FakeTelegram, tg_settings: Settings, quiet_clip: Path
) -> None:
    async with bot_running(tg_settings, fake) as service:
        await project_with_script(fake, quiet_clip)
        link = await ask_for_link(fake, "/edit")
        assert (await get(link))[0] == 200
        assert "Edit your voiceover" in (await get(link))[1]
        assert await ask_for_link(fake, "edit")  # the words work too
        assert await ask_for_link(fake, "编辑")
        assert await ask_for_link(fake, "can I edit it in the browser")
        assert await ask_for_link(fake, "我想在网页上编辑")
        tampered = link[:-1] + ("0" if link[-1] != "0" else "1")
        status, page = await get(tampered)
        assert status == 403 and "This edit link isn" in page and "无效" in page
        await project_with_script(fake, quiet_clip, user_id=7, chat_id=7)
        theirs = await ask_for_link(fake, "/edit", user_id=7, chat_id=7)
        mine_path, theirs_path = link.split("?")[0], theirs.split("?")[0]
        foreign = theirs.replace(theirs_path.rsplit("/", 1)[1], mine_path.rsplit("/", 1)[1])
        assert (await get(foreign))[0] == 404
        assert (await call("GET", part(foreign, "/draft")))[0] == 404
        service.signer.ttl_s = -60  # a link that expired a minute ago
        expired = await ask_for_link(fake, "/edit")
        status, page = await get(expired)
        assert status == 410 and "expired" in page and "过期" in page
        assert (await call("POST", part(expired, "/draft"), {}))[0] == 410


async def test_one_draft_a_stale_save_is_refused_and_status_shows_page_edits(
    fake: FakeTelegram, tg_settings: Settings, quiet_clip: Path
) -> None:
    async with bot_running(tg_settings, fake):
        await project_with_script(fake, quiet_clip)
        link = await ask_for_link(fake)
        status, draft = await call("GET", part(link, "/draft"))
        assert status == 200 and [line["start"] for line in draft["lines"]] == [0.0, 3.0, 6.0]
        assert draft["lines"][1]["text"] == "It follows the sun."
        before = len(texts(fake))
        fake.push(message_update(text="slower"))  # the chat changes the draft meanwhile
        await fake.wait_until(lambda: len(texts(fake)) > before, 30)
        draft["lines"][0]["text"] = "Meet Aurora, the lamp."
        status, answer = await call("POST", part(link, "/draft"), draft)
        assert status == 409 and answer["status"] == "stale"
        assert "changed in the chat" in answer["message"] and "Reload" in answer["message"]
        assert answer["draft"]["options"]["speed"] < 1.0  # what a reload shows: the chat's edit
        fresh = answer["draft"]
        fresh["lines"][0]["text"] = "Meet Aurora, the lamp."
        status, answer = await call("POST", part(link, "/draft"), fresh)
        assert status == 200 and answer["draft"]["lines"][0]["text"] == "Meet Aurora, the lamp."
        assert answer["draft"]["options"]["speed"] < 1.0  # the chat's edit kept
        before = len(texts(fake))
        fake.push(message_update(text="status"))
        await fake.wait_until(lambda: len(texts(fake)) > before, 30)
        shown = "\n".join(texts(fake)[before:])
        assert "edited on the edit page" in shown  # among the latest changes


async def test_saves_are_checked_by_the_chats_rules_with_errors_per_line(
    fake: FakeTelegram, tg_settings: Settings, quiet_clip: Path
) -> None:
    async with bot_running(tg_settings, fake):
        await project_with_script(fake, quiet_clip)
        link = await ask_for_link(fake)
        _, draft = await call("GET", part(link, "/draft"))
        draft["lines"][0]["text"] = "a" * 90  # over the 80-character word limit
        draft["lines"][2]["voice"] = "xx_XX-nobody-medium"
        status, answer = await call("POST", part(link, "/draft"), draft)
        assert status == 422 and set(answer["line_errors"]) == {"0", "2"}
        assert "xx_XX-nobody-medium" in answer["line_errors"]["2"]
        assert "80" in answer["line_errors"]["0"]
        _, unchanged = await call("GET", part(link, "/draft"))
        assert unchanged["version"] == draft["version"]  # nothing was saved
        status, _ = await call("POST", part(link, "/draft"), draft, Origin="http://evil.example")
        assert status == 403  # another site's page can't post to it
        ours = link.split("/e/")[0]  # PUBLIC_BASE_URL's origin (here the server's own)
        status, _ = await call("POST", part(link, "/draft"), draft, Origin=ours)
        assert status == 422  # let through to the checks (the lines are still wrong)


async def test_listen_speaks_one_line_with_its_voice_and_speed_cached(
    fake: FakeTelegram, tg_settings: Settings, quiet_clip: Path
) -> None:
    install_slow_voice(tg_settings)
    async with bot_running(tg_settings, fake) as service:
        await project_with_script(fake, quiet_clip)
        link = await ask_for_link(fake)
        cache = tg_settings.data_dir / "cache" / "speech"
        kept = {p for p in cache.rglob("*") if p.is_file()}
        body = {"text": "Your desk glows anew.", "voice": "en_US-joe-medium", "speed": 1.0}
        listening = listen_synthesizer()
        loads, spoken = listening.loads, listening.sentences_spoken
        status, joe = await call("POST", part(link, "/listen"), body)
        assert status == 200
        assert listening.loads == loads  # joe, loaded by the service's renders: not again
        assert listening.sentences_spoken == spoken + 1
        status, slow = await call("POST", part(link, "/listen"), {**body, "voice": SLOW})
        assert listening.loads == loads + 1  # a voice not loaded yet is, once
        spoken = listening.sentences_spoken
        status, again = await call("POST", part(link, "/listen"), body)
        assert again["clip"] == joe["clip"] != slow["clip"]
        assert listening.sentences_spoken == spoken  # the same line again: its file, as it was
        assert {p for p in cache.rglob("*") if p.is_file()} - kept  # shared with the renders
        lengths, origin = [], link.split("/e/")[0]
        for clip in (joe["clip"], slow["clip"]):
            async with (
                aiohttp.ClientSession() as session,
                session.get(origin + clip) as response,
            ):
                assert response.status == 200
                data = await response.read()
            with wave.open(io.BytesIO(data)) as clip_wav:
                lengths.append(clip_wav.getnframes() / clip_wav.getframerate())
        assert lengths[1] > lengths[0] * 1.2  # the slow voice's clip is longer
        status, refused = await call("POST", part(link, "/listen"), {**body, "voice": "zz"})
        assert status == 422 and "zz" in refused["error"]
        await listen_beside_a_busy_render_pool(tg_settings, link, body)
        await too_many_saves_and_listens(service, link, body)


async def listen_beside_a_busy_render_pool(
    settings: Settings, link: str, body: dict[str, Any]
) -> None:
    """Every worker of the renders' speech pool held: a Listen still speaks (its own worker)."""
    pool, held = get_synthesizer(settings.tts_threads)._pool, threading.Event()
    busy = [pool.submit(held.wait, 120) for _ in range(settings.tts_threads)]
    try:
        status, answer = await call("POST", part(link, "/listen"), {**body, "text": "Aloud."})
        assert status == 200 and answer["clip"] and not any(f.done() for f in busy)
    finally:
        held.set()


async def too_many_saves_and_listens(service: Service, link: str, body: dict[str, Any]) -> None:
    """Past the owner's bucket a save or a Listen gets 429, Retry-After and the words."""
    now = [5000.0]
    limits = FloodLimits(rate_per_s=0.5, burst=1, window_s=60, max_waiting=10, max_uploads=1)
    service.parts.edit_pages.limiter = PageLimiter(limits, lambda: now[0])
    for tail, payload, wait in (("/draft", {}, "2"), ("/listen", body, "8")):
        assert (await call("POST", part(link, tail), payload))[0] != 429
        async with (
            aiohttp.ClientSession() as session,
            session.post(part(link, tail), json=payload) as response,
        ):
            answer = await response.json()
            assert response.status == 429 and response.headers["Retry-After"] == wait
        assert answer["error"] == f"⏳ Too many saves or listens at once: try again in {wait} s."
    now[0] += 8.0
    assert (await call("POST", part(link, "/listen"), body))[0] == 200


def test_a_cue_speed_is_honoured_by_the_narration(settings: Settings) -> None:
    """A line's own speed (set on the page) reads that cue faster; the others keep theirs."""
    voice = installed_voices(settings.voices_dir)[0]
    synth = get_synthesizer(1)
    line = "It follows the sun all day long."

    def length(speed: float | None) -> float:
        script = Script((ScriptCue(line, 0.0, speed=speed),))
        builder = NarrationBuilder(synth, voice, 1.0, 1.2, lambda _: None)
        segment = builder.build(script).segments[0]
        return segment.end_s - segment.start_s

    assert length(1.5) < length(None) * 0.8


async def test_render_goes_through_the_chat_and_the_page_follows_its_job(
    fake: FakeTelegram, tg_settings: Settings, quiet_clip: Path
) -> None:
    async with bot_running(tg_settings, fake):
        await project_with_script(fake, quiet_clip)
        link = await ask_for_link(fake)
        _, draft = await call("GET", part(link, "/draft"))
        draft["lines"][1]["start"] = 4.0
        draft["lines"][0].update(speed=1.25, pause=0.5)
        status, saved = await call("POST", part(link, "/draft"), draft)
        assert status == 200, saved
        first = saved["draft"]["lines"][0]
        assert (first["speed"], first["pause"], first["text"]) == (1.25, 0.5, "Meet Aurora.")
        videos = len(fake.called("sendVideo"))
        status, answer = await call("POST", part(link, "/render"), {})
        assert status == 200 and answer["job"] and not answer["refused"], answer
        await fake.wait_until(lambda: len(fake.called("sendVideo")) > videos, 120)
        status, job = await call("GET", part(link, "/job") + f"&id={answer['job']}")
        assert job["ended"] and job["status"] == "done" and "/r/" in job["video"], job


async def test_preview_and_the_shot_strip_pictures(
    fake: FakeTelegram, tg_settings: Settings, quiet_clip: Path
) -> None:
    async with bot_running(tg_settings, fake):
        await project_with_script(fake, quiet_clip)
        link = await ask_for_link(fake)
        origin = link.split("/e/")[0]
        status, answer = await call("POST", part(link, "/preview"), {})
        assert status == 200, answer
        async with aiohttp.ClientSession() as session:
            async with session.get(origin + answer["video"]) as response:
                assert response.status == 200
                assert b"ftyp" in (await response.read())[:12]
            async with session.get(part(link, "/shot/0.jpg")) as response:
                assert response.status == 200
                assert (await response.read())[:2] == b"\xff\xd8"
            async with session.get(part(link, "/shot/9.jpg")) as response:
                assert response.status == 404  # the clip has one shot

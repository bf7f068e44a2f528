"""POST /api/v1/transcriptions through the real server on loopback: a key from the terminal
chat, a talking clip (our own voice at known times) transcribed as JSON (segments and words),
SRT, WebVTT and text (format field or Accept); problems for a missing file, silence, no sound,
no key; 413 before the body is read; nothing left in the staging folder."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from core.config import Settings
from tests.api_helpers import key_from_terminal
from tests.media import make_video
from tests.speech import (
    piper_samples,
    talking_track,
    talking_video,
    word_error_rate,
)
from tests.test_api_limits import api_service, status_line

LINES = [
    "Meet Aurora, the desk lamp that follows the sun.",
    "At sunrise it glows a soft amber light.",
]
STARTS = [0.4, 4.0]


@pytest.fixture(scope="module")
def talking(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[float]]:
    """An 8-second talking clip and the true onsets of its two lines."""
    track, onsets = talking_track(list(zip(STARTS, piper_samples(LINES), strict=True)), 7.5)
    return talking_video(tmp_path_factory.mktemp("api-asr") / "talk.mp4", track), onsets


def staged(settings: Settings) -> list[Path]:
    """What the media store's staging folder holds."""
    return list((settings.data_dir / "media" / ".staging").glob("*"))


async def test_a_talking_clip_as_json_srt_vtt_and_text(
    settings: Settings, talking: tuple[Path, list[float]]
) -> None:
    clip, onsets = talking
    data = clip.read_bytes()
    async with api_service(settings) as (service, client):
        account = await key_from_terminal(service)

        async def post(headers: dict[str, str] | None = None, **fields: str) -> httpx.Response:
            return await client.post(
                "/api/v1/transcriptions",
                headers={**account.auth, **(headers or {})},
                files={"media": ("talk.mp4", data, "video/mp4")},
                data=fields,
            )

        answer = await post()
        assert answer.status_code == 200, answer.text
        assert answer.headers["content-type"].startswith("application/json")
        body = answer.json()
        assert body["language"] == "en" and body["model"] == "tiny.en"
        assert 7.0 < body["duration_s"] < 8.0
        assert word_error_rate(" ".join(LINES), body["text"]) <= 0.2, body["text"]
        words = [w for segment in body["segments"] for w in segment["words"]]
        assert len(words) >= 14 and all(w["start_s"] <= w["end_s"] for w in words)
        firsts = [next(w for w in words if w["start_s"] >= at - 0.5) for at in onsets]
        assert all(abs(w["start_s"] - at) <= 0.5 for w, at in zip(firsts, onsets, strict=True))

        srt = await post(format="srt")
        assert srt.headers["content-type"].startswith("application/x-subrip")
        assert srt.text.count(" --> ") == 2 and srt.text.startswith("1\n")
        vtt = await post({"Accept": "text/vtt"})
        assert vtt.headers["content-type"].startswith("text/vtt")
        assert vtt.text.startswith("WEBVTT\n\n00:00:0")
        text = await post({"Accept": "text/vtt"}, format="txt")  # the field wins over Accept
        assert text.headers["content-type"].startswith("text/plain")
        assert len(text.text.strip().splitlines()) == 2
        credits = await service.backend.credits("terminal:you")
        assert (credits.available, credits.frozen) == (100, 0)  # free, as in the chats
    assert staged(settings) == []


async def test_problems_and_413_before_the_body(settings: Settings, tmp_path: Path) -> None:
    silent = make_video(tmp_path / "tone.mp4", seconds=2, size="160x120")
    mute = make_video(tmp_path / "mute.mp4", seconds=2, size="160x120", audio=False)
    async with api_service(settings, max_upload_bytes=2_000_000) as (service, client):
        account = await key_from_terminal(service)
        url = "/api/v1/transcriptions"

        async def refused(files: dict[str, object], data: dict[str, str]) -> tuple[int, int]:
            answer = await client.post(url, headers=account.auth, files=files, data=data)
            assert answer.headers["content-type"].startswith("application/problem+json")
            return answer.status_code, answer.json()["code"]

        def media(path: Path) -> dict[str, object]:
            return {"media": (path.name, path.read_bytes(), "video/mp4")}

        assert await refused({}, {"format": "srt"}) == (422, 4403)  # no file
        assert await refused(media(silent), {"format": "doc"}) == (422, 4403)
        assert await refused(media(silent), {"colour": "red"}) == (422, 4403)
        assert await refused(media(silent), {}) == (422, 4134)  # a tone, no speech
        assert await refused(media(mute), {}) == (422, 4208)  # no sound at all
        no_key = await client.post(url, files=media(silent))
        assert no_key.status_code == 401
        assert service.link_server is not None
        head = (
            f"POST {url} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {account.key}\r\n"
            "Content-Type: multipart/form-data; boundary=b\r\n"
            "Content-Length: 50000000000\r\nExpect: 100-continue\r\n\r\n"
        )
        assert (await status_line(service.link_server.port, head)).startswith(b"HTTP/1.1 413")
    assert staged(settings) == []

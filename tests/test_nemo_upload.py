"""Uploads to the NemoVideo fake: streamed multipart files, links, checks before sending, the
server's refusals, and a script kept for the next message."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.backends.nemo.backend import NemoBackend
from core.backends.nemo.upload import CHUNK_BYTES, multipart_body
from core.config import Settings
from core.errors import ErrorCode, VoiceoverError
from tests.fake_nemo import FakeNemo
from tests.nemo_helpers import FAST, collect

pytest_plugins = ["tests.nemo_fixtures"]  # fixtures: nemo_fake, nemo_settings, nemo_backend


async def test_file_upload_is_streamed_multipart(
    nemo_backend: NemoBackend, nemo_fake: FakeNemo, tmp_path: Path
) -> None:
    sid = await nemo_backend.open_session("u", "en")
    video = tmp_path / "demo.mp4"
    video.write_bytes(b"\0\1" * 1_500_000)  # 3 MB, three chunks
    result = await nemo_backend.upload(sid, video, 'my "demo"\r\n.mp4')
    assert result.kind == "video" and "3.0 MB" in result.summary
    assert nemo_fake.sessions[sid].uploads == [("my _demo___.mp4", 3_000_000)]
    request = nemo_fake.calls("/api/upload-video")[0]
    assert request.headers["Content-Type"].startswith("multipart/form-data; boundary=")
    assert int(request.headers["Content-Length"]) > 3_000_000


async def test_url_upload_sends_json(nemo_backend: NemoBackend, nemo_fake: FakeNemo) -> None:
    sid = await nemo_backend.open_session("u", "en")
    result = await nemo_backend.upload(sid, "https://example.com/clip.mov", "clip.mov")
    assert result.kind == "video"
    assert nemo_fake.calls("/api/upload-video")[0].json == {
        "urls": ["https://example.com/clip.mov"],
        "source_type": "url",
    }


async def test_upload_type_and_size_are_checked_before_sending(
    nemo_settings: Settings, nemo_fake: FakeNemo, tmp_path: Path
) -> None:
    nemo = NemoBackend(nemo_settings.model_copy(update={"max_upload_bytes": 1000}), timings=FAST)
    sid = await nemo.open_session("u", "en")
    (tmp_path / "x.exe").write_bytes(b"MZ")
    (tmp_path / "big.mp4").write_bytes(b"\0" * 5000)
    with pytest.raises(VoiceoverError) as wrong_type:
        await nemo.upload(sid, tmp_path / "x.exe", "x.exe")
    with pytest.raises(VoiceoverError) as too_big:
        await nemo.upload(sid, tmp_path / "big.mp4", "big.mp4")
    await nemo.aclose()
    assert wrong_type.value.code == ErrorCode.UNSUPPORTED_FILE
    assert ".exe" in wrong_type.value.message()
    assert too_big.value.code == ErrorCode.FILE_TOO_LARGE
    assert "(5.0 KB; the limit is 1.0 KB)" in too_big.value.message()
    assert nemo_fake.calls("/api/upload-video") == []


@pytest.mark.parametrize(
    ("code", "expected"),
    [(4001, ErrorCode.UNSUPPORTED_FILE), (4002, ErrorCode.FILE_TOO_LARGE)],
)
async def test_upload_refusals_from_the_server(
    nemo_backend: NemoBackend, nemo_fake: FakeNemo, tmp_path: Path, code: int, expected: ErrorCode
) -> None:
    sid = await nemo_backend.open_session("u", "en")
    (tmp_path / "a.mp4").write_bytes(b"x" * 10)
    nemo_fake.fail("upload", code)
    with pytest.raises(VoiceoverError) as caught:
        await nemo_backend.upload(sid, tmp_path / "a.mp4", "a.mp4")
    assert caught.value.code == expected
    assert "a.mp4" in caught.value.message()


async def test_script_file_goes_with_the_next_message(
    nemo_backend: NemoBackend, nemo_fake: FakeNemo, tmp_path: Path
) -> None:
    sid = await nemo_backend.open_session("u", "en")
    (tmp_path / "s.txt").write_text("Welcome to the city.\n\nIt never sleeps.", encoding="utf-8")
    result = await nemo_backend.upload(sid, tmp_path / "s.txt", "s.txt")
    assert result.kind == "script" and "7 words" in result.summary
    assert nemo_fake.calls("/api/upload-video") == []
    await collect(nemo_backend.send(sid, "add a male voiceover"))
    await collect(nemo_backend.send(sid, "thanks"))
    assert nemo_fake.messages_sent == [
        "add a male voiceover\n\nMy script:\nWelcome to the city.\n\nIt never sleeps.",
        "thanks",
    ]


async def test_the_multipart_body_is_read_in_chunks(tmp_path: Path) -> None:
    source = tmp_path / "big.mov"
    source.write_bytes(bytes(range(256)) * 10_000)  # 2.56 MB
    make_body, headers = multipart_body(source, "big.mov", "video/quicktime", 2_560_000)
    chunks = [chunk async for chunk in make_body()]
    assert max(len(c) for c in chunks) <= CHUNK_BYTES and len(chunks) >= 4
    body = b"".join(chunks)
    assert len(body) == int(headers["Content-Length"])
    assert source.read_bytes() in body and b'name="files"; filename="big.mov"' in body

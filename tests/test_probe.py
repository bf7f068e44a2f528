"""probe_media on real files made with the real ffmpeg: accepted inputs and hostile ones."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from core.engine import probe_worker
from core.engine.model import Limits, MediaKind
from core.engine.probe import probe_media, require_visual
from core.errors import ErrorCode, VoiceoverError
from tests import hostile
from tests.media import ffmpeg, make_audio, make_image, make_video

LIMITS = Limits()
QUICK_S = 10.0  # generous: the machine is shared; a hang would take probe_timeout_s


def refused(path: Path, limits: Limits = LIMITS, name: str | None = None) -> VoiceoverError:
    """Probe `path`, expecting a refusal within QUICK_S seconds; return the error."""
    started = time.monotonic()
    with pytest.raises(VoiceoverError) as caught:
        probe_media(path, limits, name)
    assert time.monotonic() - started < QUICK_S
    return caught.value


@pytest.mark.parametrize(
    ("suffix", "demuxer", "extra", "vcodec"),
    [
        (".mp4", "mov", (), "libx264"),
        (".mov", "mov", (), "libx264"),
        (".avi", "avi", (), "libx264"),
        (".mkv", "matroska", (), "libx264"),
        (".webm", "matroska", ("-deadline", "realtime", "-cpu-used", "8"), "libvpx"),
    ],
)
def test_every_video_container_is_accepted(
    tmp_path: Path, suffix: str, demuxer: str, extra: tuple[str, ...], vcodec: str
) -> None:
    path = make_video(
        tmp_path / f"clip{suffix}", seconds=1, size="160x120", vcodec=vcodec, extra=extra
    )
    info = probe_media(path, LIMITS)
    assert (info.kind, info.demuxer) == (MediaKind.VIDEO, demuxer)
    assert (info.width, info.height) == (160, 120)
    assert info.has_audio and info.audio_channels == 1
    assert info.fps == pytest.approx(25, abs=0.01)
    assert info.duration_s == pytest.approx(1.0, abs=0.1)
    assert info.size_bytes == path.stat().st_size
    assert info.vcodec == {"libx264": "h264", "libvpx": "vp8"}[vcodec]


def test_h264_clip_reports_fast_path_fields(clip: Path) -> None:
    info = probe_media(clip, LIMITS)
    assert info.is_h264_yuv420p
    assert (info.acodec, info.stream_count, info.rotation) == ("aac", 2, 0)
    assert info.container == "mov,mp4,m4a,3gp,3g2,mj2"


@pytest.mark.parametrize(
    ("suffix", "demuxer"),
    [(".jpg", "jpeg_pipe"), (".png", "png_pipe"), (".webp", "webp_pipe"), (".gif", "gif")],
)
def test_every_image_format_is_an_image(tmp_path: Path, suffix: str, demuxer: str) -> None:
    info = probe_media(make_image(tmp_path / f"still{suffix}", size="96x64"), LIMITS)
    assert (info.kind, info.demuxer, info.width, info.height) == (MediaKind.IMAGE, demuxer, 96, 64)
    assert (info.duration_s, info.fps, info.has_audio) == (0.0, 0.0, False)
    require_visual(info, "still")


def test_animated_gif_is_a_video(tmp_path: Path) -> None:
    path = tmp_path / "moving.gif"
    ffmpeg("-f", "lavfi", "-i", "testsrc2=size=48x32:rate=5:duration=1", str(path))
    info = probe_media(path, LIMITS)
    assert (info.kind, info.width, info.height) == (MediaKind.VIDEO, 48, 32)


@pytest.mark.parametrize(
    ("suffix", "demuxer", "acodec"),
    [
        (".mp3", "mp3", "mp3"),
        (".wav", "wav", "pcm_s16le"),
        (".m4a", "mov", "aac"),
        (".aac", "aac", "aac"),
    ],
)
def test_every_audio_format_is_audio(
    tmp_path: Path, suffix: str, demuxer: str, acodec: str
) -> None:
    info = probe_media(make_audio(tmp_path / f"music{suffix}", seconds=2), LIMITS, "song")
    assert (info.kind, info.demuxer, info.acodec, info.has_audio) == (
        MediaKind.AUDIO,
        demuxer,
        acodec,
        True,
    )
    assert info.duration_s == pytest.approx(2.0, abs=0.15)
    with pytest.raises(VoiceoverError) as caught:
        require_visual(info, "song")
    assert caught.value.code is ErrorCode.NO_VIDEO_STREAM
    assert "song" in caught.value.message()


@pytest.mark.parametrize("suffix", [".mp3", ".m4a"])
def test_audio_with_cover_art_is_audio(tmp_path: Path, suffix: str) -> None:
    song = make_audio(tmp_path / f"bare{suffix}", seconds=1)
    cover = make_image(tmp_path / "cover.png", size="64x64")
    path = tmp_path / f"song{suffix}"
    ffmpeg(
        "-i",
        str(song),
        "-i",
        str(cover),
        *("-map", "0", "-map", "1", "-c", "copy", "-disposition:v", "attached_pic"),
        str(path),
    )
    info = probe_media(path, LIMITS)
    assert (info.kind, info.stream_count, info.width) == (MediaKind.AUDIO, 2, 0)


@pytest.mark.parametrize(("rotation", "expected"), [("90", 90), ("-90", 270), ("180", 180)])
def test_rotation_from_display_matrix(
    clip: Path, tmp_path: Path, rotation: str, expected: int
) -> None:
    path = tmp_path / "phone.mp4"
    ffmpeg("-display_rotation", rotation, "-i", str(clip), "-c", "copy", str(path))
    info = probe_media(path, LIMITS)
    assert info.rotation == expected
    upright = expected in (0, 180)
    assert (info.width, info.height) == ((320, 240) if upright else (240, 320))


def test_odd_dimensions_and_no_audio(tmp_path: Path) -> None:
    path = tmp_path / "odd.mp4"  # testsrc2 rounds sizes to even numbers; color does not
    ffmpeg(
        *("-f", "lavfi", "-i", "color=c=teal:size=161x121:rate=25:duration=1", "-c:v", "libx264"),
        *("-preset", "ultrafast", "-pix_fmt", "yuv444p"),
        str(path),
    )
    info = probe_media(path, LIMITS)
    assert (info.width, info.height, info.has_audio, info.acodec) == (161, 121, False, "")
    assert info.stream_count == 1 and not info.is_h264_yuv420p


def test_variable_frame_rate_is_accepted(tmp_path: Path) -> None:
    path = make_video(
        tmp_path / "vfr.mp4",
        seconds=2,
        size="64x48",
        audio=False,
        extra=("-vf", "setpts='if(lt(N,25),N/25,1+(N-25)/10)/TB'", "-fps_mode", "vfr"),
    )
    info = probe_media(path, LIMITS)
    assert info.kind is MediaKind.VIDEO
    assert 10 <= info.fps <= 25
    assert info.duration_s > 2.5


def test_file_names_that_look_like_options(clip: Path, tmp_path: Path) -> None:
    for name in ("-i.mp4", "--help.mov"):
        info = probe_media(hostile.option_named(tmp_path, name, clip), LIMITS)
        assert info.kind is MediaKind.VIDEO and info.path.name == name


HOSTILE: list[tuple[str, Callable[[Path], Path], ErrorCode]] = [
    ("zero.mp4", hostile.zero_byte, ErrorCode.CORRUPT_MEDIA),
    ("noise.mp4", hostile.random_bytes, ErrorCode.CORRUPT_MEDIA),
    ("notes.mp4", hostile.text_as_media, ErrorCode.CORRUPT_MEDIA),
    ("cut.mp4", hostile.truncated_mp4, ErrorCode.CORRUPT_MEDIA),
    ("cut-end.mp4", lambda p: hostile.truncated_mp4(p, moov_first=False), ErrorCode.CORRUPT_MEDIA),
    (
        "list.mp4",
        lambda p: hostile.hls_playlist(p, "file:///etc/passwd"),
        ErrorCode.UNSUPPORTED_FILE,
    ),
    ("list.avi", lambda p: hostile.hls_playlist(p, "secret.txt"), ErrorCode.UNSUPPORTED_FILE),
    (
        "concat.mp4",
        lambda p: hostile.concat_script(p, Path("/etc/passwd")),
        ErrorCode.UNSUPPORTED_FILE,
    ),
    ("huge.png", hostile.huge_png, ErrorCode.TOO_MANY_PIXELS),
    ("long.mkv", hostile.ten_hour_video, ErrorCode.MEDIA_TOO_LONG),
    ("fast.mp4", hostile.thousand_fps, ErrorCode.FPS_TOO_HIGH),
    ("streams.mkv", hostile.many_streams, ErrorCode.TOO_MANY_STREAMS),
    ("raw.avi", hostile.unsupported_codec_video, ErrorCode.UNSUPPORTED_CODEC),
]


@pytest.mark.parametrize(("name", "write", "code"), HOSTILE, ids=[h[0] for h in HOSTILE])
def test_hostile_input_is_refused_with_its_code(
    tmp_path: Path, name: str, write: Callable[[Path], Path], code: ErrorCode
) -> None:
    error = refused(write(tmp_path / name), name="their file.mp4")
    assert error.code is code
    message = error.message()
    assert "their file.mp4" in message and str(tmp_path) not in message and "?" not in message


def test_refusal_fields_are_human(tmp_path: Path, clip: Path) -> None:
    size = clip.stat().st_size
    error = refused(clip, Limits(max_bytes=size - 1))
    assert error.code is ErrorCode.FILE_TOO_LARGE
    assert error.fields["size"].endswith("KB") and error.fields["limit"].endswith("KB")
    long = refused(hostile.ten_hour_video(tmp_path / "long.mkv"))
    assert (long.fields["duration"], long.fields["limit"]) == ("10:00:00", "30:00")
    big = refused(clip, Limits(max_pixels=320 * 240 - 1))
    assert (big.code, big.fields["width"], big.fields["height"]) == (
        ErrorCode.TOO_MANY_PIXELS,
        320,
        240,
    )


def test_limits_are_inclusive(clip: Path) -> None:
    size = clip.stat().st_size
    exact = Limits(max_bytes=size, max_pixels=320 * 240, max_fps=25, max_duration_s=3.0)
    assert probe_media(clip, exact).kind is MediaKind.VIDEO


def test_no_picture_and_no_sound_is_corrupt(tmp_path: Path) -> None:
    path = hostile.subtitles_only_mkv(tmp_path / "subs.mkv", tmp_path / "subs.srt")
    assert refused(path).code is ErrorCode.CORRUPT_MEDIA


def test_audio_in_a_video_container_is_audio(tmp_path: Path) -> None:
    info = probe_media(hostile.audio_only_mkv(tmp_path / "sound.mkv"), LIMITS)
    assert info.kind is MediaKind.AUDIO


def test_a_probe_that_takes_too_long_is_killed(clip: Path) -> None:
    error = refused(clip, Limits(probe_timeout_s=0.001))
    assert (error.code, error.fields["reason"]) == (ErrorCode.CORRUPT_MEDIA, "probe timed out")


@pytest.fixture
def counting_server() -> Iterator[tuple[str, list[str]]]:
    """A loopback HTTP server that records every request it gets."""
    with hostile.counting_http_server() as server:
        yield server


def run_worker(path: Path) -> dict[str, object]:
    """The probe child's report for `path`, bypassing the parent's playlist sniffing."""
    done = subprocess.run(
        [sys.executable, probe_worker.__file__, str(path)],
        capture_output=True,
        timeout=30,
        check=True,
    )
    result: dict[str, object] = json.loads(done.stdout)
    return result


def test_worker_never_follows_a_playlist(
    tmp_path: Path, counting_server: tuple[str, list[str]]
) -> None:
    base, hits = counting_server
    secret = tmp_path / "secret.txt"
    secret.write_text("TOPSECRET-4711")
    cases = [
        hostile.hls_playlist(tmp_path / "remote.m3u8", f"{base}/segment.ts"),
        hostile.hls_playlist(tmp_path / "local.m3u8", f"file://{secret}"),
        hostile.concat_script(tmp_path / "list.ffconcat", secret),
    ]
    for path in cases:
        report = run_worker(path)
        assert report.get("error") in ("unsupported", "corrupt"), path.name
        assert "TOPSECRET" not in json.dumps(report)
    assert hits == []


def test_pyav_open_options_allow_only_the_file_protocol(
    clip: Path, counting_server: tuple[str, list[str]]
) -> None:
    import av

    base, hits = counting_server
    with av.open(f"file:{clip}", options=probe_worker.OPEN_OPTIONS) as container:
        assert container.format.name.startswith("mov")
    for url in (f"{base}/clip.mp4", f"concat:{clip}|{clip}", f"subfile,,start,0,end,0,,:{clip}"):
        with pytest.raises(av.error.FFmpegError):
            av.open(url, options=probe_worker.OPEN_OPTIONS)
    assert hits == []

"""Probe untrusted media in a killable child process, then check it against our limits.

The child (core/engine/probe_worker.py) only reports what PyAV found; this module decides:
allowed containers and codecs, the kind of input, and the limits, each refusal with its code
from core/errors.py.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from core.engine import probe_worker
from core.engine.ffmpeg import child_env, own_session
from core.engine.model import Limits, MediaInfo, MediaKind
from core.errors import ErrorCode, VoiceoverError, too_large
from core.words.numbers import human_duration

# Container (first FFmpeg demuxer name) → what it can hold.
CONTAINERS: dict[str, str] = {
    "mov": "av",
    "matroska": "av",
    "avi": "av",
    "png_pipe": "image",
    "jpeg_pipe": "image",
    "webp_pipe": "image",
    "gif": "image",
    "gif_pipe": "image",
    "image2": "image",
    "mp3": "audio",
    "wav": "audio",
    "aac": "audio",
}
VIDEO_CODECS = frozenset(
    {"h264", "hevc", "vp8", "vp9", "av1", "mpeg4", "mpeg2video", "mpeg1video", "mjpeg", "prores"}
    | {"dnxhd", "theora", "png", "webp", "gif"}
)
AUDIO_CODECS = frozenset({"aac", "mp3", "mp2", "opus", "vorbis", "flac", "alac", "ac3", "eac3"})
AUDIO_CODEC_PREFIXES = ("pcm_",)
# The image2 demuxer guesses by file name (and reads numbered sequences): we force the pipe
# demuxer for the codec it found instead.
IMAGE_PIPES: dict[str, str] = {
    "mjpeg": "jpeg_pipe",
    "png": "png_pipe",
    "webp": "webp_pipe",
    "gif": "gif_pipe",
}
# Text files that FFmpeg would follow to other files or the network.
PLAYLIST_SIGNATURES = (b"#extm3u", b"ffconcat", b"[playlist]", b"<?xml", b"<mpd", b"<smil")
SNIFF_BYTES = 512
FULL_RANGE = 2  # FFmpeg's AVCOL_RANGE_JPEG: 0-255 ("pc"), not the 16-235 video range


def probe_media(path: Path, limits: Limits, name: str | None = None) -> MediaInfo:
    """Probe an untrusted file (in a killable child process with a timeout) and validate it
    against the limits; raise VoiceoverError with the table's code and fields (name = the user's
    file name for messages, default path.name)."""
    name = name or path.name
    size = _checked_size(path, limits, name)
    found = _run_worker(path, limits, name)
    return _validate(path, found, size, limits, name)


def require_visual(info: MediaInfo, name: str) -> None:
    """Refuse media without a picture (NO_VIDEO_STREAM) where a video or an image is needed."""
    if info.kind is MediaKind.AUDIO:
        raise VoiceoverError(ErrorCode.NO_VIDEO_STREAM, name=name)


def _checked_size(path: Path, limits: Limits, name: str) -> int:
    """The file's size after the checks that need no parsing: empty, too big, a playlist."""
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            head = handle.read(SNIFF_BYTES)
    except OSError as exc:
        raise VoiceoverError(ErrorCode.CORRUPT_MEDIA, name=name, reason="unreadable") from exc
    if size == 0:
        raise VoiceoverError(ErrorCode.CORRUPT_MEDIA, name=name, reason="empty")
    if size > limits.max_bytes:
        raise too_large(name, size, limits.max_bytes)
    if head.lstrip(b"\xef\xbb\xbf \t\r\n").lower().startswith(PLAYLIST_SIGNATURES):
        raise VoiceoverError(
            ErrorCode.UNSUPPORTED_FILE, name=name, reason="it is a playlist, not a media file"
        )
    return size


def _run_worker(path: Path, limits: Limits, name: str) -> dict[str, Any]:
    """Run the probe child with a timeout; its JSON report, or CORRUPT_MEDIA."""
    command = [
        sys.executable,
        "-I",
        probe_worker.__file__,
        str(path.resolve()),
        str(limits.max_pixels),
    ]
    try:
        done = subprocess.run(
            command,
            capture_output=True,
            timeout=limits.probe_timeout_s,
            stdin=subprocess.DEVNULL,
            env=child_env(),
            check=False,
            **own_session(),  # a SIGTERM to our group while we stop is not a crashed probe
        )
    except subprocess.TimeoutExpired as exc:
        raise VoiceoverError(ErrorCode.CORRUPT_MEDIA, name=name, reason="probe timed out") from exc
    try:
        found = json.loads(done.stdout) if done.returncode == 0 else None
    except ValueError:
        found = None
    if not isinstance(found, dict):
        raise VoiceoverError(ErrorCode.CORRUPT_MEDIA, name=name, reason="probe crashed")
    if found.get("error") == "unsupported":
        raise VoiceoverError(
            ErrorCode.UNSUPPORTED_FILE, name=name, reason="this kind of file isn't supported"
        )
    if "error" in found:
        raise VoiceoverError(ErrorCode.CORRUPT_MEDIA, name=name, reason=str(found["error"]))
    return found


def _demuxer(container: str, name: str) -> str:
    """The one demuxer name to force with -f, if the container is one we accept."""
    for demuxer in container.split(","):
        if demuxer in CONTAINERS:
            return demuxer
    raise VoiceoverError(ErrorCode.UNSUPPORTED_FILE, name=name, reason=f"{container} files")


def _cli_demuxer(demuxer: str, picture: dict[str, Any] | None, name: str) -> str:
    """The demuxer ffmpeg should be forced to use: image2 becomes the codec's pipe demuxer."""
    if demuxer != "image2":
        return demuxer
    codec = picture["codec"] if picture else "none"
    if codec not in IMAGE_PIPES:
        raise VoiceoverError(ErrorCode.UNSUPPORTED_CODEC, name=name, codec=codec)
    return IMAGE_PIPES[codec]


def _kind(
    demuxer: str,
    picture: dict[str, Any] | None,
    sound: dict[str, Any] | None,
    packets: int,
    name: str,
) -> MediaKind:
    """Image (one frame in an image format), video (any other picture) or audio (no picture)."""
    if picture is not None:
        still = CONTAINERS[demuxer] == "image" and packets <= 1
        return MediaKind.IMAGE if still else MediaKind.VIDEO
    if sound is not None:
        return MediaKind.AUDIO
    raise VoiceoverError(ErrorCode.CORRUPT_MEDIA, name=name, reason="no picture and no sound")


def _codec_allowed(codec: str, allowed: frozenset[str], prefixes: tuple[str, ...] = ()) -> bool:
    """True when `codec` is in the table (or starts with one of its prefixes)."""
    return codec in allowed or codec.startswith(prefixes)


def _check_limits(
    kind: MediaKind, picture: dict[str, Any] | None, duration: float, limits: Limits, name: str
) -> None:
    """Refuse resource bombs: too many pixels, too high a frame rate, too long."""
    if picture is not None:
        width, height = picture["width"], picture["height"]
        if width * height > limits.max_pixels:
            raise VoiceoverError(ErrorCode.TOO_MANY_PIXELS, name=name, width=width, height=height)
        if not width or not height:
            raise VoiceoverError(ErrorCode.CORRUPT_MEDIA, name=name, reason="no dimensions")
        fps = picture["fps"]
        if kind is MediaKind.VIDEO and fps > limits.max_fps:
            raise VoiceoverError(
                ErrorCode.FPS_TOO_HIGH, name=name, fps=f"{fps:.4g}", limit=f"{limits.max_fps:g}"
            )
    if duration > limits.max_duration_s:
        raise VoiceoverError(
            ErrorCode.MEDIA_TOO_LONG,
            name=name,
            duration=human_duration(duration),
            limit=human_duration(limits.max_duration_s),
        )


def _check_codecs(picture: dict[str, Any] | None, sound: dict[str, Any] | None, name: str) -> None:
    """Refuse the streams we would use when their codec is not in our tables."""
    if picture is not None and not _codec_allowed(picture["codec"], VIDEO_CODECS):
        raise VoiceoverError(ErrorCode.UNSUPPORTED_CODEC, name=name, codec=picture["codec"])
    if sound is not None and not _codec_allowed(
        sound["codec"], AUDIO_CODECS, AUDIO_CODEC_PREFIXES
    ):
        raise VoiceoverError(ErrorCode.UNSUPPORTED_CODEC, name=name, codec=sound["codec"])


def _full_range(picture: dict[str, Any] | None) -> bool:
    """True when the picture uses the full 0-255 range (yuvj formats, or flagged "pc")."""
    if picture is None:
        return False
    return str(picture["pix_fmt"]).startswith("yuvj") or picture.get("color_range") == FULL_RANGE


def _duration(found: dict[str, Any], kind: MediaKind) -> float:
    if kind is MediaKind.IMAGE:
        return 0.0
    longest_stream = max((float(s["duration"]) for s in found["streams"]), default=0.0)
    return float(found["duration"]) or longest_stream


def _main_streams(
    streams: list[dict[str, Any]], demuxer: str, limits: Limits, name: str
) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """The first picture (cover art is none) and the first sound; too many streams: refused."""
    if len(streams) > limits.max_streams:
        raise VoiceoverError(
            ErrorCode.TOO_MANY_STREAMS, name=name, streams=len(streams), limit=limits.max_streams
        )
    in_audio_container = CONTAINERS[demuxer] == "audio"  # a picture there is cover art
    pictures = [
        s
        for s in streams
        if s["type"] == "video" and not s["attached_pic"] and not in_audio_container
    ]
    sounds = [s for s in streams if s["type"] == "audio"]
    return (pictures[0] if pictures else None), (sounds[0] if sounds else None)


def _validate(
    path: Path, found: dict[str, Any], size: int, limits: Limits, name: str
) -> MediaInfo:
    """Apply the policy to the child's report and build the MediaInfo."""
    demuxer = _demuxer(str(found["format"]), name)
    streams: list[dict[str, Any]] = found["streams"]
    picture, sound = _main_streams(streams, demuxer, limits, name)
    kind = _kind(demuxer, picture, sound, int(found["packets"]), name)
    duration = _duration(found, kind)
    _check_limits(kind, picture, duration, limits, name)
    _check_codecs(picture, sound, name)
    if not found["decoded"] or int(found["index_end"]) > size:
        raise VoiceoverError(ErrorCode.CORRUPT_MEDIA, name=name, reason="truncated or undecodable")
    demuxer = _cli_demuxer(demuxer, picture, name)
    rotation = round(int(found["rotation"]) / 90) * 90 % 360
    width, height = (picture["width"], picture["height"]) if picture else (0, 0)
    if rotation in (90, 270):
        width, height = height, width
    return MediaInfo(
        path=path,
        kind=kind,
        container=str(found["format"]),
        demuxer=demuxer,
        size_bytes=size,
        duration_s=round(duration, 3),
        width=width,
        height=height,
        rotation=rotation,
        fps=round(float(picture["fps"]), 3) if picture and kind is MediaKind.VIDEO else 0.0,
        vcodec=picture["codec"] if picture else "",
        pix_fmt=picture["pix_fmt"] if picture else "",
        full_range=_full_range(picture),
        has_audio=sound is not None,
        acodec=sound["codec"] if sound else "",
        audio_channels=int(sound["channels"]) if sound else 0,
        stream_count=len(streams),
    )

"""Writers of hostile media (../shared/notes/security.md): each writes one bad input, cheaply."""

from __future__ import annotations

import contextlib
import http.server
import random
import shutil
import struct
import threading
import zlib
from collections.abc import Iterator
from pathlib import Path

from tests.media import ffmpeg, make_video


def zero_byte(path: Path) -> Path:
    """An empty file."""
    path.write_bytes(b"")
    return path


def random_bytes(path: Path, size: int = 8192, seed: int = 7) -> Path:
    """Noise with a media name (seeded, so every run gets the same bytes)."""
    path.write_bytes(random.Random(seed).randbytes(size))
    return path


def text_as_media(path: Path) -> Path:
    """A text file renamed to look like media."""
    path.write_text("Meet Aurora, the smart lamp that learns your routine.\n" * 20)
    return path


def truncated_mp4(path: Path, *, moov_first: bool = True) -> Path:
    """A real MP4 cut in half: with the index first (samples missing) or last (index missing)."""
    whole = path.with_name("whole-" + path.name)
    extra = ("-movflags", "+faststart") if moov_first else ()
    make_video(whole, seconds=2, size="160x120", extra=extra)
    data = whole.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    whole.unlink()
    return path


def hls_playlist(path: Path, target: str) -> Path:
    """An HLS playlist (renamed to .mp4/.avi by the caller) whose segment is `target`."""
    path.write_text(
        "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:10\n#EXT-X-MEDIA-SEQUENCE:0\n"
        f"#EXTINF:10.0,\n{target}\n#EXT-X-ENDLIST\n"
    )
    return path


def concat_script(path: Path, target: Path) -> Path:
    """An ffconcat script naming a local file."""
    path.write_text(f"ffconcat version 1.0\nfile '{target}'\n")
    return path


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def huge_png(path: Path, side: int = 16384) -> Path:
    """A PNG whose header claims side×side pixels (grey), with only its first rows present."""
    header = struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0)
    rows = zlib.compress(b"\x00" * (side + 1) * 4)
    png = (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", rows)
        + _png_chunk(b"IEND", b"")
    )
    path.write_bytes(png)
    return path


def ten_hour_video(path: Path) -> Path:
    """A real 10-hour H.264 MKV: 16×16 pixels at one frame a minute (600 frames, ~20 KB)."""
    ffmpeg(
        *("-f", "lavfi", "-i", "color=c=black:s=16x16:r=1/60:d=36000", "-c:v", "libx264"),
        *("-preset", "ultrafast", "-pix_fmt", "yuv420p"),
        str(path),
    )
    return path


def thousand_fps(path: Path) -> Path:
    """A tenth of a second at 1000 frames per second."""
    ffmpeg(
        *("-f", "lavfi", "-i", "testsrc2=size=32x32:rate=1000:duration=0.1", "-c:v", "libx264"),
        *("-preset", "ultrafast", "-pix_fmt", "yuv420p"),
        str(path),
    )
    return path


def many_streams(path: Path, count: int = 24) -> Path:
    """A short clip with `count` audio streams beside its video."""
    maps = [arg for _ in range(count) for arg in ("-map", "1:a")]
    ffmpeg(
        *("-f", "lavfi", "-i", "testsrc2=size=32x32:rate=10:duration=0.3"),
        *("-f", "lavfi", "-i", "sine=duration=0.3", "-map", "0:v"),
        *maps,
        *("-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "pcm_s16le"),
        str(path),
    )
    return path


def audio_only_mkv(path: Path) -> Path:
    """A video container holding only sound (no picture)."""
    ffmpeg("-f", "lavfi", "-i", "sine=duration=0.5", "-c:a", "pcm_s16le", str(path))
    return path


def subtitles_only_mkv(path: Path, srt: Path) -> Path:
    """A video container holding only a subtitle track: no picture and no sound."""
    srt.write_text("1\n00:00:00,000 --> 00:00:01,000\nHello\n")
    ffmpeg("-i", str(srt), "-c:s", "srt", str(path))
    return path


def unsupported_codec_video(path: Path) -> Path:
    """A real AVI whose video codec is not in our table (raw, uncompressed frames)."""
    ffmpeg(
        *("-f", "lavfi", "-i", "testsrc2=size=32x32:rate=10:duration=0.3", "-c:v", "rawvideo"),
        *("-pix_fmt", "yuv420p"),
        str(path),
    )
    return path


def option_named(directory: Path, name: str, clip: Path) -> Path:
    """A copy of a real clip under a name that looks like an ffmpeg option ("-i.mp4")."""
    target = directory / name
    shutil.copyfile(clip, target)
    return target


class _CountingHandler(http.server.BaseHTTPRequestHandler):
    hits: list[str]

    def do_GET(self) -> None:
        self.hits.append(self.path)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"\x47" * 188 * 10)

    def log_message(self, *args: object) -> None:
        pass


@contextlib.contextmanager
def counting_http_server() -> Iterator[tuple[str, list[str]]]:
    """A loopback HTTP server (the "internal service" an attack would reach): its base URL and
    the paths it was asked for."""
    hits: list[str] = []
    handler = type("Handler", (_CountingHandler,), {"hits": hits})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", hits
    finally:
        server.shutdown()
        server.server_close()

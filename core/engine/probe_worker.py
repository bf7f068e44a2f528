"""The child process that opens an untrusted file with PyAV and prints what it found as JSON.

Run as `python -m core.engine.probe_worker <path> [max_pixels]`. It reports facts only; the
policy (allowed codecs, limits, error codes) lives in core/engine/probe.py. It runs in its own
process with a memory cap so that a hostile file that hangs or crashes the demuxer cannot hurt
the service, and it only lets FFmpeg use the `file` protocol and the demuxers below.
"""

from __future__ import annotations

import json
import resource
import struct
import sys
from fractions import Fraction
from typing import Any

from core.failpoints import hold_point

# The demuxers we accept (FFmpeg names). The mov and matroska demuxers carry several names.
ALLOWED_DEMUXERS: tuple[str, ...] = (
    "mov",
    "mp4",
    "m4a",
    "3gp",
    "matroska",
    "webm",
    "avi",
    "png_pipe",
    "jpeg_pipe",
    "webp_pipe",
    "gif",
    "gif_pipe",
    "image2",
    "mp3",
    "wav",
    "aac",
)
OPEN_OPTIONS: dict[str, str] = {
    "protocol_whitelist": "file",
    "format_whitelist": ",".join(ALLOWED_DEMUXERS),
}
MEMORY_CAP_BYTES = 1536 * 1024 * 1024
MAX_PACKETS_TO_FIRST_FRAME = 64
HEADER_BYTES = 65536


def image_header_size(head: bytes) -> tuple[int, int] | None:
    """Width and height from a PNG, GIF, JPEG or WebP header (for frames FFmpeg won't decode)."""
    if head.startswith(b"\x89PNG\r\n\x1a\n") and head[12:16] == b"IHDR":
        width, height = struct.unpack(">II", head[16:24])
        return width, height
    if head[:6] in (b"GIF87a", b"GIF89a"):
        width, height = struct.unpack("<HH", head[6:10])
        return width, height
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return _webp_size(head)
    if head.startswith(b"\xff\xd8"):
        return _jpeg_size(head)
    return None


def _webp_size(head: bytes) -> tuple[int, int] | None:
    chunk = head[12:16]
    if chunk == b"VP8X" and len(head) >= 30:
        width = int.from_bytes(head[24:27], "little") + 1
        height = int.from_bytes(head[27:30], "little") + 1
        return width, height
    if chunk == b"VP8L" and len(head) >= 25:
        bits = int.from_bytes(head[21:25], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    if chunk == b"VP8 " and len(head) >= 30:
        width, height = struct.unpack("<HH", head[26:30])
        return width & 0x3FFF, height & 0x3FFF
    return None


def _jpeg_size(head: bytes) -> tuple[int, int] | None:
    pos = 2
    while pos + 9 <= len(head) and head[pos] == 0xFF:
        marker = head[pos + 1]
        length = struct.unpack(">H", head[pos + 2 : pos + 4])[0]
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            height, width = struct.unpack(">HH", head[pos + 5 : pos + 9])
            return width, height
        pos += 2 + length
    return None


def _rate(value: Fraction | None) -> float:
    return float(value) if value else 0.0


def describe_stream(stream: Any) -> dict[str, Any]:
    """The facts about one stream that the policy needs."""
    from av.stream import Disposition  # PyAV only in the child: see `probe`

    context = stream.codec_context
    codec = context.codec.canonical_name if context is not None else "unknown"
    facts: dict[str, Any] = {
        "type": stream.type,
        "codec": codec,
        "attached_pic": bool(stream.disposition & Disposition.attached_pic),
        "frames": int(stream.frames or 0),
        "duration": float(stream.duration * stream.time_base)
        if stream.duration and stream.time_base
        else 0.0,
    }
    if stream.type == "video":
        facts.update(
            width=int(context.width or 0),
            height=int(context.height or 0),
            pix_fmt=context.pix_fmt or "",
            color_range=int(getattr(context, "color_range", 0) or 0),  # 1: tv, 2: pc (full)
            fps=_rate(stream.average_rate) or _rate(stream.guessed_rate),
        )
    elif stream.type == "audio":
        facts["channels"] = int(context.channels or 0)
    return facts


def index_end(stream: Any) -> int:
    """The byte offset just past the last sample the container's index points at (0: no index)."""
    entries = stream.index_entries
    return max((entry.pos + entry.size for entry in entries), default=0) if len(entries) else 0


def first_frame(container: Any, stream: Any) -> tuple[Any | None, int]:
    """Decode the stream's first frame (one thread); also count packets, up to two."""
    stream.thread_count = 1
    frame = None
    packets = 0
    for index, packet in enumerate(container.demux(stream)):
        if index >= MAX_PACKETS_TO_FIRST_FRAME or (frame is not None and packets >= 2):
            break
        if packet.size:
            packets += 1
        if frame is None:
            frames = stream.decode(packet)
            frame = frames[0] if frames else None
    if frame is None:
        frames = stream.decode(None)
        frame = frames[0] if frames else None
    return frame, packets


def probe(path: str, max_pixels: int) -> dict[str, Any]:
    """Open `path` with the whitelists and describe it; decode one frame when it is safe to."""
    # PyAV is imported only in the child process: the service imports this module for
    # `ALLOWED_DEMUXERS` and must not load PyAV (and its FFmpeg libraries) for that.
    import av

    with open(path, "rb") as handle:
        head = handle.read(HEADER_BYTES)
    try:
        container = av.open(f"file:{path}", options=OPEN_OPTIONS)
    except av.error.ArgumentError:
        return {"error": "unsupported", "detail": "format not allowed"}
    except (av.error.FFmpegError, UnicodeDecodeError) as exc:
        return {"error": "corrupt", "detail": type(exc).__name__}
    with container:
        streams = [describe_stream(s) for s in container.streams]
        result: dict[str, Any] = {
            "format": container.format.name,
            "duration": container.duration / 1_000_000 if container.duration else 0.0,
            "streams": streams,
            "rotation": 0,
            "decoded": False,
            "packets": 0,
            "index_end": max((index_end(s) for s in container.streams), default=0),
        }
        header_size = image_header_size(head)
        for facts in streams:
            if facts["type"] == "video" and not facts["width"] and header_size:
                facts["width"], facts["height"] = header_size
        result.update(decode_probe(container, streams, max_pixels))
    return result


def decode_probe(container: Any, streams: list[dict[str, Any]], max_pixels: int) -> dict[str, Any]:
    """Decode the first frame of the main stream: proves the data is real, gives rotation."""
    pictures = [i for i, s in enumerate(streams) if s["type"] == "video" and not s["attached_pic"]]
    sounds = [i for i, s in enumerate(streams) if s["type"] == "audio"]
    index = pictures[0] if pictures else sounds[0] if sounds else None
    if index is None:
        return {}
    facts = streams[index]
    if facts["type"] == "video" and not 0 < facts["width"] * facts["height"] <= max_pixels:
        return {}  # too big (or unknown) to decode safely; the policy refuses it anyway
    import av  # PyAV only in the child: see `probe`

    try:
        frame, packets = first_frame(container, container.streams[index])
    except (av.error.FFmpegError, MemoryError, ValueError):
        return {"decoded": False}
    rotation = int(getattr(frame, "rotation", 0) or 0) if facts["type"] == "video" else 0
    return {"decoded": frame is not None, "packets": packets, "rotation": rotation}


def main(argv: list[str]) -> int:
    """Entry point: print one JSON object describing the file (or why it could not be read)."""
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP_BYTES, MEMORY_CAP_BYTES))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    max_pixels = int(argv[2]) if len(argv) > 2 else 3840 * 2160
    hold_point("probe")  # tests only: a probe held while its parent is signalled
    try:
        result = probe(argv[1], max_pixels)
    except MemoryError:
        result = {"error": "corrupt", "detail": "MemoryError"}
    sys.stdout.write(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

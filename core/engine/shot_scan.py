"""The cheap first look for shot detection: where in the video a cut may be.

Decoding every frame of an H.264 video is what detection costs (about 20 s of CPU for two
minutes of 1080p). Most of a video has no cut, so one cheap pass first decodes only its
keyframes (the demuxer drops the rest: `-discard nokey`), scaled at once to 64x36 RGB (`scdet`
gives the mean difference of each keyframe from the one before), and lists its packets' sizes
(stream copy to `framecrc`, no decoding). A stretch between two keyframes may hold a cut
when the keyframes differ (KEY_CHANGE), or when a packet in it is much bigger than those
around it (a cut mid-GOP codes the new picture afresh: this finds a short shot between two
alike, A-B-A, in one GOP). The stretch after the last keyframe is always looked at. Only
these stretches are decoded frame by frame (`core.engine.shots`), each from its own first
keyframe (a cut on that keyframe is the stretch before's), so the exact frame is found as
before. When they cover most of the video, or the codec cannot skip frames cheaply, or the
keyframes are dense, the whole video is decoded once instead (None).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import numpy as np

from core.engine.ffmpeg import input_args, run_ffmpeg
from core.engine.model import MediaInfo
from core.engine.video import graph_safe

KEY_CHANGE = 3.0  # scdet's mafd (percent) between keyframes; calm footage 2 s apart: < 2
SPIKE_RATIO = 3.0  # a packet this many times the median of those around it …
SPIKE_MIN_BYTES = 32  # … and at least this much bigger (tiny clips: a cut of flat colour is ~60)
SPIKE_AROUND_S = 1.0  # the packets around it: this long either side
MAX_SHARE = 0.5  # stretches covering more of the video than this: decode it all
MIN_GOP_S = 0.4  # keyframes denser than this on average: decode it all
TWO_PASS_CODECS = frozenset({"h264", "hevc"})  # decoders that skip non-keyframes for free
_FRAME = re.compile(r"^frame:\d+\s+pts:\S+\s+pts_time:(\S+)")
_MAFD = re.compile(r"^lavfi\.scd\.mafd=(\S+)")
_PACKET = re.compile(
    r"^0,\s*-?\d+,\s*(-?\d+),\s*\d+,\s*(\d+),\s*0x[0-9a-f]+(?:,\s*F=0x([0-9A-F]+))?"
)
_TB = re.compile(r"^#tb 0: (\d+)/(\d+)")


@dataclass(frozen=True)
class Window:
    """One stretch to decode frame by frame: from the keyframe at or before `seek_s` (None:
    the start), until `stop_s`; cuts count when they fall after `after_s`, up to `until_s`."""

    seek_s: float | None
    after_s: float
    until_s: float
    stop_s: float


@dataclass(frozen=True)
class Scan:
    """The keyframes' times, each one's difference from the one before, the packets' times
    and sizes, and which packets are keyframes."""

    keys: list[float]
    mafd: list[float]
    packet_s: np.ndarray
    packet_bytes: np.ndarray
    packet_key: np.ndarray


def scan(info: MediaInfo, work: Path, timeout_s: float) -> Scan:
    """Decode only the keyframes and list the packets, in one ffmpeg run (two inputs)."""
    meta, packets = work / "keys.txt", work / "packets.txt"
    graph = (
        "scale=64:36:flags=area,format=rgb24,scdet=threshold=100,"
        f"metadata=mode=print:key=lavfi.scd.mafd:file={graph_safe(meta)}"
    )
    # the first input's demuxer hands over keyframes alone (-discard: the rest is not even
    # parsed; -skip_frame for a demuxer that ignores it); the second lists every packet
    args = ["-threads", "1", "-discard", "nokey", "-skip_frame", "nokey", *input_args(info)]
    args += input_args(info)
    args += ["-map", "0:v:0", "-vf", graph, "-an", "-sn", "-f", "null", "-"]
    args += ["-map", "1:v:0", "-c", "copy", "-f", "framecrc", f"file:{packets}"]
    run_ffmpeg(args, timeout_s=timeout_s, duration_s=info.duration_s)
    keys, mafd = parse_keys(meta.read_text("utf-8") if meta.exists() else "")
    times, sizes, key = parse_packets(packets.read_text("utf-8") if packets.exists() else "")
    # a decoder fed keyframes alone may stamp them a few frames late (its reorder delay): the
    # times are the key packets'; a count that differs leaves no keys (decode it all)
    keys = [float(s) for s in times[key]] if len(keys) == int(key.sum()) else []
    return Scan(keys, mafd, times, sizes, key)


def parse_keys(text: str) -> tuple[list[float], list[float]]:
    """The decoded keyframes' times and mafd from `metadata=mode=print`."""
    keys: list[float] = []
    mafd: list[float] = []
    for line in text.splitlines():
        if match := _FRAME.match(line):
            keys.append(float(match[1]))
            mafd.append(0.0)
        elif (match := _MAFD.match(line)) and mafd:
            mafd[-1] = float(match[1])
    return keys, mafd


def parse_packets(text: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each packet's time (s), size (bytes) and keyframe flag from `framecrc`, by time."""
    base = Fraction(1, 1)
    rows: list[tuple[float, int, bool]] = []
    for line in text.splitlines():
        if match := _TB.match(line):
            base = Fraction(int(match[1]), int(match[2]))
        elif match := _PACKET.match(line):
            flags = int(match[3], 16) if match[3] is not None else 1
            rows.append((float(int(match[1]) * base), int(match[2]), bool(flags & 1)))
    rows.sort()
    return (
        np.array([r[0] for r in rows], dtype=np.float64),
        np.array([r[1] for r in rows], dtype=np.int64),
        np.array([r[2] for r in rows], dtype=bool),
    )


def spikes(found: Scan) -> np.ndarray:
    """The times of non-key packets much bigger than the non-key packets around them."""
    times = found.packet_s[~found.packet_key]
    sizes = found.packet_bytes[~found.packet_key]
    low = np.searchsorted(times, times - SPIKE_AROUND_S)
    high = np.searchsorted(times, times + SPIKE_AROUND_S, side="right")
    medians = np.array([np.median(sizes[a:b]) for a, b in zip(low, high, strict=True)])
    big = (sizes > SPIKE_RATIO * medians) & (sizes - medians >= SPIKE_MIN_BYTES)
    return np.asarray(times[big])


def plan_windows(info: MediaInfo, found: Scan, flash_s: float) -> list[Window] | None:
    """The stretches that may hold a cut (see the module's docstring), or None: decode all."""
    keys, duration, frame = found.keys, info.duration_s, 1.0 / (info.fps or 30.0)
    if not keys or keys[0] > frame or duration / len(keys) < MIN_GOP_S:
        return None
    edges = [*keys, duration]
    hot = spikes(found)
    flagged = [
        j == len(keys) - 1
        or found.mafd[j + 1] >= KEY_CHANGE
        or bool(np.any((hot > edges[j]) & (hot <= edges[j + 1])))
        for j in range(len(keys))
    ]
    windows: list[Window] = []
    j = 0
    while j < len(keys):
        if not flagged[j]:
            j += 1
            continue
        first = j
        while j + 1 < len(keys) and flagged[j + 1]:
            j += 1
        seek = keys[first] + frame / 4 if first > 0 else None  # decoded from keys[first]
        stop = min(duration, edges[j + 1] + flash_s + 3 * frame)
        windows.append(Window(seek, edges[first], edges[j + 1], stop))
        j += 1
    covered = sum(w.stop_s - (w.seek_s or 0.0) for w in windows)
    return windows if covered <= MAX_SHARE * duration else None


def two_pass(info: MediaInfo) -> bool:
    """Whether the cheap first look can pay off for this video's codec."""
    return info.vcodec in TWO_PASS_CODECS

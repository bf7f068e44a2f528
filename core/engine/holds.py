"""Held shots: the picture stays on a shot (its last frame frozen, or the shot slowed to no less
than half speed) while its paragraph finishes; everything after it moves later.

Only the held shots are re-encoded when the source can be stream-copied: the video is split at
keyframes around each held shot (the segment muxer, no decoding), the pieces holding a shot are
re-encoded from their own keyframe, and all pieces are joined again as MPEG-TS (each piece
carries its own parameter sets). The source's own audio follows the same timeline (silence
during a freeze, slowed with the picture).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from core.engine.ffmpeg import input_args, run_ffmpeg
from core.engine.model import Hold, MediaInfo, MediaKind
from core.engine.video import X264, graph_safe
from core.errors import ErrorCode, VoiceoverError

log = logging.getLogger(__name__)
MIN_SLOW_RATE = 0.5
KEYFRAME_SLACK_S = 0.001  # split just before a keyframe's time (its printed time is rounded)
_FRAME = re.compile(r"^frame:\d+\s+pts:\S+\s+pts_time:(\S+)")


class _NotCopied(Exception):
    """The source can't be cut at its keyframes: it is re-encoded whole instead."""


@dataclass(frozen=True)
class HeldShot:
    """A shot of the source (start, end) held `hold_s` longer."""

    start_s: float
    end_s: float
    hold_s: float


def held_shots(
    spans: Sequence[tuple[float, float]], holds: Sequence[tuple[int, float]]
) -> list[HeldShot]:
    """The holds (shot index, seconds) as source spans, in order."""
    return [HeldShot(spans[i][0], spans[i][1], s) for i, s in sorted(holds) if s > 0]


def out_time(at_s: float, held: Sequence[HeldShot]) -> float:
    """Where a moment of the source plays in the held output (a held shot ends later)."""
    return at_s + sum(h.hold_s for h in held if h.end_s <= at_s + 1e-6)


def _stretch(h: HeldShot, mode: Hold) -> tuple[float, float]:
    """(slow-down factor ≥ 1, freeze seconds after it) for one held shot."""
    length = max(1e-3, h.end_s - h.start_s)
    if mode is Hold.SLOW:
        factor = min(1 / MIN_SLOW_RATE, (length + h.hold_s) / length)
        return factor, max(0.0, length + h.hold_s - length * factor)
    return 1.0, h.hold_s


def video_graph(
    held: Sequence[HeldShot],
    mode: Hold,
    fps: float,
    offset_s: float,
    end_s: float | None,
    out: str = "v",
) -> str:
    """A filtergraph from [0:v:0] to [out]: the span offset…end of the source with its shots
    held (times relative to the input's first frame, which is at `offset_s` of the source)."""

    def stretched(shot: HeldShot) -> str:
        factor, freeze = _stretch(shot, mode)
        slow = f",setpts=PTS*{factor:.6f},fps={fps:g}" if factor > 1.0 else ""
        return slow + (f",tpad=stop_mode=clone:stop_duration={freeze:.3f}" if freeze > 0 else "")

    pieces = _pieces(held, offset_s, end_s)
    return _held_graph("0:v:0", "", pieces, stretched, f"v=1:a=0,format=yuv420p[{out}]")


def audio_graph(held: Sequence[HeldShot], mode: Hold, source: str = "0:a:0") -> str:
    """A filtergraph from [source] to [a]: the source's sound on the held timeline."""

    def stretched(shot: HeldShot) -> str:
        factor, freeze = _stretch(shot, mode)
        slow = f",atempo={1 / factor:.6f}" if factor > 1.0 else ""
        return slow + (f",apad=pad_dur={freeze:.3f}" if freeze > 0 else "")

    return _held_graph(source, "a", _pieces(held, 0.0, None), stretched, "v=0:a=1[a]")


def _held_graph(
    source: str,
    a: str,
    pieces: list[tuple[float, float | None, HeldShot | None]],
    stretched: Callable[[HeldShot], str],
    concat: str,
) -> str:
    """Split [source] into the pieces, trim each (a held one stretched), and concatenate them;
    `a` is "" for the picture's filters and "a" for the sound's."""
    parts = [
        f"[{source}]{a}setpts=PTS-STARTPTS,{a}split={len(pieces)}"
        + "".join(f"[i{n}]" for n in range(len(pieces)))
    ]
    for n, (start, end, shot) in enumerate(pieces):
        chain = f"[i{n}]{a}trim=start={start:.6f}" + (f":end={end:.6f}" if end is not None else "")
        chain += f",{a}setpts=PTS-STARTPTS" + (stretched(shot) if shot is not None else "")
        parts.append(chain + f"[o{n}]")
    joined = "".join(f"[o{n}]" for n in range(len(pieces)))
    parts.append(f"{joined}concat=n={len(pieces)}:{concat}")
    return ";".join(parts)


def _pieces(
    held: Sequence[HeldShot], offset_s: float, end_s: float | None
) -> list[tuple[float, float | None, HeldShot | None]]:
    """(start, end, held shot or None) pieces of offset…end, relative to offset."""
    pieces: list[tuple[float, float | None, HeldShot | None]] = []
    at = 0.0
    for h in held:
        start, end = h.start_s - offset_s, h.end_s - offset_s
        if start > at + 1e-6:
            pieces.append((at, start, None))
        pieces.append((start, end, h))
        at = end
    tail = None if end_s is None else end_s - offset_s
    if tail is None or tail > at + 1e-6:
        pieces.append((at, tail, None))
    return pieces


def keyframe_times(media: MediaInfo, work: Path, timeout_s: float) -> list[float]:
    """The source's keyframe times (only keyframes are decoded)."""
    listing = work / "keyframes.txt"
    graph = f"metadata=mode=add:key=k:value=1,metadata=mode=print:file={graph_safe(listing)}"
    args = ["-skip_frame", "nokey", *input_args(media), "-map", "0:v:0", "-an", "-sn"]
    run_ffmpeg([*args, "-vf", graph, "-f", "null", "-"], timeout_s=timeout_s)
    text = listing.read_text("utf-8") if listing.exists() else ""
    return [float(m[1]) for line in text.splitlines() if (m := _FRAME.match(line))]


def copy_spans(
    held: Sequence[HeldShot], keyframes: Sequence[float], duration_s: float
) -> list[tuple[float, float | None, list[HeldShot]]]:
    """The source cut at keyframes into pieces: (start, end, the held shots it re-encodes)
    — an empty list is a piece copied as it is."""
    spans: list[tuple[float, float | None, list[HeldShot]]] = []
    for h in held:
        start = max((k for k in keyframes if k <= h.start_s + 1e-6), default=0.0)
        after = [k for k in keyframes if k >= h.end_s - 1e-6]
        end = after[0] if after else None
        if spans and spans[-1][1] is None or spans and start < (spans[-1][1] or 0) + 1e-6:
            last = spans.pop()
            spans.append((last[0], end, [*last[2], h]))
        else:
            spans.append((start, end, [h]))
    pieces: list[tuple[float, float | None, list[HeldShot]]] = []
    at: float | None = 0.0
    for start, end, shots in spans:
        if at is not None and start > at + 1e-6:
            pieces.append((at, start, []))
        pieces.append((start, end, shots))
        at = end
    if at is not None and at < duration_s - 1e-3:
        pieces.append((at, None, []))
    return pieces


@dataclass(frozen=True)
class HoldJob:
    """One source, its held shots and how to hold them, into `work`."""

    media: MediaInfo
    held: tuple[HeldShot, ...]
    mode: Hold
    work: Path
    timeout_s: float


def held_media(job: HoldJob) -> MediaInfo:
    """The source with its shots held, as a .mov of our own (video, and PCM sound when the
    source has sound) described like the source."""
    media, work = job.media, job.work
    video = work / "held-video.ts"
    copyable = media.is_h264_yuv420p and media.rotation == 0
    try:
        if not copyable:
            raise _NotCopied
        _copy_and_hold(job, video)
    except (_NotCopied, VoiceoverError) as err:
        if isinstance(err, VoiceoverError) and err.code is ErrorCode.TIMEOUT:
            raise
        log.info("held shots: the whole video is re-encoded (%s)", type(err).__name__)
        graph = video_graph(job.held, job.mode, media.fps or 30.0, 0.0, None)
        _encode(job, input_args(media), graph, video)
    out = work / "held.mov"
    args = ["-f", "mpegts", "-i", f"file:{video}"]
    if media.has_audio:
        args += [*input_args(media), "-filter_complex", audio_graph(job.held, job.mode, "1:a:0")]
        args += ["-map", "0:v:0", "-map", "[a]", "-c:a", "pcm_s16le"]
    else:
        args += ["-map", "0:v:0"]
    args += ["-c:v", "copy", "-bsf:v", "filter_units=remove_types=9"]  # TS's delimiters
    run_ffmpeg([*args, "-f", "mov", f"file:{out}"], timeout_s=job.timeout_s)
    length = media.duration_s + sum(h.hold_s for h in job.held)
    return replace(
        media,
        path=out,
        container="mov,mp4,m4a,3gp,3g2,mj2",
        demuxer="mov",
        size_bytes=out.stat().st_size,
        duration_s=round(length, 3),
        acodec="pcm_s16le" if media.has_audio else "",
        rotation=0 if not copyable else media.rotation,
        vcodec="h264",
        pix_fmt="yuv420p",
        full_range=False,
    )


def held_length(job: HoldJob) -> float:
    """The source's length once its shots are held."""
    return round(job.media.duration_s + sum(h.hold_s for h in job.held), 3)


@dataclass(frozen=True)
class FinalHold:
    """Holds done by the render's last pass: the source as it reads it (its length held), the
    source's sound on the held timeline (None: it has none) and the filtergraph ([0:v:0] to
    [held]) that holds the picture."""

    source: MediaInfo
    sound: MediaInfo | None
    graph: str


def held_in_final_pass(job: HoldJob) -> FinalHold:
    """For a render whose last pass re-encodes the picture anyway: hold the shots there, so the
    video is encoded once; only the sound is made here (PCM, into `work`, for the mix)."""
    media = job.media
    length = held_length(job)
    source = replace(media, duration_s=length)
    graph = video_graph(job.held, job.mode, media.fps or 30.0, 0.0, None, "held")
    if not media.has_audio:
        return FinalHold(source, None, graph)
    sound = job.work / "held-sound.wav"
    args = [*input_args(media), "-filter_complex", audio_graph(job.held, job.mode), "-map", "[a]"]
    run_ffmpeg([*args, "-c:a", "pcm_s16le", "-f", "wav", f"file:{sound}"], timeout_s=job.timeout_s)
    heard = replace(
        media,
        path=sound,
        kind=MediaKind.AUDIO,
        container="wav",
        demuxer="wav",
        size_bytes=sound.stat().st_size,
        duration_s=length,
        acodec="pcm_s16le",
    )
    return FinalHold(source, heard, graph)


def _encode(job: HoldJob, inputs: list[str], graph: str, out: Path) -> None:
    args = [*inputs, "-filter_complex", graph, "-map", "[v]", *X264, "-pix_fmt", "yuv420p"]
    args += ["-color_range", "tv", "-r", f"{job.media.fps or 30.0:g}", "-an", "-sn"]
    run_ffmpeg([*args, "-f", "mpegts", f"file:{out}"], timeout_s=job.timeout_s)


def _copy_and_hold(job: HoldJob, out: Path) -> None:
    """Copy the pieces without held shots, re-encode the others, join them as MPEG-TS."""
    media, work = job.media, job.work
    keys = keyframe_times(media, work, job.timeout_s)
    pieces = copy_spans(job.held, keys, media.duration_s)
    cuts = [start for start, _, _ in pieces[1:]]
    pattern = work / "piece%03d.ts"
    args = [*input_args(media), "-map", "0:v:0", "-c:v", "copy", "-an", "-sn", "-f", "segment"]
    if cuts:
        args += ["-segment_times", ",".join(f"{max(0.0, c - KEYFRAME_SLACK_S):.6f}" for c in cuts)]
    args += ["-segment_format", "mpegts", "-reset_timestamps", "1", f"file:{pattern}"]
    run_ffmpeg(args, timeout_s=job.timeout_s)
    if not all((work / f"piece{n:03d}.ts").exists() for n in range(len(pieces))):
        raise _NotCopied  # the source's keyframes were not where they were read
    listing = []
    for n, (start, end, shots) in enumerate(pieces):
        piece = work / f"piece{n:03d}.ts"
        if shots:
            encoded = work / f"piece{n:03d}-held.ts"
            graph = video_graph(shots, job.mode, media.fps or 30.0, start, end)
            _encode(job, ["-f", "mpegts", "-i", f"file:{piece}"], graph, encoded)
            piece = encoded
        listing.append(f"file '{graph_safe(piece)}'")
    concat = work / "pieces.txt"
    concat.write_text("\n".join(listing) + "\n", encoding="utf-8")
    args = ["-f", "concat", "-safe", "0", "-i", f"file:{concat}", "-map", "0:v:0", "-c", "copy"]
    run_ffmpeg([*args, "-f", "mpegts", f"file:{out}"], timeout_s=job.timeout_s)

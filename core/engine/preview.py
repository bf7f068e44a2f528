"""A quick proof before the full render: the first PREVIEW_S seconds at PREVIEW_HEIGHT, with the
narration and burned-in captions, so a user can check voice, timing and look in seconds.

The media is cut to its head (and scaled down) before the engine sees it, the script to what
is spoken in that time; the engine then renders as usual, and a last pass caps the length and
height (an aspect preset's canvas is 1080 high).
"""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

from core.config import Settings
from core.engine.ffmpeg import input_args, run_ffmpeg
from core.engine.leftovers import partial_path, work_dir
from core.engine.model import (
    Captions,
    Limits,
    MediaInfo,
    MediaKind,
    Progress,
    RenderRequest,
    RenderResult,
    Script,
    ScriptCue,
    no_progress,
)
from core.engine.probe import probe_media
from core.engine.render import render
from core.engine.script_text import count_words
from core.engine.synced import preview_request
from core.engine.textnorm import split_sentences

PREVIEW_S = 20.0
PREVIEW_HEIGHT = 360
WORDS_PER_S = 2.5  # slower than Piper reads (about 3), so the cut script fills the head
ENCODE = ["-c:v", "libx264", "-preset", "veryfast", "-crf", "26", "-pix_fmt", "yuv420p"]
SOUND = ["-c:a", "aac", "-b:a", "96k"]


def preview_script(script: Script, speed: float, seconds: float = PREVIEW_S) -> Script:
    """The part of the script spoken in the first `seconds`: timed cues starting before it,
    or whole sentences within a word budget (at least the first sentence)."""
    if script.timed:
        cues = [cue for cue in script.cues if (cue.start_s or 0.0) < seconds]
        return Script(tuple(cues or script.cues[:1]))
    budget, used = seconds * WORDS_PER_S * speed, 0
    kept: list[str] = []
    for sentence in (s for cue in script.cues for s in split_sentences(cue.text)):
        words = count_words(sentence)
        if kept and used + words > budget:
            break
        kept.append(sentence)
        used += words
    return Script((ScriptCue(" ".join(kept)),))


def _scale(height: int) -> str:
    return f"scale=-2:'min({height},ih)':flags=bicubic"


def cut_head(info: MediaInfo, out: Path, timeout_s: float, seconds: float = PREVIEW_S) -> Path:
    """The video's first `seconds`, at most PREVIEW_HEIGHT high (a still is used as it is)."""
    if info.kind is not MediaKind.VIDEO:
        return info.path
    args = [*input_args(info), "-t", f"{seconds:.3f}", "-map", "0:v:0", "-map", "0:a:0?"]
    args += ["-vf", _scale(PREVIEW_HEIGHT), *ENCODE, *SOUND, "-sn", "-dn", "-map_metadata", "-1"]
    run_ffmpeg([*args, "-f", "mp4", f"file:{out.resolve()}"], timeout_s=timeout_s)
    return out


def _cap(rendered: Path, out: Path, timeout_s: float, seconds: float) -> None:
    """Our own render, cut to `seconds` and PREVIEW_HEIGHT, written to `out` atomically."""
    part = partial_path(out)
    args = ["-f", "mov", "-i", f"file:{rendered.resolve()}", "-t", f"{seconds:.3f}"]
    args += ["-vf", _scale(PREVIEW_HEIGHT), *ENCODE, *SOUND, "-movflags", "+faststart"]
    try:
        run_ffmpeg([*args, "-f", "mp4", f"file:{part.resolve()}"], timeout_s=timeout_s)
        os.replace(part, out)
    finally:
        part.unlink(missing_ok=True)


def render_preview(
    request: RenderRequest,
    settings: Settings,
    progress: Progress = no_progress,
    seconds: float = PREVIEW_S,
) -> RenderResult:
    """Render the first `seconds` of `request` to `request.out` (blocking: call it in a
    thread)."""
    limits, timeout = Limits.from_settings(settings), settings.ffmpeg_timeout_s
    with work_dir() as tmp:
        work = Path(tmp)
        media, info, head_s = request.media, None, seconds
        synced = None
        if media is not None:
            info = probe_media(media, limits)
            synced = preview_request(request, info, seconds, timeout, settings.data_dir)
            head_s = synced[1] if synced is not None else seconds
            media = cut_head(info, work / "head.mp4", timeout, head_s)
        script = request.script
        if synced is not None:  # the same paragraphs on the same runs of shots
            request, script = synced[0], synced[0].script
        elif script is not None:
            script = preview_script(script, request.options.speed, seconds)
        options = replace(request.options, captions=Captions.BURN)
        first = replace(
            request, out=work / "full.mp4", media=media, script=script, options=options
        )
        result = render(first, settings, progress)
        _cap(result.output, request.out, timeout, seconds)
    final = probe_media(request.out, limits)
    return replace(
        result,
        output=request.out,
        duration_s=final.duration_s,
        width=final.width,
        height=final.height,
        subtitles=None,
        size_bytes=request.out.stat().st_size,
    )

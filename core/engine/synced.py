"""The render's hooks for narration that follows the picture: which shots (if any) the script
is laid on, and the source with its held shots."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from core.engine.holds import HoldJob, held_media, held_shots
from core.engine.model import MediaInfo, MediaKind, RenderRequest, Script, Sync
from core.engine.pauses import strip_pauses
from core.engine.shots import detect_shots, spans
from core.engine.sync_plan import group_items, use_shots

Spans = list[tuple[float, float]]


def source_shots(
    request: RenderRequest, media: MediaInfo | None, timeout_s: float
) -> Spans | None:
    """The shots of the video (as pinned with the job, else found now) when the render may be
    laid on them: a video, an untimed script read by a voice, sync not `none`."""
    script = request.script
    if media is None or media.kind is not MediaKind.VIDEO or script is None:
        return None
    if script.timed or request.narration is not None or request.options.sync is Sync.NONE:
        return None
    if request.shots is None and request.options.sync is Sync.AUTO and _items(request) < 2:
        return None  # auto keeps today's layout for one paragraph: no need to look
    cuts = request.shots if request.shots is not None else detect_shots(media, timeout_s)
    return spans(tuple(cuts), media.duration_s)


def sync_spans(request: RenderRequest, shots: Spans | None) -> Spans | None:
    """The shots to lay the script on, or None for today's layout (see sync_plan.use_shots)."""
    if shots is None or request.script is None:
        return None
    return shots if use_shots(request.options.sync, _items(request), len(shots)) else None


def _items(request: RenderRequest) -> int:
    """The script's paragraphs (pauses alone are none)."""
    cues = request.script.cues if request.script else ()
    return sum(1 for c in cues if strip_pauses(c.text).strip())


def hold_source(
    request: RenderRequest,
    media: MediaInfo,
    shots: Sequence[tuple[float, float]],
    holds: Sequence[tuple[int, float]],
    work: Path,
    timeout_s: float,
) -> MediaInfo:
    """The source with `holds` (shot, seconds) applied, made in `work`."""
    job = HoldJob(media, tuple(held_shots(shots, holds)), request.options.hold, work, timeout_s)
    return held_media(job)


def preview_request(
    request: RenderRequest, media: MediaInfo, seconds: float, timeout_s: float
) -> RenderRequest | None:
    """For a preview of the first `seconds`: the request laid on the same shots (the paragraphs
    on the shots that start in it, and those shots), or None when the render would not sync."""
    laid = sync_spans(request, source_shots(request, media, timeout_s))
    if laid is None or request.script is None:
        return None
    cues = [c for c in request.script.cues if strip_pauses(c.text).strip()]
    groups = group_items([float(len(c.text.split()) or 1) for c in cues], laid)
    kept = [cues[k] for g in groups if laid[g.first][0] < seconds for k in g.items]
    cuts = tuple(start for start, _ in laid[1:] if start < seconds)
    options = replace(request.options, sync=Sync.SHOTS)
    return replace(request, script=Script(tuple(kept)), shots=cuts, options=options)

"""The render's hooks for narration that follows the picture: which shots (if any) the script
is laid on, and the source with its held shots."""

from __future__ import annotations

import time
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

from core.engine.holds import (
    FinalHold,
    HoldJob,
    held_in_final_pass,
    held_length,
    held_media,
    held_shots,
)
from core.engine.layout import plan_geometry
from core.engine.model import MediaInfo, MediaKind, RenderRequest, Script, Sync
from core.engine.shot_cache import cached_shots
from core.engine.shots import detect_shots, spans
from core.engine.sync_items import Item, paragraphs, script_items
from core.engine.sync_plan import group_items, runs_of_groups, use_shots

Spans = list[tuple[float, float]]
HEAD_STRETCH = 3.0  # a preview's video goes on past its end to the end of its last run


def may_sync(request: RenderRequest, media: MediaInfo | None) -> bool:
    """Whether the video's shots can change this render: a video, an untimed script of more
    than one paragraph (`auto`) read by a voice, sync not `none`."""
    script = request.script
    if media is None or media.kind is not MediaKind.VIDEO or script is None:
        return False
    if script.timed or request.narration is not None or request.options.sync is Sync.NONE:
        return False
    return request.shots is not None or request.options.sync is Sync.SHOTS or _items(request) > 1


def source_shots(
    request: RenderRequest, media: MediaInfo | None, timeout_s: float, data_dir: Path | None = None
) -> Spans | None:
    """The shots of the video (as pinned with the job, else kept under `data_dir` from an
    earlier render of the same video, else found now) when they can change the render."""
    if media is None or not may_sync(request, media):
        return None
    if request.shots is not None:
        return spans(tuple(request.shots), media.duration_s)
    if data_dir is None:
        return spans(detect_shots(media, timeout_s), media.duration_s)
    return spans(cached_shots(media, data_dir, detect_shots, timeout_s), media.duration_s)


def sync_spans(request: RenderRequest, shots: Spans | None) -> Spans | None:
    """The shots to lay the script on, or None for today's layout (see sync_plan.use_shots)."""
    if shots is None or request.script is None:
        return None
    return shots if use_shots(request.options.sync, _items(request), len(shots)) else None


def _items(request: RenderRequest) -> int:
    """The script's paragraphs (pauses alone are none)."""
    return paragraphs(request.script) if request.script else 0


def hold_source(
    request: RenderRequest,
    media: MediaInfo,
    shots: Sequence[tuple[float, float]],
    holds: Sequence[tuple[int, float]],
    work: Path,
    timeout_s: float,
    narration_s: float = 0.0,
) -> FinalHold:
    """The source with `holds` (shot, seconds) applied, made in `work` (only the held shots
    re-encoded); or, when the render's last pass re-encodes the picture anyway (captions
    burnt, another frame, a longer narration …), the holds left to that pass, so that the video
    is encoded once."""
    job = HoldJob(media, tuple(held_shots(shots, holds)), request.options.hold, work, timeout_s)
    length = held_length(job)
    as_held = replace(media, vcodec="h264", pix_fmt="yuv420p", full_range=False, rotation=0)
    as_held = replace(as_held, duration_s=length)
    extend = max(0.0, narration_s - length)
    opts = request.options
    if plan_geometry(as_held, opts.aspect, opts.captions, extend).copy_video:
        return FinalHold(held_media(job), None, "")
    return held_in_final_pass(job)


def preview_request(
    request: RenderRequest,
    media: MediaInfo,
    seconds: float,
    timeout_s: float,
    data_dir: Path | None = None,
) -> tuple[RenderRequest, float] | None:
    """For a preview of the first `seconds`: the request laid as the render lays it (the items
    whose shots start in it, on the runs of shots the render gives them, and those shots) and
    how much of the video it is laid on (to the end of the last item's run, so that it is read
    as fast as in the render; at most HEAD_STRETCH times `seconds`), or None when the render
    would not sync."""
    laid = sync_spans(request, source_shots(request, media, timeout_s, data_dir))
    items = script_items(request.script) if laid is not None and request.script else []
    if laid is None or request.script is None or not items:
        return None
    runs = runs_of_groups(group_items([i.weight for i in items], laid))
    kept = sum(1 for first, _ in runs if laid[first][0] < seconds)
    head_s = min(max(seconds, laid[runs[kept - 1][1]][1]), seconds * HEAD_STRETCH)
    cuts = tuple(start for start, _ in laid[1:] if start < head_s)
    last = len(cuts)  # the head's last shot: runs that go on past it end there
    script = _head(request.script, items, kept)
    # Each of the head's items on its run (one paragraph left is read by its sentences: each
    # sentence on the paragraph's run)
    by_cue = {item.cue: k for k, item in enumerate(items)}
    by_paragraph = paragraphs(request.script) > 1
    heads = script_items(script)
    of = [by_cue[h.cue] if by_paragraph else min(k, kept - 1) for k, h in enumerate(heads)]
    shot_runs = tuple((min(runs[k][0], last), min(runs[k][1], last)) for k in of)
    options = replace(request.options, sync=Sync.SHOTS)
    laid_request = replace(
        request, script=script, shots=cuts, shot_runs=shot_runs, options=options
    )
    return laid_request, head_s


def _head(script: Script, items: list[Item], kept: int) -> Script:
    """The script up to its first `kept` items (a paragraph, or the sentences, cut after)."""
    if kept >= len(items):
        return script
    cue = items[kept].cue
    if items[kept - 1].cue != cue:  # by paragraph: the paragraphs before the next item's
        return Script(script.cues[:cue])
    pieces = [p for item in items[:kept] for p in item.pieces]
    text = " ".join(f"[pause {p:g}s]" if isinstance(p, float) else p for p in pieces)
    return Script((*script.cues[:cue], replace(script.cues[cue], text=text)))


class ShotsMeanwhile:
    """The video's shots for one render, found in a thread while the script is spoken (only
    when they can change the render and are not known yet); `result` waits for them."""

    def __init__(
        self, request: RenderRequest, media: MediaInfo | None, timeout_s: float, data_dir: Path
    ) -> None:
        self._pool: ThreadPoolExecutor | None = None
        self._future: Future[Spans | None] | None = None
        self._known: Spans | None = None
        self.seconds = 0.0  # how long finding them took (alongside the speech)
        if media is None or not may_sync(request, media) or request.shots is not None:
            self._known = source_shots(request, media, timeout_s)
            return
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="shots")
        self._future = self._pool.submit(self._find, request, media, timeout_s, data_dir)

    def _find(
        self, request: RenderRequest, media: MediaInfo, timeout_s: float, data_dir: Path
    ) -> Spans | None:
        started = time.perf_counter()
        try:
            return source_shots(request, media, timeout_s, data_dir)
        finally:
            self.seconds = round(time.perf_counter() - started, 3)

    def result(self) -> Spans | None:
        """The shots (None: they cannot change the render); a failure to find them is raised."""
        return self._future.result() if self._future is not None else self._known

    def __enter__(self) -> ShotsMeanwhile:
        return self

    def __exit__(self, *_: object) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True)  # never leaves its ffmpeg behind

""" "preview" / "预览": a quick proof of the project (its first 20 s at 360p, with the narration
and captions) sent into the chat before the full render; no credits, no job."""

from __future__ import annotations

from core.backends.base import Draft
from core.chat.drafts import render_gap
from core.chat.turn import FlowDeps, Turn, ack_if_slow
from core.engine.preview import PREVIEW_HEIGHT, PREVIEW_S
from core.errors import ErrorCode, VoiceoverError
from core.files import owner_digest
from core.ports import VideoReply
from core.words.numbers import human_size
from core.words.replies import reply


def _check_ready(draft: Draft) -> None:
    if render_gap(draft) is not None:
        raise VoiceoverError(ErrorCode.NOTHING_TO_RENDER)


async def preview(ctx: Turn, deps: FlowDeps) -> bool:
    """Render and send the preview (the backend must offer one: the local engine does)."""
    if not deps.backend.can_preview:
        await ctx.say("preview_unavailable")
        return False
    session = await deps.sessions.current(ctx.owner)
    if session is None:
        raise VoiceoverError(ErrorCode.NO_PROJECT)
    _check_ready(await deps.backend.state(session["session_id"]))
    out = deps.settings.data_dir / "previews" / f"{owner_digest(ctx.owner)}.mp4"
    fields = {"seconds": f"{PREVIEW_S:g}", "height": PREVIEW_HEIGHT}
    fixes = (await deps.sessions.lexicon(ctx.owner)).to_pairs()  # a proof says words as asked
    work = deps.backend.preview(session["session_id"], out, fixes)
    result = await ack_if_slow(ctx, work, "previewing", **fields)
    caption = reply("preview_ready", ctx.lang, **fields)
    if result.size_bytes > ctx.chat.upload_limit:  # not on any platform we know: 360p, 20 s
        await ctx.chat.say(f"{caption} ({human_size(result.size_bytes)}: {out})")
        return False
    video = VideoReply(
        path=out,
        caption=caption,
        duration_s=result.duration_s,
        width=result.width,
        height=result.height,
        size_bytes=result.size_bytes,
    )
    await ctx.chat.send_video(video)
    return False

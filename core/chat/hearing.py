""" "transcribe" / "转写" / /transcribe: what the project's video says, sent as an SRT file with a
one-line summary; no credits, no job (like the preview)."""

from __future__ import annotations

from core.chat.turn import FlowDeps, Turn, ack_if_slow
from core.errors import ErrorCode, VoiceoverError
from core.files import owner_digest
from core.words.hearing import hearing_text, language_name
from core.words.numbers import human_duration


async def transcribe(ctx: Turn, deps: FlowDeps) -> bool:
    """Transcribe the project's video and send the SRT (the backend must offer it)."""
    make = getattr(deps.backend, "transcribe", None)
    if make is None:
        await ctx.chat.say(hearing_text("transcribe_unavailable", ctx.lang))
        return False
    session = await deps.sessions.current(ctx.owner)
    if session is None:
        raise VoiceoverError(ErrorCode.NO_PROJECT)
    folder = deps.settings.data_dir / "transcripts" / owner_digest(ctx.owner)
    work = make(session["session_id"], folder)
    summary = await ack_if_slow(ctx, work, "working_on_it")
    caption = hearing_text(
        "transcribed",
        ctx.lang,
        name=summary["name"],
        length=human_duration(summary["duration_s"]),
        lines=summary["lines"],
        language=language_name(summary["language"], ctx.lang),
    )
    await ctx.chat.send_file(summary["path"], caption)
    return False

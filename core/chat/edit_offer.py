""" "edit", "编辑" or `/edit`: a personal, signed link to the project's edit page, offered as the
upload links are (a button where the platform has them)."""

from __future__ import annotations

from core.chat.turn import FlowDeps, Turn
from core.words.edit_text import edit_text


async def offer_edit(ctx: Turn, deps: FlowDeps) -> bool:
    """Answer with the edit page's link for the current project (the local engine's)."""
    links = deps.edits
    if links is None or deps.backend.name != "local":  # the cloud's drafts are its own
        await ctx.chat.say(edit_text("unavailable", ctx.lang))
        return False
    session = await deps.sessions.current(ctx.owner)
    if session is None:
        await ctx.chat.say(edit_text("nothing", ctx.lang))
        return False
    url = await links.issue(ctx.incoming, ctx.owner, str(session["session_id"]), ctx.lang)
    text = edit_text("link", ctx.lang, hours=f"{deps.signer.ttl_s / 3600:g}")
    await ctx.chat.offer_link(text, url, edit_text("button", ctx.lang))
    return False

"""`/upload`, "上传", or a file too big for the chat: a personal, signed upload link."""

from __future__ import annotations

from core.chat.routing import Routed
from core.chat.turn import FlowDeps, Turn
from core.words.numbers import human_size
from core.words.replies import reply

TOO_BIG = "too_big"  # Incoming.args key an adapter sets (the file's name) for an oversized file


async def offer_upload(ctx: Turn, deps: FlowDeps, routed: Routed) -> bool:
    """Answer with an upload link (a button where the platform has them); the text sent with
    the command or the oversized file is kept as the caption of the file to come."""
    if deps.uploads is None:
        await ctx.say("upload_hint")
        return False
    args = ctx.incoming.args
    caption = routed.rest if ctx.incoming.command else ""
    url = await deps.uploads.issue(ctx.incoming, ctx.owner, caption, ctx.lang)
    fields = {
        "hours": f"{deps.signer.ttl_s / 3600:g}",
        "most": human_size(deps.settings.max_upload_bytes),
    }
    if args.get(TOO_BIG):
        kept = reply("upload_caption_kept", ctx.lang) if caption else ""
        text = reply(
            "upload_too_big",
            ctx.lang,
            name=args[TOO_BIG],
            size=args.get("size", "?"),
            limit=args.get("limit", "?"),
            platform=args.get("platform", ctx.incoming.platform.capitalize()),
            kept=kept,
            **fields,
        )
    else:
        text = reply("upload_link", ctx.lang, **fields)
    await ctx.chat.offer_link(text, url, reply("upload_button", ctx.lang))
    return False

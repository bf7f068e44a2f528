"""/apikey in any chat: a key for the HTTP API, shown once with the account's webhook signing
secret; '/apikey revoke' revokes it; '/apikey help' (or asking about an API, Zapier, n8n or
automating in words) says what the API does (its words: core/words/api_text.py)."""

from __future__ import annotations

from core.chat.api_keys import ApiKeys
from core.chat.routing import Routed
from core.chat.turn import Turn
from core.errors import ErrorCode, VoiceoverError
from core.words.api_text import apikey_text

REVOKE_WORDS = frozenset({"revoke", "delete", "remove", "off", "撤销", "删除"})
HELP_WORDS = frozenset({"help", "how", "?", "帮助", "怎么用"})
# Platforms whose answers in a group are seen by the group (Discord answers privately).
GROUP_VISIBLE = frozenset({"telegram"})


async def apikey_turn(ctx: Turn, routed: Routed, keys: ApiKeys | None, base_url: str) -> None:
    """Create (and show once) or revoke the account's API key."""
    if keys is None:
        raise VoiceoverError(ErrorCode.NOT_ALLOWED)
    words = [*routed.rest.split()[:1], *ctx.incoming.args.values()]  # Discord: action=revoke
    if any(word.casefold() in HELP_WORDS for word in words):
        await api_help_turn(ctx, base_url)
        return
    if any(word.casefold() in REVOKE_WORDS for word in words):
        revoked = await keys.revoke(ctx.owner)
        await ctx.chat.say(apikey_text("revoked" if revoked else "none", ctx.lang))
        return
    incoming = ctx.incoming
    if incoming.platform in GROUP_VISIBLE and incoming.chat_id != incoming.user_id:
        await ctx.chat.say(apikey_text("private_only", ctx.lang))  # a group: not here
        return
    made = await keys.create(ctx.owner)
    shown = apikey_text("created", ctx.lang, key=made.key, secret=made.secret, base=base_url)
    # A personal link: private where the platform has private answers (Discord).
    await ctx.chat.offer_link(shown, f"{base_url}/api/v1/docs", apikey_text("button", ctx.lang))


async def api_help_turn(ctx: Turn, base_url: str) -> None:
    """What the HTTP API does and how to get a key ('/apikey help'); no key is made."""
    shown = apikey_text("help", ctx.lang, base=base_url)
    await ctx.chat.offer_link(shown, f"{base_url}/api/v1/docs", apikey_text("button", ctx.lang))

"""/apikey in any chat: a key for the HTTP API, shown once with the account's webhook signing
secret; '/apikey revoke' revokes it. The texts are here (English, Chinese)."""

from __future__ import annotations

from core.chat.api_keys import ApiKeys
from core.chat.routing import Routed
from core.chat.turn import Turn
from core.errors import ErrorCode, VoiceoverError

REVOKE_WORDS = frozenset({"revoke", "delete", "remove", "off", "撤销", "删除"})
TEXTS: dict[str, tuple[str, str]] = {
    "created": (
        "🔑 Your API key (shown once; it replaces any earlier key):\n{key}\n"
        'Webhook signing secret (HMAC-SHA256 of "<t>.<body>"):\n{secret}\n'
        "Send it as 'Authorization: Bearer <key>' to {base}/api/v1/jobs. It uses your credits, "
        "voices and pronunciations. '/apikey revoke' turns it off.",
        "🔑 你的 API 密钥（只显示这一次；旧密钥随之失效）：\n{key}\n"
        'Webhook 签名密钥（对 "<t>.<body>" 做 HMAC-SHA256）：\n{secret}\n'
        "以“Authorization: Bearer <密钥>”调用 {base}/api/v1/jobs。它使用你的积分、声音和读音。"
        "发送“/apikey revoke”可停用。",
    ),
    "revoked": ("🔒 Your API key is revoked.", "🔒 你的 API 密钥已撤销。"),
    "none": (
        "You have no API key. Send /apikey for one.",
        "你还没有 API 密钥。发送 /apikey 获取。",
    ),
    "button": ("API docs", "API 文档"),
    "private_only": (
        "🔒 Send /apikey to me in a private chat: a key shown here would be seen by everyone.",
        "🔒 请在与我的私聊中发送 /apikey：在这里显示的密钥所有人都能看到。",
    ),
}
# Platforms whose answers in a group are seen by the group (Discord answers privately).
GROUP_VISIBLE = frozenset({"telegram"})


def text(name: str, lang: str, **fields: str) -> str:
    """One of this flow's texts in the user's language."""
    pair = TEXTS[name]
    return (pair[1] if lang.lower().startswith("zh") else pair[0]).format(**fields)


async def apikey_turn(ctx: Turn, routed: Routed, keys: ApiKeys | None, base_url: str) -> None:
    """Create (and show once) or revoke the account's API key."""
    if keys is None:
        raise VoiceoverError(ErrorCode.NOT_ALLOWED)
    words = [*routed.rest.split()[:1], *ctx.incoming.args.values()]  # Discord: action=revoke
    if any(word.casefold() in REVOKE_WORDS for word in words):
        revoked = await keys.revoke(ctx.owner)
        await ctx.chat.say(text("revoked" if revoked else "none", ctx.lang))
        return
    incoming = ctx.incoming
    if incoming.platform in GROUP_VISIBLE and incoming.chat_id != incoming.user_id:
        await ctx.chat.say(text("private_only", ctx.lang))  # a group: not here
        return
    made = await keys.create(ctx.owner)
    shown = text("created", ctx.lang, key=made.key, secret=made.secret, base=base_url)
    # A personal link: private where the platform has private answers (Discord).
    await ctx.chat.offer_link(shown, f"{base_url}/api/v1/docs", text("button", ctx.lang))

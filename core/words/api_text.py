"""The HTTP API's words: /apikey's answers in the chats, and the problems' titles."""

from __future__ import annotations

from core.words.text import Bilingual, pick

# Words that ask about automating (an API, Zapier, n8n, webhooks, batches): the routing table's
# "api_help" row (core/chat/commands.py) and the local classifier's "api" topic read them.
API_ASKED: tuple[str, ...] = (
    "an api",
    "the api",
    "your api",
    "api access",
    "api for",
    "rest api",
    "http api",
    "via api",
    "by api",
    "zapier",
    "n8n",
    "make.com",
    "ifttt",
    "webhook",
    "webhooks",
    "automate this",
    "automate it",
    "automate my",
    "how do i automate",
    "can i automate",
    "automation",
    "programmatically",
    "用API",
    "用api",
    "API接口",
    "api接口",
    "接口",
    "自动化",
    "批量处理",
)
APIKEY_TEXTS: dict[str, Bilingual] = {
    "created": Bilingual(
        "🔑 Your API key (shown once; it replaces any earlier key):\n{key}\n"
        'Webhook signing secret (HMAC-SHA256 of "<t>.<body>"):\n{secret}\n'
        "Send it as 'Authorization: Bearer <key>' to {base}/api/v1/jobs. It uses your credits, "
        "voices and pronunciations. '/apikey revoke' turns it off.",
        "🔑 你的 API 密钥（只显示这一次；旧密钥随之失效）：\n{key}\n"
        'Webhook 签名密钥（对 "<t>.<body>" 做 HMAC-SHA256）：\n{secret}\n'
        "以“Authorization: Bearer <密钥>”调用 {base}/api/v1/jobs。它使用你的积分、声音和读音。"
        "发送“/apikey revoke”可停用。",
    ),
    "revoked": Bilingual("🔒 Your API key is revoked.", "🔒 你的 API 密钥已撤销。"),
    "none": Bilingual(
        "You have no API key. Send /apikey for one.", "你还没有 API 密钥。发送 /apikey 获取。"
    ),
    "button": Bilingual("API docs", "API 文档"),
    "help": Bilingual(
        "🔌 Yes: there is an HTTP API for your website, scripts, Zapier or n8n. Send /apikey "
        "(in a private chat) for a key, then POST each clip with its script to "
        "{base}/api/v1/jobs (a batch is fine: each job is queued); a callback_url gets a "
        "signed webhook when it is done. Docs: {base}/api/v1/docs",
        "🔌 有的：可以通过 HTTP API 接入你的网站、脚本、Zapier 或 n8n。发送 /apikey（私聊）获取"
        "密钥，然后把每个视频和脚本 POST 到 {base}/api/v1/jobs（可以批量：每个任务都会排队）；"
        "填写 callback_url 会在完成时收到签名的 webhook。文档：{base}/api/v1/docs",
    ),
    "private_only": Bilingual(
        "🔒 Send /apikey to me in a private chat: a key shown here would be seen by everyone.",
        "🔒 请在与我的私聊中发送 /apikey：在这里显示的密钥所有人都能看到。",
    ),
}
PROBLEM_TITLES: dict[int, Bilingual] = {
    400: Bilingual("Bad request", "请求错误"),
    401: Bilingual("Unauthorized", "未授权"),
    402: Bilingual("Out of credits", "积分不足"),
    403: Bilingual("Forbidden", "禁止"),
    404: Bilingual("Not found", "未找到"),
    405: Bilingual("Method not allowed", "方法不允许"),
    409: Bilingual("Conflict", "冲突"),
    413: Bilingual("Content too large", "内容过大"),
    415: Bilingual("Unsupported media type", "不支持的媒体类型"),
    422: Bilingual("Unprocessable content", "无法处理的内容"),
    429: Bilingual("Too many requests", "请求过多"),
    500: Bilingual("Internal error", "内部错误"),
    503: Bilingual("Service unavailable", "服务不可用"),
    504: Bilingual("Timed out", "超时"),
}


def apikey_text(name: str, language: str, **fields: str) -> str:
    """One of /apikey's answers in the user's language."""
    return pick(APIKEY_TEXTS[name], language).format(**fields)


def problem_title(status: int, language: str) -> str:
    """A problem's title for an HTTP status."""
    fallback = 500 if status >= 500 else 400
    return pick(PROBLEM_TITLES.get(status, PROBLEM_TITLES[fallback]), language)

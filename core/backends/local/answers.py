"""What the local engine answers when a message is not (only) an edit of the draft: requests it
cannot do, questions and small talk, "Read this as the new script?", undo (English, Chinese)."""

from __future__ import annotations

import re
from typing import Any

from core.backends.local.instructions import examples
from core.backends.local.missing_features import Feature
from core.words.text import Bilingual, is_zh, pick

ANSWERS: dict[str, Bilingual] = {
    "short_help": Bilingual(
        "🎙 I add AI narration to videos: send a video and a script (text, TXT, DOCX, SRT). "
        "Then you can say {say}. /help lists everything.",
        "🎙 我可以为视频添加 AI 配音：发送视频和脚本（文字、TXT、DOCX、SRT）。之后可以说{say}。"
        "/help 查看全部功能。",
    ),
    "cannot": Bilingual("🤷 I can't {what} yet; {instead}.", "🤷 我暂时还不能{what}；{instead}。"),
    "not_understood": Bilingual(
        "🤷 I didn't understand “{quote}”, so I changed nothing. I can change the voice "
        "('slower', 'female voice', 'in Chinese'), captions ('burn the captions'), the aspect "
        "('9:16'), the music ('music at 20%') and the original sound; /help lists it all.",
        "🤷 我没有理解“{quote}”，所以没有做任何修改。我可以调整声音（“慢一点”、“女声”、"
        "“用英文”）、字幕（“烧录字幕”）、画幅（“竖屏”）、背景音乐（“背景音乐 20%”）和原声；"
        "/help 查看全部。",
    ),
    "unchanged": Bilingual(
        "Nothing was changed, and nothing was charged.", "没有做任何修改，也没有扣积分。"
    ),
    "partly": Bilingual("The rest is done.", "其余部分已完成。"),
    "greeting": Bilingual(
        "👋 Hi! Send a video and a script (or say what to change); /help shows what I can do.",
        "👋 你好！请发送视频和脚本（或告诉我要改什么）；/help 查看我能做什么。",
    ),
    "thanks": Bilingual("😊 You're welcome!", "😊 不客气！"),
    "api": Bilingual(
        "🔌 Yes: there is an HTTP API for websites, scripts, Zapier or n8n. Send /apikey for a "
        "key; '/apikey help' says how to send it your clips.",
        "🔌 有的：可以通过 HTTP API 接入网站、脚本、Zapier 或 n8n。发送 /apikey 获取密钥；"
        "“/apikey help”说明如何提交视频。",
    ),
    "ack": Bilingual("👍", "👍"),
    "cost": Bilingual(
        "💳 A render costs credits by the length of its narration; previews are free. "
        "/credits shows your balance.",
        "💳 渲染按配音时长扣积分；预览免费。/credits 查看余额。",
    ),
    "speed": Bilingual(
        "⏳ Videos render on this machine, usually in about a minute for a short clip; I post "
        "progress while it runs. 'status' shows where your video is.",
        "⏳ 视频在本机渲染，短视频通常约一分钟；渲染时我会发送进度。“状态”可查看进度。",
    ),
    "voices": Bilingual(
        "🗣 /voices lists the installed voices with a sample of each; say 'female voice', "
        "'in Chinese' or 'voice: KEY' to pick one.",
        "🗣 /voices 列出已安装的声音并附试听；说“女声”、“用英文”或“voice: 声音名”来选择。",
    ),
    "files": Bilingual(
        "📎 Send MP4, MOV, AVI, WebM or MKV videos (or images) up to 500 MB, scripts as text, "
        "TXT, DOCX, SRT or VTT; /upload gives a link for big files.",
        "📎 可发送 MP4、MOV、AVI、WebM、MKV 视频（或图片），最大 500 MB；脚本可用文字、TXT、"
        "DOCX、SRT、VTT；大文件请用 /upload 获取上传链接。",
    ),
    "confirm": Bilingual(
        "Read this as the new script (“{quote}”, {count})? Your current script stays until you "
        "say yes.",
        "要把这段作为新脚本吗（“{quote}”，{count}）？在你确认之前，当前脚本保持不变。",
    ),
    "kept": Bilingual(
        "👌 OK, I kept your script as it was; nothing was rendered. Say 'export' to render it.",
        "👌 好的，脚本保持不变，没有渲染。说“导出”即可渲染。",
    ),
    "replaced": Bilingual(
        "📝 New script, {count}, replacing the old one. Say 'undo' to go back.",
        "📝 新脚本，{count}，已替换旧脚本。说“撤销”可以恢复。",
    ),
    "undone": Bilingual(
        "↩️ Undone: {what}. Say 'export' to render it, or 'undo' again to go further back.",
        "↩️ 已撤销：{what}。说“导出”即可渲染，再说“撤销”可继续回退。",
    ),
    "nothing_to_undo": Bilingual("There is nothing to undo.", "没有可以撤销的修改。"),
    "new_script": Bilingual("the new script ({count})", "新脚本（{count}）"),
    "first_script": Bilingual("the script ({count})", "脚本（{count}）"),
}
QUOTE_CHARS = 40


def answer(key: str, language: str, **fields: Any) -> str:
    """One of ANSWERS in the language."""
    return pick(ANSWERS[key], language).format(**fields)


def short_help(language: str) -> str:
    """What the bot does and what people can say (a few of the instruction table's examples)."""
    said = examples(language)[1:9]
    if is_zh(language):
        return answer("short_help", language, say="、".join(f"“{e}”" for e in said))
    return answer("short_help", language, say=", ".join(f"'{e}'" for e in said))


def side(pair: tuple[str, str], language: str) -> str:
    """The English or Chinese side of an (English, Chinese) pair."""
    return pair[1] if is_zh(language) else pair[0]


def quote(text: str) -> str:
    """The text's start, on one line, for quoting back."""
    line = " ".join(text.split())
    return line if len(line) <= QUOTE_CHARS else line[: QUOTE_CHARS - 1].rstrip() + "…"


def cannot(missing: tuple[Feature, ...], text: str, language: str) -> list[str]:
    """One line per feature asked for that we lack (or that the text was not understood)."""
    if not missing:
        return [answer("not_understood", language, quote=quote(text))]
    return [
        answer("cannot", language, what=side(f.what, language), instead=side(f.instead, language))
        for f in missing
    ]


def language_of(text: str, default: str) -> str:
    """The language to answer a message in: Chinese when it has Chinese, English when it has
    Latin letters, else the project's."""
    if re.search(r"[\u4e00-\u9fff]", text):
        return "zh"
    return "en" if re.search(r"[A-Za-z]{2}", text) else default

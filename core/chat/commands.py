"""The command table (data): every intent a message can go to, its slash commands and keyword
phrases (English and Chinese), whether it only answers, and where it is shown: the Telegram menu,
/help, a Discord slash command. Routing (core/chat/routing.py), the service's read-only set, the
Telegram menu, the Discord command tree and /help's command list are all made from it; each
intent has one flow, `Flows.flow_<intent>` (core/chat/flows.py)."""

from __future__ import annotations

from dataclasses import dataclass

from core.words.api_text import API_ASKED
from core.words.text import Bilingual, is_zh, pick


@dataclass(frozen=True)
class Command:
    """One row: an intent, how it is asked for, and where it is shown."""

    intent: str
    names: tuple[str, ...] = ()  # slash commands; the first is the one menus show
    phrases: tuple[str, ...] = ()  # keywords, English and Chinese
    read_only: bool = False  # only answers: a /cancel lets it run, in order
    menu: Bilingual | None = None  # its line in the Telegram menu (None: not in the menu)
    discord: str = ""  # its Discord slash command's description ("": none)
    in_help: bool = False  # listed among /help's commands
    shown: int = 0  # its place in the Telegram menu and /help's list (0: in neither)
    max_chars: int = 40  # longer messages are not taken as its keyword (they are conversation)
    patterns: tuple[str, ...] = ()  # whole messages (regexes) that ask for it, tried first
    unless: str = ""  # a pattern: a message it finds is not taken as this row's keyword
    asks: str = ""  # a pattern that asks for it in a longer message (up to 8 words, 40 chars)


# "open the edit page", "can I edit it in the browser", "let me edit the lines myself",
# "打开编辑页面", "我想在网页上编辑": the edit page, while "edit the second line…" is not.
EDIT_PAGE_ASKS = (
    r"\bedit\w*\b.*\b(?:page|browser|web\w*|online|myself|by hand)\b|\beditor\b"
    r"|编辑器|(?:网页|页面|浏览器|网上|在线|自己).{0,8}(?:编辑|修改)|编辑.{0,4}(?:页面|网页)"
)


# Whole messages asking for what the video says, in English and Chinese; none that names the
# script, a voice or captions (those are instructions: "use the transcript as the script").
TRANSCRIBE_ASKS = (
    r"(?!.*\b(?:script|narrat\w*|voice\w*|read|revoic\w*|re-voic\w*|dub\w*|captions?|"
    r"subtitles?)\b)(?:.{0,30}\b)?(?:transcri(?:be|bed|bing|ption|pt)s?|speech[- ]to[- ]text|"
    r"srt (?:file )?of|what (?:do|does|did) (?:he|she|they|it|the \w+) say|write (?:down|out) "
    r"what (?:is|was|they|he|she) (?:said|say|says))\b.{0,40}",
    r"(?!.*(?:脚本|配音|朗读|旁白|字幕|声音)).{0,12}(?:转写|转录|听写|语音识别|转成文字|转文字|"
    r"识别.{0,6}语音|视频里(?:说|讲)了什么).{0,12}",
)

# A script line names a product ("Meet Aurora, the lamp that works with Zapier."): not a question.
NARRATION_CUES = (
    r"\b(?:meet|welcome|introducing|our|we|we're|this is|here'?s|that|which)\b|我们|欢迎"
)

# Keyword matching tries the rows in this order (the first match wins).
COMMAND_TABLE: tuple[Command, ...] = (
    Command(
        "voiceover",
        ("voiceover", "vo"),
        menu=Bilingual("Voice over your video (script as text)", "为视频配音（文字为脚本）"),
        discord="Voice over a video with a script",
        in_help=True,
        shown=3,
    ),
    Command("new_project", ("new", "reset"), ("new project", "start over", "新项目", "重新开始")),
    Command(
        "language",
        ("language", "lang"),
        (
            "reply in english",
            "speak english",
            "talk in english",
            "reply in chinese",
            "speak chinese",
            "talk in chinese",
            "用中文回复",
            "说中文",
            "用英文回复",
            "说英文",
        ),
        read_only=True,
    ),
    Command(
        "export",
        ("export", "download"),
        ("export", "download", "send me the video", "render it", "导出", "下载"),
        menu=Bilingual("Render and send the video", "渲染并发送视频"),
        discord="Render the current project again and send the video",
        in_help=True,
        shown=6,
    ),
    Command(
        "credits",
        ("credits", "balance"),
        ("credits", "balance", "积分", "余额"),
        read_only=True,
        menu=Bilingual("Your credit balance", "积分余额"),
        discord="Show your credit balance",
        in_help=True,
        shown=4,
    ),
    Command(
        "status",
        ("status", "state"),
        ("status", "show tracks", "timeline", "状态", "时间线"),
        read_only=True,
        menu=Bilingual("Your project's timeline", "项目时间线"),
        discord="Show your project's timeline and any running job",
        in_help=True,
        shown=5,
    ),
    Command(
        "voice_sample",
        ("sample",),
        ("play the sample", "play a sample", "hear the sample", "sample of the voice", "试听"),
        max_chars=80,  # room for a long voice key
    ),
    Command(
        "voices",
        ("voices",),
        ("voices", "list voices", "which voices", "声音列表", "有哪些声音"),
        read_only=True,
        menu=Bilingual("The installed voices", "已安装的声音"),
        discord="List the installed voices and hear samples",
        in_help=True,
        shown=7,
    ),
    Command(
        "cancel",
        ("cancel", "stop"),
        ("cancel", "stop", "取消", "停止"),
        read_only=True,
        menu=Bilingual("Stop the running job", "停止正在运行的任务"),
        discord="Stop the running job",
        in_help=True,
        shown=8,
    ),
    Command(
        "help",
        ("start",),
        read_only=True,
        menu=Bilingual("Start: what this bot does", "开始：机器人能做什么"),
        shown=1,
    ),
    Command(
        "help",
        ("help",),
        ("help", "what can you do", "帮助", "怎么用"),
        read_only=True,
        menu=Bilingual("What you can send and say", "可以发送和说什么"),
        discord="How to use the voiceover bot",
        in_help=True,
        shown=2,
    ),
    Command(
        "upload",
        ("upload",),
        ("upload", "上传"),
        menu=Bilingual(
            "A link to upload a big file (up to 500 MB)", "获取上传大文件的链接（最大 500 MB）"
        ),
        discord="Get a private link to upload a big file (up to 500 MB)",
        in_help=True,
        shown=9,
    ),
    Command(
        "lexicon",
        ("lexicon", "pronounce", "pronunciation"),
        ("pronunciations", "my lexicon", "读音列表", "发音列表"),
        in_help=True,
        shown=11,
    ),
    Command(
        "preview",
        ("preview",),
        ("preview", "quick preview", "预览"),
        menu=Bilingual("A quick preview: the first 20 s at 360p", "快速预览：前 20 秒，360p"),
        discord="A quick preview: the first 20 s at 360p, free",
        in_help=True,
        shown=10,
    ),
    Command(
        "undo",
        ("undo",),
        ("undo", "撤销", "撤回"),
        menu=Bilingual("Undo the last change to the project", "撤销对项目的上一次修改"),
        discord="Undo the last change to your project",
        in_help=True,
        shown=12,
        max_chars=24,
    ),
    Command(
        "apikey",
        ("apikey", "api_key"),
        ("api key", "my api key", "API 密钥", "API密钥"),
        read_only=True,
        menu=Bilingual("A key for the HTTP API (private chats)", "HTTP API 密钥（私聊）"),
        discord="A key for the HTTP API (shown privately, once)",  # with `action: revoke`
        in_help=True,
        shown=14,
    ),
    Command(
        "transcribe",
        ("transcribe", "transcript"),
        patterns=TRANSCRIBE_ASKS,  # not "transcribe it and use that as the script": a revoice
        menu=Bilingual("What the video says, as an SRT file", "视频里说的话，SRT 文件"),
        discord="What the video says, as an SRT file, free",
        in_help=True,
        shown=13,
    ),
    # Asking about automation (an API, Zapier, n8n, webhooks): /apikey's help, no key made.
    # After "apikey", so "my api key" still makes one.
    Command(
        "api_help",
        phrases=API_ASKED,
        unless=NARRATION_CUES,
        read_only=True,
        max_chars=60,
    ),
    Command(
        "edit",
        ("edit",),
        ("edit", "edit page", "编辑", "编辑页面"),
        menu=Bilingual("Edit your project line by line in the browser", "在浏览器中逐行编辑项目"),
        discord="Get a private link to edit your project line by line in the browser",
        in_help=True,
        shown=15,
        max_chars=10,  # "edit the second line…" is conversation, unless it names the page:
        asks=EDIT_PAGE_ASKS,
    ),
    # Where a message goes that asks for no command (or a wrong one).
    Command("converse"),
    Command("did_you_mean", read_only=True),
    Command("unknown_command", read_only=True),
)

# Every intent a message can be routed to, each with its flow.
INTENTS: tuple[str, ...] = tuple(dict.fromkeys(row.intent for row in COMMAND_TABLE))
READ_ONLY = frozenset(row.intent for row in COMMAND_TABLE if row.read_only)
# The read-only ones that write nothing at all: they need not wait for a file being received
# (core/chat/lanes.py); /language sets the reply language, /apikey makes keys, /cancel stops.
PURE_READS = READ_ONLY - frozenset({"cancel", "language", "apikey"})
HELP_PER_LINE = 7  # /help's command list wraps after this many


def shown() -> list[Command]:
    """The rows shown to users, in the order shown."""
    return sorted((row for row in COMMAND_TABLE if row.shown), key=lambda row: row.shown)


def telegram_menu(language: str) -> dict[str, str]:
    """The Telegram command menu in a language: name → its line."""
    return {row.names[0]: pick(row.menu, language) for row in shown() if row.menu}


def discord_commands() -> dict[str, str]:
    """The Discord slash commands: name → description."""
    return {row.names[0]: row.discord for row in shown() if row.discord}


def help_commands(language: str) -> str:
    """/help's command list: '/voiceover, /preview, …' ('/voiceover、/preview、…' in Chinese)."""
    names = [f"/{row.names[0]}" for row in shown() if row.in_help]
    comma = "、" if is_zh(language) else ", "
    lines = [names[i : i + HELP_PER_LINE] for i in range(0, len(names), HELP_PER_LINE)]
    return f"{comma.rstrip()}\n  ".join(comma.join(line) for line in lines)

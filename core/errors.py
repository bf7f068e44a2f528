"""One table of error codes and user-facing messages, shared by every backend and adapter."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import IntEnum
from typing import Any

from core.error_reasons import fields_zh


class ErrorCode(IntEnum):
    """Codes: the NemoVideo API's plus our own engine and chat codes."""

    OK = 0
    TOKEN_INVALID = 1001
    SESSION_NOT_FOUND = 1002
    NO_CREDITS = 2001
    UNSUPPORTED_FILE = 4001
    FILE_TOO_LARGE = 4002
    BAD_REQUEST = 400
    PLAN_BLOCKED = 402
    RATE_LIMITED = 429
    # Our own: scripts and options.
    EMPTY_SCRIPT = 4101
    SCRIPT_TOO_LONG = 4102
    BAD_SCRIPT = 4103
    NO_VOICE_FOR_LANGUAGE = 4104
    UNKNOWN_VOICE = 4105
    BAD_OPTION = 4106
    NOTHING_TO_RENDER = 4107
    WORD_TOO_LONG = 4108
    CUE_TOO_LATE = 4109
    SPEECH_TOO_LONG = 4110
    VOICE_NOT_IN_CATALOG = 4111
    VOICE_INSTALL_FAILED = 4112
    VOICE_NOT_INSTALLED = 4113
    SPEAKER_VOICE = 4114
    BAD_LEXICON = 4120
    ASR_MODEL_BAD = 4130
    ASR_MODEL_MISSING = 4131
    ASR_MODEL_INSTALL_FAILED = 4132
    ASR_WRONG_LANGUAGE = 4133
    NO_SPEECH = 4134
    LEXICON_FULL = 4121
    # Our own: media.
    CORRUPT_MEDIA = 4201
    NO_VIDEO_STREAM = 4202
    MEDIA_TOO_LONG = 4203
    TOO_MANY_PIXELS = 4204
    FPS_TOO_HIGH = 4205
    TOO_MANY_STREAMS = 4206
    UNSUPPORTED_CODEC = 4207
    NO_AUDIO_STREAM = 4208
    DOWNLOAD_FAILED = 4209
    URL_NOT_ALLOWED = 4210
    TOO_BIG_FOR_CHAT = 4211
    # Our own: chat and service.
    JOB_RUNNING = 4301
    NO_PROJECT = 4302
    NOTHING_TO_CANCEL = 4303
    LINK_INVALID = 4304
    LINK_EXPIRED = 4305
    NOT_ALLOWED = 4306
    # Failures on our side or the backend's.
    TIMEOUT = 5001
    RENDER_FAILED = 5002
    BACKEND_UNAVAILABLE = 5003
    STREAM_LOST = 5004
    GAVE_UP = 5005
    INTERNAL = 5000


@dataclass(frozen=True)
class ErrorText:
    """A message template in English and Chinese; `{name}` fields come from the error."""

    en: str
    zh: str


ACCEPTED_FORMATS = (
    "mp4, mov, avi, webm, mkv, jpg, png, gif, webp, mp3, wav, m4a, aac, txt, docx, srt, vtt"
)

# Speech recognition (issue 21): kept together so they move as one block.
ASR_ERROR_TEXTS: dict[ErrorCode, ErrorText] = {
    ErrorCode.ASR_MODEL_BAD: ErrorText(
        "The speech recognition model {model} is damaged or changed ({reason}); I won't load "
        "it. Reinstall it: voiceover models install {name}.",
        "语音识别模型 {model} 已损坏或被改动（{reason}），不会加载。"
        "请重新安装：voiceover models install {name}。",
    ),
    ErrorCode.ASR_MODEL_MISSING: ErrorText(
        "The speech recognition model {name} (setting ASR_MODEL) is not installed. "
        "Install it with: voiceover models install {name}.",
        "语音识别模型 {name}（设置 ASR_MODEL）未安装。请安装：voiceover models install {name}。",
    ),
    ErrorCode.ASR_MODEL_INSTALL_FAILED: ErrorText(
        "I couldn't install the speech recognition model {name}: {reason}. "
        "Nothing was kept; try again.",
        "无法安装语音识别模型 {name}：{reason}。未保留任何文件，请重试。",
    ),
    ErrorCode.ASR_WRONG_LANGUAGE: ErrorText(
        "The speech in {name} doesn't sound like English ({evidence}), and the speech "
        "recognition model {model} understands only English. Set ASR_MODEL=small (after "
        "`voiceover models install small`) to hear other languages. No credits were used.",
        "{name} 中的语音听起来不是英语（{evidence}），而语音识别模型 {model} 只能识别英语。"
        "请先运行 `voiceover models install small`，再设置 ASR_MODEL=small。未扣除积分。",
    ),
    ErrorCode.NO_SPEECH: ErrorText(
        "I heard no speech in {name}. Send a video where someone talks.",
        "{name} 中没有听到语音。请发送有人说话的视频。",
    ),
}

ERROR_TEXTS: dict[ErrorCode, ErrorText] = {
    ErrorCode.TOKEN_INVALID: ErrorText(
        "The cloud service rejected our sign-in. Please try again in a minute.",
        "云服务拒绝了登录，请稍后再试。",
    ),
    ErrorCode.SESSION_NOT_FOUND: ErrorText(
        "Your project session was lost. Send your file again to start a new one.",
        "项目会话已丢失，请重新发送文件开始新项目。",
    ),
    ErrorCode.NO_CREDITS: ErrorText(
        "You're out of credits ({available} left, {needed} needed).{topup}",
        "积分不足（剩余 {available}，需要 {needed}）。{topup}",
    ),
    ErrorCode.UNSUPPORTED_FILE: ErrorText(
        "I can't use {name}: {reason}. I accept " + ACCEPTED_FORMATS + ".",
        "无法使用 {name}：{reason}。支持的格式：" + ACCEPTED_FORMATS + "。",
    ),
    ErrorCode.FILE_TOO_LARGE: ErrorText(
        "{name} is too large ({size}; the limit is {limit}). "
        "Compress or trim it and send it again.",
        "{name} 太大（{size}，上限 {limit}）。请压缩或剪短后重新发送。",
    ),
    ErrorCode.BAD_REQUEST: ErrorText(
        "The cloud service refused the request. Please try again.",
        "云服务拒绝了请求，请重试。",
    ),
    ErrorCode.PLAN_BLOCKED: ErrorText(
        "Export isn't included in the free cloud plan (this is not about credits). "
        "Register or upgrade your plan to unlock export.",
        "免费套餐不支持导出（与积分无关）。请注册或升级套餐以解锁导出。",
    ),
    ErrorCode.RATE_LIMITED: ErrorText(
        "The service is busy right now. Please try again in a minute.",
        "服务繁忙，请一分钟后再试。",
    ),
    ErrorCode.EMPTY_SCRIPT: ErrorText(
        "The script is empty. Send the text to read, or a TXT, DOCX or SRT file.",
        "脚本为空。请发送要朗读的文字，或 TXT、DOCX、SRT 文件。",
    ),
    ErrorCode.SCRIPT_TOO_LONG: ErrorText(
        "The script is too long ({words} words; the limit is {limit}). Split it into parts.",
        "脚本太长（{words} 词，上限 {limit}）。请拆分成几部分。",
    ),
    ErrorCode.BAD_SCRIPT: ErrorText(
        "I can't read the script {name}: {reason}. Send plain text, TXT, DOCX or SRT instead.",
        "无法读取脚本 {name}：{reason}。请改发纯文本、TXT、DOCX 或 SRT。",
    ),
    ErrorCode.NO_VOICE_FOR_LANGUAGE: ErrorText(
        "No installed voice speaks {language}. Installed languages: {available}.{install}",
        "没有可朗读 {language} 的已安装声音。已安装语言：{available}。{install_zh}",
    ),
    ErrorCode.VOICE_NOT_IN_CATALOG: ErrorText(
        "There is no voice {voice} in the voice catalog. "
        "`voiceover voices available` (in chat: /voices available) lists them.",
        "声音目录中没有 {voice}。"
        "`voiceover voices available`（聊天中：/voices available）可列出全部。",
    ),
    ErrorCode.VOICE_INSTALL_FAILED: ErrorText(
        "I couldn't install the voice {voice}: {reason}. Nothing was kept; try again.",
        "无法安装声音 {voice}：{reason}。未保留任何文件，请重试。",
    ),
    ErrorCode.VOICE_NOT_INSTALLED: ErrorText(
        "The voice {voice} is not installed in {folder}{reason}.",
        "声音 {voice} 未安装在 {folder}{reason}。",
    ),
    ErrorCode.SPEAKER_VOICE: ErrorText(
        "No installed voice can read speaker {speaker} as you asked ({wanted}).{install}",
        "没有已安装的声音能按要求（{wanted_zh}）朗读说话人 {speaker}。{install_zh}",
    ),
    **ASR_ERROR_TEXTS,
    ErrorCode.BAD_LEXICON: ErrorText(
        "I can't use that pronunciation for {word}: {reason}. "
        "Example: say Aurora as aw-ROAR-uh (or as [[ ɔːɹˈɔːɹə ]]).",
        "无法使用 {word} 的这个读法：{reason_zh}。例如：把重庆读作崇庆。",
    ),
    ErrorCode.LEXICON_FULL: ErrorText(
        "You have {limit} pronunciation fixes, the most I keep. "
        "Remove one first: /lexicon remove <word>.",
        "你已有 {limit} 条读音修正，已达上限。请先删除一条：/lexicon remove <词语>。",
    ),
    ErrorCode.UNKNOWN_VOICE: ErrorText(
        "There is no voice called {voice}. Send /voices to see the installed ones.",
        "没有名为 {voice} 的声音。发送 /voices 查看已安装的声音。",
    ),
    ErrorCode.BAD_OPTION: ErrorText(
        "{option} can't be {value}: {reason}.",
        "{option} 不能是 {value}：{reason}。",
    ),
    ErrorCode.NOTHING_TO_RENDER: ErrorText(
        "There's nothing to render yet. Send a video (or image) and a script first.",
        "还没有可渲染的内容。请先发送视频（或图片）和脚本。",
    ),
    ErrorCode.WORD_TOO_LONG: ErrorText(
        "The script has a word of {length} characters ({word}…); I read words of up to {limit}. "
        "Put spaces between the words, or remove it.",
        "脚本中有一个长达 {length} 个字符的词（{word}…），最多只能朗读 {limit} 个字符的词。"
        "请在词之间加空格，或删除它。",
    ),
    ErrorCode.CUE_TOO_LATE: ErrorText(
        "A cue in the script is timed at {at}, past the {limit} limit on length. "
        "Fix its timestamp, or split the script into shorter parts.",
        "脚本中有一段字幕的时间为 {at}，超过了 {limit} 的时长上限。"
        "请修改时间戳，或把脚本拆分成较短的几部分。",
    ),
    ErrorCode.SPEECH_TOO_LONG: ErrorText(
        "Read aloud, this would run to at least {duration}, past the {limit} limit. "
        "Shorten the script or split it into parts.",
        "朗读后时长至少为 {duration}，超过了 {limit} 的上限。请缩短脚本或拆分成几部分。",
    ),
    ErrorCode.CORRUPT_MEDIA: ErrorText(
        "{name} looks damaged or isn't a real media file. Export it again and resend it.",
        "{name} 似乎已损坏或不是有效的媒体文件。请重新导出后再发送。",
    ),
    ErrorCode.NO_VIDEO_STREAM: ErrorText(
        "{name} has no picture. Send a video or an image (audio can be used as music).",
        "{name} 没有画面。请发送视频或图片（音频可作为背景音乐）。",
    ),
    ErrorCode.MEDIA_TOO_LONG: ErrorText(
        "{name} is too long ({duration}; the limit is {limit}). Trim it and send it again.",
        "{name} 太长（{duration}，上限 {limit}）。请剪短后重新发送。",
    ),
    ErrorCode.TOO_MANY_PIXELS: ErrorText(
        "{name} is {width}×{height}, larger than 4K. Scale it down and send it again.",
        "{name} 分辨率为 {width}×{height}，超过 4K。请缩小后重新发送。",
    ),
    ErrorCode.FPS_TOO_HIGH: ErrorText(
        "{name} runs at {fps} fps (the limit is {limit}). Convert it to a normal frame rate.",
        "{name} 帧率为 {fps}（上限 {limit}）。请转换为常规帧率。",
    ),
    ErrorCode.TOO_MANY_STREAMS: ErrorText(
        "{name} has {streams} streams (the limit is {limit}). Export it with one video track.",
        "{name} 含 {streams} 个流（上限 {limit}）。请导出为单一视频轨。",
    ),
    ErrorCode.UNSUPPORTED_CODEC: ErrorText(
        "{name} uses {codec}, which I don't accept. Export it as H.264 MP4 and resend it.",
        "{name} 使用 {codec} 编码，不受支持。请导出为 H.264 MP4 后重新发送。",
    ),
    ErrorCode.NO_AUDIO_STREAM: ErrorText(
        "{name} has no sound to use. Send an MP3, WAV, M4A or AAC file.",
        "{name} 没有可用的音频。请发送 MP3、WAV、M4A 或 AAC 文件。",
    ),
    ErrorCode.DOWNLOAD_FAILED: ErrorText(
        "I couldn't fetch {name}: {reason}. Try sending it again.",
        "无法获取 {name}：{reason}。请重新发送。",
    ),
    ErrorCode.URL_NOT_ALLOWED: ErrorText(
        "I can't fetch that link: {reason}. Send a public http(s) link or the file itself.",
        "无法获取该链接：{reason}。请发送公开的 http(s) 链接或文件本身。",
    ),
    ErrorCode.TOO_BIG_FOR_CHAT: ErrorText(
        "📦 {name} is {size}, but {platform} only lets bots download files up to {limit}. "
        "Send me a link to the file instead (any public http(s) URL), or compress or trim it "
        "below {limit}. The bot's operator can lift this limit by running a local Telegram "
        "Bot API server.",
        "📦 {name} 大小为 {size}，但 {platform} 只允许机器人下载不超过 {limit} 的文件。"
        "请改为发送文件的链接（公开的 http(s) 地址），或压缩/剪短到 {limit} 以下。"
        "机器人运营者可以通过运行本地 Telegram Bot API 服务器解除此限制。",
    ),
    ErrorCode.JOB_RUNNING: ErrorText(
        "A job of yours is already running. Wait for it, or send /cancel.",
        "你已有任务在运行。请等待完成，或发送 /cancel。",
    ),
    ErrorCode.NO_PROJECT: ErrorText(
        "There's no project yet. Send a video or a script to start.",
        "还没有项目。请发送视频或脚本开始。",
    ),
    ErrorCode.NOTHING_TO_CANCEL: ErrorText(
        "Nothing is running, so there's nothing to cancel.",
        "没有正在运行的任务，无需取消。",
    ),
    ErrorCode.LINK_INVALID: ErrorText(
        "This link isn't valid. Ask the bot to export again for a fresh link.",
        "此链接无效。请让机器人重新导出以获取新链接。",
    ),
    ErrorCode.LINK_EXPIRED: ErrorText(
        "This link has expired. Send 'export' to get a fresh one.",
        "此链接已过期。发送“导出”获取新链接。",
    ),
    ErrorCode.NOT_ALLOWED: ErrorText(
        "Only an admin can do that.",
        "只有管理员可以这样做。",
    ),
    ErrorCode.TIMEOUT: ErrorText(
        "This took too long and was stopped. Try a shorter clip or send it again.",
        "处理超时已停止。请尝试更短的片段或重新发送。",
    ),
    ErrorCode.RENDER_FAILED: ErrorText(
        "The render failed ({reason}). Send 'export' to try again.",
        "渲染失败（{reason}）。发送“导出”重试。",
    ),
    ErrorCode.BACKEND_UNAVAILABLE: ErrorText(
        "The processing service can't be reached right now. Please try again shortly.",
        "暂时无法连接处理服务，请稍后再试。",
    ),
    ErrorCode.STREAM_LOST: ErrorText(
        "The connection to the editor dropped and nothing changed. Send your message again "
        "to retry.",
        "与编辑器的连接中断，项目没有变化。请重新发送消息重试。",
    ),
    ErrorCode.GAVE_UP: ErrorText(
        "Your render was interrupted too many times and was stopped; your credits were "
        "released. Send 'export' to try again.",
        "渲染多次中断已停止，积分已退回。发送“导出”重试。",
    ),
    ErrorCode.INTERNAL: ErrorText(
        "Something went wrong on my side. Please try again; your files and credits are safe.",
        "我这边出了点问题。请重试；你的文件和积分都安全。",
    ),
}


def localized(value: Any, language: str) -> Any:
    """A message field in the user's language (an ErrorText pair's side; else as it is)."""
    if isinstance(value, ErrorText):
        return value.zh if language.lower().startswith("zh") else value.en
    return value


def field_record(value: Any) -> Any:
    """A message field as stored: a pair as {"en", "zh"}, anything else as text."""
    if isinstance(value, ErrorText):
        return {"en": value.en, "zh": value.zh}
    return str(value)


def field_value(value: Any) -> Any:
    """A stored message field back (a pair again)."""
    if isinstance(value, Mapping) and {"en", "zh"} <= set(value):
        return ErrorText(str(value["en"]), str(value["zh"]))
    return value


class Blank(dict[str, Any]):
    """Format fields where a missing one shows as '?' (or nothing, for optional tails)."""

    def __missing__(self, key: str) -> str:
        return "" if key in ("topup", "install", "install_zh") else "?"


class VoiceoverError(Exception):
    """A refusal or failure with a code from the table and the fields its message needs."""

    def __init__(self, code: ErrorCode, **fields: Any) -> None:
        self.code = code
        self.fields = fields
        super().__init__(f"{int(code)} {self.message('en')}")

    def message(self, language: str = "en", /) -> str:
        """The one-line message for the user, in their language (English fallback)."""
        return message_for(self.code, language, **self.fields)


def to_record(err: VoiceoverError) -> dict[str, Any]:
    """An error as stored (a job's or a render's): its code and its message fields."""
    return {"code": int(err.code), "fields": {k: field_record(v) for k, v in err.fields.items()}}


def from_record(record: dict[str, Any] | None, default: ErrorCode) -> VoiceoverError:
    """A stored error back (`default` when none was stored or its code is unknown)."""
    record = record or {}
    try:
        code = ErrorCode(int(record.get("code", default)))
    except ValueError:
        code = default
    fields = {k: field_value(v) for k, v in dict(record.get("fields") or {}).items()}
    return VoiceoverError(code, **fields)


def message_for(code: ErrorCode, language: str = "en", /, **fields: Any) -> str:
    """Format the table's message for `code` in `language` ('zh…' → Chinese, else English)."""
    text = ERROR_TEXTS.get(code, ERROR_TEXTS[ErrorCode.INTERNAL])
    template = text.zh if language.lower().startswith("zh") else text.en
    values = {name: localized(value, language) for name, value in fields.items()}
    if language.lower().startswith("zh"):
        values = fields_zh(values)
    return template.format_map(Blank(values))


def too_large(name: str, size: int, limit: int, *, at_least: bool = False) -> VoiceoverError:
    """FILE_TOO_LARGE for `name` ("over" the size when only a lower bound is known)."""
    shown = f"over {human_size(size)}" if at_least else human_size(size)
    return VoiceoverError(ErrorCode.FILE_TOO_LARGE, name=name, size=shown, limit=human_size(limit))


def human_size(n: int) -> str:
    """Bytes as a short human string: 512 KB, 20 MB, 1.5 GB."""
    size = float(n)
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1000 or unit == "GB":
            return f"{size:.0f} {unit}" if size >= 10 or unit == "B" else f"{size:.1f} {unit}"
        size /= 1000
    return f"{n} B"


def human_duration(seconds: float) -> str:
    """Seconds as m:ss or h:mm:ss."""
    total = int(round(seconds))
    h, rem = divmod(total, 3600)
    m, s = divmod(rem, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"

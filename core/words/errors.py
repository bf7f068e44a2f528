"""What each error code says to the user, in English and Chinese (a table)."""

from __future__ import annotations

from typing import Any

from core.error_codes import ErrorCode
from core.words.error_reasons import fields_zh
from core.words.text import Bilingual, Blank, is_zh, localized, pick

ACCEPTED_FORMATS = (
    "mp4, mov, avi, webm, mkv, jpg, png, gif, webp, mp3, wav, m4a, aac, txt, docx, srt, vtt"
)

ERROR_TEXTS: dict[ErrorCode, Bilingual] = {
    ErrorCode.TOKEN_INVALID: Bilingual(
        "The cloud service rejected our sign-in. Please try again in a minute.",
        "云服务拒绝了登录，请稍后再试。",
    ),
    ErrorCode.SESSION_NOT_FOUND: Bilingual(
        "Your project session was lost. Send your file again to start a new one.",
        "项目会话已丢失，请重新发送文件开始新项目。",
    ),
    ErrorCode.NO_CREDITS: Bilingual(
        "You're out of credits ({available} left, {needed} needed).{topup}",
        "积分不足（剩余 {available}，需要 {needed}）。{topup}",
    ),
    ErrorCode.UNSUPPORTED_FILE: Bilingual(
        "I can't use {name}: {reason}. I accept " + ACCEPTED_FORMATS + ".",
        "无法使用 {name}：{reason}。支持的格式：" + ACCEPTED_FORMATS + "。",
    ),
    ErrorCode.FILE_TOO_LARGE: Bilingual(
        "{name} is too large ({size}; the limit is {limit}). "
        "Compress or trim it and send it again.",
        "{name} 太大（{size}，上限 {limit}）。请压缩或剪短后重新发送。",
    ),
    ErrorCode.BAD_REQUEST: Bilingual(
        "The cloud service refused the request. Please try again.",
        "云服务拒绝了请求，请重试。",
    ),
    ErrorCode.PLAN_BLOCKED: Bilingual(
        "Export isn't included in the free cloud plan (this is not about credits). "
        "Register or upgrade your plan to unlock export.",
        "免费套餐不支持导出（与积分无关）。请注册或升级套餐以解锁导出。",
    ),
    ErrorCode.RATE_LIMITED: Bilingual(
        "The service is busy right now. Please try again in a minute.",
        "服务繁忙，请一分钟后再试。",
    ),
    ErrorCode.EMPTY_SCRIPT: Bilingual(
        "The script is empty. Send the text to read, or a TXT, DOCX or SRT file.",
        "脚本为空。请发送要朗读的文字，或 TXT、DOCX、SRT 文件。",
    ),
    ErrorCode.SCRIPT_TOO_LONG: Bilingual(
        "The script is too long ({words} words; the limit is {limit}). Split it into parts.",
        "脚本太长（{words} 词，上限 {limit}）。请拆分成几部分。",
    ),
    ErrorCode.BAD_SCRIPT: Bilingual(
        "I can't read the script {name}: {reason}. Send plain text, TXT, DOCX or SRT instead.",
        "无法读取脚本 {name}：{reason}。请改发纯文本、TXT、DOCX 或 SRT。",
    ),
    ErrorCode.NO_VOICE_FOR_LANGUAGE: Bilingual(
        "No installed voice speaks {language}. Installed languages: {available}.{install}",
        "没有可朗读 {language} 的已安装声音。已安装语言：{available}。{install_zh}",
    ),
    ErrorCode.VOICE_NOT_IN_CATALOG: Bilingual(
        "There is no voice {voice} in the voice catalog. "
        "`voiceover voices available` (in chat: /voices available) lists them.",
        "声音目录中没有 {voice}。"
        "`voiceover voices available`（聊天中：/voices available）可列出全部。",
    ),
    ErrorCode.VOICE_INSTALL_FAILED: Bilingual(
        "I couldn't install the voice {voice}: {reason}. Nothing was kept; try again.",
        "无法安装声音 {voice}：{reason}。未保留任何文件，请重试。",
    ),
    ErrorCode.VOICE_NOT_INSTALLED: Bilingual(
        "The voice {voice} is not installed in {folder}{reason}.",
        "声音 {voice} 未安装在 {folder}{reason}。",
    ),
    ErrorCode.SPEAKER_VOICE: Bilingual(
        "No installed voice can read speaker {speaker} as you asked ({wanted}).{install}",
        "没有已安装的声音能按要求（{wanted_zh}）朗读说话人 {speaker}。{install_zh}",
    ),
    ErrorCode.BAD_LEXICON: Bilingual(
        "I can't use that pronunciation for {word}: {reason}. "
        "Example: say Aurora as aw-ROAR-uh (or as [[ ɔːɹˈɔːɹə ]]).",
        "无法使用 {word} 的这个读法：{reason_zh}。例如：把重庆读作崇庆。",
    ),
    ErrorCode.LEXICON_FULL: Bilingual(
        "You have {limit} pronunciation fixes, the most I keep. "
        "Remove one first: /lexicon remove <word>.",
        "你已有 {limit} 条读音修正，已达上限。请先删除一条：/lexicon remove <词语>。",
    ),
    ErrorCode.UNKNOWN_VOICE: Bilingual(
        "There is no voice called {voice}. Send /voices to see the installed ones.",
        "没有名为 {voice} 的声音。发送 /voices 查看已安装的声音。",
    ),
    ErrorCode.BAD_OPTION: Bilingual(
        "{option} can't be {value}: {reason}.",
        "{option} 不能是 {value}：{reason}。",
    ),
    ErrorCode.NOTHING_TO_RENDER: Bilingual(
        "There's nothing to render yet. Send a video (or image) and a script first.",
        "还没有可渲染的内容。请先发送视频（或图片）和脚本。",
    ),
    ErrorCode.WORD_TOO_LONG: Bilingual(
        "The script has a word of {length} characters ({word}…); I read words of up to {limit}. "
        "Put spaces between the words, or remove it.",
        "脚本中有一个长达 {length} 个字符的词（{word}…），最多只能朗读 {limit} 个字符的词。"
        "请在词之间加空格，或删除它。",
    ),
    ErrorCode.CUE_TOO_LATE: Bilingual(
        "A cue in the script is timed at {at}, past the {limit} limit on length. "
        "Fix its timestamp, or split the script into shorter parts.",
        "脚本中有一段字幕的时间为 {at}，超过了 {limit} 的时长上限。"
        "请修改时间戳，或把脚本拆分成较短的几部分。",
    ),
    ErrorCode.SPEECH_TOO_LONG: Bilingual(
        "Read aloud, this would run to at least {duration}, past the {limit} limit. "
        "Shorten the script or split it into parts.",
        "朗读后时长至少为 {duration}，超过了 {limit} 的上限。请缩短脚本或拆分成几部分。",
    ),
    ErrorCode.CORRUPT_MEDIA: Bilingual(
        "{name} looks damaged or isn't a real media file. Export it again and resend it.",
        "{name} 似乎已损坏或不是有效的媒体文件。请重新导出后再发送。",
    ),
    ErrorCode.NO_VIDEO_STREAM: Bilingual(
        "{name} has no picture. Send a video or an image (audio can be used as music).",
        "{name} 没有画面。请发送视频或图片（音频可作为背景音乐）。",
    ),
    ErrorCode.MEDIA_TOO_LONG: Bilingual(
        "{name} is too long ({duration}; the limit is {limit}). Trim it and send it again.",
        "{name} 太长（{duration}，上限 {limit}）。请剪短后重新发送。",
    ),
    ErrorCode.TOO_MANY_PIXELS: Bilingual(
        "{name} is {width}×{height}, larger than 4K. Scale it down and send it again.",
        "{name} 分辨率为 {width}×{height}，超过 4K。请缩小后重新发送。",
    ),
    ErrorCode.FPS_TOO_HIGH: Bilingual(
        "{name} runs at {fps} fps (the limit is {limit}). Convert it to a normal frame rate.",
        "{name} 帧率为 {fps}（上限 {limit}）。请转换为常规帧率。",
    ),
    ErrorCode.TOO_MANY_STREAMS: Bilingual(
        "{name} has {streams} streams (the limit is {limit}). Export it with one video track.",
        "{name} 含 {streams} 个流（上限 {limit}）。请导出为单一视频轨。",
    ),
    ErrorCode.UNSUPPORTED_CODEC: Bilingual(
        "{name} uses {codec}, which I don't accept. Export it as H.264 MP4 and resend it.",
        "{name} 使用 {codec} 编码，不受支持。请导出为 H.264 MP4 后重新发送。",
    ),
    ErrorCode.NO_AUDIO_STREAM: Bilingual(
        "{name} has no sound to use. Send an MP3, WAV, M4A or AAC file.",
        "{name} 没有可用的音频。请发送 MP3、WAV、M4A 或 AAC 文件。",
    ),
    ErrorCode.DOWNLOAD_FAILED: Bilingual(
        "I couldn't fetch {name}: {reason}. Try sending it again.",
        "无法获取 {name}：{reason}。请重新发送。",
    ),
    ErrorCode.URL_NOT_ALLOWED: Bilingual(
        "I can't fetch that link: {reason}. Send a public http(s) link or the file itself.",
        "无法获取该链接：{reason}。请发送公开的 http(s) 链接或文件本身。",
    ),
    ErrorCode.JOB_RUNNING: Bilingual(
        "A job of yours is already running. Wait for it, or send /cancel.",
        "你已有任务在运行。请等待完成，或发送 /cancel。",
    ),
    ErrorCode.NO_PROJECT: Bilingual(
        "There's no project yet. Send a video or a script to start.",
        "还没有项目。请发送视频或脚本开始。",
    ),
    ErrorCode.NOTHING_TO_CANCEL: Bilingual(
        "Nothing is running, so there's nothing to cancel.",
        "没有正在运行的任务，无需取消。",
    ),
    ErrorCode.LINK_INVALID: Bilingual(
        "This link isn't valid. Ask the bot to export again for a fresh link.",
        "此链接无效。请让机器人重新导出以获取新链接。",
    ),
    ErrorCode.LINK_EXPIRED: Bilingual(
        "This link has expired. Send 'export' to get a fresh one.",
        "此链接已过期。发送“导出”获取新链接。",
    ),
    ErrorCode.NOT_ALLOWED: Bilingual(
        "Only an admin can do that.",
        "只有管理员可以这样做。",
    ),
    ErrorCode.SLOW_DOWN: Bilingual(
        "You're sending messages faster than I can handle them, so I skipped some. "
        "Please slow down and wait for my replies; /cancel always works.",
        "你发送消息太快，我跳过了一部分。请放慢速度，等我回复；/cancel 随时有效。",
    ),
    ErrorCode.TOO_MANY_QUEUED: Bilingual(
        "You already have {count} renders waiting. Wait for one to finish, or send /cancel.",
        "你已有 {count} 个渲染在排队。请等其中一个完成，或发送 /cancel。",
    ),
    ErrorCode.TIMEOUT: Bilingual(
        "This took too long and was stopped. Try a shorter clip or send it again.",
        "处理超时已停止。请尝试更短的片段或重新发送。",
    ),
    ErrorCode.RENDER_FAILED: Bilingual(
        "The render failed ({reason}). Send 'export' to try again.",
        "渲染失败（{reason}）。发送“导出”重试。",
    ),
    ErrorCode.BACKEND_UNAVAILABLE: Bilingual(
        "The processing service can't be reached right now. Please try again shortly.",
        "暂时无法连接处理服务，请稍后再试。",
    ),
    ErrorCode.STREAM_LOST: Bilingual(
        "The connection to the editor dropped and nothing changed. Send your message again "
        "to retry.",
        "与编辑器的连接中断，项目没有变化。请重新发送消息重试。",
    ),
    ErrorCode.GAVE_UP: Bilingual(
        "Your render was interrupted too many times and was stopped; your credits were "
        "released. Send 'export' to try again.",
        "渲染多次中断已停止，积分已退回。发送“导出”重试。",
    ),
    ErrorCode.INTAKE_INTERRUPTED: Bilingual(
        "The service restarted while your request was being taken in; nothing was charged. "
        "Send it again (the same Idempotency-Key makes a new job).",
        "接收你的请求时服务重启了，没有扣除积分。"
        "请重新发送（同一个 Idempotency-Key 会创建新任务）。",
    ),
    ErrorCode.API_KEY_INVALID: Bilingual(
        "This API key is missing, unknown or revoked. Send /apikey in the chat for a new one "
        "and pass it as 'Authorization: Bearer <key>'.",
        "API 密钥缺失、无效或已撤销。请在聊天中发送 /apikey 获取新密钥，"
        "并以“Authorization: Bearer <密钥>”传入。",
    ),
    ErrorCode.JOB_NOT_FOUND: Bilingual(
        "There is no job {job} for this key.",
        "此密钥下没有任务 {job}。",
    ),
    ErrorCode.REQUEST_INVALID: Bilingual(
        "The request is not valid: {reason}.",
        "请求无效：{reason}。",
    ),
    ErrorCode.REQUEST_IN_PROGRESS: Bilingual(
        "A request with this Idempotency-Key is still being handled. Retry in a moment.",
        "使用此 Idempotency-Key 的请求仍在处理中，请稍后重试。",
    ),
    ErrorCode.TOO_MANY_REQUESTS: Bilingual(
        "Too many requests for this key. Retry after {seconds} s.",
        "此密钥的请求过多，请 {seconds} 秒后重试。",
    ),
    ErrorCode.CALLBACK_NOT_ALLOWED: Bilingual(
        "The callback_url can't be used: {reason}. Use a public http(s) address.",
        "callback_url 无法使用：{reason}。请使用公开的 http(s) 地址。",
    ),
    ErrorCode.DISK_FULL: Bilingual(
        "💾 The server is short of disk space right now. Try a smaller file, or try again "
        "later; your files and credits are safe.",
        "💾 服务器磁盘空间不足。请换一个更小的文件，或稍后再试；你的文件和积分都安全。",
    ),
    ErrorCode.INTERNAL: Bilingual(
        "Something went wrong on my side. Please try again; your files and credits are safe.",
        "我这边出了点问题。请重试；你的文件和积分都安全。",
    ),
}


def message_for(code: ErrorCode, language: str = "en", /, **fields: Any) -> str:
    """Format the table's message for `code` in `language` ('zh…' → Chinese, else English)."""
    text = ERROR_TEXTS.get(code, ERROR_TEXTS[ErrorCode.INTERNAL])
    template = pick(text, language)
    values = {name: localized(value, language) for name, value in fields.items()}
    if is_zh(language):
        values = fields_zh(values)
    return template.format_map(Blank(values))

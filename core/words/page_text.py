"""The web pages' words in English and Chinese (a table, like core/words/replies.py)."""

from __future__ import annotations

from core.words.text import Bilingual

PAGE_TEXT: dict[str, Bilingual] = {
    "title": Bilingual("Upload your file", "上传文件"),
    "intro": Bilingual(
        "Your file goes straight to your chat with the bot, as if you had sent it there.",
        "文件会直接送到你和机器人的聊天中，就像在聊天里发送的一样。",
    ),
    "limits": Bilingual(
        "Video, image, audio or script, up to {most}.",
        "视频、图片、音频或脚本，最大 {most}。",
    ),
    "pick": Bilingual("Choose a file", "选择文件"),
    "drop": Bilingual("or drop it here", "或拖放到这里"),
    "pause": Bilingual("Pause", "暂停"),
    "resume": Bilingual("Resume", "继续"),
    "uploading": Bilingual("Uploading {name}…", "正在上传 {name}…"),
    "paused": Bilingual("Paused. Press Resume to go on.", "已暂停，按“继续”接着上传。"),
    "resuming": Bilingual("Resuming where it stopped…", "正在从中断处继续…"),
    "speed": Bilingual("{speed}/s · {left} left", "{speed}/秒 · 剩余 {left}"),
    "done": Bilingual(
        "✅ Uploaded. Go back to the chat: the bot has your file.",
        "✅ 上传完成。请回到聊天，机器人已收到你的文件。",
    ),
    "too_big": Bilingual(
        "{name} is {size}: the limit is {most}.", "{name} 有 {size}，上限是 {most}。"
    ),
    "bad_type": Bilingual(
        "{name} isn't a video, image, audio or script file.",
        "{name} 不是视频、图片、音频或脚本文件。",
    ),
    "failed": Bilingual(
        "The upload stopped: {reason}. Choose the file again to resume.",
        "上传中断：{reason}。重新选择同一个文件即可继续。",
    ),
    "expired": Bilingual(
        "This upload link has expired. Ask the bot for a new one (/upload).",
        "此上传链接已过期。请向机器人索取新链接（/upload）。",
    ),
    "invalid": Bilingual(
        "This upload link isn't valid. Ask the bot for a new one (/upload).",
        "此上传链接无效。请向机器人索取新链接（/upload）。",
    ),
    "result_title": Bilingual("Your video is ready", "视频已完成"),
    "download": Bilingual("⬇ Download the MP4", "⬇ 下载 MP4"),
    "length": Bilingual("Length", "时长"),
    "size": Bilingual("Size", "大小"),
    "script": Bilingual("Script", "脚本"),
    "timeline": Bilingual("Timeline", "时间线"),
    "no_player": Bilingual(
        "Your browser can't play this video here: download it instead.",
        "你的浏览器无法在此播放视频，请下载后观看。",
    ),
    "link_title": Bilingual("This link can't be used", "此链接无法使用"),
}

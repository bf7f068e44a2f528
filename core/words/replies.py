"""Everything the bot says that is not an error, in English and Chinese (a table)."""

from __future__ import annotations

from typing import Any

from core.words.text import Bilingual, pick

REPLIES: dict[str, Bilingual] = {
    "help": Bilingual(
        "🎙 I add AI narration to videos.\n"
        "• Send a video (MP4, MOV, AVI, WebM, MKV) or an image, with your script as the caption\n"
        "  or in the next message (text, TXT, DOCX, SRT, VTT). Audio files become music.\n"
        "• Say: {say}.\n"
        "• 'undo' (or /undo) reverts the last change, several steps back.\n"
        "• Commands: {commands}.\n"
        "• /voices lists the voices with a sample of each; /voices sample KEY plays one.\n"
        "• 'say Aurora as aw-ROAR-uh' fixes how a word is read (/lexicon lists your fixes).\n"
        "• A file too big for the chat: /upload gives you a link to upload it (up to 500 MB).\n"
        "• Words work too: status, export, credits, cancel, new project\n"
        "  (中文也可以：状态、导出、积分).",
        "🎙 我可以为视频添加 AI 配音。\n"
        "• 发送视频（MP4、MOV、AVI、WebM、MKV）或图片，并附上脚本作为说明文字，\n"
        "  或在下一条消息中发送（文字、TXT、DOCX、SRT、VTT）。音频文件将作为背景音乐。\n"
        "• 可以说：{say}。\n"
        "• “撤销”（或 /undo）可撤销上一次修改，可连续撤销多步。\n"
        "• 命令：{commands}。\n"
        "• /voices 列出声音并附试听样本；发送“试听 声音名”试听其中一个。\n"
        "• “把重庆读作崇庆”可修正读音（/lexicon 查看你的修正）。\n"
        "• 文件太大无法在聊天中发送：/upload 会给你一个上传链接（最大 500 MB）。\n"
        "• 也可以直接说：状态、导出、积分、取消、新项目。",
    ),
    "did_you_mean": Bilingual(
        "I don't know /{command}. Did you mean /{suggestion}?",
        "没有 /{command} 这个命令。你是想用 /{suggestion} 吗？",
    ),
    "unknown_command": Bilingual(
        "I don't know /{command}. Send /help to see what I can do.",
        "没有 /{command} 这个命令。发送 /help 查看我能做什么。",
    ),
    "upload_hint": Bilingual(
        "Send the file here (video, image, audio or script), or a link to it.",
        "请直接在这里发送文件（视频、图片、音频或脚本）或文件链接。",
    ),
    "upload_link": Bilingual(
        "📤 Upload your file here (up to {most}; the link is yours alone and works for "
        "{hours} h). It arrives here as if you had sent it:",
        "📤 请在这里上传文件（最大 {most}；链接仅限你本人使用，{hours} 小时内有效）。"
        "上传完成后会像在聊天中发送的一样送到这里：",
    ),
    "upload_too_big": Bilingual(
        "📦 {name} is {size}, more than {platform} lets bots download ({limit}). Upload it here "
        "instead (up to {most}; the link is yours alone and works for {hours} h){kept}:",
        "📦 {name} 有 {size}，超过了 {platform} 允许机器人下载的大小（{limit}）。"
        "请改用这个链接上传（最大 {most}；链接仅限你本人使用，{hours} 小时内有效）{kept}：",
    ),
    "upload_caption_kept": Bilingual(
        "; your caption is kept and applied when it arrives",
        "；你的说明文字已保留，上传完成后生效",
    ),
    "previewing": Bilingual(
        "👀 Making a quick preview (the first {seconds} s at {height}p)…",
        "👀 正在生成快速预览（前 {seconds} 秒，{height}p）…",
    ),
    "preview_ready": Bilingual(
        "👀 Preview: the first {seconds} s at {height}p, free of charge. "
        "Say 'export' for the full video.",
        "👀 预览：前 {seconds} 秒，{height}p，不扣积分。发送“导出”获取完整视频。",
    ),
    "preview_unavailable": Bilingual(
        "Previews need the local engine; send 'export' for the full video.",
        "预览需要本地引擎；发送“导出”获取完整视频。",
    ),
    "timeline_picture": Bilingual("🗂 The timeline", "🗂 时间线"),
    "link_sent_privately": Bilingual(
        "📬 I sent you the upload link in a private message (it is yours alone).",
        "📬 上传链接已通过私信发给你（仅限你本人使用）。",
    ),
    "upload_button": Bilingual("📤 Upload the file", "📤 上传文件"),
    "got_file": Bilingual("{icon} Got {name}: {what}", "{icon} 已收到 {name}：{what}"),
    "got_script": Bilingual("📝 Script: {what}", "📝 脚本：{what}"),
    "receiving": Bilingual("📥 Receiving {name}…", "📥 正在接收 {name}…"),
    "working_on_it": Bilingual("🤔 Working on it…", "🤔 处理中…"),
    "queued": Bilingual(
        "🕒 Queued: you're number {position} in line. I'll post progress here.",
        "🕒 已排队：你排在第 {position} 位。进度会在这里更新。",
    ),
    "superseded": Bilingual(
        "⏭ Your earlier request that was still waiting is replaced by this one "
        "(it was not rendered and costs nothing).",
        "⏭ 之前仍在排队的请求已被这次的请求取代（未渲染，不扣积分）。",
    ),
    "starting": Bilingual("🎬 Rendering your video…", "🎬 正在渲染你的视频…"),
    "progress": Bilingual("⏳ {stage}: {percent}%", "⏳ {stage}：{percent}%"),
    "still_working": Bilingual("⏳ Still working...", "⏳ 仍在处理中..."),
    "result": Bilingual(
        "✅ Your video is ready ({duration}, {size}).",
        "✅ 视频已完成（{duration}，{size}）。",
    ),
    "result_link": Bilingual(
        "✅ Your video is ready ({duration}, {size}), too big to post here. "
        "Download it (the link works for {hours} h):",
        "✅ 视频已完成（{duration}，{size}），文件太大无法直接发送。"
        "请通过链接下载（{hours} 小时内有效）：",
    ),
    "result_link_here": Bilingual(
        "✅ Your video is ready ({duration}, {size}). Download it (the link works for {hours} h):",
        "✅ 视频已完成（{duration}，{size}）。请通过链接下载（{hours} 小时内有效）：",
    ),
    "read_by": Bilingual("🗣 Read by {voices}", "🗣 朗读：{voices}"),
    "result_cloud": Bilingual(
        "✅ Video ready{known}! Download it:",
        "✅ 视频已完成{known}！下载链接：",
    ),
    "project_link": Bilingual(
        "Open the project in the editor: {url}",
        "在编辑器中打开项目：{url}",
    ),
    "credits": Bilingual(
        "💳 Credits: {available} available, {frozen} frozen, {total} total.",
        "💳 积分：可用 {available}，冻结 {frozen}，总计 {total}。",
    ),
    "credits_unlimited": Bilingual("💳 Credits: unlimited.", "💳 积分：无限制。"),
    "granted": Bilingual(
        "✅ Granted {amount} credits to {user}: now {available} available.",
        "✅ 已为 {user} 增加 {amount} 积分：现可用 {available}。",
    ),
    "grant_usage": Bilingual(
        "Usage: /credits grant <platform:user_id> <amount>",
        "用法：/credits grant <平台:用户ID> <数量>",
    ),
    "cancelled": Bilingual(
        "🛑 Cancelled. Frozen credits were released.",
        "🛑 已取消，冻结的积分已退回。",
    ),
    "already_finished": Bilingual(
        "✅ That render had already finished — here it is (its credits are charged).",
        "✅ 渲染已经完成——成品在这里（已扣除积分）。",
    ),
    "installing": Bilingual("📥 Installing {voice}…", "📥 正在安装 {voice}…"),
    "voice_installed": Bilingual(
        "✅ Installed {voice} ({details}). Scripts in its language are read by it now.",
        "✅ 已安装 {voice}（{details}）。该语言的脚本现在由它朗读。",
    ),
    "voice_already_installed": Bilingual(
        "{voice} ({details}) is already installed.", "{voice}（{details}）已经安装。"
    ),
    "install_usage": Bilingual(
        "Usage: /voices install <voice key> (see `voiceover voices available`)",
        "用法：/voices install <声音名>（可用 `voiceover voices available` 查看）",
    ),
    "voices": Bilingual("🗣 Installed voices:\n{voices}", "🗣 已安装的声音：\n{voices}"),
    "voice_line": Bilingual("• {voice} ({details})", "• {voice}（{details}）"),
    "sample_caption": Bilingual("🔊 {voice} ({details})", "🔊 {voice}（{details}）"),
    "preparing_samples": Bilingual("🔊 Preparing the samples…", "🔊 正在准备试听样本…"),
    "samples_more": Bilingual(
        "🔊 Samples of the first {shown} of {total} voices. Hear another with "
        "/voices sample KEY (e.g. /voices sample {example}).",
        "🔊 以上是前 {shown} 个声音的样本（共 {total} 个）。试听其他声音请发送“试听 声音名”"
        "（例如“试听 {example}”）。",
    ),
    "sample_usage": Bilingual(
        "Which voice? Send /voices sample KEY (/voices lists the installed ones).",
        "要试听哪个声音？请发送“试听 声音名”（/voices 可列出已安装的声音）。",
    ),
    "sample_failed": Bilingual(
        "⚠️ I couldn't make a sample of {voice}: {reason}",
        "⚠️ 无法生成 {voice} 的样本：{reason}",
    ),
    "new_project": Bilingual(
        "🆕 New project started. Send a video and a script.",
        "🆕 已开始新项目。请发送视频和脚本。",
    ),
    "language_set": Bilingual(
        "✅ I'll reply in English.",
        "✅ 之后我会用中文回复。",
    ),
    "edited": Bilingual("✅ Done.", "✅ 已完成。"),
    "no_change": Bilingual(
        "I didn't find anything to change. Send /help for what you can say.",
        "没有找到可以修改的内容。发送 /help 查看可用说法。",
    ),
    "need_visual": Bilingual(
        "Got it. Now send the video (or an image) to put it on, or say 'export' to render it "
        "over a generated 1080p background.",
        "收到。现在请发送要配音的视频（或图片），或说“导出”以生成 1080p 背景视频。",
    ),
    "need_script": Bilingual(
        "Now send the script: type it, or send a TXT, DOCX, SRT or VTT file.",
        "现在请发送脚本：直接输入，或发送 TXT、DOCX、SRT、VTT 文件。",
    ),
    "lexicon_added": Bilingual(
        "📖 Got it: I'll say {word} as {say}. Say 'export' to render again with it.",
        "📖 好的：{word} 将读作 {say}。说“导出”即可按新读音重新渲染。",
    ),
    "lexicon_not_applied": Bilingual(
        "Note: the cloud backend's voices don't take pronunciation fixes; they apply to the "
        "embedded engine.",
        "注意：云端后端的声音不支持读音修正，修正只对内置引擎生效。",
    ),
    "lexicon_removed": Bilingual(
        "📖 Removed the pronunciation of {word}.", "📖 已删除 {word} 的读音修正。"
    ),
    "lexicon_missing": Bilingual(
        "There is no pronunciation fix for {word}. Send /lexicon to see yours.",
        "没有 {word} 的读音修正。发送 /lexicon 查看你的修正。",
    ),
    "lexicon_list": Bilingual(
        "📖 Your pronunciation fixes:\n{entries}\nRemove one with /lexicon remove <word>.",
        "📖 你的读音修正：\n{entries}\n删除：/lexicon remove <词语>。",
    ),
    "lexicon_empty": Bilingual(
        "📖 No pronunciation fixes yet. Say e.g. 'say Aurora as aw-ROAR-uh', or give phonemes: "
        "'say Aurora as [[ ɔːɹˈɔːɹə ]]'.",
        "📖 还没有读音修正。例如说：“把重庆读作崇庆”。",
    ),
    "lexicon_usage": Bilingual(
        "Usage: 'say <word> as <respelling>', /lexicon (list), /lexicon remove <word>.",
        "用法：“把<词语>读作<读法>”，/lexicon（列表），/lexicon remove <词语>。",
    ),
    "lexicon_status": Bilingual("📖 Pronunciations: {entries}", "📖 读音修正：{entries}"),
    "rendering_now": Bilingual(
        "🎬 Nothing changed: that's the video being rendered now.",
        "🎬 没有变化：正在渲染的就是这个视频。",
    ),
    "undo_cancelled": Bilingual(
        "⏭ The render of the undone change was still waiting: cancelled (it costs nothing).",
        "⏭ 被撤销的修改的渲染仍在排队：已取消（不扣积分）。",
    ),
    "answer_yes": Bilingual("✅ Yes", "✅ 是"),
    "answer_no": Bilingual("❌ No", "❌ 否"),
    "not_your_question": Bilingual("That question was for someone else.", "这个问题是问别人的。"),
    "changes": Bilingual(
        "↩️ Latest changes ('undo' reverts the first): {changes}",
        "↩️ 最近的修改（“撤销”会恢复第一项）：{changes}",
    ),
    "same_render": Bilingual(
        "Nothing changed since the last render, so here it is again.",
        "自上次渲染以来没有变化，再次发送结果。",
    ),
}

STAGES: dict[str, Bilingual] = {
    "queued": Bilingual("Waiting", "等待中"),
    "probe": Bilingual("Checking the media", "检查素材"),
    "speech": Bilingual("Generating the voice", "生成配音"),
    "mix": Bilingual("Mixing the audio", "混音"),
    "encode": Bilingual("Encoding the video", "编码视频"),
    "render": Bilingual("Rendering", "渲染中"),
}


# Words shown inside replies (a voice's gender and quality).
WORDS: dict[str, Bilingual] = {
    "male": Bilingual("male", "男声"),
    "female": Bilingual("female", "女声"),
    "x_low": Bilingual("very low quality", "极低音质"),
    "low": Bilingual("low quality", "低音质"),
    "medium": Bilingual("medium quality", "中等音质"),
    "high": Bilingual("high quality", "高音质"),
}


def word(value: str, language: str = "en") -> str:
    """A WORDS entry in the user's language (the value itself when the table has none)."""
    text = WORDS.get(value)
    return value if text is None else pick(text, language)


def reply(key: str, language: str = "en", **fields: Any) -> str:
    """The text for `key` in the user's language."""
    return pick(REPLIES[key], language).format(**fields)


def stage_label(stage: str, language: str = "en") -> str:
    """A stage name for people."""
    return pick(STAGES.get(stage, STAGES["render"]), language)

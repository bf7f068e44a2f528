"""The edit page's words and the chat's about it, in English and Chinese (a table)."""

from __future__ import annotations

from typing import Any

from core.words.text import Bilingual, pick

EDIT_TEXT: dict[str, Bilingual] = {
    # In the chat.
    "link": Bilingual(
        "✏️ Edit your project line by line in the browser (the link is yours alone and works "
        "for {hours} h). Render there and the video arrives here:",
        "✏️ 在浏览器中逐行编辑你的项目（链接仅限你本人使用，{hours} 小时内有效）。"
        "在那里渲染，视频会送到这里：",
    ),
    "button": Bilingual("✏️ Open the edit page", "✏️ 打开编辑页面"),
    "nothing": Bilingual(
        "There is nothing to edit yet: send a video and your script first.",
        "还没有可编辑的内容：请先发送视频和脚本。",
    ),
    "unavailable": Bilingual(
        "The edit page works with the built-in engine only; say what to change here instead.",
        "编辑页面仅支持内置引擎；请直接在这里告诉我要改什么。",
    ),
    "history": Bilingual("edited on the edit page", "在编辑页面中修改"),
    # On the page.
    "title": Bilingual("Edit your voiceover", "编辑配音"),
    "intro": Bilingual(
        "Change the lines, their timing and voices, listen, then render: the video arrives in "
        "your chat.",
        "修改每一行的文字、时间和声音，试听后渲染：视频会送到你的聊天中。",
    ),
    "video": Bilingual("Video", "视频"),
    "shots": Bilingual("Shots", "镜头"),
    "shot_at": Bilingual("Shot at {at}", "镜头 {at}"),
    "ruler": Bilingual(
        "Timeline: drag a block, or focus it and use the arrow keys, to move a line's start",
        "时间线：拖动方块，或选中后用方向键，移动一行的开始时间",
    ),
    "block": Bilingual("Line {n} starts at {at} s", "第 {n} 行开始于 {at} 秒"),
    "lines": Bilingual("Lines", "台词"),
    "line": Bilingual("Line {n}", "第 {n} 行"),
    "text": Bilingual("Text", "文字"),
    "start": Bilingual("Start (s)", "开始（秒）"),
    "voice": Bilingual("Voice", "声音"),
    "speed": Bilingual("Speed", "语速"),
    "pause": Bilingual("Pause after (s)", "之后停顿（秒）"),
    "same_speed": Bilingual("as the project", "与项目相同"),
    "auto_voice": Bilingual("Automatic ({voice})", "自动（{voice}）"),
    "listen": Bilingual("▶ Listen", "▶ 试听"),
    "options": Bilingual("Project options", "项目选项"),
    "captions": Bilingual("Captions", "字幕"),
    "aspect": Bilingual("Aspect", "画面比例"),
    "mix": Bilingual("Original sound", "原声"),
    "music_volume": Bilingual("Music volume (%)", "背景音乐音量（%）"),
    "sync": Bilingual("Follow the cuts", "对齐镜头"),
    "captions_none": Bilingual("none", "无"),
    "captions_soft": Bilingual("soft (a subtitle track)", "软字幕（字幕轨）"),
    "captions_burn": Bilingual("burned into the picture", "烧录到画面"),
    "aspect_original": Bilingual("as the video", "与视频相同"),
    "mix_duck": Bilingual("lowered under the voice", "在旁白下压低"),
    "mix_replace": Bilingual("replaced", "替换"),
    "mix_keep": Bilingual("kept as it is", "保持原样"),
    "sync_auto": Bilingual("when the paragraphs match the shots", "段落与镜头数量相符时"),
    "sync_shots": Bilingual("always", "总是"),
    "sync_none": Bilingual("no: read from the start", "不对齐：从头朗读"),
    # The captions' look (a choice's words are "<option>_<value>"; "own" for the style's colour).
    "looks": Bilingual("Captions and their look", "字幕及外观"),
    "looks_burn": Bilingual(
        "A look is drawn on burned-in captions: choosing one burns them in.",
        "外观只显示在烧录的字幕上：选择外观会把字幕烧录到画面中。",
    ),
    "caption_style": Bilingual("Style", "样式"),
    "caption_style_classic": Bilingual("classic", "经典"),
    "caption_style_bold": Bilingual("bold", "粗体"),
    "caption_style_boxed": Bilingual("on a dark box", "深色底框"),
    "caption_style_minimal": Bilingual("minimal", "简约"),
    "caption_style_karaoke": Bilingual("karaoke: word by word", "卡拉 OK：逐字高亮"),
    "caption_position": Bilingual("Position", "位置"),
    "caption_position_bottom": Bilingual("bottom", "底部"),
    "caption_position_middle": Bilingual("middle", "中间"),
    "caption_position_top": Bilingual("top", "顶部"),
    "caption_colour": Bilingual("Colour", "颜色"),
    "caption_colour_own": Bilingual("the style's own", "样式默认"),
    "caption_colour_white": Bilingual("white", "白色"),
    "caption_colour_yellow": Bilingual("yellow", "黄色"),
    "caption_colour_red": Bilingual("red", "红色"),
    "caption_colour_green": Bilingual("green", "绿色"),
    "caption_colour_blue": Bilingual("blue", "蓝色"),
    "caption_colour_cyan": Bilingual("cyan", "青色"),
    "caption_colour_pink": Bilingual("pink", "粉色"),
    "caption_colour_orange": Bilingual("orange", "橙色"),
    "caption_scale": Bilingual("Size (×)", "大小（倍）"),
    "save": Bilingual("Save", "保存"),
    "discard": Bilingual("Discard changes", "放弃修改"),
    "reload": Bilingual("Reload the draft", "重新载入草稿"),
    "preview": Bilingual("👀 Preview (20 s)", "👀 预览（20 秒）"),
    "render": Bilingual("🎬 Render", "🎬 渲染"),
    "result": Bilingual("Your video", "你的视频"),
    "saved": Bilingual("✅ Saved.", "✅ 已保存。"),
    "too_many": Bilingual(
        "⏳ Too many saves or listens at once: try again in {seconds} s.",
        "⏳ 保存或试听太频繁：请 {seconds} 秒后再试。",
    ),
    "unsaved": Bilingual(
        "You have unsaved changes (kept in this browser).",
        "你有未保存的修改（保存在此浏览器中）。",
    ),
    "stale": Bilingual(
        "The draft was changed in the chat since you opened it, so this save was not made. "
        "Reload the draft to see the chat's changes (your edits here are kept until you do).",
        "你打开页面后，草稿已在聊天中被修改，因此这次没有保存。"
        "请重新载入草稿查看聊天中的修改（在此之前，你在这里的修改会保留）。",
    ),
    "invalid": Bilingual("Not saved: fix what is marked below.", "未保存：请修改下面标出的内容。"),
    "listening": Bilingual("Synthesising line {n}…", "正在合成第 {n} 行…"),
    "previewing": Bilingual("Making the preview…", "正在生成预览…"),
    "queued": Bilingual("Sent to your chat's queue…", "已加入聊天中的队列…"),
    "progress": Bilingual("Rendering: {stage} {percent}%", "正在渲染：{stage} {percent}%"),
    "done": Bilingual(
        "✅ Done: the video is in your chat, and here.", "✅ 完成：视频已送到聊天，也可在此观看。"
    ),
    "failed": Bilingual("The render did not finish: {reason}", "渲染未完成：{reason}"),
    "no_chat": Bilingual(
        "Your chat is not connected right now; try again in a moment.",
        "你的聊天暂时未连接，请稍后再试。",
    ),
    "replaced": Bilingual(
        "This project was replaced by a newer one. Ask the bot for a new link (/edit).",
        "此项目已被新项目取代。请向机器人索取新链接（/edit）。",
    ),
    "expired": Bilingual(
        "This edit link has expired. Ask the bot for a new one (/edit).",
        "此编辑链接已过期。请向机器人索取新链接（/edit）。",
    ),
    "invalid_link": Bilingual(
        "This edit link isn't valid. Ask the bot for a new one (/edit).",
        "此编辑链接无效。请向机器人索取新链接（/edit）。",
    ),
    "not_yours": Bilingual(
        "There is no such project for this link. Ask the bot for a new one (/edit).",
        "此链接没有对应的项目。请向机器人索取新链接（/edit）。",
    ),
    "error": Bilingual("Something went wrong: {reason}", "出错了：{reason}"),
}


def edit_text(key: str, language: str, **fields: Any) -> str:
    """One of the table's texts in a language, its fields filled."""
    text = pick(EDIT_TEXT[key], language)
    return text.format(**fields) if fields else text


def choice_words(option: str, value: str, language: str) -> str:
    """A choice's words on the page: "<option>_<value>" from the table (the value itself when
    it says what it is, like an aspect's "16:9")."""
    text = EDIT_TEXT.get(f"{option}_{value or 'own'}")
    return pick(text, language) if text else value


def page_words(language: str) -> dict[str, str]:
    """Every text of the table in a language (for the page and its script)."""
    return {key: pick(text, language) for key, text in EDIT_TEXT.items()}

"""The routing table: commands first, attachments, keywords (English and Chinese), near misses."""

from __future__ import annotations

import pytest

from core.chat.routing import ROUTES, reply_language, route
from core.ports import Attachment, Incoming


def msg(text: str = "", command: str | None = None, files: int = 0) -> Incoming:
    attachments = tuple(Attachment(name=f"f{i}.mp4") for i in range(files))
    return Incoming("console", "u", "c", "m", text=text, command=command, attachments=attachments)


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("export", "export"),
        ("导出", "export"),
        ("Download", "download_alias"),
        ("send me the video", "export"),
        ("please SEND ME THE VIDEO now", "export"),
        ("credits", "credits"),
        ("积分", "credits"),
        ("balance", "credits"),
        ("余额", "credits"),
        ("status", "status"),
        ("状态", "status"),
        ("show tracks", "status"),
        ("upload", "upload"),
        ("上传", "upload"),
        ("help", "help"),
        ("帮助", "help"),
        ("voices", "voices"),
        ("声音列表", "voices"),
        ("cancel", "cancel"),
        ("取消", "cancel"),
        ("new project", "new_project"),
        ("新项目", "new_project"),
        ("reply in chinese", "language"),
        ("用中文回复", "language"),
        ("slower", "converse"),
        ("use a female voice", "converse"),
        ("慢一点", "converse"),
        ("open the edit page", "edit"),
        ("can I edit it in the browser", "edit"),
        ("let me edit the lines myself", "edit"),
        ("打开编辑页面", "edit"),
        ("我想在网页上编辑", "edit"),
        ("edit the second line to say hello", "converse"),  # an edit, not the page
        ("edit the script", "converse"),
    ],
)
def test_keywords_in_english_and_chinese(text: str, intent: str) -> None:
    expected = "export" if intent == "download_alias" else intent
    assert route(msg(text)).intent == expected


@pytest.mark.parametrize(
    ("command", "intent"),
    [
        ("voiceover", "voiceover"),
        ("credits", "credits"),
        ("status", "status"),
        ("export", "export"),
        ("voices", "voices"),
        ("cancel", "cancel"),
        ("help", "help"),
        ("start", "help"),
        ("CREDITS", "credits"),
    ],
)
def test_every_command(command: str, intent: str) -> None:
    assert route(msg(command=command)).intent == intent
    assert route(msg(f"/{command} extra words")).intent == intent
    assert route(msg(f"/{command} extra words")).rest == "extra words"


def test_commands_come_before_keywords_and_attachments() -> None:
    routed = route(msg("export this", command="credits", files=1))
    assert routed.intent == "credits"
    assert routed.rest == "export this"


def test_attachments_are_uploads_with_the_caption_kept() -> None:
    routed = route(msg("status of my export", files=2))
    assert (routed.intent, routed.rest) == ("upload", "status of my export")


@pytest.mark.parametrize(
    ("typo", "suggestion"), [("credit", "credits"), ("stauts", "status"), ("exprot", "export")]
)
def test_near_miss_command_gets_a_suggestion(typo: str, suggestion: str) -> None:
    routed = route(msg(f"/{typo}"))
    assert (routed.intent, routed.suggestion) == ("did_you_mean", suggestion)


def test_unknown_command_without_a_close_match() -> None:
    assert route(msg("/zzqqxx")).intent == "unknown_command"


def test_keywords_match_whole_words_only() -> None:
    assert route(msg("exporter")).intent == "converse"
    assert route(msg("creditsfoo")).intent == "converse"


def test_a_long_script_mentioning_a_keyword_is_not_a_command() -> None:
    script = "Welcome to our company. We export coffee to twelve countries and check status daily."
    assert route(msg(script)).intent == "converse"


def test_every_route_has_phrases_or_commands() -> None:
    assert all(row.commands or row.phrases for row in ROUTES)


def test_reply_language() -> None:
    assert reply_language("reply in chinese", "en") == "zh"
    assert reply_language("用英文回复", "zh") == "en"
    assert reply_language("", "zh") == "zh"


def test_a_command_whose_text_repeats_the_command_line() -> None:
    routed = route(msg("/credits grant telegram:5 10", command="credits"))
    assert (routed.intent, routed.rest) == ("credits", "grant telegram:5 10")

"""The reasons and option names inside error messages, for a Chinese speaker (a table of English
patterns and their Chinese): the raise sites keep one English reason each (the CLI's and the
logs'), the chat shows it in Chinese. A reason the table does not know stays as it is (an
ffmpeg or server message, say)."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

REASONS_ZH: tuple[tuple[str, str], ...] = (
    # Media and scripts.
    (r"no file attached", "没有附带文件"),
    (r"no preview in the cloud", "云端不提供预览"),
    (r"a pause can be at most (?P<n>[\d.]+) seconds", r"停顿最长 \g<n> 秒"),
    (r"there is no such path", "没有这个路径"),
    (r"job (?P<id>\S+) is (?P<state>\S+), not done", r"任务 \g<id> 的状态是 \g<state>，尚未完成"),
    (r"unreadable", "无法读取"),
    (r"empty", "文件为空"),
    (r"it is a playlist, not a media file", "这是播放列表，不是媒体文件"),
    (r"probe timed out", "检查超时"),
    (r"probe crashed", "检查时出错"),
    (r"this kind of file isn't supported", "不支持这种文件"),
    (r"no picture and no sound", "既没有画面也没有声音"),
    (r"no dimensions", "没有画面尺寸"),
    (r"truncated or undecodable", "文件不完整或无法解码"),
    (r"(?P<kind>\S+) files", r"不支持 \g<kind> 文件"),
    (r"the file could not be read", "文件无法读取"),
    (r"it isn't a real \.docx \(not a zip archive\)", "它不是真正的 .docx（不是 zip 压缩包）"),
    (r"it isn't text \(it looks like binary data\)", "它不是文本（看起来是二进制数据）"),
    (
        r"it has (?P<n>\d+) parts \(the limit is (?P<limit>\d+)\)",
        r"它含有 \g<n> 个部分（上限 \g<limit>）",
    ),
    (r"it is password-protected or an old \.doc", "它有密码保护，或是旧的 .doc 格式"),
    (
        r"it isn't a Word document \(no word/document\.xml inside\)",
        "它不是 Word 文档（内部没有 word/document.xml）",
    ),
    (
        r"its text part unpacks to (?P<size>.+) \(the limit is (?P<limit>.+)\)",
        r"其文本部分解压后为 \g<size>（上限 \g<limit>）",
    ),
    (
        r"it unpacks to (?P<size>.+) \(the limit is (?P<limit>.+)\)",
        r"解压后为 \g<size>（上限 \g<limit>）",
    ),
    (r"it is compressed suspiciously hard \(a zip bomb\?\)", "压缩比异常高（可能是 zip 炸弹）"),
    (r"it is a damaged zip archive", "zip 压缩包已损坏"),
    (r"it contains a document type declaration", "它包含文档类型声明（DTD）"),
    (r"it is damaged or not a Word document", "文件已损坏或不是 Word 文档"),
    # Links and downloads.
    (r"only http and https links can be fetched", "只能获取 http 和 https 链接"),
    (r"the link has no host", "链接中没有主机名"),
    (r"the host name does not resolve", "主机名无法解析"),
    (r"it points at a private or local network address", "它指向私有或本地网络地址"),
    (r"that isn't a valid link", "这不是有效的链接"),
    (r"the server answered (?P<status>\d+)", r"服务器返回 \g<status>"),
    (r"it redirects too many times", "重定向次数过多"),
    (r"the download timed out", "下载超时"),
    (r"the server was too slow", "服务器响应太慢"),
    (r"the server could not be reached or broke off", "无法连接服务器或连接中断"),
    (r"Discord answered HTTP (?P<status>\d+)", r"Discord 返回 HTTP \g<status>"),
    (r"the download failed", "下载失败"),
    (r"file too large", "文件太大"),
    # Renders.
    (r"the voice (?P<voice>\S+) could not be loaded", r"声音 \g<voice> 无法加载"),
    (r"an input file is gone", "输入文件已丢失"),
    (r"unknown", "未知原因"),
    (r"the cloud render failed", "云端渲染失败"),
    (r"the cloud editor doesn't take \.(?P<ext>\w+) files", r"云端编辑器不接受 .\g<ext> 文件"),
    (r"it has no file extension", "文件没有扩展名"),
    (r"ffmpeg exited with status (?P<code>-?\d+)", r"ffmpeg 以状态 \g<code> 退出"),
    # Options.
    (r"it must be between (?P<low>\S+) and (?P<high>\S+)", r"必须在 \g<low> 到 \g<high> 之间"),
    (r"use male or female", "请用男声或女声"),
    (r"use (?P<allowed>.+)", r"可选：\g<allowed>"),
    (r"must be positive", "必须大于 0"),
    # Voices.
    (r" \(the bundled voice cannot be removed\)", "（内置声音不能删除）"),
    (r"(?P<file>\S+) is larger than the catalog says", r"\g<file> 比声音目录记载的更大"),
    (
        r"(?P<file>\S+) is (?P<size>\d+) bytes, the catalog says (?P<expected>\d+)",
        r"\g<file> 为 \g<size> 字节，声音目录记载为 \g<expected> 字节",
    ),
    (r"(?P<file>\S+) does not match its MD5 checksum", r"\g<file> 的 MD5 校验不符"),
    (
        r"the files of (?P<key>\S+) are not a usable Piper voice",
        r"\g<key> 的文件不是可用的 Piper 声音",
    ),
    (
        r"the voice catalog at (?P<url>\S+) could not be read \((?P<why>.*)\)",
        r"无法读取 \g<url> 的声音目录（\g<why>）",
    ),
    # The edit page's draft and the transcription API.
    (r"a line must be an object", "每一行都必须是一个对象"),
    (
        r"send media: the audio or video file to transcribe",
        "请在 media 中发送要转写的音频或视频文件",
    ),
    # Speech recognition models (issue 21).
    (r"the output must end in (?P<kinds>.+)", r"输出文件的扩展名须为 \g<kinds>"),
    (r"unknown model \(known: (?P<names>.+)\)", r"未知模型（可选：\g<names>）"),
    (r"the hub lists an unusable file (?P<f>.+)", r"模型仓库列出了无法使用的文件 \g<f>"),
    (r"(?P<f>\S+) is larger than the hub says", r"\g<f> 比模型仓库所说的大"),
    (
        r"(?P<f>\S+) is (?P<n>\d+) bytes, the hub says (?P<m>\d+)",
        r"\g<f> 为 \g<n> 字节，模型仓库标明 \g<m>",
    ),
    (r"(?P<f>\S+) is (?P<n>\d+) bytes, expected (?P<m>\d+)", r"\g<f> 为 \g<n> 字节，应为 \g<m>"),
    (r"(?P<f>\S+) does not match its SHA-256", r"\g<f> 的 SHA-256 校验不符"),
    (r"(?P<f>\S+) does not match its checksum", r"\g<f> 的校验和不符"),
    (r"(?P<f>\S+) is missing", r"缺少 \g<f>"),
    (
        r"the files are not a faster-whisper model \(no model\.bin or config\.json\)",
        "这些文件不是 faster-whisper 模型（缺少 model.bin 或 config.json）",
    ),
)
OPTIONS_ZH: dict[str, str] = {
    "speed": "语速",
    "music volume": "音乐音量",
    "music_volume": "音乐音量",
    "gender": "性别",
    "amount": "数量",
    "captions": "字幕",
    "aspect": "画幅",
    "fit": "适配",
    "mix": "原声",
    "language": "语言",
    "voice": "声音",
}


@lru_cache(maxsize=1)
def _compiled() -> tuple[tuple[re.Pattern[str], str], ...]:
    return tuple((re.compile(pattern), zh) for pattern, zh in REASONS_ZH)


def reason_zh(reason: str) -> str:
    """An English reason from the table in Chinese (as it is when the table has none)."""
    for pattern, zh in _compiled():
        match = pattern.fullmatch(reason)
        if match:
            return match.expand(zh)
    return reason


def fields_zh(fields: dict[str, Any]) -> dict[str, Any]:
    """Message fields for a Chinese speaker: the reason and the option name translated."""
    out = dict(fields)
    if isinstance(out.get("reason"), str):
        out["reason"] = reason_zh(out["reason"])
    if isinstance(out.get("option"), str):
        out["option"] = OPTIONS_ZH.get(out["option"], out["option"])
    return out

"""The instruction rules for hearing the video and the captions' look (issue 21): re-voicing
(also "use the transcript as the script"), caption styles, positions, colours and sizes, and
word timings, in English and Chinese. instruction_rules.RULES holds them, in this order."""

from __future__ import annotations

from core.backends.local.rule import Rule
from core.engine.model import CaptionPosition, Captions, CaptionStyle

CAPS = r"(?:captions?|subtitles?|subs)"
COLOURS = "yellow|white|red|green|blue|cyan|pink|orange"
ZH_COLOURS = "黄色|白色|红色|绿色|蓝色|青色|粉色|橙色"
COLOUR_WORDS = dict(zip(ZH_COLOURS.split("|"), COLOURS.split("|"), strict=True))
_THEM = rf"(?:them|it|the\s+{CAPS}|the\s+(?:caption|subtitle)\s+text|the\s+text)"
_TRANSCRIPT = (
    r"(?:(?:the|that|this|its|my|a)\s+)?(?:transcript(?:ion)?|transcribed text|speech|"
    r"what (?:is|was|they|he|she|i) (?:said|say|says))"
)
_SCRIPT = r"(?:(?:the|my|a|new|your)\s+)*(?:script|narration|voice-?over|text to read)"
_ZH_PUT = r"(?:放|移|挪|摆|调)?(?:在|到)?(?:屏幕|画面)?(?:的)?"
_ZH_MOVE = r"(?:放|移|挪|摆)(?:在|到)(?:屏幕|画面)?(?:的)?"
_START = r"(?:^|[,，;；]\s*)(?:and\s+)?"  # a clause of its own: "…, at the top", "…, in yellow"


def _where(words: str, zh: str) -> str:
    """The pattern of a caption position: English words after the captions, or alone as a
    clause ("at the top"), and the Chinese ones."""
    return (
        rf"{CAPS}\s+(?:at|on|to|in)\s+(?:the\s+)?(?:{words})\b|\b(?:{words})\s+{CAPS}"
        rf"|\b(?:put|move|place|show)\s+{_THEM}\s+(?:at|on|to|in)\s+(?:the\s+)?(?:{words})\b"
        rf"|{_START}(?:at|on|in)\s+the\s+(?:{words})(?:\s+of\s+the\s+(?:screen|frame))?\s*$"
        rf"|字幕{_ZH_PUT}(?:{zh})|{_ZH_MOVE}(?:{zh})"
    )


LOOK_RULES: tuple[Rule, ...] = (
    Rule(  # captions of what the video says (a talking video with no script: from its speech)
        rf"\bauto(?:matic)?[- ]?{CAPS}|\b(?:caption|subtitle)\s+(?:the\s+)?(?:speech|audio|"
        r"video|talk|what (?:they|he|she|i|is|was|people) (?:say|says|said))\b"
        rf"|\b{CAPS}\s+(?:from|of)\s+(?:the\s+)?(?:speech|audio|what (?:they|he|she|is|was) "
        r"(?:say|says|said))\b|自动字幕|识别字幕|根据语音(?:生成|加)字幕|给说的话加字幕",
        "captions",
        Captions.SOFT,
    ),
    Rule(
        r"\b(?:re-?voic\w*|re-?dub\w*|replace my (?:voice|narration|speech)|replace the "
        r"(?:speaker'?s?|original) voice|read it again in (?:your|a new) voice)\b"
        rf"|\b(?:use|take|read|voice|make)\s+{_TRANSCRIPT}\s+(?:as|for|into)\s+{_SCRIPT}\b"
        r"|\btranscrib\w*(?:\s+(?:it|this|the\s+(?:video|clip|audio|speech)))?\s*,?\s+"
        r"(?:and\s+|then\s+)+(?:use|read|voice|narrate)\s+(?:it|that|this|the\s+transcript)\b"
        r"|重新配音|替换我的声音|换掉我的声音|重配|(?:替换|换掉)(?:原来的|原视频的|视频里的)?人声"
        r"|用(?:转写|转录|识别)(?:出来)?的?(?:文字|文本|内容|稿子)?(?:当|作为|做)(?:新的?)?"
        r"(?:脚本|旁白|配音稿)|把(?:视频里的话|转写的?(?:文字|内容)?|转录的?(?:文字|内容)?)"
        r"(?:当|作为|当成)(?:脚本|旁白)|(?:转写|转录)(?:后|之后|完)(?:再)?(?:重新)?(?:配音|朗读)",
        "revoice",
        True,
        say=("revoice it", "重新配音"),
    ),
    Rule(
        r"\bkaraoke\b|\bhighlight\w*\s+(?:each|every|the(?:\s+current|\s+spoken)?|one)\s+"
        r"words?(?:\s+as\s+(?:it'?s|it is|they(?:'re| are)|we)\s+(?:spoken|said|read|heard))?"
        rf"|\bword[- ]by[- ]word\s+(?:highlight\w*|{CAPS})|\bhighlighted\s+(?:words|{CAPS})\b"
        r"|卡拉\s*ok|逐[字词]高亮|每个[字词](?:都)?高亮|高亮(?:当前|正在读|正在说)的?[字词]"
        r"|字幕逐字(?:高亮|变色)",
        "caption_style",
        CaptionStyle.KARAOKE,
        say=("karaoke captions", "逐字高亮字幕"),
    ),
    Rule(
        rf"\bbold\s+(?:{CAPS}|font|text|type|letters)|粗体字幕|字幕加粗|字幕(?:用|改成)?粗体",
        "caption_style",
        CaptionStyle.BOLD,
    ),
    Rule(
        rf"\bbox(?:ed)?\s+{CAPS}|{CAPS}\s+(?:in|with|on)\s+a\s+(?:box|background)"
        r"|字幕加底|字幕(?:加)?背景",
        "caption_style",
        CaptionStyle.BOXED,
    ),
    Rule(rf"\b(?:minimal|simple|plain)\s+{CAPS}|简约字幕", "caption_style", CaptionStyle.MINIMAL),
    Rule(rf"\b(?:classic|normal)\s+{CAPS}|经典字幕", "caption_style", CaptionStyle.CLASSIC),
    Rule(
        _where("top", "上面|上方|顶部|顶端|最上面"),
        "caption_position",
        CaptionPosition.TOP,
        say=("captions at the top", "字幕放上面"),
    ),
    Rule(
        _where("middle|centre|center", "中间|中部|正中|中央"),
        "caption_position",
        CaptionPosition.MIDDLE,
    ),
    Rule(
        _where("bottom", "下面|下方|底部|底端|最下面"),
        "caption_position",
        CaptionPosition.BOTTOM,
    ),
    Rule(
        rf"\b({COLOURS})\s+(?:{CAPS}|text|letters|font)\b|{CAPS}\b[^.\n\d]{{0,24}}?\b({COLOURS})\b"
        rf"|\b(?:make|turn|colou?r|change)\s+{_THEM}\s+(?:to\s+|into\s+)?({COLOURS})\b"
        rf"|{_START}in\s+({COLOURS})\s*$"
        rf"|({ZH_COLOURS})(?:的)?字幕|字幕[^，,。；;]{{0,6}}?({ZH_COLOURS})",
        "caption_colour",
        say=("yellow captions", "黄色字幕"),
    ),
    Rule(
        rf"\b(?:bigger|larger)\s+(?:{CAPS}|text|font)|{CAPS}\b[^.\n\d]{{0,24}}?\b(?:bigger|larger)\b"
        rf"|\b(?:make|turn)\s+{_THEM}\s+(?:a\s+bit\s+|much\s+)?(?:bigger|larger)\b"
        r"|\bincrease the (?:caption|subtitle|font|text) size\b"
        r"|字幕(?:再)?(?:大一点|大一些|放大|变大|加大|大点)|大(?:一点|一些)?的字幕|大字幕",
        "caption_scale_delta",
        0.2,
        say=("bigger captions", "字幕大一点"),
    ),
    Rule(
        r"\b(?:word timings?|time (?:every|each) word|word[- ]level timings?)\b"
        r"|逐词时间|每个词的时间",
        "word_timings",
        True,
        say=("word timings", "逐词时间"),
    ),
    Rule(
        rf"\bsmaller\s+(?:{CAPS}|text|font)|{CAPS}\b[^.\n\d]{{0,24}}?\bsmaller\b"
        rf"|\b(?:make|turn)\s+{_THEM}\s+(?:a\s+bit\s+|much\s+)?smaller\b"
        r"|\b(?:decrease|reduce) the (?:caption|subtitle|font|text) size\b"
        r"|字幕(?:再)?(?:小一点|小一些|缩小|变小|小点)|小(?:一点|一些)?的字幕|小字幕",
        "caption_scale_delta",
        -0.2,
    ),
)

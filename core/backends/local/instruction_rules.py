"""The table of instruction rules: which words, in English or Chinese, set which option."""

from __future__ import annotations

from core.backends.local.look_rules import LOOK_RULES
from core.backends.local.rule import Rule
from core.engine.model import Aspect, Captions, Fit, Hold, MixMode, Overrun, Sync
from core.engine.voices import LANGUAGES as VOICE_LANGUAGES

# Language names people write ("english", "mandarin", "中文") → code, from the voices' table.
LANGUAGES: dict[str, str] = {
    name.lower(): code
    for code, (english, aliases) in VOICE_LANGUAGES.items()
    for name in (english, *aliases)
    if not (name.isascii() and len(name) <= 3)  # ISO codes like "eng" are not words people use
}
_EN_LANGS = "|".join(name for name in LANGUAGES if name.isascii())
_ZH_LANGS = "|".join(name for name in LANGUAGES if not name.isascii())
_CAPS = r"(?:captions?|subtitles?|subs)"
_SOUND = r"original\s+(?:audio|sound|track)"
_PICTURE = r"(?:the\s+)?(?:video|picture|footage|image|frames?|shots?|scenes?)"
_CUTS = r"(?:the\s+)?(?:cuts?|shots?|scenes?|picture|video)"

# Per field, the first rule that matches wins: more specific rules come first.
RULES: tuple[Rule, ...] = (
    Rule(r"\b([a-z]{2,3}_[a-z]{2}-[a-z0-9_]+-(?:x_low|low|medium|high))\b", "voice"),
    Rule(
        r"\bvoice\s*[:=]\s*([\w-]+)",
        "voice",
        say=("voice: en_US-joe-medium", "用 en_US-joe-medium"),
    ),
    Rule(r"\b(?:in|into|to)\s+(" + _EN_LANGS + r")\b", "language"),
    Rule(r"\b(" + _EN_LANGS + r")\s+(?:voice|voiceover|voice-over|narrat\w+)", "language"),
    Rule(r"(" + _ZH_LANGS + r")", "language", say=("in Chinese", "用中文")),
    Rule(
        r"\b(?:female|woman|women|feminine|girl|lady)\b|女声|女生|女性|女的",
        "gender",
        "female",
        say=("female voice", "女声"),
    ),
    Rule(
        r"\b(?:male|man|men|masculine|guy)\b|男声|男生|男性|男的",
        "gender",
        "male",
        say=("male voice", "男声"),
    ),
    Rule(r"\b(?:speed|rate|pace)\s*(?:to|at|of|=|:)?\s*(\d+(?:\.\d+)?)\s*x?(?!\w)", "speed"),
    Rule(
        r"\b(\d+(?:\.\d+)?)\s*x\s+speed\b|语速\s*(\d+(?:\.\d+)?)",
        "speed",
        say=("1.2x speed", "语速 1.2"),
    ),
    Rule(r"\b(?:normal|regular|original)\s+speed\b|正常语速", "speed", 1.0),
    Rule(r"\b(?:much|a lot)\s+slower\b|慢很多", "speed_delta", -0.2),
    Rule(r"\b(?:much|a lot)\s+faster\b|快很多", "speed_delta", 0.2),
    Rule(
        rf"\b(?:slower|slow down|more slowly)\b(?!\s+{_PICTURE})"
        r"|慢一点|慢一些|慢点|放慢(?!画面|视频)|慢些",
        "speed_delta",
        -0.1,
        say=("slower", "慢一点"),
    ),
    Rule(
        r"\b(?:faster|speed up|quicker|more quickly)\b|快一点|快一些|快点|加快|快些",
        "speed_delta",
        0.1,
        say=("faster", "快一点"),
    ),
    Rule(
        rf"\b(?:remove|no|without|drop|delete|turn off|disable|hide)\s+(?:the\s+|any\s+)?{_CAPS}\b"
        r"|去掉字幕|不要字幕|删除字幕|关闭字幕|无字幕",
        "captions",
        Captions.NONE,
        say=("remove captions", "去掉字幕"),
    ),
    Rule(
        rf"\b(?:burn(?:ed|t)?(?:-|\s)?in|burn|hard-?code|hard-?coded|hard)\s+(?:the\s+)?{_CAPS}\b"
        rf"|\b{_CAPS}\s+burn(?:ed|t)?\s+in\b|烧录字幕|硬字幕|内嵌字幕|字幕烧录",
        "captions",
        Captions.BURN,
        say=("burn the captions", "烧录字幕"),
    ),
    Rule(
        rf"\b(?:add|with|include|soft|turn on|enable|show)\s+(?:the\s+)?(?:soft\s+)?{_CAPS}\b"
        r"|加字幕|添加字幕|加上字幕|软字幕|显示字幕",
        "captions",
        Captions.SOFT,
        say=("add captions", "加字幕"),
    ),
    Rule(r"(?<![\d.])(9:16|16:9|1:1|4:5)(?![\d])", "aspect", say=("make it 9:16", "竖屏")),
    Rule(r"\b(?:vertical|portrait|tiktok|reels|shorts)\b|竖屏|竖版", "aspect", Aspect.TALL),
    Rule(r"\b(?:horizontal|landscape|widescreen)\b|横屏|横版", "aspect", Aspect.WIDE),
    Rule(r"\bsquare\b|正方形|方形|方屏", "aspect", Aspect.SQUARE),
    Rule(r"\boriginal\s+(?:aspect|size|ratio|format)\b|原始比例", "aspect", Aspect.ORIGINAL),
    Rule(
        r"\b(?:don'?t crop|no crop|without cropping|pad|letterbox|black bars)\b|不要裁剪|黑边",
        "fit",
        Fit.PAD,
        say=("don't crop", "不要裁剪"),
    ),
    Rule(
        r"\b(?:crop|fill the frame|zoom to fill)\b|裁剪|裁切|填满",
        "fit",
        Fit.CROP,
        say=("crop", "裁剪"),
    ),
    Rule(
        r"\b(?:no|remove|mute|without)\s+(?:the\s+)?(?:background\s+)?music\b"
        r"|去掉(?:背景)?音乐|不要(?:背景)?音乐",
        "music_volume",
        0.0,
    ),
    Rule(
        r"\b(?:music|bgm)\b[^.\n\d%]{0,20}?(\d{1,3})\s*%|(\d{1,3})\s*%\s*(?:music|bgm)\b"
        r"|(?:背景音乐|音乐|配乐)[^\d%]{0,8}(\d{1,3})\s*%?",
        "music_volume",
        say=("music at 20%", "背景音乐 20%"),
    ),
    Rule(
        r"\b(?:quieter music|music quieter|lower the music|turn (?:the\s+)?music down)\b"
        r"|音乐小一点|音乐小声",
        "music_delta",
        -0.1,
    ),
    Rule(
        r"\b(?:louder music|music louder|raise the music|turn (?:the\s+)?music up)\b"
        r"|音乐大一点|音乐大声",
        "music_delta",
        0.1,
    ),
    Rule(
        r"\bkeep\s+(?:the\s+)?" + _SOUND + r"|保留原声",
        "mix",
        MixMode.KEEP,
        say=("keep the original sound", "保留原声"),
    ),
    Rule(
        rf"\b(?:replace|mute|remove|drop|without|no)\s+(?:the\s+)?{_SOUND}"
        r"|替换原声|去掉原声|静音原声|不要原声",
        "mix",
        MixMode.REPLACE,
        say=("replace the original audio", "替换原声"),
    ),
    Rule(
        r"\b(?:don'?t|do not|no|stop|without)\s+sync\w*\b|\bunsync\w*\b|不要对齐|不对齐|取消对齐",
        "sync",
        Sync.NONE,
        say=("don't sync", "不要对齐"),
    ),
    Rule(
        rf"\b(?:sync\w*|match|align)\s+(?:\w+\s+){{0,2}}?(?:to|with)\s+{_CUTS}\b"
        rf"|\bmatch\s+{_CUTS}\b|\bfollow\s+{_CUTS}\b|对齐镜头|镜头对齐|按镜头对齐|跟着镜头"
        r"|(?:和|与|跟)镜头(?:切换)?同步|同步(?:到)?镜头",
        "sync",
        Sync.SHOTS,
        say=("sync to the cuts", "对齐镜头"),
    ),
    Rule(
        rf"\b(?:freeze|hold)\s+{_PICTURE}|定格画面|冻结画面|画面定格",
        "hold",
        Hold.FREEZE,
        say=("freeze the picture", "定格画面"),
    ),
    Rule(
        rf"\bslow\s+(?:down\s+)?{_PICTURE}|放慢画面|放慢视频|画面放慢|慢放画面",
        "hold",
        Hold.SLOW,
        say=("slow the video", "放慢画面"),
    ),
    Rule(r"\bduck(?:ing)?\b|\blower the " + _SOUND + r"|压低原声", "mix", MixMode.DUCK),
    *LOOK_RULES,  # hearing the video and the captions' look (issue 21)
    Rule(
        r"\b(?:fit|squeeze) (?:the )?(?:voice|narration|voiceover)\s+(?:to|in|into) the video\b"
        r"|配音适配视频|压缩配音",
        "overrun",
        Overrun.SPEEDUP,
        say=("fit the voice to the video", "配音适配视频"),
    ),
    Rule(
        r"\b(?:extend|lengthen) the video\b|\bkeep the (?:whole|full) (?:voice|narration)\b"
        r"|延长视频",
        "overrun",
        Overrun.EXTEND,
        say=("extend the video", "延长视频"),
    ),
    Rule(
        r"\b(?:voice-?overs?|voice overs?|narrat\w*|read(?:ing)? (?:out )?(?:my|the|this) "
        r"script|dub\w*)\b|配音|旁白|朗读|解说",
        "generate",
        True,
    ),
)

# Per-speaker voices ("A is male, B is female", "Anna: en_US-amy-medium", "A用男声，B用女声"):
# every match counts (not only the first) and is taken out of the text before RULES run, so
# "B is female" does not also ask for a female main voice. Groups: label, want.
_VOICE_ID = r"[a-z]{2,3}_[a-z]{2}-[a-z0-9_]+-(?:x_low|low|medium|high)"
_WANT_EN = rf"(?P<want>female|male|woman|man|{_VOICE_ID}|{_EN_LANGS})"
_ZH_GENDERS = "男声|女声|男生|女生|男性|女性|男的|女的"
_WANT_ZH = rf"(?P<want>{_ZH_GENDERS}|{_VOICE_ID}|{_ZH_LANGS}|{_EN_LANGS})"
_LABEL = r"(?P<label>[a-z][\w.'-]{0,23}|[\u4e00-\u9fff]{1,4})"
SPEAKER_EXAMPLES = ("A is male, B is female", "A用男声，B用女声")  # /help shows these
SPEAKER_RULES: tuple[str, ...] = (
    rf"\b{_LABEL}\s+(?:is|as|gets|=|should be|sounds?)\s+(?:an?\s+)?{_WANT_EN}(?:\s+voice)?\b",
    rf"\b{_LABEL}\s*[:=]\s*(?:an?\s+)?{_WANT_EN}(?:\s+voice)?\b",
    rf"(?<![\w\u4e00-\u9fff]){_LABEL}\s*(?:用|是|要|为|配|使用)\s*{_WANT_ZH}",
)
# Words that these patterns would take for a label but that name the narration as a whole.
NARRATION_WORDS = """
    voice voiceover narrator narration narrations speaker speakers it this that everyone all
    everything the he she they reader read reading gender language captions music
    请 都 全部 全 声音 配音 旁白 语音 朗读 改成 改为 换成 换 使用 我要 我想 要 就 也 还是
    然后 并 再
"""
NOT_LABELS = frozenset(NARRATION_WORDS.split())
SPEAKER_WANTS: dict[str, str] = {
    **dict.fromkeys(["male", "man", "男声", "男生", "男性", "男的"], "male"),
    **dict.fromkeys(["female", "woman", "女声", "女生", "女性", "女的"], "female"),
}

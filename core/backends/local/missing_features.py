"""The video-editing features the local engine does not have (yet), each with its words in
English and Chinese and the closest things it can do: a request for one is answered "I can't
… yet; I can …", never read as a script. A feature that lands moves from here (ROUND_FEATURES
are this round's) to rules of instruction_rules.RULES."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Feature:
    """A video-editing feature the engine lacks: its words (a pattern, English and Chinese),
    what it is called, and the closest things the engine can do (English, Chinese)."""

    key: str
    words: str
    what: tuple[str, str]
    instead: tuple[str, str]


_CAPS = r"(?:captions?|subtitles?|subs|text|字幕)"
_EXTRAS = (  # what look_rules does not read: corners, animation, effects, other colours
    r"(?:animat\w*|bounc\w*|typewriter|glow\w*|neon|gradient|shadows?|outlines?|stroke|"
    r"left|right|corners?|sides?|black|purple|violet|gold(?:en)?|brown|gr[ae]y|silver|"
    r"magenta|rainbow)"
)

UNSUPPORTED: tuple[Feature, ...] = (
    Feature(
        "emotion",
        r"\b(?:excited|exciting|emotional|emotion|happier|happy|sad|angry|energetic|enthusiastic|"
        r"calm(?:er)?|whisper\w*|dramatic|cheerful|serious|warmer|friendlier|mood|"
        r"expressive|passionate|more (?:life|energy|feeling))\b|情绪|激动|兴奋|开心|感情|"
        r"温柔|热情|活泼|严肃|悲伤|生气|有感情|语气",
        ("change the voice's emotion", "改变声音的情绪"),
        (
            "I can make it slower or faster, or use another voice: /voices",
            "我可以让它慢一点或快一点，或换一个声音：/voices",
        ),
    ),
    Feature(
        "accent",
        r"\b(?:accent|british|american|australian|irish|scottish|indian)\b(?! english)|口音|腔调",
        ("change the accent", "改变口音"),
        ("I can use another installed voice: /voices", "我可以换一个已安装的声音：/voices"),
    ),
    Feature(
        "pitch",
        r"\b(?:pitch|deeper|higher voice|lower voice|robot\w*|echo|reverb|autotune)\b|音调|音高|"
        r"低沉|回声|混响",
        ("change the voice's pitch or effects", "改变声音的音调或效果"),
        (
            "I can use a male or female voice, or another installed voice: /voices",
            "我可以换男声或女声，或换一个已安装的声音：/voices",
        ),
    ),
    Feature(
        "voice_volume",
        r"\b(?:louder|quieter|volume)\b(?![^.]*music)|(?:声音|配音|旁白)(?:大|小)(?:一?点|些)",
        ("change the voice's volume", "改变配音的音量"),
        (
            "I can lower the original sound under the voice, replace it, or set the music: "
            "'music at 10%'",
            "我可以压低或替换原声，或调整背景音乐：“背景音乐 10%”",
        ),
    ),
    Feature(
        "logo",
        r"\b(?:logos?|watermarks?|brand(?:ing)?|stickers?|emojis?|overlays?|lower thirds?|"
        r"banner|frame around)\b|水印|标志|商标|贴纸|表情|图标|台标|边框",
        ("add logos, watermarks or overlays", "添加标志、水印或贴图"),
        (
            "I can burn captions in or change the aspect (9:16, 1:1, 16:9)",
            "我可以烧录字幕或改变画幅（9:16、1:1、16:9）",
        ),
    ),
    Feature(
        "font",
        r"\b(?:fonts?|typeface|bold|italic|serif|sans)\b|字体|粗体|斜体|字号",
        ("change fonts", "更换字体"),
        ("I can burn captions in or turn them off", "我可以烧录字幕或关闭字幕"),
    ),
    Feature(
        "titles",
        r"\b(?:title card|title|headline|intro|outro|end (?:card|screen)|credits roll|"
        r"call to action)\b|片头|片尾|标题|结尾画面",
        ("add titles, intros or outros", "添加标题、片头或片尾"),
        ("I can burn the script in as captions", "我可以把脚本烧录为字幕"),
    ),
    Feature(
        "cut",
        r"\b(?:trim|trimming|shorten|cut (?:out |off |away )?(?:the )?(?:first|last|beginning|"
        r"end|start|intro|middle|part|bit|scene|video|clip|\d+)|cut (?:it|the video) (?:down|"
        r"short)|"
        r"split|splice|remove the (?:first|last) \d+|jump cuts?|reorder|rearrange)\b"
        r"|剪掉|剪短|剪辑|裁掉前|删掉前|去掉前|截取|截掉|拆分|分割|剪一下",
        ("cut or trim the video", "剪辑或裁剪视频"),
        (
            "I can make the voice faster or slower to fit the video",
            "我可以让配音快一点或慢一点来配合视频",
        ),
    ),
    Feature(
        "fade",
        r"\b(?:fade(?:s|d)?(?: in| out)?|transitions?|dissolve|crossfade|wipe)\b|淡入|淡出|转场|"
        r"过渡",
        ("add fades or transitions", "添加淡入淡出或转场"),
        (
            "I can lower the original sound under the voice or change the music volume",
            "我可以压低原声或调整背景音乐音量",
        ),
    ),
    Feature(
        "noise",
        r"\b(?:noise|denoise|hiss|hum|wind|clean up the audio|enhance the audio|audio quality)\b"
        r"|降噪|噪音|杂音|底噪|风声|音质",
        ("remove noise", "降噪"),
        (
            "I can lower, keep or replace the original sound",
            "我可以压低、保留或替换原声",
        ),
    ),
    Feature(
        "translate",
        r"\b(?:translate|translation|translated)\b|翻译|译成|译为",
        ("translate the script", "翻译脚本"),
        (
            "send the script already translated and I'll read it with a voice of that language",
            "请发送翻译好的脚本，我会用该语言的声音朗读",
        ),
    ),
    Feature(
        "publish",
        r"\b(?:post|publish|upload|share|send)\w*\b[^.\n]{0,30}\b(?:to|on|onto) (?:my )?"
        r"(?:youtube|tiktok|instagram|facebook|twitter|linkedin|vimeo|reels|shorts|channel)\b|"
        r"\bschedul\w* (?:the |a |my )?(?:posts?|uploads?)\b|"
        r"(?:发布|发|上传|同步)到.{0,6}(?:抖音|快手|B站|哔哩哔哩|视频号|小红书|YouTube|油管)",
        ("post the video to YouTube, TikTok or other sites", "把视频发布到抖音、B站等平台"),
        (
            "I send the finished MP4 here (or a download link), ready for you to post",
            "我会把成片 MP4（或下载链接）发到这里，方便你发布",
        ),
    ),
    Feature(
        "resolution",
        r"\b(?:4k|8k|2k|720p|480p|1440p|resolution|bitrate|hdr|60 ?fps|frame ?rate|"
        r"higher quality|better quality|hd|gif|mp3|wav|webm|mov|avi|format)\b|分辨率|高清|画质|"
        r"码率|帧率|格式",
        ("change the resolution or file format", "改变分辨率或文件格式"),
        (
            "I make 1080p H.264 MP4s; I can change the aspect (9:16, 1:1, 16:9)",
            "我生成 1080p H.264 MP4；我可以改变画幅（9:16、1:1、16:9）",
        ),
    ),
    Feature(
        "look",
        r"\b(?:colou?r grad\w*|filters?|brightness|brighter|darker|contrast|saturation|sharpen|"
        r"blur|vintage|black and white|sepia|lut|stabili[sz]e|stabili[sz]ation|rotate|flip|"
        r"mirror|zoom(?: in| out)?|pan|ken burns|slow motion|slow-mo|timelapse|green screen|"
        r"background (?:removal|blur)|remove the background)\b"
        r"|滤镜|调色|亮度|对比度|饱和度|模糊|旋转|翻转|镜像|防抖|放大|缩小|慢动作|绿幕|抠图|美颜",
        ("change how the picture looks", "改变画面效果"),
        (
            "I can change the aspect (9:16, 1:1, 16:9) and crop or pad to it",
            "我可以改变画幅（9:16、1:1、16:9），并裁剪或留黑边",
        ),
    ),
    Feature(
        "music_choice",
        r"\b(?:(?:different|another|other|new|happy|upbeat|sad|epic|calm|chill|royalty[- ]free)"
        r" (?:song|music|track|tune|beat)|find (?:some |a )?music|pick (?:some |a )?music|"
        r"sound effects?|sfx)\b|换(?:一)?首|换个音乐|换音乐|音效|配乐风格|找(?:个|点)音乐",
        ("pick music for you", "替你挑选音乐"),
        (
            "send an audio file and it becomes the music; then 'music at 20%'",
            "发送一个音频文件即可作为背景音乐；然后说“背景音乐 20%”",
        ),
    ),
    Feature(
        "clone",
        r"\b(?:clone|cloned|cloning|my own voice|sound like me|my voice)\b|克隆|我的声音|"
        r"我自己的声音|模仿.{1,12}的?声音|"
        # someone's voice ("sound like morgan freeman"; "sound like a woman" is a voice choice)
        r"\b(?:sounds?|sounding) like (?!a\b|an\b|the\b|this\b|that\b|it\b)\w+|"
        r"\b(?:impersonat\w*|celebrity voice|famous (?:voice|person))",
        ("clone a voice", "克隆声音"),
        (
            "send your own recording (an audio file named narration…) and I'll use it as the "
            "narration",
            "发送你自己的录音（文件名含“旁白”或 narration 的音频）作为旁白",
        ),
    ),
    Feature(
        "thumbnail",
        r"\b(?:thumbnails?|cover (?:image|photo|picture)|poster)\b|封面|缩略图",
        ("make thumbnails", "制作封面"),
        ("I send the video with a preview frame", "我发送视频时会附带预览画面"),
    ),
    # Caption looks beyond the styles, positions, colours and sizes that look_rules reads.
    Feature(
        "caption_extras",
        rf"\b{_CAPS}\b[^.\n]{{0,24}}\b{_EXTRAS}\b|\b{_EXTRAS}\b[^.\n]{{0,12}}\b{_CAPS}\b|"
        r"字幕.{0,6}(?:动画|动效|特效|描边|阴影|发光|渐变|左|右|角|黑色|紫色|金色|灰色|彩虹)|"
        r"(?:动画|动态|黑色|紫色|金色|灰色|彩虹)(?:的)?字幕",
        (
            "style captions that way (corners, animation, shadows, other colours)",
            "这样设置字幕（角落、动画、阴影、其他颜色）",
        ),
        (
            "I can make karaoke, bold, boxed or minimal captions, at the top, middle or bottom, "
            "yellow, white, red, green, blue, cyan, pink or orange, bigger or smaller",
            "我可以做卡拉 OK、粗体、加底或简约字幕，放在顶部、中间或底部，用黄、白、红、绿、蓝、"
            "青、粉或橙色，放大或缩小",
        ),
    ),
    Feature(
        "lip_sync",
        r"\blip[- ]?sync\w*|\bmatch (?:the )?(?:lips|mouths?)\b|对口型|口型",
        ("move the lips to the new voice", "让口型对上新配音"),
        (
            "'revoice it' reads what the video says in a new voice, at the same times",
            "“重新配音”会用新的声音在原来的时间朗读视频里说的话",
        ),
    ),
    # --- This round's features (ROUND_FEATURES), being built now: when one lands, its row
    # goes and its phrases become rules of instruction_rules.RULES. ---------------------
    Feature(
        "pause",
        r"(?<![\[<])\b(?:pauses?|breaks?|silence|gaps?|breaths?|wait \d+ ?s(?:ec\w*)?)\b"
        r"|(?<!\[)停顿|暂停|停一下|空白|留白",  # not the script's own [pause] or <break>
        ("add pauses by message", "用消息添加停顿"),
        (
            "write [pause 2s] (or [停顿 2秒]) in the script where the silence goes",
            "在脚本里需要停顿的地方写 [停顿 2秒]（或 [pause 2s]）",
        ),
    ),
    Feature(
        "hold",
        r"\b(?:(?:hold|freeze)(?: on)?(?: the)? (?:frame|shot|last|first|image)\w*|"
        r"freeze[- ]frame)\b|定格(?!画面)|停留在|静帧",
        ("hold a chosen frame for a chosen time", "按指定时长定格某一帧"),
        (
            "'sync to the cuts' holds a shot while its paragraph finishes ('freeze the picture'"
            " or 'slow the video')",
            "“对齐镜头”会在段落未读完时停留在该镜头（“定格画面”或“放慢画面”）",
        ),
    ),
)

# The features being built this round (their rows are the last of UNSUPPORTED).
ROUND_FEATURES: frozenset[str] = frozenset()  # all of this round's have landed

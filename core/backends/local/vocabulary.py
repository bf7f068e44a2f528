"""The words the local engine reads a message by, beside its instruction rules
(instruction_rules.RULES) and the features it lacks (missing_features.UNSUPPORTED): how people
ask for things, how narration reads, how they chat, undo, and yes or no."""

from __future__ import annotations

import re

from core.words.api_text import API_ASKED

# Request forms: a message shaped like this asks for something (it is not narration).
REQUEST_START_EN = (
    r"^(?:please|pls|plz|can|could|would|will|i(?:'d| would)? (?:like|want|need)|i want|"
    r"make|add|remove|change|put|use|set|turn|give|let'?s|switch|move|get rid|delete|drop|"
    r"insert|apply|include|show|hide|do|try|fix|sync|transcribe|translate|trim|fade|export|"
    r"render|increase|decrease|lower|raise|replace|swap|adjust|place|enable|disable|have|"
    r"stabili[sz]e|rotate|flip|blur|zoom|speed|slow|crop|resize|convert|upscale|mute|"
    r"re-?voice|redub|clean|boost|generate|create|no|don'?t|without|less|more|cut|also|and|"
    r"highlight|animate|colou?r|style|align|match|hold|freeze|pause|caption|subtitle|brighten|"
    r"darken|sharpen|denoise|enhance|open|send|whisper|shout)\b"
)
REQUEST_ANY_EN = (
    r"\b(?:please|pls|can you|could you|would you|i want|i'd like|i would like|i need you|"
    r"is it possible|are you able|make (?:it|the|my)|how do i|let me)\b"
)
REQUEST_ZH = (
    r"把|给我|帮我|帮忙|能不能|能否|可不可以|可以.{0,6}吗|请|我想|我要|要求|麻烦|改成|换成|加个|"
    r"加上|加一|去掉|弄|让.{0,4}(?:更|变)|调整|调成|设置|一下|一点[。！!]?$"
)

# Small talk and questions, whole messages (they ask for no change).
SMALL_TALK: dict[str, str] = {
    "greeting": (
        r"\b(?:hi|hello|hey|yo|hiya|good (?:morning|afternoon|evening)|你好|您好|嗨|哈喽|在吗|"
        r"在不在)\b"
    ),
    "thanks": r"\b(?:thanks?|thank you|thx|ty|cheers|appreciate it)\b|谢谢|多谢|感谢|辛苦了",
    "ack": (
        r"\b(?:ok(?:ay)?|k|cool|great|nice|good|perfect|awesome|got it|sounds good|"
        r"looks good|lol|wow|amazing|fine|alright|sure|yes|yeah|yep|yup|no|nope|nah|"
        r"好的|好|行|可以|不错|很好|太棒了|是的|是|对|不是|不|"
        r"棒|厉害|收到|明白|了解|嗯|哦)\b"
    ),
}
TALK_FILLER = frozenset(
    [
        "so",
        "much",
        "a",
        "lot",
        "very",
        "you",
        "there",
        "again",
        "all",
        "guys",
        "man",
        "bot",
        "buddy",
        "friend",
        "it",
        "is",
        "this",
        "that",
        "looks",
        "sounds",
        "really",
        "for",
    ]
)
QUESTION_EN = (
    r"^(?:what|why|how|when|where|who|which|is|are|am|does|do|did|can|could|will|would|"
    r"should|may|have|has)\b|\?\s*$"
)
QUESTION_ZH = (
    r"吗[？?！!。]*$|呢[？?。]*$|什么|为什么|为啥|怎么|多久|多少|几[个分秒]|哪|是否|？\s*$"
)
# Asking about automating (the HTTP API, Zapier, n8n, webhooks): the routing table's words.
API_TALK = "|".join(
    rf"(?<![\w/]){re.escape(p)}(?!\w)" if p.isascii() else re.escape(p) for p in API_ASKED
)
# What a question is about → the answer (see answers.ANSWERS); the first that matches wins.
QUESTION_TOPICS: tuple[tuple[str, str], ...] = (
    ("api", API_TALK),
    ("cost", r"\b(?:cost|price|pay|charge|credits?|money|free)\b|钱|价格|收费|积分|费用|免费"),
    (
        "speed",
        r"\b(?:slow|long|time|fast|quick|wait|done|ready|finished)\b|慢|多久|时间|好了|完成|等",
    ),
    ("voices", r"\b(?:voices?|languages?|accents?|speakers?)\b|声音|语言|音色"),
    ("files", r"\b(?:formats?|files?|mp4|mov|size|upload|big)\b|格式|文件|上传|多大"),
)

# Narration cues: sentence shapes scripts have and requests rarely do.
NARRATION_EN = (
    r"\b(?:we|we're|we've|our|us|welcome|today|this is|meet|here'?s|there (?:is|are|was|were)|"
    r"it'?s|they|their|he|she|his|her|was|were|has been|have been|will be|every|"
    r"in this (?:video|episode|tutorial)|join us|don'?t forget|thanks for watching|"
    r"step (?:one|two|three|\d))\b"
)
NARRATION_ZH = (
    r"别忘了|记得|我们|欢迎|今天|这是|这里|大家|每[天个年]|第[一二三四五六七八九十\d]|已经|就是|"
    r"让我们|一起|他|她|它"
)

# Undo, and the answers to "Read this as the new script?".
UNDO = (
    r"^\s*(?:/?undo|undo (?:that|it|the last(?: change)?|please)|please undo|go back|撤销|撤回|"
    r"撤销上一步|返回上一步)\s*[.!。！]?\s*$"
)
YES = (
    r"^\s*(?:y|yes|yeah|yep|yup|sure|ok(?:ay)?|correct|right|do it|go ahead|是|是的|对|对的|好|"
    r"好的|确认|可以|嗯)\s*[.!。！]?\s*$"
)
NO = (
    r"^\s*(?:n|no|nope|nah|not that|don'?t|keep (?:the )?old(?: one)?|不|不是|不要|否|别|"
    r"算了)\s*[.!。！]?\s*$"
)

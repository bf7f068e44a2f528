"""What a user reads when speech recognition fails (issue 21), in English and Chinese; part
of core.words.errors' table."""

from __future__ import annotations

from core.error_codes import ErrorCode
from core.words.text import Bilingual

ASR_ERROR_TEXTS: dict[ErrorCode, Bilingual] = {
    ErrorCode.ASR_MODEL_BAD: Bilingual(
        "The speech recognition model {model} is damaged or changed ({reason}); I won't load "
        "it. Reinstall it: voiceover models install {name}.",
        "语音识别模型 {model} 已损坏或被改动（{reason}），不会加载。"
        "请重新安装：voiceover models install {name}。",
    ),
    ErrorCode.ASR_MODEL_MISSING: Bilingual(
        "The speech recognition model {name} (setting ASR_MODEL) is not installed. "
        "Install it with: voiceover models install {name}.",
        "语音识别模型 {name}（设置 ASR_MODEL）未安装。请安装：voiceover models install {name}。",
    ),
    ErrorCode.ASR_MODEL_INSTALL_FAILED: Bilingual(
        "I couldn't install the speech recognition model {name}: {reason}. "
        "Nothing was kept; try again.",
        "无法安装语音识别模型 {name}：{reason}。未保留任何文件，请重试。",
    ),
    ErrorCode.ASR_WRONG_LANGUAGE: Bilingual(
        "The speech in {name} doesn't sound like English ({evidence}), and the speech "
        "recognition model {model} understands only English. Set ASR_MODEL=small (after "
        "`voiceover models install small`) to hear other languages. No credits were used.",
        "{name} 中的语音听起来不是英语（{evidence}），而语音识别模型 {model} 只能识别英语。"
        "请先运行 `voiceover models install small`，再设置 ASR_MODEL=small。未扣除积分。",
    ),
    ErrorCode.NO_SPEECH: Bilingual(
        "I heard no speech in {name}. Send a video where someone talks.",
        "{name} 中没有听到语音。请发送有人说话的视频。",
    ),
}

"""Reasons inside error messages read in Chinese for a Chinese speaker: every reason written in
the code has its row in core/words/error_reasons.py, and real refusals come out in Chinese."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest

from core.backends.local.fetch import resolve_checked
from core.engine.validate import SPEED_RANGE, check_range
from core.engine.voices import normalize_gender
from core.errors import ErrorCode, VoiceoverError
from core.words.error_reasons import reason_zh
from core.words.errors import message_for

ROOT = Path(__file__).resolve().parents[1]
LITERAL = re.compile(r"""(?:reason=|_refuse\((?:name, )?|reason = |_BadFile\()f?"([^"]+)\"""")
CJK = re.compile(r"[\u4e00-\u9fff]")


def written_reasons() -> list[str]:
    """Every reason literal raised in core/ and bots/ ({fields} filled with a number)."""
    found = []
    for path in sorted(
        [*ROOT.joinpath("core").rglob("*.py"), *ROOT.joinpath("bots").rglob("*.py")]
    ):
        for match in LITERAL.finditer(path.read_text(encoding="utf-8")):
            if match.group(1).strip():
                found.append(re.sub(r"\{[^}]+\}", "7", match.group(1)))
    return found


def test_every_reason_in_the_code_reads_in_chinese() -> None:
    reasons = written_reasons()
    assert len(reasons) > 40  # the scan finds them
    assert [r for r in reasons if not CJK.search(reason_zh(r))] == []


def test_an_unknown_reason_is_kept() -> None:
    assert reason_zh("Invalid data found when processing input") == (
        "Invalid data found when processing input"
    )


def _zh(err: VoiceoverError) -> str:
    return err.message("zh")


async def test_real_refusals_in_chinese() -> None:
    with pytest.raises(VoiceoverError) as speed:
        check_range("speed", 5.0, SPEED_RANGE)
    assert _zh(speed.value) == "语速 不能是 5：必须在 0.5 到 2 之间。"
    assert speed.value.message("en") == "speed can't be 5: it must be between 0.5 and 2."
    with pytest.raises(VoiceoverError) as gender:
        normalize_gender("robot")
    assert _zh(gender.value) == "性别 不能是 robot：请用男声或女声。"
    with pytest.raises(VoiceoverError) as link:
        await resolve_checked(httpx.URL("http://127.0.0.1/clip.mp4"), allow_private=False)
    assert _zh(link.value) == (
        "无法获取该链接：它指向私有或本地网络地址。请发送公开的 http(s) 链接或文件本身。"
    )
    failed = message_for(
        ErrorCode.RENDER_FAILED, "zh", reason="the voice x_Y-z could not be loaded"
    )
    assert failed == "渲染失败（声音 x_Y-z 无法加载）。发送“导出”重试。"

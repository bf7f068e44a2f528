"""Chinese text as a narrator reads it: dates, times, percentages, currency and numbers in words.

Numbers are read with cn2an ("129.5" → 一百二十九点五); years, phone numbers and other long digit
strings digit by digit (2024 → 二零二四). Only the spoken text changes: captions keep the
original characters, and nothing is turned into pinyin.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from core.engine.textnorm_tables import ZH_CURRENCY

Reading = Callable[[re.Match[str]], str]

# Full-width digits and the marks that belong to numbers, as ASCII (punctuation stays as it is).
_FULL_WIDTH = str.maketrans("０１２３４５６７８９％＄", "0123456789%$")
_BETWEEN_DIGITS = re.compile(r"(?<=\d)[．：／－](?=\d)")
_ASCII_MARK = {"．": ".", "：": ":", "／": "/", "－": "-"}
_DECIMAL = r"\d+(?:\.\d+)?"
_SCALE = r"[万亿]?"
_DIGITS_ALONE = 11  # digit strings this long (phones, ids) are read digit by digit


def number(text: str) -> str:
    """A number in words (129.5 → 一百二十九点五); long or 0-led digit strings digit by digit."""
    if re.fullmatch(r"\d+", text) and (
        len(text) >= _DIGITS_ALONE or (len(text) > 1 and text[0] == "0")
    ):
        return digits(text)
    import cn2an  # on first use: 0.3 s of imports that English text never needs

    return str(cn2an.an2cn(text, "low"))


def digits(text: str) -> str:
    """Digits read one by one: 2024 → 二零二四."""
    import cn2an

    return str(cn2an.an2cn(text, "direct"))


def _date(m: re.Match[str]) -> str:
    year, month, day = m["y"], m["m"], m["d"]
    spoken = f"{digits(year)}年" if year else ""
    spoken += f"{number(str(int(month)))}月" if month else ""
    return spoken + (f"{number(str(int(day)))}日" if day else "")


def _time(m: re.Match[str]) -> str:
    hours, minutes, seconds = int(m["h"]), int(m["min"]), m["s"]
    spoken = f"{number(str(hours))}点"
    if minutes == 0 and not seconds:
        return spoken + "整"
    spoken += ("零" if minutes < 10 else "") + f"{number(str(minutes))}分"
    return spoken + (f"{number(str(int(seconds)))}秒" if seconds else "")


def _currency(m: re.Match[str]) -> str:
    return number(m["n"]) + m["scale"] + ZH_CURRENCY[m["sym"]]


_RULES: list[tuple[re.Pattern[str], Reading]] = [
    (re.compile(r"(\d),(?=\d{3}(?!\d))"), lambda m: m[1]),  # 1,299 → 1299
    (
        re.compile(r"(?<!\d)(?P<y>\d{4})[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})(?!\d)"),
        _date,
    ),
    (
        re.compile(r"(?:(?<!\d)(?P<y>\d{2,4})年)?(?P<m>\d{1,2})月(?:(?P<d>\d{1,2})[日号])?"),
        _date,
    ),
    (re.compile(r"(?<!\d)(?P<y>\d{4})年(?P<m>)(?P<d>)"), _date),
    (
        re.compile(
            r"(?<!\d)(?<!\d:)(?P<h>[01]?\d|2[0-3]):(?P<min>[0-5]\d)(?::(?P<s>[0-5]\d))?(?![\d:])"
        ),
        _time,
    ),
    (
        re.compile(r"((?<![0-9A-Za-z.])-)?(" + _DECIMAL + r")\s?%"),
        lambda m: ("负" if m[1] else "") + "百分之" + number(m[2]),
    ),
    (
        re.compile(r"(?P<sym>[¥￥$€£])\s?(?P<n>" + _DECIMAL + r")(?P<scale>" + _SCALE + ")"),
        _currency,
    ),
    (re.compile(r"(?<![0-9A-Za-z.])-(?=\d)"), lambda m: "负"),
    (re.compile(_DECIMAL), lambda m: number(m[0])),
    (re.compile(r"[&＆]"), lambda m: "和"),
    (re.compile(r"[*_#|^\\{}\[\]<>™®~]"), lambda m: " "),
]


def chinese(text: str) -> str:
    """Chinese text with numbers, dates, times, percentages and currency spelled out."""
    text = _BETWEEN_DIGITS.sub(lambda m: _ASCII_MARK[m[0]], text.translate(_FULL_WIDTH))
    for pattern, read in _RULES:
        text = pattern.sub(read, text)
    return text

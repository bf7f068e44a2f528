"""English narrator text: one ordered table of (pattern, reading) rules."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from core.engine import textnorm_numbers as num
from core.engine.textnorm_tables import (
    ABBREVIATIONS,
    CURRENCY_CODES,
    CURRENCY_SYMBOLS,
    MONTH_NAMES,
    MONTHS,
    PER_WORDS,
    SCALES,
    SENTENCE_ENDING,
    SPECIAL_TOKENS,
    SYMBOL_WORDS,
    TLDS,
    UNITS,
)

Reading = Callable[[re.Match[str]], str]
Rule = tuple[re.Pattern[str], Reading]

NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
START = r"(?<![\w.])"  # a number starts here (not inside a word or a decimal)


def alternation(words: Iterable[str]) -> str:
    """A regex alternation of the given strings, longest first."""
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


_SENTENCE_GOES_ON = re.compile(r"\s*$|\s+[A-Z\"“]")
_NEXT_WORD = re.compile(r"\s+([a-z]+)")


def _keeps_stop(m: re.Match[str]) -> str:
    """'.' when the match ends with a period that also ends the sentence, else ''."""
    ends_sentence = _SENTENCE_GOES_ON.match(m.string, m.end())
    return "." if m.group(0).endswith(".") and ends_sentence else ""


def _say_host(host: str) -> str:
    return " dot ".join(host.lower().split("."))


def _url(m: re.Match[str]) -> str:
    host, path = m.group("host"), (m.group("path") or "").strip("/")
    spoken = _say_host(host[4:] if host.lower().startswith("www.") else host)
    if path:
        spoken += " slash " + " slash ".join(p for p in path.split("/") if p)
    return re.sub(r"[-_]", " ", spoken)


_EMAIL_MARKS = {".": " dot ", "_": " underscore ", "-": " dash ", "+": " plus "}


def _email(m: re.Match[str]) -> str:
    user = re.sub(r"[._+-]", lambda c: _EMAIL_MARKS[c[0]], m.group("user"))
    return f"{user} at {_say_host(m.group('host'))}"


def _day_date(month: str, day: int, year: str | None) -> str:
    spoken = f"{month} {num.ordinal(day)}"
    return f"{spoken}, {num.year(int(year))}" if year else spoken


def _numeric_date(m: re.Match[str]) -> str:
    """ISO 2024-03-05 and US 3/5/2024 (day first when the first number exceeds 12)."""
    y, mo, d = int(m["y"]), int(m["mo"]), int(m["d"])
    if mo > 12 and d <= 12:
        mo, d = d, mo
    if not (1 <= mo <= 12 and 1 <= d <= 31):
        return m.group(0)
    return _day_date(MONTH_NAMES[mo - 1], d, str(y))


def _month(word: str) -> str:
    word = word.lower()
    return MONTHS["sept" if word.startswith("sept") else word[:3]]


def _month_day(m: re.Match[str]) -> str:
    """'March 5, 2024' -> 'March fifth, twenty twenty-four'."""
    day = int(m["day"])
    return _day_date(_month(m["month"]), day, m["year"]) if 1 <= day <= 31 else m.group(0)


def _day_month(m: re.Match[str]) -> str:
    """'5 March 2024' -> 'the fifth of March, twenty twenty-four'."""
    day = int(m["day"])
    if not 1 <= day <= 31:
        return m.group(0)
    article = (m["the"] or "the ").strip()
    spoken = f"{article} {num.ordinal(day)} of {_month(m['month'])}"
    return f"{spoken}, {num.year(int(m['year']))}" if m["year"] else spoken


def _time(m: re.Match[str]) -> str:
    hour, minute = int(m["h"]), int(m.groupdict().get("min") or 0)
    if hour > 24 or minute > 59:
        return m.group(0)
    return num.clock_time(hour, minute, m["ap"]) + _keeps_stop(m)


def _money(m: re.Match[str]) -> str:
    groups = m.groupdict()
    currency = CURRENCY_SYMBOLS.get(groups.get("sign") or "") or CURRENCY_CODES[groups["code"]]
    scale = (groups.get("scale") or "").strip()
    return num.money(m["amount"], currency, SCALES.get(scale, scale.lower()) or None)


def _unit(m: re.Match[str]) -> str:
    one, many = UNITS[m["unit"]]
    return f"{num.numeral(m['n'])} {one if m['n'] == '1' else many}"


def _abbreviation(m: re.Match[str]) -> str:
    written = m["abbr"]
    return ABBREVIATIONS[written] + (_keeps_stop(m) if written in SENTENCE_ENDING else "")


_VERBS_AFTER_YEAR = {"was", "is", "has", "as", "this", "his", "its", "thus", "plus", "always"}


def _number_or_year(m: re.Match[str]) -> str:
    """A year for 1100-2099 unless a plural noun follows ('2024 users'), else a number."""
    text = m.group(0)
    if len(text) == 4 and text.isdigit() and 1100 <= int(text) <= 2099:
        following = _NEXT_WORD.match(m.string, m.end())
        word = following.group(1) if following else ""
        if not word.endswith("s") or word in _VERBS_AFTER_YEAR:
            return num.year(int(text))
    return num.numeral(text)


def _slash(m: re.Match[str]) -> str:
    """'1/2' a fraction, '12/25' a date, '50/50' and '4.5/5' as said, else 'a slash b'."""
    top, bottom = m["top"], m["bottom"]
    if top == bottom:
        return f"{num.numeral(top)} {num.numeral(bottom)}"
    if "." in top:
        return f"{num.numeral(top)} out of {num.numeral(bottom)}"
    a, b = int(top), int(bottom)
    if b <= 10 or (a < b and b in (16, 32, 64, 100)):
        return num.fraction(a, b)
    if 1 <= a <= 12 and 1 <= b <= 31:
        return f"{MONTH_NAMES[a - 1]} {num.ordinal(b)}"
    return f"{num.cardinal(a)} slash {num.cardinal(b)}"


def _fixed(reading: str) -> Reading:
    return lambda m: reading


_MONTH = "|".join(MONTH_NAMES) + "|" + "|".join(k.capitalize() for k in MONTHS)
_SCALE = r"(?P<scale>\s?(?:thousand|million|billion|trillion)|k|K|M|mn|bn|B|T)"
_CODE = "|".join(CURRENCY_CODES)
_AMPM = r"(?P<ap>[AaPp]\.?[Mm]\.?)(?!\w)"
_YEAR = r"(?:,?\s+(?P<year>\d{4})\b)?"

# Applied in this order: each rule sees the text the rules before it produced.
RULES: list[tuple[str, Reading]] = [
    (r"\d{16,}", lambda m: f" {num.digits(m.group(0))} "),  # also keeps int() within its limit
    (
        r"(?<!\S)(?:" + alternation(SPECIAL_TOKENS) + r")(?=[\s,;:!?)]|$|\.\s|\.$)",
        lambda m: SPECIAL_TOKENS[m.group(0)] + _keeps_stop(m),
    ),
    (
        r"(?<![\w.+-])(?P<user>[\w.+-]{1,64})@(?P<host>[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){1,8})"
        r"(?![\w-])",
        _email,
    ),
    (
        r"\b(?:[Hh][Tt][Tt][Pp][Ss]?://|www\.)(?P<host>[\w-]+(?:\.[\w-]+)+)(?P<path>/[^\s?#]*?)?"
        r"(?:[?#]\S*?)?(?=[.,;:!?)]*(?:\s|$))",
        _url,
    ),
    (
        r"(?<![\w@./-])(?P<host>[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){0,8}\.(?:"
        + "|".join(TLDS)
        + r"))"
        r"(?P<path>/[\w/-]*)?(?![\w@])",
        _url,
    ),
    (
        r"(?<![\w-])(?:\+?1[-.\s])?\(?\d{3}\)?[-.\s]\d{3}[-.\s]\d{4}(?![\w-])",
        lambda m: ", ".join(num.digits(g) for g in re.findall(r"\d+", m.group(0))),
    ),
    (r"\b(?P<y>\d{4})-(?P<mo>\d{2})-(?P<d>\d{2})\b", _numeric_date),
    (r"\b(?P<mo>\d{1,2})/(?P<d>\d{1,2})/(?P<y>\d{4})\b", _numeric_date),
    (r"\b(?P<month>" + _MONTH + r")\.?\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?\b" + _YEAR, _month_day),
    (
        r"(?P<the>\b[Tt]he\s+)?\b(?P<day>\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<month>"
        + _MONTH
        + r")\b"
        + _YEAR,
        _day_month,
    ),
    (r"(?:(?<=\d)|(?<=[AaPp][Mm]))[-–](?=\d)", _fixed(" to ")),
    (r"(?<![\d:])(\d{1,2}):(\d)(?![\d:])", lambda m: f"{m[1]} to {m[2]}"),
    (r"\b(?P<h>\d{1,2}):(?P<min>\d{2})(?::\d{2})?(?:\s*" + _AMPM + ")?", _time),
    (r"\b(?P<h>\d{1,2})\s*" + _AMPM, _time),
    (
        r"(?<![\w$])(?P<sign>US\$|[$€£¥₹₩₽])\s?(?P<amount>" + NUM + ")" + _SCALE + r"?(?!\w)",
        _money,
    ),
    (r"\b(?P<code>" + _CODE + r")\s?(?P<amount>" + NUM + r")\b", _money),
    (START + r"(?P<amount>" + NUM + r")\s?(?P<code>" + _CODE + r")\b", _money),
    (START + r"(?P<amount>" + NUM + r")\s?(?P<sign>[€£¥₹])", _money),
    (r"/(?P<per>" + alternation(PER_WORDS) + r")\b", lambda m: " per " + PER_WORDS[m["per"]]),
    (r"(?<![\w.])([-−]?(?:" + NUM + r"))\s?%", lambda m: num.numeral(m[1]) + " percent"),
    (r"\b(1[1-9]|20)(\d0)s\b", lambda m: num.plural_year(int(m[1] + m[2]))),
    (r"[’'](\d)0s\b", lambda m: num.plural_year(int(m[1]) * 10)),
    (r"\b(\d+)(?:st|nd|rd|th)\b", lambda m: num.ordinal(int(m[1]))),
    (
        r"\b(\d+)\s+(\d+)/(\d+)\b",
        lambda m: f"{num.cardinal(int(m[1]))} and {num.fraction(int(m[2]), int(m[3]))}",
    ),
    (r"(?<![\w/.])(?P<top>\d+(?:\.\d+)?)/(?P<bottom>\d+)(?![\w/])", _slash),
    (START + r"(?P<n>" + NUM + r")\s?(?P<unit>" + alternation(UNITS) + r")(?![\w/])", _unit),
    (START + r"(\d+)x\b", lambda m: num.numeral(m[1]) + " times"),
    (r"(?:\bNo\.|#)\s?(?=\d)", _fixed("number ")),
    (r"\bSt\.(?=\s+[A-Z])", _fixed("Saint")),
    (
        r"(?<![\w.])(?P<abbr>" + alternation(ABBREVIATIONS) + r")(?:(?<=[./])|(?!\w))",
        _abbreviation,
    ),
    (
        r"(?<![\w.])\d+(?:\.\d+){2,}(?![\w.]|\.\d)",
        lambda m: " point ".join(num.numeral(p) for p in m.group(0).split(".")),
    ),
    (r"(?<![\w.])[-−]?(?:" + NUM + r")(?!\w)", _number_or_year),
    (r"\d+", lambda m: f" {num.numeral(m.group(0))} "),
    (r"\s[-–—]\s|[—–]", _fixed(", ")),
    (r"(?<=[A-Za-z])/(?=[A-Za-z])", _fixed(" ")),
    ("[" + re.escape("".join(SYMBOL_WORDS)) + "]", lambda m: SYMBOL_WORDS[m[0]]),
    (r"[*_#|^\\{}\[\]<>™®]", _fixed(" ")),
]

_COMPILED: list[Rule] = [(re.compile(pattern), reading) for pattern, reading in RULES]


def english(text: str) -> str:
    """English text with every rule of RULES applied in order."""
    for pattern, reading in _COMPILED:
        text = pattern.sub(reading, text)
    return text

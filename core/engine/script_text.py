"""Script bytes to clean text: the encoding policy, control characters, word counts."""

from __future__ import annotations

import codecs
import re
import unicodedata

import charset_normalizer

# BOMs, longest first (UTF-32 LE starts with the UTF-16 LE BOM).
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# Legacy encodings tried when the bytes are not UTF-8, most likely first: near-ties in
# charset-normalizer's "chaos" score go to the earlier one (short French text scores cp775 first).
LEGACY_ENCODINGS: tuple[str, ...] = (
    *("cp1252", "gb18030", "big5", "shift_jis", "euc_jp", "euc_kr", "cp1251", "koi8_r", "cp1250"),
    *("cp1253", "cp1254", "cp1255", "cp1256", "cp1257", "cp874"),
)
_CHAOS_TIE = 0.02
_MAX_CONTROL_SHARE = 0.05  # more control characters than this: binary, not a script
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ufeff\ufffe]")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af]")


def _decode(data: bytes, encoding: str, final: bool) -> str | None:
    try:
        return codecs.getincrementaldecoder(encoding)().decode(data, final=final)
    except UnicodeDecodeError:
        return None


def _guess_legacy(data: bytes) -> str | None:
    """The text in the likeliest legacy encoding, or None when none fits."""
    results = list(charset_normalizer.from_bytes(data, cp_isolation=list(LEGACY_ENCODINGS)))
    if not results:
        return None
    least = min(match.chaos for match in results)
    close = [match for match in results if match.chaos <= least + _CHAOS_TIE]
    rank = {name: i for i, name in enumerate(LEGACY_ENCODINGS)}
    return str(min(close, key=lambda match: rank.get(match.encoding, len(rank))))


def decode_script_bytes(data: bytes, *, final: bool = True) -> str | None:
    """Text from script bytes, or None when they are binary.

    UTF-8 (with or without BOM), UTF-16/32 with a BOM, otherwise charset-normalizer's best guess.
    With final=False, `data` may be a prefix cut in the middle of a character.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            text = _decode(data[len(bom) :], encoding, final)
            break
    else:
        if b"\x00" in data:
            return None
        text = _decode(data, "utf-8", final)
        if text is None:
            text = _guess_legacy(data)
    if text is None:
        return None
    controls = len(re.findall(r"[\x00-\x08\x0e-\x1f\x7f]", text))
    return None if controls > _MAX_CONTROL_SHARE * max(len(text), 1) else text


def clean_text(text: str) -> str:
    """NFC, newlines as \\n, control characters (but \\n and \\t) and stray BOMs dropped."""
    text = unicodedata.normalize("NFC", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n")
    text = text.replace("\u2029", "\n\n").replace("\f", "\n\n").replace("\v", "\n")
    return _CONTROL.sub("", text)


def cjk_characters(text: str) -> int:
    """How many CJK characters (Han, kana, hangul) the text has: each is read as one word."""
    return len(_CJK.findall(text))


def spaced_words(text: str) -> list[str]:
    """The whitespace-separated words of the text, CJK characters taken out (they stand alone)."""
    return _CJK.sub(" ", text).split()


def count_words(text: str) -> int:
    """Words as a narrator counts them: whitespace-separated, each CJK character one word."""
    return cjk_characters(text) + len(spaced_words(text))

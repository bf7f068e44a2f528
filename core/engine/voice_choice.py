"""The voice for a script: an explicit request wins, else the script's own language decides.

When no installed voice speaks the script's language the render is refused with the command that
installs one; a script is never read by a voice of another language.
"""

from __future__ import annotations

from collections.abc import Sequence

from core.engine.catalog import suggested_voice
from core.engine.language_id import detect_language, dominant_language
from core.engine.model import Script, VoiceInfo
from core.engine.voices import DEFAULT_VOICE_ID, choose_voice, normalize_language, voice_words
from core.errors import ErrorCode, VoiceoverError
from core.words.languages import LANGUAGES, language_words, languages_words
from core.words.notes import Note, join_notes
from core.words.text import Bilingual

_NONE = Bilingual("none", "无")
SURE = 0.7  # leave the default voice's language only when this sure; else it reads, with a note
MIXED_SHARE = 0.2  # another language above this share of the script is named in the note


def choose_voice_for(
    script: Script | str | Sequence[str],
    voices: Sequence[VoiceInfo],
    *,
    voice_id: str | None = None,
    language: str | None = None,
    gender: str | None = None,
    default_id: str = DEFAULT_VOICE_ID,
    mixed: bool = True,
) -> tuple[VoiceInfo, Note | None]:
    """The voice to read `script` and a note when the request was not met exactly (and, with
    `mixed`, naming other languages that make up a real share of the script)."""
    if voice_id:
        return choose_voice(voices, voice_id=voice_id, gender=gender, default_id=default_id)
    if language:
        return for_language(voices, language, gender, default_id)
    texts = script_texts(script)
    detected, weights = dominant_language(texts)
    default, _ = choose_voice(voices, default_id=default_id)
    if detected is None or detected == default.language_code:
        voice, note = choose_voice(voices, gender=gender, default_id=default_id)
        return voice, _with_mixed_note(note, voice, weights) if mixed else note
    whole = detect_language(" ".join(texts))
    if whole is None or whole.language != detected or whole.confidence < SURE:
        voice, note = choose_voice(voices, gender=gender, default_id=default_id)
        fields = {"language": language_words(detected), "voice": voice_words(voice)}
        return voice, join_notes(note, Note("language_unsure", fields))
    voice, note = for_language(voices, detected, gender, default_id)
    return voice, _with_mixed_note(note, voice, weights) if mixed else note


def script_texts(script: Script | str | Sequence[str]) -> list[str]:
    """The segments of a script: its cues, a text's paragraphs, or the given strings."""
    if isinstance(script, Script):
        return [cue.text for cue in script.cues]
    if isinstance(script, str):
        return [p for p in script.split("\n\n") if p.strip()]
    return list(script)


def for_language(
    voices: Sequence[VoiceInfo], language: str, gender: str | None, default_id: str
) -> tuple[VoiceInfo, Note | None]:
    """The best installed voice for a language, or the refusal naming how to install one."""
    try:
        return choose_voice(voices, language=language, gender=gender, default_id=default_id)
    except VoiceoverError as exc:
        if exc.code is not ErrorCode.NO_VOICE_FOR_LANGUAGE or not voices:
            raise
        raise no_voice_error(language, voices, gender) from exc


def no_voice_error(
    language: str, voices: Sequence[VoiceInfo], gender: str | None = None
) -> VoiceoverError:
    """NO_VOICE_FOR_LANGUAGE naming the language and the command that installs a voice for it."""
    code, _ = normalize_language(language)
    install, install_zh = install_hint(language, gender)
    return VoiceoverError(
        ErrorCode.NO_VOICE_FOR_LANGUAGE,
        language=language_words(code) if code in LANGUAGES else language.strip(),
        available=languages_words([v.language for v in voices]) if voices else _NONE,
        install=install,
        install_zh=install_zh,
    )


def install_hint(language: str, gender: str | None = None) -> tuple[str, str]:
    """How to install a voice for a language (and gender), in English and Chinese."""
    key = suggested_voice(language, gender)
    if key:
        command = f"voices install {key}"
        install = f" Install one with `voiceover {command}` (in chat: /{command})."
        return install, f"安装命令：`voiceover {command}`（聊天中：/{command}）。"
    listing = f"voiceover voices available --language {normalize_language(language)[0]}"
    install = f" See `{listing}` (in chat: /voices available) for one to install."
    return install, f"可用 `{listing}`（聊天中：/voices available）查找可安装的声音。"


def _with_mixed_note(note: Note | None, voice: VoiceInfo, weights: dict[str, int]) -> Note | None:
    """The note, plus a line naming other languages that make up a real share of the script."""
    total = sum(weights.values())
    others = [
        code
        for code, weight in weights.items()
        if code != voice.language_code and total and weight / total >= MIXED_SHARE
    ]
    if not others:
        return note
    fields = {"languages": languages_in_order(others), "voice": voice_words(voice)}
    return join_notes(note, Note("mixed_languages", fields))


def languages_in_order(codes: list[str]) -> Bilingual:
    """Languages named in the order given (most of the script first)."""
    words = [language_words(code) for code in codes]
    return Bilingual(", ".join(w.en for w in words), "、".join(w.zh for w in words))

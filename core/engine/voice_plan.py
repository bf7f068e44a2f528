"""Which voice reads each segment: the main voice, a voice of a segment's own language, or a
speaker's voice.

- The main voice is `choose_voice_for`'s (an explicit voice or language wins, else the script's
  language).
- Without an explicit voice or language, a segment (paragraph or cue) detected as another
  language (confidence ≥ SEGMENT_SURE, at least MIN_LETTERS) is read by an installed voice of that
  language. A language with no installed voice is refused when it makes up at least
  MIXED_SHARE of the script; smaller bits are read by the main voice, with a note.
- Speaker labels: a label the options give a voice request ("male", "female", a language or a
  voice id) gets an installed voice that meets it exactly, else SPEAKER_VOICE; the others get
  distinct installed voices of their language when there are enough for all of them (the first
  label the main voice), else the main voice.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from core.engine.language_id import detect_segments, text_weight
from core.engine.model import RenderOptions, Script, VoiceInfo
from core.engine.speakers import script_speakers
from core.engine.voice_choice import (
    MIXED_SHARE,
    choose_voice_for,
    install_hint,
    languages_in_order,
    no_voice_error,
)
from core.engine.voices import (
    DEFAULT_VOICE_ID,
    GENDER_WORDS,
    choose_voice,
    normalize_language,
    voice_words,
)
from core.errors import ErrorCode, VoiceoverError
from core.words.languages import LANGUAGES, language_name
from core.words.notes import Note, join_notes

MIN_LETTERS = 12  # a shorter segment keeps the main voice (its language is a guess)
# A segment leaves the main voice (or is refused) only when this sure: a list of Italian dishes
# in an English script scores ~0.7 as Italian, a real Italian sentence 0.98 or more.
SEGMENT_SURE = 0.9
GENDER_ZH = {"male": "男声", "female": "女声"}


@dataclass(frozen=True)
class VoicePlan:
    """The main voice, a note for the user, and the voice of each cue of the script."""

    main: VoiceInfo
    note: Note | None
    cue_voices: tuple[VoiceInfo, ...]

    @property
    def voices(self) -> list[VoiceInfo]:
        """The distinct voices used, the main one first."""
        return list({v.id: v for v in (self.main, *self.cue_voices)}.values())


def plan_voices(
    script: Script,
    voices: Sequence[VoiceInfo],
    options: RenderOptions,
    default_id: str = DEFAULT_VOICE_ID,
) -> VoicePlan:
    """The voice of every cue, or the refusal (NO_VOICE_FOR_LANGUAGE, SPEAKER_VOICE, …)."""
    main, note = choose_voice_for(
        script,
        voices,
        voice_id=options.voice,
        language=options.language,
        gender=options.gender,
        default_id=default_id,
        mixed=False,
    )
    by_cue = [main] * len(script.cues)
    if not (options.voice or options.language):
        by_cue, mixed = _by_language(script, voices, main, options.gender, default_id)
        note = join_notes(note, mixed)
    speakers = _speaker_voices(script, voices, main, by_cue, options)
    cue_voices = tuple(
        speakers[cue.speaker] if cue.speaker else voice
        for cue, voice in zip(script.cues, by_cue, strict=True)
    )
    return VoicePlan(main, note, cue_voices)


def _by_language(
    script: Script,
    voices: Sequence[VoiceInfo],
    main: VoiceInfo,
    gender: str | None,
    default_id: str,
) -> tuple[list[VoiceInfo], Note | None]:
    """Per cue, a voice of its language when sure and installed; the refusal or a note for
    languages without one."""
    texts = [cue.text for cue in script.cues]
    total = sum(text_weight(t) for t in texts) or 1
    missing: Counter[str] = Counter()
    chosen: list[VoiceInfo] = []
    for text, found in zip(texts, detect_segments(texts), strict=True):
        weight = text_weight(text)
        sure = found is not None and found.confidence >= SEGMENT_SURE and weight >= MIN_LETTERS
        if found is None or not sure or found.language == main.language_code:
            chosen.append(main)
            continue
        try:
            voice, _ = choose_voice(
                voices, language=found.language, gender=gender, default_id=default_id
            )
        except VoiceoverError as exc:
            if exc.code is not ErrorCode.NO_VOICE_FOR_LANGUAGE:
                raise
            missing[found.language] += weight
            voice = main
        chosen.append(voice)
    for language, weight in missing.items():
        if weight / total >= MIXED_SHARE:
            raise no_voice_error(language, voices, gender)
    if not missing:
        return chosen, None
    fields = {"languages": languages_in_order(list(missing)), "voice": voice_words(main)}
    return chosen, Note("mixed_parts", fields)


def _speaker_voices(
    script: Script,
    voices: Sequence[VoiceInfo],
    main: VoiceInfo,
    by_cue: Sequence[VoiceInfo],
    options: RenderOptions,
) -> dict[str, VoiceInfo]:
    """The voice of every speaker label of the script."""
    labels = script_speakers(script.cues)
    asked = {label.casefold(): want for label, want in options.speakers}
    base = {label: _label_voice(script, by_cue, label, main) for label in labels}
    chosen = {
        label: asked_voice(label, asked[label.casefold()], voices, base[label])
        for label in labels
        if label.casefold() in asked
    }
    rest = [label for label in labels if label not in chosen]
    for language in dict.fromkeys(base[label].language_code for label in rest):
        group = [label for label in rest if base[label].language_code == language]
        first = base[group[0]]
        taken = {v.id for v in chosen.values()}
        pool = [first, *(v for v in voices if v.language_code == language and v.id != first.id)]
        pool = [v for v in pool if v.id not in taken]
        if options.gender:
            pool.sort(key=lambda v: v.gender != options.gender)
        enough = len(pool) >= len(group)
        chosen.update({label: pool[n] if enough else first for n, label in enumerate(group)})
    return chosen


def _label_voice(
    script: Script, by_cue: Sequence[VoiceInfo], label: str, main: VoiceInfo
) -> VoiceInfo:
    """The voice a label's lines would get by their language (the one most of them get)."""
    mine = [v for cue, v in zip(script.cues, by_cue, strict=True) if cue.speaker == label]
    if not mine:
        return main
    ids = Counter(v.id for v in mine)
    return next(v for v in mine if v.id == ids.most_common(1)[0][0])


def speaker_request(want: str) -> tuple[str, str]:
    """A speaker's voice request as ("gender" | "language" | "voice", value)."""
    cleaned = want.strip()
    gender = GENDER_WORDS.get(cleaned.lower())
    if gender:
        return "gender", gender
    code, region = normalize_language(cleaned)
    if code in LANGUAGES:
        return "language", f"{code}_{region}" if region else code
    return "voice", cleaned


def asked_voice(label: str, want: str, voices: Sequence[VoiceInfo], base: VoiceInfo) -> VoiceInfo:
    """The installed voice that gives `label` what was asked, or SPEAKER_VOICE."""
    kind, value = speaker_request(want)
    language = value if kind == "language" else base.language_code
    if kind == "voice":
        found = [v for v in voices if value.lower() in (v.id.lower(), v.name.lower())]
    else:
        found = [v for v in voices if v.language_code == normalize_language(language)[0]]
        if kind == "language" and "_" in value:
            found = [v for v in found if v.language == value] or found
        if kind == "gender":
            found = [v for v in found if v.gender == value]
    if found:
        return base if base in found else found[0]
    raise _speaker_refusal(label, kind, value, language)


def _speaker_refusal(label: str, kind: str, value: str, language: str) -> VoiceoverError:
    """SPEAKER_VOICE for a label: what it asked for, and how to get such a voice."""
    if kind == "voice":
        return VoiceoverError(
            ErrorCode.SPEAKER_VOICE,
            speaker=label,
            wanted=value,
            wanted_zh=value,
            install=" Send /voices to see the installed ones.",
            install_zh="发送 /voices 查看已安装的声音。",
        )
    gender = value if kind == "gender" else None
    install, install_zh = install_hint(language, gender)
    name = language_name(language)
    return VoiceoverError(
        ErrorCode.SPEAKER_VOICE,
        speaker=label,
        wanted=f"{gender} {name}" if gender else name,
        wanted_zh=GENDER_ZH[gender] if gender else name,
        install=install,
        install_zh=install_zh,
    )

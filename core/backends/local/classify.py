"""What a message to the local engine is: an instruction, a script, a question or small talk,
or a request for something it cannot do. The rule table and vocabulary (data) give the
signals; one scoring function (`score`) weighs them with the project's state. No model."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache
from typing import Any

from core.backends.local.instructions import instruction_only, parse, rule_spans
from core.backends.local.missing_features import UNSUPPORTED, Feature
from core.backends.local.vocabulary import (
    API_TALK,
    NARRATION_EN,
    NARRATION_ZH,
    NO,
    QUESTION_EN,
    QUESTION_TOPICS,
    QUESTION_ZH,
    REQUEST_ANY_EN,
    REQUEST_START_EN,
    REQUEST_ZH,
    SMALL_TALK,
    TALK_FILLER,
    UNDO,
    YES,
)


class Kind(StrEnum):
    INSTRUCTION = "instruction"  # options to change (maybe with a script, maybe with `missing`)
    SCRIPT = "script"  # narration text
    CHAT = "chat"  # a question or small talk: answer, change nothing
    UNSUPPORTED = "unsupported"  # a request we can't do: say so, change nothing
    UNDO = "undo"
    YES = "yes"  # answers to "Read this as the new script?"
    NO = "no"


@dataclass(frozen=True)
class State:
    """What the project holds when the message arrives."""

    has_script: bool = False
    has_media: bool = False
    pending: bool = False  # a "Read this as the new script?" waits for its answer


@dataclass
class Reading:
    """What a message was read as."""

    kind: Kind
    changes: dict[str, Any] = field(default_factory=dict)
    script: str | None = None
    missing: tuple[Feature, ...] = ()  # features asked for that we lack
    confirm: bool = False  # a script, but ask before taking it
    topic: str = "help"  # for CHAT: which answer
    scores: dict[str, float] = field(default_factory=dict)


# Signal → weight per outcome (script, chat, unsupported). A signal's value is 0/1 or a count.
WEIGHTS: dict[str, tuple[float, float, float]] = {
    "bias": (0.5, 0.0, 0.0),
    "words": (0.25, 0.0, 0.0),  # per word, up to 12 (CJK: two characters a word)
    "short": (0.0, 0.5, 0.5),  # at most 8 words
    "long": (1.0, -1.0, -2.0),  # more than 12 words: requests are rarely this long
    "sentences": (0.7, -0.5, -0.6),  # per sentence after the first, up to 3
    "narration": (0.8, -0.3, -0.6),  # per narration cue (we, our, welcome, 我们…), up to 3
    "declarative": (0.6, 0.0, -0.2),  # ends with . ! 。！ or a closing quote
    "quoted": (1.5, 0.0, -1.0),
    "request": (-1.5, -0.5, 1.0),  # a request form: "can you", "make", "请", "把"…
    "question": (-2.0, 2.0, 0.0),
    "vocabulary": (-1.5, -1.5, 2.0),  # per feature we lack that it names, up to 2
    "small_talk": (-3.0, 4.0, -1.0),  # nothing but greetings, thanks, "ok", emoji
    "api": (-2.0, 2.5, 0.0),  # asks about automating: the API, Zapier, n8n, webhooks
    "no_script": (1.0, 0.0, 0.0),  # the project has no script yet: text is likely one
    "waiting": (0.5, 0.0, 0.0),  # it has a video and no script: the bot asked for one
}
OUTCOMES = (Kind.SCRIPT, Kind.CHAT, Kind.UNSUPPORTED)
CONFIRM_MARGIN = 1.5  # a script that wins by less than this (with a script already) is asked
CONFIRM_WORDS = 6  # so is a shorter one
CLAUSE_WORDS = 60  # longer messages are not lists of requests: not read clause by clause
LOOK_CHARS = 600  # features we lack are looked for in a message's start (a script is long)
_CLAUSES = r"[,，;；、\n]|\s(?:and|then|also|plus)\s|再|然后|并且|还要|同时|另外"


@lru_cache(maxsize=128)
def _rx(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


def _count(pattern: str, text: str) -> int:
    return len(_rx(pattern).findall(text))


def words_in(text: str) -> float:
    """Words, counting two CJK characters as one."""
    cjk = len(re.findall(r"[\u4e00-\u9fff]", text))
    return len(re.findall(r"[A-Za-z0-9'’-]+", text)) + cjk / 2


def lacking(text: str) -> tuple[Feature, ...]:
    """The features we lack that the text names (in table order), except words that are part
    of a supported instruction ("music louder" asks for no voice volume)."""
    spans = rule_spans(text)

    def named(feature: Feature) -> bool:
        return any(
            not any(a <= m.start() and m.end() <= b for a, b in spans)
            for m in _rx(feature.words).finditer(text)
        )

    return tuple(f for f in UNSUPPORTED if named(f))


def small_talk(text: str) -> bool:
    """Nothing but small talk: greetings, thanks, "ok", emoji (and a few filler words)."""
    rest = text
    for pattern in SMALL_TALK.values():
        rest = _rx(pattern).sub(" ", rest)
    words = [w for w in re.findall(r"[^\W\d_]+", rest) if w.lower() not in TALK_FILLER]
    return (
        not words and len(re.findall(r"[\u4e00-\u9fff]", rest)) == 0 or not re.search(r"\w", text)
    )


def signals(text: str, state: State, missing: tuple[Feature, ...]) -> dict[str, float]:
    """The message's signals, by name (WEIGHTS' keys); a long text by its start and end (every
    signal is capped long before)."""
    body = text.strip()
    if len(body) > LOOK_CHARS:
        body = f"{body[:LOOK_CHARS]}\n{body[-LOOK_CHARS // 8 :]}"
    size = words_in(body)
    ends = re.findall(r"[.!?。！？](?=\s*\S)|\n\s*\n", body)
    talk = small_talk(body)
    narration = _count(NARRATION_EN, body) + _count(NARRATION_ZH, body)
    return {
        "bias": 1.0,
        "words": min(size, 12.0),
        "short": float(size <= 8),
        "long": float(size > 12),
        "sentences": float(min(len(ends), 3)),
        "narration": float(min(narration, 3)),
        "declarative": float(bool(re.search(r"[.!。！\"”」]\s*$", body))),
        "quoted": float(bool(re.match(r"^[\"“「『']", body))),
        "request": float(
            bool(
                _rx(REQUEST_START_EN).search(body)
                or _rx(REQUEST_ANY_EN).search(body)
                or _rx(REQUEST_ZH).search(body)
            )
        ),
        "question": float(bool(_rx(QUESTION_EN).search(body) or _rx(QUESTION_ZH).search(body))),
        "vocabulary": float(min(len(missing), 2)),
        "small_talk": float(talk),
        "api": float(bool(_rx(API_TALK).search(body)) and not narration),  # not a product's
        "no_script": float(not state.has_script),
        "waiting": float(state.has_media and not state.has_script),
    }


def score(values: dict[str, float]) -> dict[Kind, float]:
    """Each outcome's score: the sum of its weights times the signals' values."""
    return {
        kind: sum(WEIGHTS[name][i] * value for name, value in values.items())
        for i, kind in enumerate(OUTCOMES)
    }


@dataclass(frozen=True)
class Clauses:
    """A message read clause by clause: the known changes, the features we lack that it asks
    for, and whether some clause is neither (then it is not a list of requests)."""

    changes: dict[str, Any]
    missing: tuple[Feature, ...]
    other: bool


def clauses(text: str) -> Clauses:
    """Each clause ("slower", "and add a logo") as an instruction or a request we lack; a rule's
    words inside a request we lack ("translate it to German") do not make it an instruction."""
    changes: dict[str, Any] = {}
    missing: list[Feature] = []
    other = False
    for clause in (c.strip() for c in re.split(_CLAUSES, text) if c and c.strip()):
        lacks = lacking(clause)
        found = {} if lacks else instruction_only(clause, slack=3)
        if "speakers" in found and "speakers" in changes:  # "A is male, B is female"
            found["speakers"] = {**found["speakers"], **changes["speakers"]}
            del changes["speakers"]
        if found:
            changes.update({k: v for k, v in found.items() if k not in changes})
        missing += [f for f in lacks if f not in missing]
        other = other or not (found or lacks) and words_in(clause) > 1
    return Clauses(changes, tuple(missing), other)


def _topic(text: str) -> str:
    for name, pattern in SMALL_TALK.items():
        if small_talk(text) and _rx(pattern).search(text):
            return name
    if small_talk(text):
        return "ack"
    return next((name for name, pattern in QUESTION_TOPICS if _rx(pattern).search(text)), "help")


def classify(text: str, state: State) -> Reading:
    """Read one message: undo, an answer to a pending question, instructions (all, or mixed
    with requests we lack), else the best-scoring of script, chat and unsupported."""
    body = text.strip()
    if _rx(UNDO).match(body):
        return Reading(Kind.UNDO)
    if state.pending and _rx(YES).match(body):
        return Reading(Kind.YES)
    if state.pending and _rx(NO).match(body):
        return Reading(Kind.NO)
    found = parse(body)
    if found.any and found.script is not None:  # instructions, then the script
        return Reading(Kind.INSTRUCTION, found.changes, found.script)
    short = len(body) <= LOOK_CHARS and words_in(body) <= CLAUSE_WORDS
    parts = clauses(body) if short else Clauses({}, (), True)
    if parts.changes and not parts.other:  # instructions, maybe with requests we lack
        return Reading(Kind.INSTRUCTION, parts.changes, None, parts.missing)
    missing = lacking(body[:LOOK_CHARS])
    scores = score(signals(body, state, missing))
    best = max(OUTCOMES, key=lambda kind: scores[kind])
    named = {str(k): round(v, 2) for k, v in scores.items()}
    if best is Kind.SCRIPT:
        return Reading(Kind.SCRIPT, script=body, confirm=_ask(body, state, scores), scores=named)
    if best is Kind.CHAT:
        return Reading(Kind.CHAT, topic=_topic(body), scores=named)
    return Reading(Kind.UNSUPPORTED, missing=missing, scores=named)


def _ask(text: str, state: State, scores: dict[Kind, float]) -> bool:
    """Ask before a script replaces the one there: when it is short or won narrowly."""
    if not state.has_script:
        return False
    margin = scores[Kind.SCRIPT] - max(scores[Kind.CHAT], scores[Kind.UNSUPPORTED])
    return words_in(text) < CONFIRM_WORDS or margin < CONFIRM_MARGIN


def _unexplained(text: str) -> str:
    """The clauses of text that are not instructions."""
    clauses = [c for c in re.split(_CLAUSES, text) if c and c.strip()]
    return " ".join(c for c in clauses if not instruction_only(c.strip(), slack=2))

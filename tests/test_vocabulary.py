"""One vocabulary: every option a chat message can set has a phrase in English and Chinese in
the rule table, /help is made from it, and no 'can't do yet' row claims a supported phrase."""

from __future__ import annotations

from dataclasses import fields

import pytest

from core.backends.local.classify import Kind, State, classify, lacking
from core.backends.local.instruction_rules import RULES, SPEAKER_EXAMPLES
from core.backends.local.instructions import examples, parse
from core.backends.local.missing_features import ROUND_FEATURES, UNSUPPORTED
from core.chat.help_text import help_text
from core.engine.model import RenderOptions

# The rule fields that set each option (relative changes count for the option they change).
SETS: dict[str, tuple[str, ...]] = {
    "speed": ("speed", "speed_delta"),
    "music_volume": ("music_volume", "music_delta"),
    "caption_scale": ("caption_scale_delta",),
}
STATES = (State(), State(has_media=True), State(has_script=True, has_media=True))


@pytest.mark.parametrize("option", [f.name for f in fields(RenderOptions)])
@pytest.mark.parametrize("side", [0, 1], ids=["en", "zh"])
def test_every_option_has_a_phrase_in_both_languages(option: str, side: int) -> None:
    if option == "speakers":
        said = [SPEAKER_EXAMPLES[side]]
    else:
        wanted = SETS.get(option, (option,))
        said = [rule.say[side] for rule in RULES if rule.field in wanted and rule.say[side]]
    assert said, f"no {('English', 'Chinese')[side]} phrase sets {option}"
    for phrase in said:
        changes = parse(phrase).changes
        assert set(changes) & set(SETS.get(option, (option,))), (phrase, changes)


@pytest.mark.parametrize("language", ["en", "zh"])
def test_help_lists_every_example(language: str) -> None:
    text = help_text(language)
    assert all(example in text for example in examples(language))


@pytest.mark.parametrize("phrase", examples("en") + examples("zh"))
def test_every_example_is_read_as_an_instruction_and_claimed_by_no_missing_feature(
    phrase: str,
) -> None:
    assert lacking(phrase) == ()
    for state in STATES:
        reading = classify(phrase, state)
        assert reading.kind is Kind.INSTRUCTION and not reading.missing, (phrase, state)


def test_this_rounds_features_are_rows_of_the_missing_vocabulary() -> None:
    keys = [feature.key for feature in UNSUPPORTED]
    assert set(keys) >= ROUND_FEATURES and len(keys) == len(set(keys))
    for feature in UNSUPPORTED:
        assert all(feature.what) and all(feature.instead), feature.key

"""Narrator text: what normalize_for_speech reads aloud, and how split_sentences cuts."""

from __future__ import annotations

import pytest

from core.engine.textnorm import normalize_for_speech, split_sentences

READINGS = [
    # money
    (
        "It costs $1,299.99 today.",
        "It costs one thousand two hundred ninety-nine dollars and ninety-nine cents today.",
    ),
    ("$0.99, $1 and $1.50", "ninety-nine cents, one dollar and one dollar and fifty cents"),
    ("€20, £5 and ¥100.", "twenty euros, five pounds and one hundred yen."),
    ("$1.5 million and $5k", "one point five million dollars and five thousand dollars"),
    ("100 USD or EUR 3", "one hundred US dollars or three euros"),
    # percentages, ordinals, decimals, fractions
    ("Up 45% this year.", "Up forty-five percent this year."),
    ("She came 3rd and he 21st.", "She came third and he twenty-first."),
    ("Pi is 3.14, not 1.5.", "Pi is three point one four, not one point five."),
    (
        "Add 1/2 cup, 3/4 cup and 2/3 of it.",
        "Add one half cup, three quarters cup and two thirds of it.",
    ),
    ("1,000,000 people", "one million people"),
    ("Agent 007", "Agent zero zero seven"),
    ("It is -5 outside.", "It is minus five outside."),
    # years and dates
    ("Founded in 2024.", "Founded in twenty twenty-four."),
    ("I have 2024 users.", "I have two thousand twenty-four users."),
    ("In the 1990s and '80s.", "In the nineteen nineties and eighties."),
    ("On March 5, 2024 we launched.", "On March fifth, twenty twenty-four we launched."),
    ("Released 2024-03-05.", "Released March fifth, twenty twenty-four."),
    ("Due 3/5/2024.", "Due March fifth, twenty twenty-four."),
    ("Since 5 March 2024.", "Since the fifth of March, twenty twenty-four."),
    ("Sep. 3rd", "September third"),
    ("From 2020-2024.", "From twenty twenty to twenty twenty-four."),
    ("On the 2nd of May. The 5th of June.", "On the second of May. The fifth of June."),
    ("Due 12/25.", "Due December twenty-fifth."),
    # times
    ("Meet at 10:30 am.", "Meet at ten thirty a m."),
    ("Meet at 7pm or 9 a.m. Then go.", "Meet at seven p m or nine a m. Then go."),
    ("At 10:05, 10:00 and 14:00.", "At ten oh five, ten o'clock and fourteen hundred."),
    ("Open 9am-5pm.", "Open nine a m to five p m."),
    # abbreviations
    ("Dr. Smith, Mr. Jones and Mrs. Brown.", "Doctor Smith, Mister Jones and Missus Brown."),
    (
        "Fruit, e.g. apples, i.e. red ones, etc.",
        "Fruit, for example apples, that is red ones, et cetera.",
    ),
    ("Cats vs. dogs, approx. ten.", "Cats versus dogs, approximately ten."),
    ("See No. 5 and #12.", "See number five and number twelve."),
    ("St. Louis is on Main St.", "Saint Louis is on Main Street."),
    ("The U.S. economy and Q&A.", "The U S economy and Q and A."),
    # units
    (
        "It weighs 5 kg, runs 10 km at 1 km/h.",
        "It weighs five kilograms, runs ten kilometers at one kilometer per hour.",
    ),
    (
        "A 2 GB file, 25°C, 1.5kg.",
        "A two gigabytes file, twenty-five degrees Celsius, one point five kilograms.",
    ),
    # URLs, emails, symbols
    ("Visit https://www.example.com/pricing today.", "Visit example dot com slash pricing today."),
    ("Visit example.com.", "Visit example dot com."),
    ("Mail jane.doe@example.com now.", "Mail jane dot doe at example dot com now."),
    ("Tom & Jerry", "Tom and Jerry"),
    ("Call 555-123-4567.", "Call five five five, one two three, four five six seven."),
    ("version 1.2.3", "version one point two point three"),
    (
        "Only $5/mo, rated 4.5/5, a 50/50 bet.",
        "Only five dollars per month, rated four point five out of five, a fifty fifty bet.",
    ),
    ("A 16:9 screen - bright.", "A sixteen to nine screen, bright."),
]


@pytest.mark.parametrize(("written", "spoken"), READINGS)
def test_reads_like_a_narrator(written: str, spoken: str) -> None:
    assert normalize_for_speech(written) == spoken


@pytest.mark.parametrize(
    ("written", "spoken"),
    [
        ("Hi 👋🏽 there ✅ 🇺🇸 ❤️", "Hi there"),
        ("**Bold** and _italic_ and `code`", "Bold and italic and code"),
        ("# Heading\nBody text", "Heading Body text"),
        ("Read [our guide](https://example.com/guide) now", "Read our guide now"),
        ("<b>Big</b> &amp; <i>small</i>", "Big and small"),
        ("- first item\n- second item", "first item second item"),
    ],
)
def test_markup_and_emoji_are_dropped(written: str, spoken: str) -> None:
    assert normalize_for_speech(written) == spoken


def test_no_digits_or_symbols_survive_in_english() -> None:
    text = "On 2024-03-05 at 10:30 am, 45% of 1,299 paid $9.99 (No. 3) via example.com & more"
    spoken = normalize_for_speech(text)
    assert not any(ch.isdigit() for ch in spoken), spoken
    assert not set("$%&#") & set(spoken), spoken


def test_snake_case_words_are_not_taken_for_italics() -> None:
    assert "file name" in normalize_for_speech("Open file_name_here now")


def test_sentence_final_abbreviation_keeps_its_stop() -> None:
    assert normalize_for_speech("Apples, pears, etc.") == "Apples, pears, et cetera."
    assert normalize_for_speech("Fruit etc. and more") == "Fruit et cetera and more"


def test_chinese_text_is_kept_and_symbols_read_in_chinese() -> None:
    spoken = normalize_for_speech("一共有3个苹果，占45%，价格¥100。😀", "zh")
    assert spoken == "一共有三个苹果，占百分之四十五，价格一百元。"


def test_language_code_with_region_is_understood() -> None:
    assert normalize_for_speech("45%", "en_US") == "forty-five percent"
    assert normalize_for_speech("45%", "zh-CN") == "百分之四十五"


def test_other_languages_only_lose_markup() -> None:
    assert normalize_for_speech("**Hallo** 5 Äpfel 😀", "de") == "Hallo 5 Äpfel"


@pytest.mark.parametrize(
    ("text", "sentences"),
    [
        ("Dr. Smith went home. He slept.", ["Dr. Smith went home.", "He slept."]),
        ("Use e.g. this one. Then stop.", ["Use e.g. this one.", "Then stop."]),
        ("It costs 3.5 dollars. Cheap!", ["It costs 3.5 dollars.", "Cheap!"]),
        ("The U.S. is big. Really? Yes.", ["The U.S. is big.", "Really?", "Yes."]),
        ("I think... maybe not. Fine.", ["I think... maybe not.", "Fine."]),
        ("And then… Boom. Done.", ["And then… Boom.", "Done."]),
        ("J. K. Rowling wrote it. Done.", ["J. K. Rowling wrote it.", "Done."]),
        (
            "See No. 5 for more. I said no. Then left.",
            ["See No. 5 for more.", "I said no.", "Then left."],
        ),
        ('He said "Hi." Then left.', ['He said "Hi."', "Then left."]),
        ("Apples, etc. Next item.", ["Apples, etc.", "Next item."]),
        ("At 10 a.m. Then we left.", ["At 10 a.m.", "Then we left."]),
        ("Go to example.com/?q=1 now! OK", ["Go to example.com/?q=1 now!", "OK"]),
        ("你好。我很好！你呢？好的", ["你好。", "我很好！", "你呢？", "好的"]),
        ("他说：“走吧。”然后走了。", ["他说：“走吧。”", "然后走了。"]),
        ("Para one\n\nPara two.", ["Para one", "Para two."]),
        ("Line one\nstill the same sentence.", ["Line one still the same sentence."]),
        ("  \n\n ... \n", []),
    ],
)
def test_split_sentences(text: str, sentences: list[str]) -> None:
    assert split_sentences(text) == sentences


def test_split_then_normalise_keeps_every_word() -> None:
    text = "Dr. Lee paid $5.50 on Jan. 3. The rest, approx. 45%, came later."
    spoken = [normalize_for_speech(s) for s in split_sentences(text)]
    assert spoken == [
        "Doctor Lee paid five dollars and fifty cents on January third.",
        "The rest, approximately forty-five percent, came later.",
    ]


HOSTILE_TEXTS = {
    "long-url": "http://a.com/" + "x" * 20_000,
    "no-at-signs": "x" * 20_000,
    "unclosed-stars": "**a " * 5_000,
    "unclosed-underscores": "_a " * 5_000,
    "unclosed-links": "[x](" * 5_000,
    "dashed-host": "a-" * 10_000 + ".com",
    "unclosed-comments": "<!-- " * 5_000,
    "huge-number": "9" * 20_000,
    "many-stops": "etc. " * 5_000,
}


@pytest.mark.timeout(30)
@pytest.mark.parametrize("text", HOSTILE_TEXTS.values(), ids=HOSTILE_TEXTS.keys())
def test_hostile_text_takes_linear_time(text: str) -> None:
    # Each of these took minutes (or raised) with backtracking patterns or int() on huge numbers.
    assert split_sentences(text) is not None
    assert isinstance(normalize_for_speech(text), str)

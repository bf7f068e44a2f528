"""Numbers as English words: cardinals, decimals, ordinals, years, money, fractions, times."""

from __future__ import annotations

import re

from num2words import num2words

from core.engine.textnorm_tables import FRACTION_NAMES, Currency

_MAX_CARDINAL = 10**15  # longer digit strings are read digit by digit
_DIGITS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
_AND = re.compile(r",|\band\s+")


def _clean(words: str) -> str:
    """num2words' 'one thousand, two hundred and five' as 'one thousand two hundred five'."""
    return " ".join(_AND.sub(" ", words).split())


def digits(numeral: str) -> str:
    """Each digit read on its own: '007' -> 'zero zero seven'."""
    return " ".join(_DIGITS[int(d)] for d in numeral if d.isdigit())


def cardinal(n: int) -> str:
    """A whole number in words, American style: 1299 -> 'one thousand two hundred ninety-nine'."""
    if abs(n) >= _MAX_CARDINAL:
        return ("minus " if n < 0 else "") + digits(str(abs(n)))
    return _clean(num2words(n))


def ordinal(n: int) -> str:
    """3 -> 'third', 21 -> 'twenty-first'."""
    return _clean(num2words(n, to="ordinal"))


def year(n: int) -> str:
    """2024 -> 'twenty twenty-four', 1905 -> 'nineteen oh-five', 2005 -> 'two thousand five'."""
    return _clean(num2words(n, to="year")).replace("oh-", "oh ")


def plural_year(n: int) -> str:
    """1990 (as in '1990s') -> 'nineteen nineties'."""
    words = year(n)
    return words[:-1] + "ies" if words.endswith("y") else words + "s"


def numeral(text: str) -> str:
    """A written number ('1,299', '1.5', '007', '-3') in words."""
    negative = text.startswith(("-", "−"))
    text = text.lstrip("-−").replace(",", "")
    whole, _, fraction = text.partition(".")
    if len(whole) > 1 and whole.startswith("0"):
        words = digits(whole)
    else:
        words = cardinal(int(whole or "0"))
    if fraction:
        words += " point " + digits(fraction)
    return ("minus " + words) if negative else words


def money(amount: str, currency: Currency, scale: str | None = None) -> str:
    """('1,299.99', dollar) -> 'one thousand ... ninety-nine dollars and ninety-nine cents'."""
    amount = amount.replace(",", "")
    whole_text, _, cents_text = amount.partition(".")
    whole = int(whole_text or "0")
    if scale:
        return f"{numeral(amount)} {scale} {currency.many}"
    if cents_text and (currency.minor_one is None or len(cents_text) > 2):
        return f"{numeral(amount)} {currency.many}"
    cents = int((cents_text + "00")[:2]) if cents_text else 0
    parts = []
    if whole or not cents:
        parts.append(f"{cardinal(whole)} {currency.one if whole == 1 else currency.many}")
    if cents and currency.minor_one and currency.minor_many:
        minor = currency.minor_one if cents == 1 else currency.minor_many
        parts.append(f"{cardinal(cents)} {minor}")
    return " and ".join(parts)


def fraction(numerator: int, denominator: int) -> str:
    """1/2 -> 'one half', 3/4 -> 'three quarters', 2/3 -> 'two thirds', 1/365 -> '... over ...'."""
    if denominator == 0 or denominator > 100:
        return f"{cardinal(numerator)} over {cardinal(denominator)}"
    one, many = FRACTION_NAMES.get(denominator, ("", ""))
    if not one:
        one = ordinal(denominator)
        many = one + "s"
    return f"{cardinal(numerator)} {one if numerator == 1 else many}"


def clock_time(hour: int, minute: int, meridiem: str | None) -> str:
    """10:30 am -> 'ten thirty a m', 10:05 -> 'ten oh five', 10:00 -> 'ten o'clock'."""
    words = cardinal(hour)
    if minute == 0:
        words += "" if meridiem or hour >= 13 or hour == 0 else " o'clock"
        if hour >= 13 or hour == 0:
            words += " hundred"
    elif minute < 10:
        words += " oh " + cardinal(minute)
    else:
        words += " " + cardinal(minute)
    if meridiem:
        words += " " + " ".join(meridiem.replace(".", "").lower())
    return words

"""The tables behind narrator text: abbreviations, currencies, units, months, domains, symbols."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Currency:
    """How a currency is read: unit and minor unit, singular and plural."""

    one: str
    many: str
    minor_one: str | None = None
    minor_many: str | None = None


CURRENCY_SYMBOLS: dict[str, Currency] = {
    "$": Currency("dollar", "dollars", "cent", "cents"),
    "US$": Currency("US dollar", "US dollars", "cent", "cents"),
    "€": Currency("euro", "euros", "cent", "cents"),
    "£": Currency("pound", "pounds", "penny", "pence"),
    "¥": Currency("yen", "yen"),
    "₹": Currency("rupee", "rupees", "paisa", "paise"),
    "₩": Currency("won", "won"),
    "₽": Currency("ruble", "rubles", "kopek", "kopeks"),
}

CURRENCY_CODES: dict[str, Currency] = {
    "USD": Currency("US dollar", "US dollars", "cent", "cents"),
    "EUR": Currency("euro", "euros", "cent", "cents"),
    "GBP": Currency("pound", "pounds", "penny", "pence"),
    "JPY": Currency("yen", "yen"),
    "CNY": Currency("yuan", "yuan"),
    "RMB": Currency("yuan", "yuan"),
    "CAD": Currency("Canadian dollar", "Canadian dollars", "cent", "cents"),
    "AUD": Currency("Australian dollar", "Australian dollars", "cent", "cents"),
    "INR": Currency("rupee", "rupees", "paisa", "paise"),
}

# Scale words after an amount ("$1.5 million", "$5k").
SCALES: dict[str, str] = {
    "thousand": "thousand",
    "k": "thousand",
    "K": "thousand",
    "million": "million",
    "mn": "million",
    "M": "million",
    "billion": "billion",
    "bn": "billion",
    "B": "billion",
    "trillion": "trillion",
    "T": "trillion",
}

# Units read after a number: symbol -> (singular, plural). Matched case-sensitively.
UNITS: dict[str, tuple[str, str]] = {
    "km": ("kilometer", "kilometers"),
    "cm": ("centimeter", "centimeters"),
    "mm": ("millimeter", "millimeters"),
    "m": ("meter", "meters"),
    "mi": ("mile", "miles"),
    "ft": ("foot", "feet"),
    "yd": ("yard", "yards"),
    "kg": ("kilogram", "kilograms"),
    "mg": ("milligram", "milligrams"),
    "g": ("gram", "grams"),
    "lb": ("pound", "pounds"),
    "lbs": ("pound", "pounds"),
    "oz": ("ounce", "ounces"),
    "ml": ("milliliter", "milliliters"),
    "mL": ("milliliter", "milliliters"),
    "L": ("liter", "liters"),
    "km/h": ("kilometer per hour", "kilometers per hour"),
    "kph": ("kilometer per hour", "kilometers per hour"),
    "mph": ("mile per hour", "miles per hour"),
    "m/s": ("meter per second", "meters per second"),
    "ms": ("millisecond", "milliseconds"),
    "sec": ("second", "seconds"),
    "secs": ("second", "seconds"),
    "min": ("minute", "minutes"),
    "mins": ("minute", "minutes"),
    "hr": ("hour", "hours"),
    "hrs": ("hour", "hours"),
    "h": ("hour", "hours"),
    "KB": ("kilobyte", "kilobytes"),
    "MB": ("megabyte", "megabytes"),
    "GB": ("gigabyte", "gigabytes"),
    "TB": ("terabyte", "terabytes"),
    "Hz": ("hertz", "hertz"),
    "kHz": ("kilohertz", "kilohertz"),
    "MHz": ("megahertz", "megahertz"),
    "GHz": ("gigahertz", "gigahertz"),
    "W": ("watt", "watts"),
    "kW": ("kilowatt", "kilowatts"),
    "kWh": ("kilowatt hour", "kilowatt hours"),
    "mAh": ("milliamp hour", "milliamp hours"),
    "V": ("volt", "volts"),
    "fps": ("frame per second", "frames per second"),
    "px": ("pixel", "pixels"),
    "°C": ("degree Celsius", "degrees Celsius"),
    "°F": ("degree Fahrenheit", "degrees Fahrenheit"),
    "°": ("degree", "degrees"),
}

# What follows "/" in rates ("$5/mo" -> "five dollars per month").
PER_WORDS: dict[str, str] = {
    "month": "month",
    "mo": "month",
    "year": "year",
    "yr": "year",
    "week": "week",
    "wk": "week",
    "day": "day",
    "hour": "hour",
    "hr": "hour",
    "night": "night",
    "person": "person",
    "user": "user",
    "seat": "seat",
    "unit": "unit",
}

# Abbreviations: written form -> spoken form. Those in SENTENCE_ENDING may close a sentence,
# so a period after them is kept when the text ends or a capitalised word follows.
ABBREVIATIONS: dict[str, str] = {
    "Dr.": "Doctor",
    "Mr.": "Mister",
    "Mrs.": "Missus",
    "Ms.": "Miz",
    "Prof.": "Professor",
    "Jr.": "Junior",
    "Sr.": "Senior",
    "Mt.": "Mount",
    "St.": "Street",
    "Ave.": "Avenue",
    "Blvd.": "Boulevard",
    "Rd.": "Road",
    "Dept.": "Department",
    "Fig.": "Figure",
    "Inc.": "Incorporated",
    "Ltd.": "Limited",
    "Corp.": "Corporation",
    "Co.": "Company",
    "e.g.": "for example",
    "i.e.": "that is",
    "etc.": "et cetera",
    "vs.": "versus",
    "vs": "versus",
    "approx.": "approximately",
    "est.": "estimated",
    "min.": "minimum",
    "max.": "maximum",
    "a.m.": "a m",
    "p.m.": "p m",
    "w/o": "without",
    "w/": "with",
}

SENTENCE_ENDING: frozenset[str] = frozenset(
    {"Inc.", "Ltd.", "Corp.", "Co.", "St.", "etc.", "Jr.", "Sr.", "a.m.", "p.m.", "est."}
)

# Abbreviations after which split_sentences never breaks (lower-cased, without the final dot),
# and those after which it does not break when a number follows ("No. 5", "p. 12").
NO_BREAK_AFTER: frozenset[str] = frozenset(
    {"dr", "mr", "mrs", "ms", "prof", "mt", "st", "e.g", "i.e", "vs", "approx", "dept", "ave"}
    | {"blvd", "rd", "cf", "al", "ca", "jr", "sr"}
)
NO_BREAK_BEFORE_NUMBER: frozenset[str] = frozenset(
    {"no", "nos", "fig", "vol", "pp", "p", "ch", "sec", "art", "op", "jan", "feb", "mar", "apr"}
    | {"jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec"}
)

MONTHS: dict[str, str] = {
    "jan": "January",
    "feb": "February",
    "mar": "March",
    "apr": "April",
    "may": "May",
    "jun": "June",
    "jul": "July",
    "aug": "August",
    "sep": "September",
    "sept": "September",
    "oct": "October",
    "nov": "November",
    "dec": "December",
}
MONTH_NAMES: tuple[str, ...] = (
    *("January", "February", "March", "April", "May", "June", "July", "August", "September"),
    *("October", "November", "December"),
)

# Top-level domains recognised in bare host names ("example.com") without a scheme.
TLDS: frozenset[str] = frozenset(
    {"com", "org", "net", "io", "ai", "dev", "app", "co", "edu", "gov", "info", "biz", "me"}
    | {"tv", "uk", "us", "de", "fr", "cn", "jp", "in", "eu", "ca", "au", "xyz", "tech", "site"}
    | {"online", "store", "shop", "blog"}
)

# Words read for symbols left over after numbers are done.
SYMBOL_WORDS: dict[str, str] = {
    "&": " and ",
    "+": " plus ",
    "=": " equals ",
    "×": " times ",
    "@": " at ",
    "~": " about ",
    "≈": " about ",
    "%": " percent",
    "№": " number ",
}

# Denominators read as words in fractions ("1/2" -> "one half").
FRACTION_NAMES: dict[int, tuple[str, str]] = {
    2: ("half", "halves"),
    4: ("quarter", "quarters"),
}

# Fixed readings of whole tokens.
SPECIAL_TOKENS: dict[str, str] = {
    "24/7": "twenty-four seven",
    "Q&A": "Q and A",
    "R&D": "R and D",
    "AT&T": "A T and T",
    "U.S.": "U S",
    "U.K.": "U K",
    "U.S.A.": "U S A",
    "a.k.a.": "also known as",
}

# Chinese readings of symbols (digits are left for the voice to read).
ZH_CURRENCY: dict[str, str] = {"¥": "元", "￥": "元", "$": "美元", "€": "欧元", "£": "英镑"}

# Emoji and pictographs, variation selectors, joiners, keycaps and skin tones.
EMOJI_RANGES: tuple[tuple[int, int], ...] = (
    (0x1F000, 0x1FAFF),
    (0x2600, 0x27BF),
    (0x2B00, 0x2BFF),
    (0x2190, 0x21FF),
    (0x2300, 0x23FF),
    (0x25A0, 0x25FF),
    (0xFE00, 0xFE0F),
    (0x200D, 0x200D),
    (0x20E3, 0x20E3),
    (0xE0020, 0xE007F),
)

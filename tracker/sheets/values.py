"""Turning spreadsheet cells into register values. Every parser is explicit about what it
accepts and raises ValueError saying why: a value that stays ambiguous is an error, never a
guess (MEASURED.md: dateutil's guessing got 14,367 of 89,916 text dates wrong). Parsers of
repeated values are cached by raw value: a 100,000-row register holds a few hundred."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from enum import Enum
from functools import lru_cache
from typing import Any, Literal

from tracker.domain.countries import check_country_code, country_name
from tracker.domain.enums import CitedEnum

DayOrder = Literal["day-first", "month-first"] | None

# Excel serial day 0: 1899-12-30 in the 1900 system (which counts a fictitious 29 Feb 1900,
# hence not 12-31), 1904-01-01 in the 1904 system (old Mac workbooks).
EPOCH_1900 = date(1899, 12, 30)
EPOCH_1904 = date(1904, 1, 1)
SERIAL_RANGE = (1, 2_958_465)  # 1900-01-01 .. 9999-12-31

# A time of day after the date (the date is what the register keeps): "2025-02-14 10:30",
# ISO 8601's "2025-02-14T10:30:00Z" or "...+08:00". The text is matched case-folded, so the
# ISO separator is a lower-case t here.
TIME_OF_DAY = r"(?:(?:\s+|t)\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:\s*(?:z|[+-]\d{2}:?\d{2}))?)?$"
ISO = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})" + TIME_OF_DAY)
NUMERIC = re.compile(r"^(\d{1,2})\s*([-/.])\s*(\d{1,2})\s*[-/.]\s*(\d{2}|\d{4})\.?"
                     + TIME_OF_DAY)
COMPACT_ISO = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
CJK = re.compile(r"^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日?$")
MONTHS = {name: i for i, names in enumerate(
    [("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"),
     ("may",), ("jun", "june"), ("jul", "july"), ("aug", "august"),
     ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"),
     ("dec", "december")], start=1) for name in names}
# German and French month names (and their usual abbreviations), as those registers write
# dates out: "14. Februar 2025", "14 février 2025".
MONTHS.update({name: i for i, names in enumerate(
    [("januar", "jän", "jänner", "janvier", "janv"), ("februar", "février", "fevrier", "févr",
                                                     "fevr"),
     ("märz", "maerz", "mär", "mars"), ("april", "avril", "avr"), ("mai",),
     ("juni", "juin"), ("juli", "juillet", "juil"), ("august", "août", "aout"),
     ("september", "septembre"), ("oktober", "okt", "octobre"), ("november", "novembre"),
     ("dezember", "dez", "décembre", "decembre", "déc")], start=1) for name in names})
NAMED_DMY = re.compile(r"^(\d{1,2})(?:st|nd|rd|th|er)?\.?[\s\-./]+([^\W\d_]+)\.?[\s\-./,]+"
                       r"(\d{4})$")
NAMED_MDY = re.compile(r"^([^\W\d_]+)\.?[\s\-./]+(\d{1,2})(?:st|nd|rd|th)?,?[\s\-./]+(\d{4})$")


def normalize(text: str) -> str:
    """NFKC (full-width letters and digits become ordinary), case-folded, spaces collapsed."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def _make(year: int, month: int, day: int, text: str) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise ValueError(f"{text!r} is not a real date") from None


@lru_cache(maxsize=65536)
def parse_date(value: Any, *, order: DayOrder = None, date1904: bool = False) -> date | None:
    """A cell as a date: real dates, Excel serial numbers (1900 or 1904 system), ISO and
    Chinese text, month names, and d/m/y or m/d/y text when the order is stated."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, time):
        # A date cell holding serial 0 to 1: in a 1904 workbook serial 0 is the day Excel
        # shows, 1 January 1904; in the 1900 system it is no day at all ("0 January 1900").
        if date1904 and value == time(0, 0):
            return EPOCH_1904
        raise ValueError(f"the cell holds a time of day ({value.isoformat()}), not a date")
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not a date")
    if isinstance(value, int | float):
        return _serial(value, date1904)
    text = normalize(str(value))
    if re.fullmatch(r"\d{5}(\.0+)?", text):
        return _serial(float(text), date1904)
    match = COMPACT_ISO.match(text)
    if match and 1900 <= int(match[1]) <= 2200:
        return _make(int(match[1]), int(match[2]), int(match[3]), str(value))
    for pattern in (ISO, CJK):
        match = pattern.match(text)
        if match:
            return _make(int(match[1]), int(match[2]), int(match[3]), str(value))
    match = NAMED_DMY.match(text) or NAMED_MDY.match(text)
    if match:
        if match.re is NAMED_DMY:
            day, month_name, year = match[1], match[2], match[3]
        else:
            month_name, day, year = match[1], match[2], match[3]
        if month_name not in MONTHS:
            raise ValueError(f"{value!r}: {month_name!r} is not a month name")
        return _make(int(year), MONTHS[month_name], int(day), str(value))
    match = NUMERIC.match(text)
    if match:
        first, second, year_text = int(match[1]), int(match[3]), match[4]
        if len(year_text) == 2:
            raise ValueError(f"{value!r} has a two-digit year; write the year in full")
        year = int(year_text)
        if first == second:
            return _make(year, first, second, str(value))
        if order is None:
            if first > 12:
                return _make(year, second, first, str(value))
            if second > 12:
                return _make(year, first, second, str(value))
            if match[2] == ".":
                # d.m.y: dotted numeric dates are day-first wherever they are written
                # (German, French, Russian, ... usage); no locale writes m.d.y.
                return _make(year, second, first, str(value))
            raise ValueError(f"{value!r} is ambiguous (day-first {first}/{second} or "
                             f"month-first?); rerun with --day-first or --month-first")
        if order == "day-first":
            return _make(year, second, first, str(value))
        return _make(year, first, second, str(value))
    period = _period_end(text)
    if period is not None:
        raise ValueError(f"{value!r} names a period, not a day: write the day meant (its "
                         f"last day is {period.isoformat()})")
    raise ValueError(f"{value!r} is not a date this import understands (use YYYY-MM-DD)")


QUARTER = re.compile(r"^(?:q([1-4])|([1-4])q)[\s\-/]*(\d{4})$|^(\d{4})[\s\-/]*q([1-4])$"
                     r"|^(\d{4})\s*年\s*(?:第\s*)?([1-4一二三四])\s*季度?$")
MONTH_YEAR = re.compile(r"^(\d{4})[-/.](\d{1,2})$|^(\d{1,2})[-/.](\d{4})$"
                        r"|^(\d{4})\s*年\s*(\d{1,2})\s*月$|^([^\W\d_]+)\.?[\s\-/,]+(\d{4})$")


def _period_end(text: str) -> date | None:
    """The last day of the quarter or month a date cell names instead of a day ("Q4 2025",
    "2025年第四季度", "Nov 2025", "2025-11"): said in the refusal, never taken for it."""
    import calendar

    quarter = QUARTER.match(text)
    if quarter:
        groups = [g for g in quarter.groups() if g]
        year_text = next(g for g in groups if len(g) == 4)
        number = next(g for g in groups if len(g) == 1)
        month = 3 * ("一二三四".index(number) + 1 if number in "一二三四" else int(number))
        return date(int(year_text), month, calendar.monthrange(int(year_text), month)[1])
    found = MONTH_YEAR.match(text)
    if found:
        groups = [g for g in found.groups() if g]
        year_text = next(g for g in groups if len(g) == 4 and g.isdigit())
        other = next(g for g in groups if g is not year_text)
        month = MONTHS.get(other, 0) if not other.isdigit() else int(other)
        if 1 <= month <= 12:
            return date(int(year_text), month,
                        calendar.monthrange(int(year_text), month)[1])
    return None


# A date format written in a header ("Expiry (dd/mm/yyyy)", "Datum (TT.MM.JJJJ)",
# "Date (jj/mm/aaaa)", "签署日期（日/月/年）") states its column's day order.
_DAY = r"(?:dd?|tt?|jj?|日)"
_MONTH = r"(?:mm?|月)"
_YEAR = r"(?:yy(?:yy)?|jj(?:jj)?|aa(?:aa)?|年)"
DAY_FIRST_FORMAT = re.compile(rf"(?<![a-z]){_DAY}\s*[-/.]\s*{_MONTH}\s*[-/.]\s*{_YEAR}"
                              r"(?![a-z])")
MONTH_FIRST_FORMAT = re.compile(rf"(?<![a-z]){_MONTH}\s*[-/.]\s*(?:dd?|日)\s*[-/.]\s*{_YEAR}"
                                r"(?![a-z])")


def header_day_order(header: str) -> DayOrder:
    """The day order a column's header states by the date format it shows, or None."""
    text = normalize(header)
    if DAY_FIRST_FORMAT.search(text):
        return "day-first"
    if MONTH_FIRST_FORMAT.search(text):
        return "month-first"
    return None


def date_order_evidence(value: Any) -> DayOrder:
    """What one cell says of its column's day order: "day-first" for 31/01/2025 (or a
    dotted 01.03.2025), "month-first" for 01/31/2025, None when it reads either way or is
    not a numeric d/m text date at all."""
    if not isinstance(value, str):
        return None
    match = NUMERIC.match(normalize(value))
    if match is None:
        return None
    first, second = int(match[1]), int(match[3])
    if first > 12 >= second:
        return "day-first"
    if second > 12 >= first:
        return "month-first"
    if match[2] == "." and first != second:
        return "day-first"
    return None


def is_order_sensitive(value: Any) -> bool:
    """A d/m/y text whose two numbers differ: the only cell a column's day order can read
    differently (``parse_date``), and the only one that says anything of the order
    (``date_order_evidence``, ``is_ambiguous_date``)."""
    if not isinstance(value, str):
        return False
    match = NUMERIC.match(normalize(value))
    return match is not None and int(match[1]) != int(match[3])


def is_ambiguous_date(value: Any) -> bool:
    """A d/m/y text whose day and month could trade places (03/04/2025)."""
    if not isinstance(value, str):
        return False
    match = NUMERIC.match(normalize(value))
    if match is None or match[2] == ".":
        return False
    first, second = int(match[1]), int(match[3])
    return first != second and first <= 12 and second <= 12


def _serial(number: float, date1904: bool) -> date:
    if number != int(number):
        number = int(number)  # a time of day on a date: keep the date
    if not SERIAL_RANGE[0] <= number <= SERIAL_RANGE[1]:
        raise ValueError(f"{number:g} is not an Excel date serial")
    return (EPOCH_1904 if date1904 else EPOCH_1900) + timedelta(days=int(number))


# Yes and no as registers write them: English, German, French, Spanish, Italian, Dutch,
# Chinese, and ticks and crosses. A bare "no" is Spanish and Italian for no as well.
TRUE_WORDS = frozenset({"true", "yes", "y", "1", "x", "✓", "✔", "☑", "是", "有", "对", "真",
                        "已", "ja", "wahr", "oui", "vrai", "sí", "si",
                        "verdadero", "vero", "waar", "yes, it does", "是的"})
FALSE_WORDS = frozenset({"false", "no", "n", "0", "-", "否", "无", "没有", "不", "假", "未",
                         "nein", "falsch", "non", "faux", "falso", "nee", "onwaar", "✗", "✘",
                         "☐", "×", "不是"})


@lru_cache(maxsize=4096)
def parse_bool(value: Any) -> bool | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    text = normalize(str(value))
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    raise ValueError(f"{value!r} is not yes or no (yes/no, ja/nein, oui/non, sí/no, 是/否, "
                     "✓/✗)")


# What registers write in a cell whose value is not known or does not apply: read as a
# blank cell (the register then shows the gap) wherever the cell does not read as a value
# of its field (a "-" in a yes/no column is "no"; "pending" is an assessment outcome).
# Open-ended terms ("ongoing", "长期有效") leave an end date blank: no date is known.
NOT_GIVEN = frozenset({
    "n/a", "na", "n.a.", "n. a.", "not applicable", "not available", "none", "nil", "null",
    "tbd", "tbc", "tba", "to be determined", "to be confirmed", "unknown", "?", "??", "-",
    "--", "---", "—", "–", "/", "ongoing", "open", "open-ended", "open ended", "indefinite",
    "perpetual", "no expiry", "no end date", "until terminated", "待定", "未定", "不适用",
    "未知", "暂无", "无", "长期", "长期有效", "无期限", "无固定期限", "k.a.", "k. a.",
    "entfällt", "unbekannt", "unbefristet", "offen", "s.o.", "sans objet", "inconnu",
    "à définir", "a definir", "indéterminée", "indéterminé", "en cours"})

_NOT_GIVEN_KEYS = frozenset(word.rstrip(".") for word in NOT_GIVEN)


def is_not_given(value: Any) -> bool:
    """A cell that says its value is unknown or does not apply (``NOT_GIVEN``)."""
    return isinstance(value, str) and normalize(value).rstrip(".") in _NOT_GIVEN_KEYS


# Units in a header's brackets that scale its numbers ("涉及人数（万人）": 3.5 is 35,000).
SCALES: dict[str, int] = {"万": 10_000, "万人": 10_000, "万条": 10_000, "万个": 10_000,
                          "千": 1_000, "千人": 1_000, "k": 1_000, "thousand": 1_000,
                          "thousands": 1_000, "000": 1_000, "'000": 1_000, "tsd": 1_000,
                          "milliers": 1_000, "百万": 1_000_000, "million": 1_000_000,
                          "millions": 1_000_000, "mio": 1_000_000, "mn": 1_000_000,
                          "m": 1_000_000, "亿": 100_000_000}
# The same units written in a number cell ("1.5万", "3亿", "12k", "2 million"), and the
# counting words a Chinese register writes after a count ("1,200人", "300条"). Not the
# "000" units: "1 000" is a thousand written with a space.
CELL_UNITS: dict[str, int] = {**{u: n for u, n in SCALES.items() if not u.endswith("000")},
                              "人": 1, "名": 1, "条": 1, "个": 1, "万元": 10_000}
_CELL_UNIT = re.compile(r"(.*\d)\s*(" + "|".join(
    re.escape(u) for u in sorted(CELL_UNITS, key=len, reverse=True)) + ")")


def has_cell_unit(value: Any) -> bool:
    """A number cell that says its own unit ("1.5万"): a unit in the header does not scale
    it again."""
    return isinstance(value, str) and _CELL_UNIT.fullmatch(
        normalize(value).replace(" ", "").replace("\u00a0", "")) is not None


COMMA_THOUSANDS = re.compile(r"[-+]?\d{1,3}(,\d{3})+(\.\d+)?")
DOT_THOUSANDS = re.compile(r"[-+]?\d{1,3}(\.\d{3})+(,\d+)?")
DECIMAL_COMMA = re.compile(r"[-+]?\d+,\d+")


INTEGER = re.compile(r"[+-]?[0-9]+")


def parse_number(value: Any, *, whole: bool = True,
                 decimal_comma: bool = False) -> int | float | None:
    """Numbers, also as text with thousands separators (1,234 / 1 234 / 1'234). Where the
    file's locale writes a decimal comma (``decimal_comma``: a German or French Excel CSV),
    ``75.000,50`` is 75000.5 and ``1.234`` is 1234; a number written both ways at once
    (``75.000,50`` in an English file) is read by its shape, which leaves no doubt."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not a number")
    if isinstance(value, int):
        return value if whole else float(value)  # exact: a float holds only 2**53
    if isinstance(value, float):
        number = value
    else:
        text = normalize(str(value)).replace("\u00a0", "").replace("\u202f", "")
        text = text.replace(" ", "").replace("'", "")
        unit = _CELL_UNIT.fullmatch(text)
        if unit is not None:
            found = parse_number(unit[1], whole=False, decimal_comma=decimal_comma)
            scaled = Decimal(repr(found)) * CELL_UNITS[unit[2]]  # 0.07万 is 700 exactly
            if whole and scaled != scaled.to_integral_value():
                raise ValueError(f"{value!r} is not a whole number")
            return int(scaled) if whole else float(scaled)
        if decimal_comma:
            if DOT_THOUSANDS.fullmatch(text) or DECIMAL_COMMA.fullmatch(text):
                text = text.replace(".", "").replace(",", ".")
        elif COMMA_THOUSANDS.fullmatch(text):
            text = text.replace(",", "")
        elif DOT_THOUSANDS.fullmatch(text) and "," in text:
            text = text.replace(".", "").replace(",", ".")
        if whole and INTEGER.fullmatch(text):
            return int(text)  # digits beyond a double's 2**53 stay exact
        try:
            number = float(text.rstrip("%"))
        except ValueError:
            raise ValueError(f"{value!r} is not a number") from None
    if whole:
        if number != int(number):
            raise ValueError(f"{value!r} is not a whole number")
        return int(number)
    return number


def _country_key(text: str) -> str:
    """A country name as matching sees it: normalized, dots and "the" dropped, so "U.S.A."
    and "USA", "the Netherlands" and "Netherlands" meet."""
    key = normalize(text).replace(".", "").replace("’", "'")
    key = re.sub(r"^the\s+", "", key)
    return " ".join(key.replace(",", " ").split())


@lru_cache(maxsize=1)
def _country_names() -> dict[str, str]:
    """Names in English and Chinese (CLDR via babel, ISO via pycountry), plus our synonyms:
    the quick table most registers need."""
    import pycountry
    from babel import Locale

    names: dict[str, str] = {}
    for country in pycountry.countries:
        code = str(country.alpha_2)
        for attribute in ("name", "official_name", "common_name"):
            name = getattr(country, attribute, None)
            if name:
                names[_country_key(str(name))] = code
                # ISO's inverted names read both ways: "Korea, Republic of" is also
                # written "Republic of Korea", "Iran, Islamic Republic of" "Islamic
                # Republic of Iran"
                head, comma, tail = str(name).partition(", ")
                if comma:
                    names.setdefault(_country_key(f"{tail} {head}"), code)
        names[_country_key(str(country.alpha_3))] = code
    for locale in ("en", "zh", "zh_Hant", "de", "fr", "es", "ja"):
        for code, name in Locale.parse(locale).territories.items():
            if len(code) == 2 and code.isalpha() and country_name(code):
                names.setdefault(_country_key(name), code)
    names.update({_country_key(k): v for k, v in COUNTRY_SYNONYMS.items()})
    return names


@lru_cache(maxsize=1)
def _cldr_country_names() -> dict[str, str]:
    """Country names in every CLDR language babel ships (~330 languages; built once, on
    the first name the quick table does not know, ~1 s). A name two languages give to
    different countries is left out: it would be a guess."""
    from babel import Locale, localedata

    names: dict[str, str] = {}
    ambiguous: set[str] = set()
    for identifier in localedata.locale_identifiers():
        if "_" in identifier:
            continue  # regional variants repeat their language's names
        try:
            territories = Locale.parse(identifier).territories
        except (ValueError, LookupError):  # pragma: no cover - a broken locale file
            continue
        for code, name in territories.items():
            if len(code) == 2 and code.isalpha() and country_name(code):
                key = _country_key(name)
                if names.setdefault(key, code) != code:
                    ambiguous.add(key)
    for key in ambiguous:
        names.pop(key, None)
    return names


# The usual names that are not a CLDR name of the country (data, not rules: add freely).
COUNTRY_SYNONYMS = {
    "prc": "CN", "p r c": "CN", "china": "CN", "中华人民共和国": "CN", "中国大陆": "CN",
    "大陆": "CN", "mainland china": "CN", "china mainland": "CN", "people's republic of china":
    "CN", "volksrepublik china": "CN", "vr china": "CN", "uk": "GB", "britain": "GB",
    "great britain": "GB", "england": "GB", "scotland": "GB", "wales": "GB",
    "northern ireland": "GB", "英国": "GB", "usa": "US", "us": "US", "america": "US",
    "united states of america": "US", "美国": "US", "德国": "DE", "法国": "FR", "日本": "JP",
    "新加坡": "SG", "香港": "HK", "中国香港": "HK", "hong kong sar": "HK", "台湾": "TW",
    "中国台湾": "TW", "韩国": "KR", "south korea": "KR", "korea": "KR", "holland": "NL",
    "the netherlands": "NL", "brd": "DE", "west germany": "DE", "czech republic": "CZ",
    "russia": "RU", "uae": "AE", "emirates": "AE", "欧盟": "EU", "european union": "EU",
    # China's special administrative regions and Taiwan as Chinese and international usage
    # writes them ("Hong Kong, China" is the WTO's and the CAC's usage)
    "hong kong, china": "HK", "hong kong (china)": "HK", "hong kong sar, china": "HK",
    "hong kong special administrative region": "HK", "hksar": "HK",
    "香港特别行政区": "HK", "中国香港特别行政区": "HK", "香港特區": "HK",
    "macau": "MO", "macao": "MO", "macau sar": "MO", "macao sar": "MO",
    "macau, china": "MO", "macao, china": "MO", "macao (china)": "MO",
    "macao sar, china": "MO", "macao special administrative region": "MO",
    "澳门": "MO", "中国澳门": "MO", "澳门特别行政区": "MO", "中国澳门特别行政区": "MO",
    "taiwan, china": "TW", "taiwan (china)": "TW", "chinese taipei": "TW",
    "taiwan region": "TW", "china taiwan": "TW", "中国台湾地区": "TW", "台湾地区": "TW",
    "dprk": "KP", "rok": "KR",
}


@lru_cache(maxsize=4096)
def parse_country(value: Any) -> str | None:
    """An ISO 3166-1 code (two letters or three), or a country's name in any language CLDR
    knows (Deutschland, Allemagne, Alemania, ドイツ, 中国), or a usual alias (PRC, UK, USA,
    Holland)."""
    if value is None or value == "":
        return None
    text = normalize(str(value))
    if len(text) == 2 and text.isascii() and text.isalpha():
        return check_country_code(text)
    key = _country_key(str(value))
    code = _country_names().get(key) or _cldr_country_names().get(key) or _country_parts(
        str(value))
    if code is None:
        raise ValueError(f"{value!r} is not a country this import knows (use an ISO code "
                         "such as CN, DE, US, or the country's name)")
    return code


COUNTRY_PARTS = re.compile(r"^(.*?)\s*[(（\[](.*?)[)）\]]\s*$|^(.*?)\s*[/／|]\s*(.*)$")


def _country_parts(text: str) -> str | None:
    """A country with a note or a second name: "Korea (South)", "PRC (Beijing)",
    "China / 中国". The note read with its country first ("South Korea", CLDR's "Congo -
    Kinshasa"); else the parts that name a country must name the same one (as a header's
    parts must agree): "Korea (DPRK)" names two and is refused."""
    found = COUNTRY_PARTS.match(normalize(text))
    if found is None:
        return None
    outer, inner = (found[1], found[2]) if found[1] is not None else (found[3], found[4])
    if not outer or not inner:
        return None
    names = _country_names()
    for joined in (f"{inner} {outer}", f"{outer} - {inner}", f"{outer} {inner}"):
        key = _country_key(joined)
        code = names.get(key) or _cldr_country_names().get(key)
        if code:
            return code
    codes = set()
    for part in (outer, inner):
        if len(part) == 2 and part.isascii() and part.isalpha():
            try:
                codes.add(check_country_code(part))
            except ValueError:
                pass
            continue
        key = _country_key(part)
        code = names.get(key) or _cldr_country_names().get(key)
        if code:
            codes.add(code)
    if len(codes) > 1:
        codes.discard("EU")  # "Germany (EU)": the country, and the union it belongs to
    if len(codes) > 1:
        raise ValueError(f"{text!r} names two countries ({', '.join(sorted(codes))}); "
                         "write the one meant")
    return next(iter(codes), None)


@lru_cache(maxsize=1)
def _value_aliases() -> dict[str, dict[str, str]]:
    import json

    from tracker.resources import synonyms_file

    path = synonyms_file()
    raw = json.loads(path.read_text(encoding="utf-8")).get("_values", {})
    return {name: {normalize(k): v for k, v in table.items()}
            for name, table in raw.items() if not name.startswith("_")}


def compact(text: str) -> str:
    """A value as near-label matching sees it: normalized, and every space, hyphen, dot,
    bracket and other punctuation gone ("Entrusted processing contract" meets the label
    "Entrusted-processing contract"; "EU-SCC" meets "eu scc")."""
    return re.sub(r"[\W_]+", "", normalize(text))


def _singular(key: str) -> str:
    """Fold a plural's last letter off a compact Latin key ("euscc" for "EU SCCs")."""
    if key.isascii() and len(key) > 3 and key.endswith("s") and not key.endswith("ss"):
        return key[:-1]
    return key


@lru_cache(maxsize=64)
def _enum_lookup(enum_cls: type[Enum]) -> dict[str, Enum]:
    """Every way a member may be written, compacted: its value, its label, the label
    without the article in brackets, the value's words, and the aliases in
    imports/synonyms.json. A key two members share is left out (it would be a guess)."""
    table: dict[str, Enum] = {}
    shared: set[str] = set()

    def add(name: str, member: Enum) -> None:
        for key in {compact(name), _singular(compact(name))}:
            if key and table.setdefault(key, member) is not member:
                shared.add(key)

    for member in enum_cls:
        label = member.label if isinstance(member, CitedEnum) else ""
        add(str(member.value), member)
        if label:
            add(label, member)
            add(re.sub(r"\([^)]*\)", "", label), member)
            if ":" in label:  # "Module 1: controller to controller"
                head, _, tail = label.partition(":")
                add(head, member)
                add(tail, member)
    for key in shared:
        table.pop(key, None)
    for alias, value in _value_aliases().get(enum_cls.__name__, {}).items():
        member = enum_cls(value)
        table[compact(alias)] = member
        table.setdefault(_singular(compact(alias)), member)
    return table


def _number_text(value: Any) -> Any:
    """A whole number read as a float (calamine: 1 -> 1.0), or typed "1.0", as "1"."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, str) and re.fullmatch(r"\s*\d+\.0+\s*", value):
        return value.strip().split(".")[0]
    return value


@lru_cache(maxsize=65536)
def parse_enum(value: Any, enum_cls: type[Enum]) -> Enum | None:
    """Matched on the value, the label or an alias from imports/synonyms.json (高 = high),
    and near the label: case, width (NFKC), spaces, hyphens and punctuation, a plural's s.
    Cached: a register repeats a few values."""
    if value is None or value == "":
        return None
    key = compact(str(_number_text(value)))
    table = _enum_lookup(enum_cls)
    member = table.get(key) or table.get(_singular(key))
    if member is None:
        allowed = ", ".join(
            f"{m.value} ({m.label})" if isinstance(m, CitedEnum)
            and compact(m.label) != compact(m.value) else str(m.value) for m in enum_cls)
        raise ValueError(f"{value!r} is not one of: {allowed}")
    return member


def parse_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value == int(value):
        value = int(value)  # calamine reads whole numbers as floats: "12.0" was typed 12
    if isinstance(value, datetime | date):
        return value.isoformat()
    text = str(value).strip()
    return text or None

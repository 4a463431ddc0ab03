"""Turning spreadsheet cells into register values. Every parser is explicit about what it
accepts and raises ValueError saying why: a value that stays ambiguous is an error, never a
guess (MEASURED.md: dateutil's guessing got 14,367 of 89,916 text dates wrong). Parsers of
repeated values are cached by raw value: a 100,000-row register holds a few hundred."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, timedelta
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

ISO = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})"
                 r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
NUMERIC = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{2}|\d{4})$")
CJK = re.compile(r"^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日?$")
MONTHS = {name: i for i, names in enumerate(
    [("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"),
     ("may",), ("jun", "june"), ("jul", "july"), ("aug", "august"),
     ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"),
     ("dec", "december")], start=1) for name in names}
NAMED_DMY = re.compile(r"^(\d{1,2})[\s\-./]+([a-z]+)\.?[\s\-./,]+(\d{4})$")
NAMED_MDY = re.compile(r"^([a-z]+)\.?[\s\-./]+(\d{1,2})(?:st|nd|rd|th)?,?[\s\-./]+(\d{4})$")


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
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not a date")
    if isinstance(value, int | float):
        return _serial(value, date1904)
    text = normalize(str(value))
    if re.fullmatch(r"\d{5}(\.0+)?", text):
        return _serial(float(text), date1904)
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
        first, second, year_text = int(match[1]), int(match[2]), match[3]
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
            raise ValueError(f"{value!r} is ambiguous (day-first {first}/{second} or "
                             f"month-first?); rerun with --day-first or --month-first")
        if order == "day-first":
            return _make(year, second, first, str(value))
        return _make(year, first, second, str(value))
    raise ValueError(f"{value!r} is not a date this import understands (use YYYY-MM-DD)")


def _serial(number: float, date1904: bool) -> date:
    if number != int(number):
        number = int(number)  # a time of day on a date: keep the date
    if not SERIAL_RANGE[0] <= number <= SERIAL_RANGE[1]:
        raise ValueError(f"{number:g} is not an Excel date serial")
    return (EPOCH_1904 if date1904 else EPOCH_1900) + timedelta(days=int(number))


TRUE_WORDS = frozenset({"true", "yes", "y", "1", "x", "✓", "✔", "是", "有", "对", "真", "已"})
FALSE_WORDS = frozenset({"false", "no", "n", "0", "-", "否", "无", "没有", "不", "假", "未"})


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
    raise ValueError(f"{value!r} is not yes or no (yes/no, true/false, 是/否)")


def parse_number(value: Any, *, whole: bool = True) -> int | float | None:
    """Numbers, also as text with thousands separators (1,234 / 1 234 / 1'234)."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not a number")
    if isinstance(value, int | float):
        number = float(value)
    else:
        text = normalize(str(value)).replace("\u00a0", "").replace(" ", "").replace("'", "")
        if re.fullmatch(r"[-+]?\d{1,3}(,\d{3})+(\.\d+)?", text):
            text = text.replace(",", "")
        try:
            number = float(text.rstrip("%"))
        except ValueError:
            raise ValueError(f"{value!r} is not a number") from None
    if whole:
        if number != int(number):
            raise ValueError(f"{value!r} is not a whole number")
        return int(number)
    return number


@lru_cache(maxsize=1)
def _country_names() -> dict[str, str]:
    """Names in English and Chinese (CLDR via babel, ISO via pycountry), plus our synonyms."""
    import pycountry
    from babel import Locale

    names: dict[str, str] = {}
    for country in pycountry.countries:
        code = str(country.alpha_2)
        for attribute in ("name", "official_name", "common_name"):
            name = getattr(country, attribute, None)
            if name:
                names[normalize(str(name))] = code
        names[normalize(str(country.alpha_3))] = code
    for locale in ("en", "zh", "zh_Hant"):
        for code, name in Locale.parse(locale).territories.items():
            if len(code) == 2 and code.isalpha() and country_name(code):
                names.setdefault(normalize(name), code)
    names.update(COUNTRY_SYNONYMS)
    return names


COUNTRY_SYNONYMS = {
    "prc": "CN", "china": "CN", "中华人民共和国": "CN", "中国大陆": "CN", "大陆": "CN",
    "mainland china": "CN", "uk": "GB", "britain": "GB", "great britain": "GB",
    "england": "GB", "英国": "GB", "usa": "US", "u.s.": "US", "u.s.a.": "US", "america": "US",
    "美国": "US", "德国": "DE", "法国": "FR", "日本": "JP", "新加坡": "SG", "香港": "HK",
    "中国香港": "HK", "台湾": "TW", "中国台湾": "TW", "韩国": "KR", "south korea": "KR",
    "holland": "NL", "欧盟": "EU", "european union": "EU",
}


@lru_cache(maxsize=4096)
def parse_country(value: Any) -> str | None:
    if value is None or value == "":
        return None
    text = normalize(str(value))
    if len(text) == 2 and text.isascii() and text.isalpha():
        return check_country_code(text)
    code = _country_names().get(text)
    if code is None:
        raise ValueError(f"{value!r} is not a country this import knows (use an ISO code "
                         "such as CN, DE, US, or the English or Chinese name)")
    return code


@lru_cache(maxsize=1)
def _value_aliases() -> dict[str, dict[str, str]]:
    import json

    from tracker.resources import synonyms_file

    path = synonyms_file()
    raw = json.loads(path.read_text(encoding="utf-8")).get("_values", {})
    return {name: {normalize(k): v for k, v in table.items()}
            for name, table in raw.items() if not name.startswith("_")}


@lru_cache(maxsize=64)
def _enum_lookup(enum_cls: type[Enum]) -> dict[str, Enum]:
    table: dict[str, Enum] = {}
    for member in enum_cls:
        label = member.label if isinstance(member, CitedEnum) else ""
        for name in (str(member.value), label, str(member.value).replace("_", " ")):
            if name:
                table[normalize(name)] = member
    for alias, value in _value_aliases().get(enum_cls.__name__, {}).items():
        table.setdefault(alias, enum_cls(value))
    return table


@lru_cache(maxsize=65536)
def parse_enum(value: Any, enum_cls: type[Enum]) -> Enum | None:
    """Matched on the value, the label or an alias from imports/synonyms.json (高 = high),
    case- and width-insensitively (NFKC). Cached: a register repeats a few values."""
    if value is None or value == "":
        return None
    member = _enum_lookup(enum_cls).get(normalize(str(value)))
    if member is None:
        allowed = ", ".join(str(m.value) for m in enum_cls)
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

"""Working-day arithmetic on official calendars.

China moves working days onto weekends around Spring Festival and National Day; the
``holidays`` library carries those swaps for the years the State Council has announced.
Beyond the last announced year the library still lists rule-based holidays but no swaps,
so arithmetic that reaches past it raises instead of guessing.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from datetime import date, timedelta
from functools import lru_cache

import holidays


class CalendarUnknown(ValueError):
    """The official calendar for a date is not in the installed calendar data."""


# Countries whose working weekends are published per year; for them, a year with no swaps in
# the data means "not announced yet", not "no swaps".
SWAPPING_COUNTRIES = frozenset({"CN"})


@lru_cache(maxsize=64)
def _calendar(country: str, year: int) -> holidays.HolidayBase:
    return holidays.country_holidays(country, years=year)


@lru_cache(maxsize=16)
def known_until(country: str) -> int | None:
    """The last year whose official working calendar the data holds (None: rule-based only,
    valid for any year)."""
    if country not in SWAPPING_COUNTRIES:
        return None
    year = date.today().year + 5
    while year > 2000:
        if any(d.year == year for d in _calendar(country, year).weekend_workdays):
            return year
        year -= 1
    return None


# Working days are precomputed per country as sorted ordinals, so adding 60 working days
# is a bisect instead of 80 calendar lookups (the benchmark derives ~30,000 such dates).
FIRST_YEAR = 1990
UNANNOUNCED_HORIZON_YEARS = 30


@lru_cache(maxsize=16)
def _table(country: str) -> tuple[int, int, list[int]]:
    """(first ordinal covered, last ordinal covered, working-day ordinals in order)."""
    last_year = known_until(country) or date.today().year + UNANNOUNCED_HORIZON_YEARS
    first, last = date(FIRST_YEAR, 1, 1), date(last_year, 12, 31)
    calendar = holidays.country_holidays(country, years=range(FIRST_YEAR, last_year + 1))
    ordinals = [n for n in range(first.toordinal(), last.toordinal() + 1)
                if calendar.is_working_day(date.fromordinal(n))]
    return first.toordinal(), last.toordinal(), ordinals


def _check(country: str, day: date) -> None:
    last = known_until(country)
    if last is not None and day.year > last:
        raise CalendarUnknown(
            f"{country}'s official working-day calendar for {day.year} is not in the installed "
            f"holidays data (it knows up to {last}); check the official notice")
    first_ordinal, last_ordinal, _ = _table(country)
    if not first_ordinal <= day.toordinal() <= last_ordinal:
        raise CalendarUnknown(f"{day.isoformat()} is outside the working-day calendar this "
                              f"program holds for {country}")


def is_working_day(day: date, country: str) -> bool:
    _check(country, day)
    ordinals = _table(country)[2]
    index = bisect_left(ordinals, day.toordinal())
    return index < len(ordinals) and ordinals[index] == day.toordinal()


def add_working_days(start: date, count: int, country: str) -> date:
    """The date ``count`` working days after ``start`` (before it when negative); ``start``
    itself is not counted."""
    _check(country, start)
    ordinals = _table(country)[2]
    if count >= 0:
        index = bisect_right(ordinals, start.toordinal()) + count - 1 if count else None
    else:
        index = bisect_left(ordinals, start.toordinal()) + count
    if index is None:
        return start
    if not 0 <= index < len(ordinals):
        beyond = start + timedelta(days=count * 2)
        _check(country, beyond)
        raise CalendarUnknown(f"{count} working days from {start.isoformat()} leave the "
                              f"calendar this program holds for {country}")
    result = date.fromordinal(ordinals[index])
    _check(country, result)
    return result

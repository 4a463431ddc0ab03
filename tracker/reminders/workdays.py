"""Working-day arithmetic on official calendars.

China moves working days onto weekends around Spring Festival and National Day; the
``holidays`` library carries those swaps for the years the State Council has announced.
Beyond the last announced year the library still lists rule-based holidays but no swaps,
so arithmetic that reaches past it raises instead of guessing.
"""

from __future__ import annotations

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


def _check(country: str, day: date) -> None:
    last = known_until(country)
    if last is not None and day.year > last:
        raise CalendarUnknown(
            f"{country}'s official working-day calendar for {day.year} is not in the installed "
            f"holidays data (it knows up to {last}); check the official notice")


def is_working_day(day: date, country: str) -> bool:
    _check(country, day)
    return bool(_calendar(country, day.year).is_working_day(day))


def add_working_days(start: date, count: int, country: str) -> date:
    """The date ``count`` working days after ``start`` (before it when negative); ``start``
    itself is not counted."""
    step = timedelta(days=1 if count >= 0 else -1)
    remaining = abs(count)
    day = start
    while remaining:
        day += step
        if is_working_day(day, country):
            remaining -= 1
    return day

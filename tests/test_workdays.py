"""Working days on China's official calendar, 2024-2026, swapped weekends included."""

from __future__ import annotations

from datetime import date

import pytest

from tracker.reminders.workdays import CalendarUnknown, add_working_days, is_working_day

D = date.fromisoformat


@pytest.mark.parametrize("day", [
    "2024-02-04", "2024-02-18", "2024-09-29", "2024-10-12",  # Sundays and a Saturday worked
    "2025-01-26", "2025-02-08", "2025-09-28", "2025-10-11",
    "2026-01-04", "2026-02-14", "2026-02-28", "2026-09-20", "2026-10-10",
])
def test_swapped_weekend_days_are_working_days(day: str) -> None:
    assert D(day).weekday() >= 5
    assert is_working_day(D(day), "CN")


@pytest.mark.parametrize("day", [
    "2024-02-12", "2024-10-07", "2025-01-28", "2025-10-08", "2026-02-17", "2026-02-23",
    "2026-10-06", "2026-09-25",  # weekday holidays: Spring Festival, National Day, Mid-Autumn
    "2026-02-21", "2026-10-04",  # ordinary weekends inside the holidays
])
def test_holidays_and_plain_weekends_are_not(day: str) -> None:
    assert not is_working_day(D(day), "CN")


@pytest.mark.parametrize(("start", "count", "expected"), [
    ("2026-02-10", 10, "2026-03-02"),   # across Spring Festival, Feb 14 and 28 worked
    ("2026-10-20", -10, "2026-09-30"),  # back across National Day, Oct 10 worked
    ("2024-09-27", 3, "2024-10-08"),    # Sep 29 (Sun) worked, Oct 1-7 off
    ("2025-01-24", 2, "2025-01-27"),    # Jan 26 (Sun) worked
    ("2026-11-13", 10, "2026-11-27"),   # an ordinary fortnight
    ("2026-05-06", 0, "2026-05-06"),
])
def test_add_working_days(start: str, count: int, expected: str) -> None:
    assert add_working_days(D(start), count, "CN") == D(expected)


def test_plain_weekends_elsewhere() -> None:
    assert add_working_days(D("2026-11-27"), 1, "DE") == D("2026-11-30")
    assert not is_working_day(D("2026-12-25"), "DE")  # Christmas Day


def test_beyond_the_known_calendar_it_says_so_instead_of_guessing() -> None:
    with pytest.raises(CalendarUnknown, match="for 2098 is not in the installed holidays"):
        add_working_days(D("2098-12-30"), 5, "CN")

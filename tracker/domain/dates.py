"""Parsing dates a person types. One pure place, explicit about what it accepts: never a
guess (MEASURED.md: dateutil's guessing got 14,367 of 89,916 dates wrong)."""

from __future__ import annotations

from datetime import date, timedelta

from dateutil.relativedelta import relativedelta


def parse_iso_date(text: str) -> date | None:
    """``YYYY-MM-DD`` (blank means no date); raises ValueError saying what is wrong."""
    text = text.strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text) if len(text) == 10 else _reject(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a date: write it as YYYY-MM-DD, e.g. 2026-03-31") \
            from None


def _reject(text: str) -> date:
    raise ValueError(text)


# --- Bounds at the door ----------------------------------------------------------------
# No register date is older than the oldest living contract or later than any plausible
# expiry; the bounds keep every derived date (expiry - notice period, review + cadence,
# + working days) inside what the calendar libraries and Python's date can represent.
EARLIEST = date(1900, 1, 1)
LATEST = date(2199, 12, 31)

# Fields that record something that has happened: dated in the future they are a typing
# error (2062 for 2026), and a review "done" next year would silence every reminder.
PAST_DATE_FIELDS = frozenset({
    "assessed_on", "answered_on", "verified_on", "sampling_done_on", "occurred_on",
    "filed_on", "signed_on",
})


def date_problem(name: str, value: date, today: date) -> str | None:
    """Why a date cannot be stored in field ``name`` (None: it can). ``today`` is the real
    date of the write, never the ``--today`` a user asked to see the register as of."""
    if not EARLIEST <= value <= LATEST:
        return (f"{value.isoformat()} is outside the dates a register holds "
                f"({EARLIEST.isoformat()} to {LATEST.isoformat()})")
    if name in PAST_DATE_FIELDS and value > today:
        return f"{value.isoformat()} is in the future; this date records what has happened"
    return None


def shift_days(day: date, days: int) -> date:
    """``day`` plus ``days``, held at the ends of the calendar instead of overflowing: a
    stored date from before the bounds existed must not crash every reminder."""
    try:
        return day + timedelta(days=days)
    except OverflowError:
        return date.max if days > 0 else date.min


def shift_months(day: date, months: int) -> date:
    """Calendar months later, clamped to the month's end (31 Jan + 1 month = 28/29 Feb), and
    held at the ends of the calendar instead of overflowing."""
    try:
        return day + relativedelta(months=months)
    except (OverflowError, ValueError):
        return date.max if months > 0 else date.min

"""Reminders as an iCalendar file the officer's calendar can subscribe to or import.

UIDs are the reminders' stable uids, so exporting again updates each event (its date moves
with the record) instead of adding a duplicate; SEQUENCE grows with each export so calendars
take the newer copy; a completed reminder is exported as CANCELLED, which removes it.
A control character in a register text (old data) is written as its picture: a calendar
that shows the event must never receive a terminal escape."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta

from icalendar import Alarm, Calendar, Event

from tracker import __version__
from tracker.domain.enums import ReminderStatus
from tracker.files import shown_in_file
from tracker.reminders.derive import DerivedReminder

UID_DOMAIN = "tracker.local"


def reminders_calendar(reminders: Iterable[DerivedReminder], *, lead_days: Iterable[int],
                       register_name: str, now: datetime | None = None) -> bytes:
    stamp = now or datetime.now(UTC)
    sequence = int(stamp.timestamp()) // 60  # grows with every export
    calendar = Calendar()
    calendar.add("prodid", f"-//tracker {__version__}//due diligence reminders//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", shown_in_file(f"Tracker reminders — {register_name}"))
    for reminder in reminders:
        event = Event()
        event.add("uid", f"{reminder.uid}@{UID_DOMAIN}")
        event.add("dtstamp", stamp)
        event.add("sequence", sequence)
        start: date = reminder.snoozed_until or reminder.due_on
        event.add("dtstart", start)
        event.add("dtend", start + timedelta(days=1))
        who = f" — {reminder.provider_name}" if reminder.provider_name else ""
        event.add("summary", shown_in_file(f"{reminder.kind.label}: {reminder.subject}{who}"))
        lines = [f"What: {reminder.action}", f"Why: {reminder.why}",
                 f"Due: {reminder.due_on.isoformat()}"]
        if reminder.provider_name:
            lines.append(f"Provider: {reminder.provider_name}")
        if reminder.article:
            lines.append(f"Source: {reminder.article}")
        if reminder.note:
            lines.append(f"Note: {reminder.note}")
        lines.append(f"Reminder id: {reminder.uid}")
        event.add("description", shown_in_file("\n".join(lines)))
        event.add("categories", [reminder.kind.value])
        if reminder.status == ReminderStatus.DONE:
            event.add("status", "CANCELLED")
        else:
            event.add("status", "CONFIRMED")
            for days in sorted(set(lead_days), reverse=True):
                alarm = Alarm()
                alarm.add("action", "DISPLAY")
                alarm.add("description", shown_in_file(f"In {days} days: {reminder.subject}"))
                alarm.add("trigger", timedelta(days=-days))
                event.add_component(alarm)
        calendar.add_component(event)
    return bytes(calendar.to_ical())

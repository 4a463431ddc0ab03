"""How the command line prints: results on stdout, messages on stderr, and each kind of
report in one place. Text from the register is printed as it is stored (control
characters are refused at the door, tracker.domain.text)."""

from __future__ import annotations

import sys
from typing import Any

from tracker.app.imports import ImportReport
from tracker.reminders.derive import DerivedReminder


def say(message: str) -> None:
    """A message for the person, not the pipe: stderr."""
    print(message, file=sys.stderr)


def out(text: str) -> None:
    print(text)


def reminder_json(r: DerivedReminder) -> dict[str, Any]:
    return {"uid": r.uid, "key": r.key, "kind": r.kind.value, "title": r.kind.label,
            "due_on": r.due_on.isoformat(), "status": r.status.value,
            "provider_id": r.provider_id, "provider": r.provider_name, "subject": r.subject,
            "why": r.why, "action": r.action, "article": r.article, "note": r.note,
            "snoozed_until": r.snoozed_until.isoformat() if r.snoozed_until else None}


def print_import(report: ImportReport) -> None:
    for mapping in report.mappings:
        out(f"sheet {mapping.sheet!r}, header on row {mapping.header_row}:")
        for column in mapping.columns:
            target = column.target or "(left out: no field)"
            out(f"  {column.letter:>3}  {column.header[:40]:<40} → {target}")
    for note in report.notes:
        out(note)
    for sheet in report.left_out_sheets:
        out(f"sheet left out: {sheet}")
    for entity, counts in report.counts.items():
        if counts.new or counts.changed or counts.unchanged:
            out(f"{entity:<16} {counts.new:>7,} new {counts.changed:>7,} changed "
                f"{counts.unchanged:>7,} unchanged")
    if report.problems:
        out(f"{len(report.problems)} problem(s):")
        for problem in report.problems:
            out(f"  {problem}")
    if report.conflicts:
        out(f"{len(report.conflicts)} conflict(s): the register changed these since the "
            "workbook's values were current; the register's values were kept:")
        for conflict in report.conflicts:
            out(f"  {conflict}")
    if report.saved_profile:
        say(f"mapping saved as profile {report.saved_profile.stem} ({report.saved_profile})")
    if report.written:
        say(f"imported {report.rows_read:,} rows from {report.path.name}")
    elif not report.problems and not report.dry_run:
        say(f"{report.rows_read:,} rows read from {report.path.name}: the register already "
            "holds all of it, nothing changed")
    elif report.problems:
        say("nothing was written: fix the problems above and import again")
    else:
        say("dry run: nothing was written")

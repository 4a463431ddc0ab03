"""What the register changed after an export, so that importing the export back applies
only what the workbook changed and never reverts what others did since.

An export names the newest audit event it reflects (its manifest's ``audit_last_event``;
a format-1 export only its time). Every later event on a record is a change the workbook
cannot know of; the first such event's "before" holds the value the workbook was given.
For each field of a row read back:

- the workbook still holds the exported value: the register's newer value stands;
- the workbook changed it and the register did not: the workbook's value is applied;
- both changed it, to different values: a *collision*; the register's value is kept and
  the import names the sheet, row, column and both sides, so the officer decides.

The same reading serves records, reminder marks and settings.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from enum import Enum
from typing import Any

from sqlalchemy import select
from sqlmodel import Session, col

from tracker.domain.enums import AuditAction
from tracker.store.models import AuditEvent

# Timestamps a workbook holds to the second, and an event as text (``str(datetime)``).
_STAMP_FIELDS = frozenset({"archived_at", "added_at"})


@dataclass
class Since:
    """One record's changes after the export."""

    exported: dict[str, Any] = field(default_factory=dict)  # field -> value when exported
    created: bool = False  # the record was made after the export (an ID reused)
    absent: bool = False  # a mark or setting that did not exist when exported
    deleted: bool = False
    actor: str = ""
    at: datetime | None = None  # the latest change

    @property
    def who(self) -> str:
        return by_whom(self.actor, self.at)


def by_whom(actor: str, at: datetime | None) -> str:
    """"by Ann (ann) on 2026-12-01": who made a change the import keeps, and when."""
    when = f" on {at:%Y-%m-%d}" if at else ""
    return f"by {actor}{when}" if actor else when.strip()


@dataclass(frozen=True, slots=True)
class Collision:
    """A field both the register and the workbook changed since the export, differently."""

    field: str
    exported: Any  # the value the workbook was given
    register: Any  # the register's value now (kept)
    workbook: Any  # the workbook's value (not applied)


ChangesSince = dict[tuple[str, str], Since]


def changes_since(session: Session, *, last_event: int | None,
                  exported_at: datetime | None,
                  entities: Iterable[str] | None = None) -> ChangesSince:
    """Every record changed after the export, keyed by (entity, id as text). Only events
    after the export are read: usually few, whatever the register's size."""
    statement = select(AuditEvent).order_by(col(AuditEvent.id))
    if last_event is not None:
        statement = statement.where(col(AuditEvent.id) > last_event)
    elif exported_at is not None:
        # Format 1: the export's time, to the second; an event in that same second counts
        # as later, so a doubt keeps the register's value.
        statement = statement.where(col(AuditEvent.at) >= exported_at.replace(tzinfo=UTC))
    else:
        return {}
    if entities is not None:
        statement = statement.where(col(AuditEvent.entity).in_(list(entities)))
    found: ChangesSince = {}
    for event in session.scalars(statement.execution_options(yield_per=2000)):
        key = (event.entity, event.entity_id)
        first = key not in found
        since = found.setdefault(key, Since())
        since.actor, since.at = event.actor, event.at
        if first and event.before is None and event.action != AuditAction.INSERT:
            since.absent = True
        if event.action == AuditAction.INSERT:
            since.created = True
            continue
        if event.action == AuditAction.DELETE:
            since.deleted = True
        before = json.loads(event.before) if event.before else {}
        if isinstance(before, dict):
            for name, value in before.items():
                since.exported.setdefault(name, value)
    return found


def comparable(name: str, value: Any) -> Any:
    """One form for a typed value and for the same value as an event stores it (dates as
    ISO text, enums by value, timestamps to the second in UTC)."""
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime) or (name in _STAMP_FIELDS and isinstance(value, str)):
        moment = value if isinstance(value, datetime) else _parse_moment(str(value))
        if moment is None:
            return value
        if moment.tzinfo is not None:
            moment = moment.astimezone(UTC).replace(tzinfo=None)
        return moment.replace(microsecond=0).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


def _parse_moment(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


def same(name: str, a: Any, b: Any) -> bool:
    return bool(comparable(name, a) == comparable(name, b))


def rebase(workbook: Mapping[str, Any], register: Mapping[str, Any],
           since: Since | None) -> tuple[dict[str, Any], list[Collision]]:
    """The workbook's changes that may be applied to a record the register changed after
    the export, and the collisions. ``since`` None: the register's version moved with no
    event to say how (a trail cut short), so every difference is a collision."""
    applied: dict[str, Any] = {}
    collisions: list[Collision] = []
    for name, value in workbook.items():
        now = register.get(name)
        if same(name, value, now):
            continue
        if since is None:
            collisions.append(Collision(name, None, now, value))
            continue
        if name not in since.exported:  # only the workbook changed it
            applied[name] = value
            continue
        was = since.exported[name]
        if same(name, value, was):  # the workbook kept what it was given
            continue
        collisions.append(Collision(name, was, now, value))
    return applied, collisions


# --- a workbook that is not the tracker's export: its values against each field's history --

FieldHistory = dict[str, list[tuple[Any, AuditEvent | None]]]  # field -> values, oldest first
_BOOKKEEPING = frozenset({"id", "version", "created_at", "updated_at", "search_name",
                          "search_extra"})


def field_histories(session: Session, entity: str,
                    ids: Iterable[int]) -> dict[int, FieldHistory]:
    """Each record's field values through time, from its audit events: what the trail says
    the field held, and the event that set each value (None: held before the trail says)."""
    histories: dict[int, FieldHistory] = {}
    wanted = [str(i) for i in ids]
    for start in range(0, len(wanted), 500):
        statement = (select(AuditEvent)
                     .where(col(AuditEvent.entity) == entity,
                            col(AuditEvent.entity_id).in_(wanted[start:start + 500]))
                     .order_by(col(AuditEvent.id)))
        for event in session.scalars(statement):
            history = histories.setdefault(int(event.entity_id), {})
            before = json.loads(event.before) if event.before else {}
            after = json.loads(event.after) if event.after else {}
            if not isinstance(after, dict):
                continue
            for name, value in after.items():
                if name in _BOOKKEEPING or name == "derived":
                    continue
                values = history.setdefault(name, [])
                if not values and isinstance(before, dict) and name in before:
                    values.append((before[name], None))
                values.append((value, event))
    return histories


@dataclass(frozen=True, slots=True)
class Reversion:
    """A workbook value the register held once and has since moved on from."""

    field: str
    workbook: Any
    register: Any
    changed_by: AuditEvent | None

    @property
    def who(self) -> str:
        event = self.changed_by
        return "" if event is None else f" {by_whom(event.actor, event.at)}"


def reversions(workbook: Mapping[str, Any], history: FieldHistory) -> list[Reversion]:
    """The fields where the workbook holds an earlier value of the record, not its current
    one: importing them would undo a later change (someone's edit, a completed review)."""
    found: list[Reversion] = []
    for name, value in workbook.items():
        values = history.get(name, [])
        if len(values) < 2:
            continue
        *earlier, (current, changed_by) = values
        if same(name, value, current):
            continue
        if any(same(name, value, old) for old, _ in earlier):
            found.append(Reversion(name, value, current, changed_by))
    return found

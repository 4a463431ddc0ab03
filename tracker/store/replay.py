"""Replay the audit trail against the records it describes.

The hash chain (``tracker.store.audit.verify_chain``) proves the events were not edited; it
says nothing about the tables beside them: a raw-SQL ``UPDATE provider SET legal_name = ...``
leaves every hash intact. The replay closes that gap. From the events alone it rebuilds
what the trail last recorded of every record — each field's value, whether it exists — and
compares that with the record as stored. A difference is a change made without an event.

What each writer records, and so what is read here:

- **insert** (the pipeline's form and command-line door, the batch import, the restore):
  ``after`` holds every column of the new record. A new agreement's or review's derived
  children are in ``after["derived"]``, column-wise (``tracker.app.pipeline.derived_summary``):
  ``id`` a list, any other column a list (a value per child) or one value all children
  share, a column left out when no child has a value; each child's parent reference is the
  parent's id.
- **update** (the pipeline, the import's and the restore's ``update_rows``): ``after`` holds
  the changed fields' new values. **archive** / **restore**: ``after`` holds ``archived_at``.
- **delete**: ``after`` is null; the record is gone.
- **settings** (``tracker.store.settings``): entity ``setting``, keyed by the setting's name,
  ``after = {"value": ...}``. The register's identity (migration 0005) is born without an
  event, so it is compared only once an event records it (a backup copy's new identity).
- **reminder marks** (``tracker.app.reminders``, the restore): entity ``reminder_action``,
  keyed by the reminder's key; ``after`` holds state, until and reason (and, for reading,
  the subject and the provider), null when the mark was cleared.

A field that a record's insert event does not name (a column a later migration added) is
not known to the trail and is not compared until an update records it. Bookkeeping that no
event records (``version``, ``updated_at``) and what is derived from a field
(``search_name``, ``search_extra``) is not compared.

Memory: each entity is replayed on its own, as a merge of three streams in record-id order —
the table, the entity's events (sorted by the database), and, for derived children, the
births read from their parents' insert events (the one part of the trail that is not keyed
by the record it describes, so it is held, compactly, for one child entity at a time). So
the replay holds one record's events at a time, never the whole trail.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from enum import Enum
from typing import Any

import sqlalchemy as sa
from sqlalchemy import select
from sqlmodel import Session

from tracker.domain.registry import ENTITIES, INSERT_ORDER, PARENT_FIELD, field_kind
from tracker.store.audit import AuditProblem
from tracker.store.models import BASE_MODELS, AuditEvent, ReminderAction, Setting, table_of
from tracker.store.settings import REGISTER_ID_KEY

# How many problems are listed for one kind of record before the rest are only counted:
# a wiped or rewritten table would otherwise print a line for each of 100,000 records.
DEFAULT_LIMIT = 20
_STREAM_ROWS = 2000
_RECORD_ID = re.compile(r"[1-9][0-9]*")
MARK_FIELDS: tuple[tuple[str, str], ...] = (("state", "enum"), ("until", "date"),
                                            ("reason", "text"))


# --- what is compared, and how two values are the same -----------------------------------

@functools.cache
def tracked_fields(entity: str) -> tuple[tuple[str, str], ...]:
    """(field, kind) of every column the trail records and the replay compares: the fields
    a person or a file supplies, when the record was created, and its stamps."""
    fields = [(name, field_kind(info.annotation).kind)
              for name, info in BASE_MODELS[entity].model_fields.items()]
    columns = table_of(entity).c
    fields += [(stamp, "datetime") for stamp in ("created_at", "added_at", "archived_at")
               if stamp in columns]
    return tuple(fields)


@functools.cache
def _birth_fields(child: str) -> tuple[str, ...]:
    """A derived child's fields as its parent's summary records them (no bookkeeping)."""
    return tuple(name for name, _ in tracked_fields(child) if name != "created_at")


def _odd(value: Any) -> tuple[str, str]:
    """A value of the wrong type for its field (written behind the program's back): equal
    only to the same odd value."""
    return ("?", f"{type(value).__name__}:{value!r}")


def _moment(value: datetime) -> str:
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value.isoformat(timespec="microseconds")


@functools.lru_cache(maxsize=4096)
def _moment_of_text(text: str) -> Any:
    # A batch writes one instant for all its records: the same few texts come again and again
    try:
        return _moment(datetime.fromisoformat(text))
    except ValueError:
        return _odd(text)


def same(kind: str, stored: Any, recorded: Any) -> bool:
    """Whether a stored value is the one an event recorded (``canonical`` of both, with
    the common cases first: this runs for every field of every record)."""
    if stored is None or recorded is None:
        return stored is recorded
    if type(stored) is type(recorded) and kind != "datetime":
        return bool(stored == recorded) or canonical(kind, stored) == canonical(kind, recorded)
    if kind == "bool" and type(recorded) is bool and type(stored) is int:
        return stored in (0, 1) and bool(stored) is recorded
    return bool(canonical(kind, stored) == canonical(kind, recorded))


def canonical(kind: str, value: Any) -> Any:
    """One form of a field's value for both sides: what an event holds (JSON: ISO text for
    dates, an enum's value, true/false) and what the database hands back (SQLite: ISO text,
    0/1; PostgreSQL: dates, aware datetimes, booleans)."""
    if value is None:
        return None
    if isinstance(value, Enum):
        value = value.value
    if kind == "bool":
        if isinstance(value, bool):
            return value
        if isinstance(value, int) and value in (0, 1):
            return bool(value)
        return _odd(value)
    if kind in ("int", "float"):
        if isinstance(value, bool) or not isinstance(value, int | float):
            return _odd(value)
        return float(value) if kind == "float" else (
            int(value) if float(value).is_integer() else _odd(value))
    if kind == "date":
        if isinstance(value, datetime):
            return _odd(value)
        if isinstance(value, date):
            return value.isoformat()
        return value if isinstance(value, str) else _odd(value)
    if kind == "datetime":
        if isinstance(value, datetime):
            return _moment(value)
        return _moment_of_text(value) if isinstance(value, str) else _odd(value)
    return value if isinstance(value, str) else _odd(value)


def shown(value: Any) -> str:
    """A value in a problem's sentence: quoted and escaped (a control character is shown
    as ``\\x1b``, never sent to the terminal), cut short."""
    if value is None:
        return "empty"
    text = repr(value) if isinstance(value, str) else json.dumps(value, default=str)
    return text if len(text) <= 80 else text[:77] + "..."


# --- the trail of one record -----------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class TrailEvent:
    """One event about one record, as the replay reads it."""

    id: int
    action: str  # AuditAction's value, or "birth": created as a parent's derived child
    after: dict[str, Any] | None


@dataclass(slots=True)
class RecordTrail:
    """What the trail last recorded about one record."""

    values: dict[str, Any] = field(default_factory=dict)  # field -> as the event holds it
    # field -> the event that last recorded it, for fields recorded after the creation
    # (a field not here was recorded by ``born``): one dict less for most records
    recorded_by: dict[str, int] = field(default_factory=dict)
    born: int = 0  # the event recording its creation; 0: none did
    deleted: int = 0  # the delete event, when that is the trail's last word on it
    first: int = 0
    last: int = 0


def replay(events: Iterable[TrailEvent], fields: Iterable[str]) -> RecordTrail | None:
    """Fold one record's events (in trail order) into what the trail says of it."""
    names = tuple(fields)
    trail: RecordTrail | None = None
    for event in events:
        if event.action in ("insert", "birth"):
            trail = RecordTrail(born=event.id, first=trail.first if trail else event.id)
        elif trail is None:
            trail = RecordTrail(first=event.id)
        trail.last = event.id
        if event.action == "delete":
            trail.deleted = event.id
            continue
        after = event.after or {}
        if event.action in ("insert", "birth"):
            trail.values = {name: after[name] for name in names if name in after}
            continue
        for name in names:
            if name in after:
                trail.values[name] = after[name]
                trail.recorded_by[name] = event.id
    return trail


def born_as(event_id: int, values: dict[str, Any]) -> RecordTrail:
    """The trail of a record whose only event is its creation (most records)."""
    return RecordTrail(values=values, born=event_id, first=event_id, last=event_id)


def compare_record(subject: str, trail: RecordTrail | None, stored: dict[str, Any] | None,
                   kinds: Iterable[tuple[str, str]]) -> list[AuditProblem]:
    """The differences between a record as stored (None: not in the table) and as the
    trail last recorded it (None: no event names it). Pure: tests call it directly."""
    if trail is None:
        if stored is None:
            return []
        return [AuditProblem(None, "is in the table but no event records it: added without "
                                   "an event", subject)]
    if stored is None:
        if trail.deleted:
            return []
        return [AuditProblem(trail.last, f"the trail last recorded it in event {trail.last} "
                                         "but it is not in the table: deleted without an "
                                         "event", subject)]
    if trail.deleted:
        return [AuditProblem(trail.deleted, f"event {trail.deleted} deleted it but it is in "
                                            "the table: put back without an event", subject)]
    problems: list[AuditProblem] = []
    if not trail.born:
        problems.append(AuditProblem(trail.first, f"no event records its creation (its first "
                                                   f"event is {trail.first})", subject))
    for name, kind in kinds:
        if name not in trail.values:
            continue
        recorded = trail.values[name]
        if not same(kind, stored.get(name), recorded):
            source = trail.recorded_by.get(name, trail.born)
            problems.append(AuditProblem(
                source, f"{name} is {shown(stored.get(name))} in the table but the trail last "
                        f"recorded {shown(recorded)} (event {source}): changed without an "
                        "event", subject))
    return problems


def births_of(parent_id: str, event_id: int, derived: Any
              ) -> Iterator[tuple[str, int, dict[str, Any]] | AuditProblem]:
    """The children a parent's insert event records in ``after["derived"]``: (entity,
    child id, values), or a problem where the summary cannot be read."""
    if not isinstance(derived, dict):
        yield AuditProblem(event_id, "its derived children cannot be read")
        return
    for child, columns in derived.items():
        if child not in PARENT_FIELD or not isinstance(columns, dict) \
                or not isinstance(columns.get("id"), list):
            yield AuditProblem(event_id, f"its derived {child} rows cannot be read")
            continue
        ids: list[Any] = columns["id"]
        names = _birth_fields(child)
        ragged = [n for n, v in columns.items() if isinstance(v, list) and len(v) != len(ids)]
        if ragged or not all(isinstance(i, int) and not isinstance(i, bool) for i in ids):
            yield AuditProblem(event_id, f"its derived {child} rows cannot be read")
            continue
        parent = PARENT_FIELD[child]
        for index, child_id in enumerate(ids):
            values: dict[str, Any] = {}
            for name in names:
                column = columns.get(name)
                values[name] = column[index] if isinstance(column, list) else column
            values[parent] = int(parent_id) if _RECORD_ID.fullmatch(parent_id) else parent_id
            yield child, child_id, values


# --- the register ----------------------------------------------------------------------------

@dataclass
class ReplayOutcome:
    records: int = 0  # records and settings compared
    events: int = 0  # events replayed
    problems: list[AuditProblem] = field(default_factory=list)


class _Listed:
    """Problems of one kind of record, the first ``limit`` listed and the rest counted."""

    def __init__(self, outcome: ReplayOutcome, label: str, limit: int) -> None:
        self.outcome, self.label, self.limit, self.more = outcome, label, limit, 0
        self.listed = 0

    def add(self, problems: list[AuditProblem]) -> None:
        for problem in problems:
            if self.listed < self.limit:
                self.outcome.problems.append(problem)
                self.listed += 1
            else:
                self.more += 1

    def close(self) -> None:
        if self.more:
            self.outcome.problems.append(AuditProblem(
                None, f"... and {self.more:,} more problems with {self.label} records"))


def _raw(column: sa.ColumnElement[Any]) -> sa.ColumnElement[Any]:
    """A column read as the driver gives it: no enum or date processing that a value
    written behind the program's back could make fail."""
    return sa.type_coerce(column, sa.types.NullType()).label(column.key)


def _streamed(session: Session, statement: sa.Select[Any]) -> Iterator[Any]:
    yield from session.connection().execution_options(
        stream_results=True, yield_per=_STREAM_ROWS).execute(statement)


Group = list[tuple[int, str, str | None]]  # (event id, action, after as text)


def _event_groups(session: Session, entity: str,
                  outcome: ReplayOutcome) -> Iterator[tuple[str, Group]]:
    """The events of one entity, grouped by the record they name, in record-id order
    (numeric for entity tables: length first, then text), each group in trail order."""
    table = getattr(AuditEvent, "__table__")
    statement = (select(table.c.id, _raw(table.c.action), table.c.entity_id, table.c.after)
                 .where(table.c.entity == entity)
                 .order_by(sa.func.length(table.c.entity_id), table.c.entity_id, table.c.id))
    current: str | None = None
    group: list[tuple[int, str, str | None]] = []
    for event_id, action, entity_id, after in _streamed(session, statement):
        outcome.events += 1
        if entity_id != current:
            if current is not None:
                yield current, group
            current, group = entity_id, []
        group.append((int(event_id), str(action), after))
    if current is not None:
        yield current, group


def _trail_events(group: list[tuple[int, str, str | None]],
                  listed: _Listed) -> list[TrailEvent]:
    events: list[TrailEvent] = []
    for event_id, action, after_text in group:
        try:
            after = json.loads(after_text) if after_text is not None else None
        except ValueError:
            listed.add([AuditProblem(event_id, "what it recorded is not readable JSON")])
            continue
        if after is not None and not isinstance(after, dict):
            listed.add([AuditProblem(event_id, "what it recorded is not a set of fields")])
            continue
        events.append(TrailEvent(event_id, action, after))
    return events


Births = dict[int, tuple[int, tuple[Any, ...]]]  # child id -> (parent's event, values)


class _Interned:
    """Children repeat the same few texts (a clause's name, a status) hundreds of thousands
    of times at scale: keep one copy of each short text."""

    def __init__(self) -> None:
        self.seen: dict[Any, Any] = {}

    def __call__(self, value: Any) -> Any:
        if isinstance(value, str) and len(value) <= 64:
            return self.seen.setdefault(value, value)
        return value


def replay_register(session: Session, *, limit: int = DEFAULT_LIMIT) -> ReplayOutcome:
    """Replay the whole trail against every record, setting and reminder mark."""
    outcome = ReplayOutcome()
    births: dict[str, Births] = {child: {} for child in PARENT_FIELD}
    intern = _Interned()
    for entity in INSERT_ORDER:
        _replay_entity(session, entity, births, intern, outcome, limit)
    _replay_keyed(session, outcome, limit, entity="setting", label="setting",
                  stored=_stored_settings(session), kinds=(("value", "json"),))
    _replay_keyed(session, outcome, limit, entity="reminder_action", label="reminder mark",
                  stored=_stored_marks(session), kinds=MARK_FIELDS)
    return outcome


def _replay_entity(session: Session, entity: str, births: dict[str, Births],
                   intern: _Interned, outcome: ReplayOutcome, limit: int) -> None:
    label = ENTITIES[entity].label
    listed = _Listed(outcome, label, limit)
    kinds = tracked_fields(entity)
    names = tuple(name for name, _ in kinds)
    born_here = births.pop(entity, {})
    birth_names = _birth_fields(entity) if entity in PARENT_FIELD else ()
    table = table_of(entity)
    rows = ((int(row[0]), dict(zip(names, row[1:], strict=True))) for row in _streamed(
        session, select(table.c.id, *(_raw(table.c[n]) for n in names)).order_by(table.c.id)))
    groups = _numeric_groups(_event_groups(session, entity, outcome), label, listed)
    children = ENTITIES[entity].children
    for record_id, stored, group, birth in _merged(rows, groups, sorted(born_here)):
        if stored is not None:
            outcome.records += 1
        if birth is not None and not group:  # a derived child nobody changed since
            event_id, values = born_here[birth]
            trail = born_as(event_id, dict(zip(birth_names, values, strict=True)))
            listed.add(compare_record(f"{label} {record_id}", trail, stored, kinds))
            continue
        events = _trail_events(group, listed)
        if birth is not None:
            event_id, values = born_here[birth]
            events.append(TrailEvent(event_id, "birth", dict(zip(birth_names, values,
                                                                 strict=True))))
            events.sort(key=lambda e: e.id)
        for event in events:
            if children and event.action == "insert" and event.after \
                    and "derived" in event.after:
                _note_births(str(record_id), event, births, intern, listed)
        listed.add(compare_record(f"{label} {record_id}", replay(events, names), stored,
                                  kinds))
    listed.close()


def _note_births(parent_id: str, event: TrailEvent, births: dict[str, Births],
                 intern: _Interned, listed: _Listed) -> None:
    assert event.after is not None
    for found in births_of(parent_id, event.id, event.after["derived"]):
        if isinstance(found, AuditProblem):
            listed.add([found])
            continue
        child, child_id, values = found
        held = births[child].get(child_id)
        if held is None or held[0] < event.id:  # an id given again after a deletion
            births[child][child_id] = (event.id, tuple(intern(values[n])
                                                       for n in _birth_fields(child)))


def _numeric_groups(groups: Iterator[tuple[str, list[tuple[int, str, str | None]]]],
                    label: str, listed: _Listed
                    ) -> Iterator[tuple[int, list[tuple[int, str, str | None]]]]:
    """Groups keyed by a record id; an event naming something that is not one (written
    behind the program's back) is a problem, and is left out of the replay."""
    for entity_id, group in groups:
        if _RECORD_ID.fullmatch(entity_id):
            yield int(entity_id), group
        else:
            listed.add([AuditProblem(event_id, f"it names {label} {entity_id!r}, which is not "
                                               "a record id") for event_id, _, _ in group])


_END = (1 << 63, None)


def _merged(rows: Iterator[tuple[int, dict[str, Any]]],
            groups: Iterator[tuple[int, list[tuple[int, str, str | None]]]],
            births: list[int]) -> Iterator[tuple[int, dict[str, Any] | None,
                                                 list[tuple[int, str, str | None]],
                                                 int | None]]:
    """(record id, stored values or None, its events, its birth or None) for every id in
    any of the three id-ordered streams."""
    born = iter(births)
    row: tuple[int, Any] = next(rows, _END)
    group: tuple[int, Any] = next(groups, _END)
    birth = next(born, _END[0])
    while True:
        record_id = min(row[0], group[0], birth)
        if record_id == _END[0]:
            return
        stored: dict[str, Any] | None = None
        events: list[tuple[int, str, str | None]] = []
        found: int | None = None
        if row[0] == record_id:
            stored = row[1]
            row = next(rows, _END)
        if group[0] == record_id:
            events = group[1]
            group = next(groups, _END)
        if birth == record_id:
            found = birth
            birth = next(born, _END[0])
        yield record_id, stored, events, found


# --- settings and reminder marks: keyed by text, few, held while compared --------------------

def _stored_settings(session: Session) -> dict[str, dict[str, Any]]:
    table = getattr(Setting, "__table__")
    return {str(key): {"value": value} for key, value in session.execute(
        select(table.c.key, table.c.value))}


def _stored_marks(session: Session) -> dict[str, dict[str, Any]]:
    table = getattr(ReminderAction, "__table__")
    return {str(row[0]): dict(zip(("state", "until", "reason"), row[1:], strict=True))
            for row in session.execute(select(table.c.key, _raw(table.c.state),
                                              _raw(table.c.until), table.c.reason))}


def _json_value(text: Any) -> Any:
    """A stored setting (JSON text) in the form its event recorded it."""
    try:
        return json.dumps(json.loads(text), sort_keys=True, ensure_ascii=False)
    except (TypeError, ValueError):
        return _odd(text)


def _replay_keyed(session: Session, outcome: ReplayOutcome, limit: int, *, entity: str,
                  label: str, stored: dict[str, dict[str, Any]],
                  kinds: tuple[tuple[str, str], ...]) -> None:
    listed = _Listed(outcome, label, limit)
    names = tuple(name for name, _ in kinds)
    seen: set[str] = set()
    for key, group in _event_groups(session, entity, outcome):
        seen.add(key)
        events = _trail_events(group, listed)
        trail = replay([TrailEvent(e.id, "insert" if e.action == "update" else e.action,
                                   e.after) for e in events], names)
        current = stored.get(key)
        if current is not None:
            outcome.records += 1
        listed.add(_compare_keyed(f"{label} {key!r}", trail, current, kinds))
    for key in sorted(stored.keys() - seen):
        if entity == "setting" and key == REGISTER_ID_KEY:
            continue  # born with the register, by migration 0005, without an event
        outcome.records += 1
        listed.add(compare_record(f"{label} {key!r}", None, stored[key], kinds))
    listed.close()


def _compare_keyed(subject: str, trail: RecordTrail | None, stored: dict[str, Any] | None,
                   kinds: tuple[tuple[str, str], ...]) -> list[AuditProblem]:
    if kinds == (("value", "json"),):  # a setting: its JSON, compared as JSON
        if trail is not None and "value" in trail.values:
            trail.values["value"] = json.dumps(trail.values["value"], sort_keys=True,
                                               ensure_ascii=False)
        if stored is not None:
            stored = {"value": _json_value(stored["value"])}
        kinds = (("value", "text"),)
    return compare_record(subject, trail, stored, kinds)


def register_holds_anything(session: Session) -> dict[str, int]:
    """What the register holds besides its identity: entity -> count of records (only the
    entities that hold any), settings and marks included."""
    held: dict[str, int] = {}
    for entity in INSERT_ORDER:
        table = table_of(entity)
        count = int(session.scalar(select(sa.func.count()).select_from(table)) or 0)
        if count:
            held[ENTITIES[entity].label] = count
    settings = getattr(Setting, "__table__")
    count = int(session.scalar(select(sa.func.count()).select_from(settings)
                               .where(settings.c.key != REGISTER_ID_KEY)) or 0)
    if count:
        held["setting"] = count
    marks = getattr(ReminderAction, "__table__")
    count = int(session.scalar(select(sa.func.count()).select_from(marks)) or 0)
    if count:
        held["reminder mark"] = count
    return held

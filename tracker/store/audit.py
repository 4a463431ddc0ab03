"""The tamper-evident audit trail.

Each event's hash covers its own fields and the previous event's hash, so editing,
inserting or deleting an event breaks the chain at that point; the ``audit_head`` row holds
the newest hash and the count, so deleting the newest events shows too. This is evidence
against casual or mistaken edits, not a signature: someone who rewrites every later hash and
the head can hide a change, which is why backups of the register matter.
"""

from __future__ import annotations

import getpass
import hashlib
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from tracker.domain.enums import AuditAction
from tracker.store.fastinsert import insert_rows
from tracker.store.models import AuditEvent, AuditHead, Setting, utcnow

GENESIS = "0" * 64


def canonical_json(values: dict[str, Any] | None) -> str | None:
    if values is None:
        return None
    return json.dumps(values, sort_keys=True, ensure_ascii=False, separators=(",", ":"),
                      default=str)


def canonical_time(moment: datetime) -> str:
    """SQLite returns naive datetimes, PostgreSQL aware ones: hash one form of both."""
    aware = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    return aware.isoformat(timespec="microseconds")


def event_hash(prev_hash: str, at: datetime, actor: str, action: str, entity: str,
               entity_id: str, before: str | None, after: str | None) -> str:
    return _hash_text(prev_hash, canonical_time(at), actor, str(action), entity, entity_id,
                      before, after)


def _hash_text(prev_hash: str, at_text: str, actor: str, action: str, entity: str,
               entity_id: str, before: str | None, after: str | None) -> str:
    payload = json.dumps([prev_hash, at_text, actor, action, entity, entity_id, before, after],
                         ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def os_user() -> str:
    try:
        return os.environ.get("TRACKER_USER") or getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def current_actor(session: Session) -> str:
    """"Display Name (os user)" when the user set a name in settings, else the OS user."""
    user = os_user()
    stored = session.get(Setting, f"display_name.{user}")
    if stored is None:
        return user
    return f"{json.loads(stored.value)} ({user})"


def record_event(session: Session, *, actor: str, action: AuditAction, entity: str,
                 entity_id: object, before: dict[str, Any] | None,
                 after: dict[str, Any] | None) -> AuditEvent:
    """Append one event in the caller's transaction, so the change and its record stand or
    fall together."""
    head = session.get(AuditHead, 1, with_for_update=True)
    if head is None:
        head = AuditHead(id=1, last_id=0, last_hash=GENESIS, count=0)
        session.add(head)
    at = utcnow()
    before_text, after_text = canonical_json(before), canonical_json(after)
    digest = event_hash(head.last_hash, at, actor, action.value, entity, str(entity_id),
                        before_text, after_text)
    event = AuditEvent(at=at, actor=actor, action=action, entity=entity,
                       entity_id=str(entity_id), before=before_text, after=after_text,
                       prev_hash=head.last_hash, hash=digest)
    session.add(event)
    session.flush()
    assert event.id is not None
    head.last_id, head.last_hash, head.count = event.id, digest, head.count + 1
    return event


def last_event_id(session: Session) -> int:
    """The id of the newest event (0 for an empty trail), as this transaction sees it."""
    head = session.get(AuditHead, 1)
    return head.last_id if head is not None else 0


@dataclass(frozen=True, slots=True)
class PendingEvent:
    """An audit event of a bulk write, before it is chained."""

    action: AuditAction
    entity: str
    entity_id: object
    before: dict[str, Any] | None
    after: dict[str, Any] | None


def record_events_bulk(session: Session, *, actor: str, events: list[PendingEvent]) -> int:
    """Append many events in the caller's transaction with one multi-row insert: the same
    chain and hash as ``record_event``, computed here in order."""
    if not events:
        return 0
    head = session.get(AuditHead, 1, with_for_update=True)
    if head is None:
        head = AuditHead(id=1, last_id=0, last_hash=GENESIS, count=0)
        session.add(head)
        session.flush()
    at = utcnow()
    at_text = canonical_time(at)  # one instant for the whole batch
    previous = head.last_hash
    next_id = head.last_id + 1
    rows: list[dict[str, Any]] = []
    for pending in events:
        before_text, after_text = canonical_json(pending.before), canonical_json(pending.after)
        digest = _hash_text(previous, at_text, actor, pending.action.value, pending.entity,
                            str(pending.entity_id), before_text, after_text)
        rows.append({"id": next_id, "at": at, "actor": actor, "action": pending.action,
                     "entity": pending.entity, "entity_id": str(pending.entity_id),
                     "before": before_text, "after": after_text, "prev_hash": previous,
                     "hash": digest})
        previous = digest
        next_id += 1
    insert_rows(session, getattr(AuditEvent, "__table__"), rows, assign_ids=False)
    head.last_id, head.last_hash, head.count = next_id - 1, previous, head.count + len(rows)
    session.flush()
    return len(rows)


@dataclass(frozen=True, slots=True)
class AuditProblem:
    event_id: int | None
    message: str

    def __str__(self) -> str:
        where = f"event {self.event_id}" if self.event_id is not None else "audit trail"
        return f"{where}: {self.message}"


def iter_events(session: Session, batch: int = 5000) -> Iterator[AuditEvent]:
    statement = select(AuditEvent).order_by(AuditEvent.id).execution_options(yield_per=batch)  # type: ignore[arg-type]
    yield from session.scalars(statement)


def verify_chain(session: Session) -> tuple[int, list[AuditProblem]]:
    """Walk the whole trail; returns how many events were checked and every problem found."""
    problems: list[AuditProblem] = []
    expected_prev = GENESIS
    checked = 0
    last: AuditEvent | None = None
    for event in iter_events(session):
        checked += 1
        if event.prev_hash != expected_prev:
            problems.append(AuditProblem(
                event.id, "does not follow the event before it: an event was deleted or "
                          "inserted here, or this one was altered"))
        recomputed = event_hash(event.prev_hash, event.at, event.actor, str(event.action),
                                event.entity, event.entity_id, event.before, event.after)
        if recomputed != event.hash:
            problems.append(AuditProblem(event.id, "its content does not match its hash: "
                                                   "it was edited after it was written"))
        expected_prev = event.hash
        last = event
    head = session.get(AuditHead, 1)
    head_hash = head.last_hash if head else GENESIS
    head_count = head.count if head else 0
    if head_count != checked:
        problems.append(AuditProblem(None, f"the trail should hold {head_count} events but "
                                           f"holds {checked}: events were deleted or added"))
    if (last.hash if last else GENESIS) != head_hash:
        problems.append(AuditProblem(None, "the newest event is not the one last written: "
                                           "events at the end were deleted or replaced"))
    return checked, problems

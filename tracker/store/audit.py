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
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy import select
from sqlmodel import Session

from tracker.domain.enums import AuditAction
from tracker.domain.text import control_problem, visible
from tracker.errors import TrackerError
from tracker.store.fastinsert import insert_rows
from tracker.store.models import AuditEvent, AuditHead, Setting, utcnow
from tracker.store.team import database_writes_chain, session_login

GENESIS = "0" * 64


# json.dumps with these options builds a new encoder per call; the import encodes one
# event per record, so one encoder serves them all (the same text).
_CANONICAL = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":"),
                              default=str)


# Value types orjson writes exactly as _CANONICAL does (a float can differ: 1e-05 is written
# 0.00001; a date or an enum member would be written by orjson itself, not through str).
_ORJSON_AS_CANONICAL = frozenset({str, int, bool, type(None)})


def canonical_json(values: dict[str, Any] | None) -> str | None:
    """The event's values as sorted, compact JSON: the text every hash covers, so it must
    never change for the same values. A flat record of text, whole numbers, booleans and
    nulls (nearly every event) is written by orjson, ~10x faster than json's encoder and the
    same text (sorted by code point; the same escapes; tests hold the two to each other);
    anything else, or what orjson refuses (a lone surrogate, an int past 64 bits, a key
    that is no string), by json's encoder."""
    if values is None:
        return None
    if _ORJSON_AS_CANONICAL.issuperset(map(type, values.values())):  # in C, no generator
        try:
            return orjson.dumps(values, option=orjson.OPT_SORT_KEYS).decode()
        except (orjson.JSONEncodeError, TypeError):
            pass
    return _CANONICAL.encode(values)


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
    # Exactly json.dumps([...], ensure_ascii=False, separators=(",", ":")) of the eight
    # strings (or nulls): orjson writes that text (the same escapes), ~2.5x faster than
    # quoting each part, and the import hashes one per record. A part orjson refuses (a
    # lone surrogate) is quoted by json, as before.
    parts = [prev_hash, at_text, actor, action, entity, entity_id, before, after]
    try:
        payload = orjson.dumps(parts)
    except orjson.JSONEncodeError:
        payload = ("[" + ",".join("null" if part is None else _quote(part) for part in parts)
                   + "]").encode("utf-8")
    return hashlib.sha256(payload).hexdigest()


_quote = json.encoder.encode_basestring


MAX_USER_CHARS = 100  # a user name, not a paragraph: the actor is one line of every event


def os_user() -> str:
    """TRACKER_USER, else the OS user name (which getpass reads from LOGNAME, USER, … first).
    Both come from the environment and land in every audit event, so a control character or
    a line break in them (tracker.domain.text) is refused, not recorded."""
    configured = os.environ.get("TRACKER_USER")
    try:
        user, source = ((configured, "TRACKER_USER") if configured
                        else (getpass.getuser(), "the OS user name (LOGNAME or USER)"))
    except (KeyError, OSError):
        return "unknown"
    problem = control_problem(user, one_line=True)
    if problem is None and len(user) > MAX_USER_CHARS:
        problem = f"has {len(user):,} characters (at most {MAX_USER_CHARS})"
    if problem:
        raise TrackerError(f"{source} {problem}; set TRACKER_USER to a plain user name")
    return user


def current_actor(session: Session) -> str:
    """"Display Name (user)" when the user set a name in settings, else the user. A
    display name stored before control characters were refused is shown escaped.

    The user is the OS user (or TRACKER_USER) on SQLite; on PostgreSQL it is the database
    login (``session_user``), which the server vouches for and its chain trigger enforces
    (tracker.store.team): a name the environment claims is not who wrote the change."""
    connection = session.connection()
    user = session_login(connection) if database_writes_chain(connection) else os_user()
    stored = session.get(Setting, f"display_name.{user}")
    if stored is None:
        return user
    try:  # as tracker.store.settings.stored_value reads it (that module imports this one)
        name = json.loads(stored.value, strict=False)
    except json.JSONDecodeError:
        name = stored.value
    return f"{visible(str(name))} ({user})"


def record_event(session: Session, *, actor: str, action: AuditAction, entity: str,
                 entity_id: object, before: dict[str, Any] | None,
                 after: dict[str, Any] | None) -> AuditEvent:
    """Append one event in the caller's transaction, so the change and its record stand or
    fall together. On PostgreSQL the database numbers, stamps, signs with the login and
    chains it (tracker.store.team); the event is read back as stored."""
    if database_writes_chain(session.connection()):
        event = AuditEvent(at=utcnow(), actor=actor, action=action, entity=entity,
                           entity_id=str(entity_id), before=canonical_json(before),
                           after=canonical_json(after), prev_hash="", hash="")
        session.add(event)
        session.flush()
        session.refresh(event)
        _forget_head(session)
        return event
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


def _forget_head(session: Session) -> None:
    """The database moved the head: a copy this session holds is stale."""
    for held in list(session.identity_map.values()):
        if isinstance(held, AuditHead):
            session.expire(held)


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
    if database_writes_chain(session.connection()):  # one multi-row insert; the trigger chains
        at = utcnow()
        insert_rows(session, getattr(AuditEvent, "__table__"), [
            {"at": at, "actor": actor, "action": pending.action, "entity": pending.entity,
             "entity_id": str(pending.entity_id), "before": canonical_json(pending.before),
             "after": canonical_json(pending.after), "prev_hash": "", "hash": ""}
            for pending in events], assign_ids=False)
        _forget_head(session)
        return len(events)
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
    """One thing the trail does not vouch for: at an event, at a record (``subject``, e.g.
    "provider 12"), or of the trail as a whole."""

    event_id: int | None
    message: str
    subject: str | None = None

    def __str__(self) -> str:
        if self.subject is not None:
            where = self.subject
        else:
            where = f"event {self.event_id}" if self.event_id is not None else "audit trail"
        return f"{where}: {self.message}"


def iter_events(session: Session, batch: int = 5000) -> Iterator[AuditEvent]:
    statement = select(AuditEvent).order_by(AuditEvent.id).execution_options(yield_per=batch)  # type: ignore[arg-type]
    yield from session.scalars(statement)


@dataclass
class ChainWalk:
    """What walking the chain found: how many events, the problems, and the hash of the
    event at each position asked for (the n-th event of the trail, counted from 1)."""

    checked: int
    problems: list[AuditProblem]
    hashes: dict[int, str]


def _chain_rows(session: Session, batch: int = 5000) -> Iterator[Any]:
    """The events' hashed columns in trail order, as rows rather than ORM objects (a third
    of the time at 300,000 events); ``at`` keeps its DateTime reading, ``action`` is read as
    the text that was hashed."""
    table = getattr(AuditEvent, "__table__")
    statement = select(table.c.id, table.c.at, table.c.actor,
                       sa.type_coerce(table.c.action, sa.String()), table.c.entity,
                       table.c.entity_id, table.c.before, table.c.after, table.c.prev_hash,
                       table.c.hash).order_by(table.c.id)
    yield from session.connection().execution_options(
        stream_results=True, yield_per=batch).execute(statement)


def walk_chain(session: Session, positions: Iterable[int] = ()) -> ChainWalk:
    """Walk the whole trail, checking each link and the head; also note the hashes at
    ``positions`` (what an anchor is checked against)."""
    wanted = set(positions)
    hashes: dict[int, str] = {}
    problems: list[AuditProblem] = []
    expected_prev = GENESIS
    checked = 0
    last_hash = GENESIS
    for event_id, at, actor, action, entity, entity_id, before, after, prev_hash, digest \
            in _chain_rows(session):
        checked += 1
        if prev_hash != expected_prev:
            problems.append(AuditProblem(
                event_id, "does not follow the event before it: an event was deleted or "
                          "inserted here, or this one was altered"))
        recomputed = event_hash(prev_hash, at, actor, str(action), entity, entity_id, before,
                                after)
        if recomputed != digest:
            problems.append(AuditProblem(event_id, "its content does not match its hash: "
                                                   "it was edited after it was written"))
        if checked in wanted:
            hashes[checked] = digest
        expected_prev = last_hash = digest
    head = session.get(AuditHead, 1)
    head_hash = head.last_hash if head else GENESIS
    head_count = head.count if head else 0
    if head_count != checked:
        problems.append(AuditProblem(None, f"the trail should hold {head_count} events but "
                                           f"holds {checked}: events were deleted or added"))
    if last_hash != head_hash:
        problems.append(AuditProblem(None, "the newest event is not the one last written: "
                                           "events at the end were deleted or replaced"))
    return ChainWalk(checked, problems, hashes)


def verify_chain(session: Session) -> tuple[int, list[AuditProblem]]:
    """Walk the whole trail; returns how many events were checked and every problem found."""
    walk = walk_chain(session)
    return walk.checked, walk.problems

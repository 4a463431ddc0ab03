"""Anchors: what the trail was at a moment, kept somewhere else, so a trail that was later
cut or rewritten shows.

An anchor is (register identity, how many events the trail held, the newest event's hash,
when). The hash chain and the head row live in the register itself: someone who deletes the
newest events and copies the surviving hash and count into the head leaves a trail that
verifies. An anchor written into an export, a backup or a file of its own does not move with
them: the register's event number ``count`` must still exist and still have that hash.

A backup copy is marked here (``mark_copy``, the ``prepare`` hook of
``tracker.store.sqlite.backup``): it gets an identity of its own, so its exports can never
overwrite its origin's records by ID (``tracker.app.restore`` refuses another register's
workbook), and it keeps the origin's anchor at the moment of copying (``copied_from``). Both
are written as audited settings in the copy's own trail, so the copy's chain stays valid.
"""

from __future__ import annotations

import sqlite3
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, exc, func, select
from sqlalchemy.pool import StaticPool
from sqlmodel import Session

from tracker.errors import TrackerError
from tracker.store.audit import GENESIS, AuditProblem, ChainWalk, current_actor
from tracker.store.models import AuditEvent, AuditHead
from tracker.store.settings import (
    COPIED_FROM_KEY,
    REGISTER_ID_KEY,
    copied_from,
    register_id,
    set_identity,
)

HASH_CHARS = 64


@dataclass(frozen=True, slots=True)
class Anchor:
    register_id: str
    count: int  # events the trail held
    hash: str  # the hash of event number ``count`` (GENESIS for an empty trail)
    at: str  # when it was taken: ISO 8601, UTC

    def as_dict(self) -> dict[str, Any]:
        return {"register_id": self.register_id, "count": self.count, "hash": self.hash,
                "at": self.at}

    @classmethod
    def from_values(cls, values: Any, where: str) -> Anchor:
        """An anchor from stored or file values; a TrackerError naming ``where`` if they
        are not one."""
        if not isinstance(values, dict):
            raise TrackerError(f"{where}: holds no audit anchor")
        identity, count, digest, at = (values.get(k) for k in ("register_id", "count", "hash",
                                                              "at"))
        count = _whole_number(count)
        if not isinstance(identity, str) or not identity:
            raise TrackerError(f"{where}: the anchor names no register")
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            raise TrackerError(f"{where}: the anchor's event count {count!r} is not a number "
                               "of events")
        if not isinstance(digest, str) or len(digest) != HASH_CHARS \
                or any(c not in "0123456789abcdef" for c in digest):
            raise TrackerError(f"{where}: the anchor's hash {digest!r} is not a SHA-256")
        return cls(identity, count, digest, str(at or "an unknown time"))


def _whole_number(value: Any) -> Any:
    """A count as a file gives it back: a spreadsheet reads 30 as 30.0."""
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def now_text() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def current_anchor(session: Session) -> Anchor:
    """The trail as this transaction sees it, by its head row (what an export or a backup
    made in the same transaction holds)."""
    head = session.get(AuditHead, 1)
    if head is None or head.count == 0:
        return Anchor(register_id(session), 0, GENESIS, now_text())
    return Anchor(register_id(session), head.count, head.last_hash, now_text())


def check_anchor(walk: ChainWalk, anchor: Anchor, source: str) -> list[AuditProblem]:
    """The register's event number ``anchor.count`` must exist and have the anchor's hash.
    ``walk`` must have been asked for that position (``walk_chain(positions=...)``)."""
    if anchor.count == 0:
        return []  # the trail was empty then: everything since is newer than the anchor
    says = f"{source} says event {anchor.count} has hash {anchor.hash[:16]}…"
    if walk.checked < anchor.count:
        return [AuditProblem(None, f"the trail was cut or rewritten after {anchor.at}: {says}, "
                                   f"but the trail holds only {walk.checked} events")]
    found = walk.hashes.get(anchor.count)
    if found != anchor.hash:
        return [AuditProblem(anchor.count, f"the trail was cut or rewritten after {anchor.at}: "
                                           f"{says}, but it has {str(found)[:16]}…")]
    return []


# --- a backup copy ---------------------------------------------------------------------------

def mark_copy(destination: sqlite3.Connection) -> None:
    """The ``prepare`` hook of a backup: in the open copy, before it takes its name, give it
    an identity of its own and keep the origin's anchor. Written through the same audited
    setting path as every change, in the copy's own trail."""
    # One SQLAlchemy session over the copy's connection, so the events are chained and
    # stored exactly as every other event is. The pool hands out that one connection and
    # is never disposed: the backup closes the connection itself, after committing.
    engine = create_engine("sqlite://", creator=lambda: destination, poolclass=StaticPool)
    with Session(engine, expire_on_commit=False) as session:
        origin = current_anchor(session)
        actor = current_actor(session)
        set_identity(session, REGISTER_ID_KEY, str(uuid.uuid4()), actor=actor)
        set_identity(session, COPIED_FROM_KEY, origin.as_dict(), actor=actor)
        session.commit()


@dataclass(frozen=True, slots=True)
class FileAnchors:
    """What a register file (a backup, a copy) vouches for: its own trail's head, and the
    anchor of the register it was copied from, if it is a copy."""

    register_id: str
    head: Anchor
    copied_from: Anchor | None


def anchors_of_session(session: Session, where: str) -> FileAnchors:
    head = session.get(AuditHead, 1)
    newest = session.scalar(select(func.max(AuditEvent.at)))
    at = newest.replace(tzinfo=None).isoformat(timespec="seconds") + "Z" \
        if isinstance(newest, datetime) else "an unknown time"
    identity = register_id(session)
    own = Anchor(identity, head.count if head else 0, head.last_hash if head else GENESIS, at)
    origin = copied_from(session)
    return FileAnchors(identity, own, Anchor.from_values(origin, where) if origin else None)


def anchors_of_register_file(path: Path) -> FileAnchors:
    """The anchors a register file holds, read without changing it (no migration, no
    lock file beside it where the folder allows none)."""
    from tracker.store.engine import make_engine

    engine = make_engine(f"sqlite:///{path.absolute()}",
                         read_only="it is read as an audit anchor")
    try:
        with Session(engine) as session:
            return anchors_of_session(session, str(path))
    except exc.DatabaseError as err:
        raise TrackerError(f"{path} is not a tracker register, an export or an anchor file "
                           f"({err.orig})") from None
    finally:
        engine.dispose()

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
The origin's anchor also names the file it was taken of (``file``): a plain file copy of a
register (``cp``) shares its identity, and once changed on its own its trail goes its own
way, so a backup of that copy disagrees with the origin without anything having been cut;
only an anchor taken of the very file being checked can show that its trail was cut
(``tracker.app.audit`` says what each finding proves).

A register file is read for its anchors as a thing to look at, never as a register to use
(``anchors_of_register_file``): opened immutable, so nothing is written beside it, not even
the -shm and -wal files a WAL reader creates.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
import uuid
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, exc, func, select
from sqlalchemy.pool import NullPool, StaticPool
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
    # the register file it was taken of (resolved), when known: a backup's origin
    file: str | None = None

    def as_dict(self) -> dict[str, Any]:
        values: dict[str, Any] = {"register_id": self.register_id, "count": self.count,
                                  "hash": self.hash, "at": self.at}
        if self.file is not None:
            values["file"] = self.file
        return values

    def taken_of(self, path: Path) -> bool:
        """Whether this anchor was taken of the register file ``path`` (False when unknown)."""
        return self.file is not None and same_file_name(self.file, path)

    @classmethod
    def from_values(cls, values: Any, where: str) -> Anchor:
        """An anchor from stored or file values; a TrackerError naming ``where`` if they
        are not one."""
        if not isinstance(values, dict):
            raise TrackerError(f"{where}: holds no audit anchor")
        identity, count, digest, at, file = (values.get(k) for k in (
            "register_id", "count", "hash", "at", "file"))
        count = _whole_number(count)
        if not isinstance(identity, str) or not identity:
            raise TrackerError(f"{where}: the anchor names no register")
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            raise TrackerError(f"{where}: the anchor's event count {count!r} is not a number "
                               "of events")
        if not isinstance(digest, str) or len(digest) != HASH_CHARS \
                or any(c not in "0123456789abcdef" for c in digest):
            raise TrackerError(f"{where}: the anchor's hash {digest!r} is not a SHA-256")
        if file is not None and not isinstance(file, str):
            raise TrackerError(f"{where}: the anchor's file {file!r} is not a file name")
        return cls(identity, count, digest, str(at or "an unknown time"), file or None)


def file_name(path: Path) -> str:
    """A register file as an anchor names it: absolute, links resolved."""
    return str(path.resolve())


def same_file_name(named: str, path: Path) -> bool:
    return os.path.normcase(named) == os.path.normcase(file_name(path))


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


def anchor_mismatch(walk: ChainWalk, anchor: Anchor) -> str | None:
    """How the trail disagrees with ``anchor``, from the trail's side (None when it agrees):
    its event number ``anchor.count`` must exist and have the anchor's hash. ``walk`` must
    have been asked for that position (``walk_chain(positions=...)``)."""
    if anchor.count == 0:
        return None  # the trail was empty then: everything since is newer than the anchor
    if walk.checked < anchor.count:
        return f"the trail holds only {walk.checked} events"
    found = walk.hashes.get(anchor.count)
    if found != anchor.hash:
        return f"the trail has {str(found)[:16]}…"
    return None


def anchor_says(anchor: Anchor, source: str) -> str:
    return f"{source} says event {anchor.count} has hash {anchor.hash[:16]}…"


def check_anchor(walk: ChainWalk, anchor: Anchor, source: str) -> list[AuditProblem]:
    """An anchor the trail must agree with: a disagreement is a trail cut or rewritten."""
    mismatch = anchor_mismatch(walk, anchor)
    if mismatch is None:
        return []
    taken = f" (a backup of {anchor.file})" if anchor.file else ""
    return [AuditProblem(anchor.count if walk.checked >= anchor.count else None,
                         f"the trail was cut or rewritten after {anchor.at}: "
                         f"{anchor_says(anchor, source)}, but {mismatch}{taken}")]


# --- a backup copy ---------------------------------------------------------------------------

def mark_copy(destination: sqlite3.Connection, *, origin: Path | None = None) -> None:
    """The ``prepare`` hook of a backup of the register file ``origin``: in the open copy,
    before it takes its name, give it an identity of its own and keep the origin's anchor,
    naming that file. Written through the same audited setting path as every change, in
    the copy's own trail."""
    # One SQLAlchemy session over the copy's connection, so the events are chained and
    # stored exactly as every other event is. The pool hands out that one connection and
    # is never disposed: the backup closes the connection itself, after committing.
    engine = create_engine("sqlite://", creator=lambda: destination, poolclass=StaticPool)
    with Session(engine, expire_on_commit=False) as session:
        anchor = current_anchor(session)
        if origin is not None:
            anchor = replace(anchor, file=file_name(origin))
        actor = current_actor(session)
        set_identity(session, REGISTER_ID_KEY, str(uuid.uuid4()), actor=actor)
        set_identity(session, COPIED_FROM_KEY, anchor.as_dict(), actor=actor)
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
    """The anchors a register file holds, read without changing it or its folder.

    Why immutable and not the read-only engine of a register (``store.sqlite.connector``):
    a backup is a WAL database, and SQLite's ordinary read-only reader of one creates its
    -shm and -wal files beside it when they are missing (and writes into an -shm that is
    there). Immutable reads the main file alone, with no lock and no file beside it. That
    misses, and could read half-checkpointed, changes still in a -wal (or a rollback
    journal) left beside it by someone who opened the backup as a register: such a file is
    read from a private copy of it with that companion instead, so it is read whole and its
    folder is still left exactly as it was."""
    pending = [suffix for suffix in JOURNALS if _size(Path(f"{path}{suffix}")) > 0]
    if not pending:
        return _read_anchors(path, path, immutable=True)
    with tempfile.TemporaryDirectory(prefix=".tracker-anchor-") as private:
        copy = Path(private) / path.name
        try:
            shutil.copyfile(path, copy)
            for suffix in pending:
                shutil.copyfile(f"{path}{suffix}", f"{copy}{suffix}")
        except OSError as err:
            raise TrackerError(f"{path} cannot be read as an audit anchor "
                               f"({err.strerror or err})") from None
        return _read_anchors(copy, path, immutable=False)


JOURNALS = ("-wal", "-journal")


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return 0


def _read_anchors(path: Path, named: Path, *, immutable: bool) -> FileAnchors:
    # (a private copy is ours to write: its -wal is replayed, a hot journal rolled back)
    uri = path.absolute().as_uri() + ("?mode=ro&immutable=1" if immutable else "?mode=rw")
    engine = create_engine("sqlite://", poolclass=NullPool,
                           creator=lambda: sqlite3.connect(uri, uri=True))
    try:
        with Session(engine) as session:
            return anchors_of_session(session, str(named))
    except exc.DatabaseError as err:
        raise TrackerError(f"{named} is not a tracker register, an export or an anchor file "
                           f"({err.orig})") from None
    finally:
        engine.dispose()

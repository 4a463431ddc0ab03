"""Restore the tracker's own export into an empty register, streamed inside one write
transaction: each sheet is read a chunk of rows at a time (a workbook's in pieces of a
few thousand rows, ``readers.PieceReader``: calamine holds a whole sheet as a dense grid),
and each chunk parsed, validated (``batchcheck.RecordCheck`` first, as the import does;
``restore_reader``, in a forked process working a chunk ahead where that is safe),
inserted (with its audit events) and dropped. Why: holding every parsed record of a
100,000-provider export before writing took 1.4 GB, and the whole widest sheet ~190 MB.

The checks that span records are run in SQL on what was written, before the commit, and
each problem is located back to its sheet and row (a temporary table keeps where every
record came from): references to records the file does not hold and records referring to
another provider's (foreign keys are deferred to the commit meanwhile), the unique keys
(the database's own constraints, met at insert), and the approval gate. Any problem rolls
the whole transaction back, so a dry run is the same run ending in a rollback.

A new agreement or review whose clause or checklist rows the file does not give (a row
added by hand, or a register written without them) gets them derived after every sheet is
written, as ``tracker.app.restore`` did: reviews in date order, each carrying the answers of
the one before it, and its insert event records them. The parents' rows wait for that in
the temporary table, not in memory; an agreement's clauses, which depend on its kind alone,
are copied in SQL from the first agreement of that kind (``ClauseCopies``). SQLite only:
``tracker.app.restore`` holds the records for other databases and for an export brought
back into its own register.
"""

from __future__ import annotations

import pickle
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from tracker.app.batch import PARENTS
from tracker.app.derived_rows import ClauseCopies, write_derived
from tracker.app.pipeline import arrival_day, jsonable
from tracker.app.restore_reader import (
    CHUNK,
    Finished,
    Prepared,
    numbered_rows,
    prepared_sheets,
)
from tracker.domain.checklists import CHECKLIST_BY_NUMBER
from tracker.domain.derived import derived_children, is_review, open_items
from tracker.domain.enums import AuditAction, ChecklistStatus
from tracker.domain.registry import PARENT_FIELD, REFERENCES
from tracker.domain.rules import APPROVING, approval_blockers
from tracker.gcpause import gc_paused
from tracker.sheets import limits
from tracker.sheets.layout import (
    ENTITY_ORDER,
    MANIFEST_SHEET,
    REMINDER_COLUMNS,
    REMINDERS_SHEET,
    SETTING_COLUMNS,
    SETTINGS_SHEET,
    SHEET_TITLES,
    entity_for_title,
    whole_title,
)
from tracker.sheets.native import (
    NativeBook,
    NativeRow,
    format_problem,
    iter_rows,
    reminder_mark_rows,
)
from tracker.sheets.readers import SheetSource, XlsxSource
from tracker.store.audit import PendingEvent, record_events_bulk
from tracker.store.fastinsert import insert_rows
from tracker.store.models import table_of, utcnow
from tracker.store.settings import set_setting

CHILD_OF = {parent: child for child, parent in
            (("agreement_clause", "agreement"), ("checklist_answer", "assessment"))}
assert set(CHILD_OF) == set(PARENTS) and all(c in PARENT_FIELD for c in CHILD_OF.values())


def restore_streamed(session: Session, source: SheetSource, manifest: dict[str, str], *,
                     actor: str, dry_run: bool, deadline: limits.Deadline
                     ) -> tuple[Any, NativeBook]:
    """(RestoreOutcome, what was read) for an export restored into this empty register.
    The cyclic collector is paused meanwhile (tracker/gcpause.py): the rows, values and
    events made form no cycles, and each chunk's are dropped as it is written; its full
    collections were ~5% of the restore."""
    with gc_paused():
        return _restore(session, source, manifest, actor=actor, dry_run=dry_run,
                        deadline=deadline)


def _restore(session: Session, source: SheetSource, manifest: dict[str, str], *,
             actor: str, dry_run: bool, deadline: limits.Deadline) -> tuple[Any, NativeBook]:
    from tracker.app.restore import RestoreOutcome, _plan_marks, _plan_settings, _write_marks

    native = NativeBook(manifest=manifest)
    outcome = RestoreOutcome(mode="empty register")
    problem = format_problem(manifest)
    if problem is not None:
        outcome.problems.append(problem)
        return outcome, native
    by_entity: dict[str, list[str]] = {}
    reminders: list[str] = []
    settings: list[str] = []
    for name in source.names():
        base_title = whole_title(name)
        entity = entity_for_title(base_title)
        if entity is not None:
            by_entity.setdefault(entity, []).append(name)
        elif base_title == REMINDERS_SHEET:
            reminders.append(name)
        elif base_title == SETTINGS_SHEET:
            settings.append(name)
        elif name != MANIFEST_SHEET:
            native.left_out.append(f"{name} (derived or for reading only)")
    writer = _Writer(session, outcome, actor)
    # reference order; foreign keys are checked at the end
    for item in prepared_sheets(source, native, by_entity, deadline, writer.today):
        if isinstance(item, Finished):
            writer.finish(item.entity)
        else:
            writer.apply(item)
    for name in reminders:
        where, numbered = _mark_rows(source, name, native)
        native.marks += iter_rows(native, where, numbered, "reminder_mark", REMINDER_COLUMNS,
                                  deadline)
    native.unmarked.clear()  # an empty register holds no mark to clear
    for name in settings:
        where, numbered = numbered_rows(source, name)
        native.settings += iter_rows(native, where, numbered, "setting", SETTING_COLUMNS,
                                     deadline)
    writer.gate_given_checklists()
    writer.derive()
    writer.check_references()
    planned_settings = _plan_settings(session, native, outcome, {})
    marks = _plan_marks(session, native, outcome, False, {})
    outcome.problems = [*native.problems, *outcome.problems]
    if outcome.problems or dry_run:
        return outcome, native  # the caller rolls the transaction back
    if not writer.inserted and not planned_settings and not marks:
        return outcome, native
    for key, value in planned_settings:
        set_setting(session, key, value, actor=actor)
    _write_marks(session, marks, actor)
    writer.close()
    outcome.written = True
    return outcome, native


@dataclass
class Made:
    """What the writer inserts for a chunk's new records: their full rows, and their insert
    events' after-states (or, for agreements and reviews, whose events wait for their
    derived rows, the rows pickled for the temporary table, with their arrival days)."""

    payload: list[dict[str, Any]]
    afters: list[dict[str, Any]] = field(default_factory=list)
    pickled: list[bytes] = field(default_factory=list)
    days: list[int] = field(default_factory=list)


def made_rows(entity: str, changes: list[Any], now: datetime, *, with_id: bool,
              memo: dict[tuple[type, Any], Any], payload: list[dict[str, Any]] | None = None,
              ids: list[int] | None = None) -> Made:
    """``Made`` of ``changes``; without ``ids`` and ``with_id`` (rows given new IDs by
    the insert) only their payload, the rest made once the IDs are known."""
    from tracker.app.restore import _full_row

    if payload is None:
        names = [c.name for c in table_of(entity).columns if c.name != "id"]
        payload = [_full_row(entity, c, names, now, with_id=with_id) for c in changes]
    if ids is None:
        if not with_id:
            return Made(payload)
        ids = [int(c.record_id) for c in changes]
    if entity in PARENTS:
        return Made(payload, pickled=[pickle.dumps(full, protocol=pickle.HIGHEST_PROTOCOL)
                                      for full in payload],
                    days=[arrival_day(full.get("assessed_on")) for full in payload])
    return Made(payload, afters=[after_state(full, record_id, memo)
                                 for full, record_id in zip(payload, ids, strict=True)])


_AS_IS = frozenset({str, int, float, bool, type(None)})


def after_state(full: dict[str, Any], record_id: int,
           memo: dict[tuple[type, Any], Any]) -> dict[str, Any]:
    """A new record's insert event as the import's writes it (``jsonable`` of each value),
    without a call for the values that are stored as they are, and one call for each
    distinct other value (``memo``: a register repeats its dates, stamps and choices)."""
    after: dict[str, Any] = {}
    for name, value in full.items():
        kind = type(value)
        if kind in _AS_IS:
            after[name] = value
            continue
        key = (kind, value)
        try:
            after[name] = memo[key]
        except KeyError:
            after[name] = found = jsonable(value)
            if len(memo) < _MEMO_LIMIT:
                memo[key] = found
    after["id"] = record_id
    return after


_MEMO_LIMIT = 50_000  # distinct values remembered for the events (dates and stamps)



def _mark_rows(source: SheetSource, name: str, native: NativeBook
               ) -> tuple[str, Iterable[tuple[int, list[Any]]]]:
    """The Reminders sheet's header and marked rows only (every other column is derived),
    or the whole sheet when it is not laid out as the tracker writes it."""
    if isinstance(source, XlsxSource):
        member = next((m for m, sheet in source.facts.sheet_members.items() if sheet == name),
                      None)
        found = None if member is None else reminder_mark_rows(
            source.path, member, date1904=source.facts.date1904)
        if found is not None:
            rows, total = found
            native.rows_read += max(0, total - len(rows))  # the unmarked rows, read too
            return name, rows
    return numbered_rows(source, name)


class _Writer:
    """What has been written so far, and where each record came from."""

    def __init__(self, session: Session, outcome: Any, actor: str) -> None:
        self.session, self.outcome, self.actor = session, outcome, actor
        self.connection = session.connection()
        self.now = utcnow()
        self.today = date.today()
        self.held: list[Any] = []  # the rows without an ID of the entity being written
        self.where: dict[str, dict[str, tuple[str, str]]] = {}  # sheet -> field -> column
        self.inserted = 0
        self.jsonable: dict[tuple[type, Any], Any] = {}  # value -> as its event holds it
        self._indexed = False
        run = self.connection.exec_driver_sql
        run("PRAGMA defer_foreign_keys=ON")  # until the commit; reset when it ends
        run("DROP TABLE IF EXISTS temp._restore_origin")
        run("DROP TABLE IF EXISTS temp._restore_parent")
        run("CREATE TEMP TABLE _restore_origin (entity TEXT NOT NULL, record_id INTEGER NOT "
            "NULL, sheet TEXT NOT NULL, row INTEGER NOT NULL)")
        run("CREATE TEMP TABLE _restore_parent (seq INTEGER PRIMARY KEY, entity TEXT NOT NULL,"
            " record_id INTEGER NOT NULL, day INTEGER NOT NULL, sheet TEXT NOT NULL, row "
            "INTEGER NOT NULL, payload BLOB NOT NULL)")
        run("CREATE INDEX temp._restore_parent_order ON _restore_parent (entity, day, seq)")
        self.clauses = ClauseCopies(session, self.now)

    def close(self) -> None:
        self.connection.exec_driver_sql("DROP TABLE temp._restore_origin")
        self.connection.exec_driver_sql("DROP TABLE temp._restore_parent")
        self.clauses.close()

    # --- rows ----------------------------------------------------------------------------

    def apply(self, prepared: Prepared) -> None:
        """A checked chunk (``restore_reader``): its problems noted, its records with an
        ID inserted, those without one held for ``finish``."""
        self.outcome.problems += prepared.problems
        self.outcome.counts[prepared.entity].new += len(prepared.ready) + len(prepared.held)
        for sheet, columns in prepared.columns.items():
            self.where.setdefault(sheet, columns)
        self.held += prepared.held
        self._insert(prepared.entity, prepared.ready, assign=False)

    def finish(self, entity: str) -> None:
        """The rows without an ID, after the entity's every row with one: their new IDs
        cannot take one the file gives."""
        for start in range(0, len(self.held), CHUNK):
            self._insert(entity, self.held[start:start + CHUNK], assign=True)
        self.held = []

    def _insert(self, entity: str, changes: list[Any], *, assign: bool) -> None:
        if not changes:
            return
        table = table_of(entity)
        # a new ID's event and pickled row wait for the ID (the insert's): made after it
        made = made_rows(entity, changes, self.now, with_id=not assign, memo=self.jsonable)
        payload = made.payload
        run = self.connection.exec_driver_sql
        run("SAVEPOINT restore_chunk")
        refused = False
        try:
            ids = insert_rows(self.session, table, payload, assign_ids=assign)
            ids = ids if assign else [int(c.record_id) for c in changes]
            run("INSERT INTO _restore_origin VALUES (?, ?, ?, ?)",
                [(entity, record_id, c.row.sheet, c.row.row)
                 for c, record_id in zip(changes, ids, strict=True)])
        except IntegrityError:  # a repeated ID or unique key: find which rows, and why
            run("ROLLBACK TO restore_chunk")
            changes, payload, ids = self._one_by_one(entity, changes, payload, assign)
            refused = True
        run("RELEASE restore_chunk")
        self.inserted += len(changes)
        if refused or assign:  # made again for the rows kept, with their IDs
            made = made_rows(entity, changes, self.now, with_id=True, memo=self.jsonable,
                             payload=payload, ids=ids)
        if entity in PARENTS:  # its event waits for its derived children (derive)
            run("INSERT INTO _restore_parent (entity, record_id, day, sheet, row, payload) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                [(entity, record_id, day, c.row.sheet, c.row.row, blob)
                 for c, record_id, day, blob in zip(changes, ids, made.days, made.pickled,
                                                    strict=True)])
            return
        events = [PendingEvent(AuditAction.INSERT, entity, record_id, None, after)
                  for after, record_id in zip(made.afters, ids, strict=True)]
        record_events_bulk(self.session, actor=self.actor, events=events)

    def _one_by_one(self, entity: str, changes: list[Any], payload: list[dict[str, Any]],
                    assign: bool) -> tuple[list[Any], list[dict[str, Any]], list[int]]:
        """A chunk the database refused, a row at a time: each refused row is a problem
        located at its cell, the others are written (and where they came from noted at
        once: a later row of the chunk may repeat one's ID or key)."""
        table = table_of(entity)
        run = self.connection.exec_driver_sql
        kept: tuple[list[Any], list[dict[str, Any]], list[int]] = ([], [], [])
        for change, full in zip(changes, payload, strict=True):
            run("SAVEPOINT restore_row")
            try:
                ids = insert_rows(self.session, table, [full], assign_ids=assign)
            except IntegrityError as err:
                run("ROLLBACK TO restore_row")
                run("RELEASE restore_row")
                self._refused(entity, change, full, err)
                continue
            run("RELEASE restore_row")
            record_id = ids[0] if assign else int(change.record_id)
            run("INSERT INTO _restore_origin VALUES (?, ?, ?, ?)",
                (entity, record_id, change.row.sheet, change.row.row))
            kept[0].append(change)
            kept[1].append(full)
            kept[2].append(record_id)
        return kept

    def _refused(self, entity: str, change: Any, full: dict[str, Any],
                 err: IntegrityError) -> None:
        from tracker.app.restore import _problem

        text = str(err.orig)
        label = entity.replace("_", " ")
        row = change.row
        if not text.startswith("UNIQUE constraint failed:"):
            self.outcome.problems.append(_problem(row, None, None, (
                f"{label}: the register refuses this row ({text})")))
            return
        names = [part.strip().rsplit(".", 1)[-1] for part in text.split(":", 1)[1].split(",")]
        if names == ["id"]:
            self.outcome.problems.append(_problem(
                row, "id", change.record_id,
                f"ID {change.record_id} is also on {self._origin(entity, change.record_id)}"))
            return
        table = table_of(entity)
        key = tuple(full[n] for n in names)
        holder = self.session.execute(select(table.c.id).where(
            *(table.c[n] == v for n, v in zip(names, key, strict=True)))).scalar()
        shown = ", ".join(f"{n}={v}" for n, v in zip(names, key, strict=True))
        self.outcome.problems.append(_problem(
            row, names[-1], key[-1], f"{label} {shown} is also on "
            f"{self._origin(entity, holder)}; each may appear once"))

    def _origin(self, entity: str, record_id: Any) -> str:
        """Where a written record came from: 'SHEET row N'."""
        if not self._indexed:
            self.connection.exec_driver_sql("CREATE INDEX IF NOT EXISTS temp._restore_origin_at"
                                            " ON _restore_origin (entity, record_id)")
            self._indexed = True
        found = self.connection.exec_driver_sql(
            "SELECT sheet, row FROM _restore_origin WHERE entity = ? AND record_id = ? "
            "LIMIT 1", (entity, record_id)).first()
        return f"{found[0]} row {found[1]}" if found else "another row"

    def _located(self, entity: str, record_id: Any) -> NativeRow:
        """A written record's row, for naming a problem found in SQL."""
        self._origin(entity, None)  # the index
        found = self.connection.exec_driver_sql(
            "SELECT sheet, row FROM _restore_origin WHERE entity = ? AND record_id = ? "
            "LIMIT 1", (entity, record_id)).first()
        sheet, number = (found[0], int(found[1])) if found else (SHEET_TITLES[entity], 0)
        return NativeRow(entity, sheet, number, record_id, {}, self.where.get(sheet, {}))

    # --- checks across records -----------------------------------------------------------

    def check_references(self) -> None:
        """Every reference names a record the file gives, of the same provider (as the
        services check): the deferred foreign keys, located."""
        from tracker.app.restore import _problem

        run = self.connection.exec_driver_sql
        for entity in ENTITY_ORDER:
            table = table_of(entity)
            for name, target in REFERENCES.items():
                if name not in table.c:
                    continue
                missing = run(
                    f"SELECT t.id, t.{name} FROM {table.name} t LEFT JOIN "
                    f"{table_of(target).name} x ON x.id = t.{name} WHERE t.{name} IS NOT "
                    "NULL AND x.id IS NULL ORDER BY t.id").all()
                for record_id, ref in missing:
                    self.outcome.problems.append(_problem(
                        self._located(entity, record_id), name, ref,
                        f"refers to {target.replace('_', ' ')} ID {ref}, which is neither in "
                        f"the register nor on the {SHEET_TITLES[target]} sheet"))
                if target == "provider" or "provider_id" not in table.c \
                        or "provider_id" not in table_of(target).c:
                    continue
                crossed = run(
                    f"SELECT t.id, t.{name}, x.provider_id, t.provider_id FROM {table.name} t "
                    f"JOIN {table_of(target).name} x ON x.id = t.{name} WHERE t.provider_id "
                    "IS NOT NULL AND x.provider_id IS NOT NULL AND x.provider_id != "
                    "t.provider_id ORDER BY t.id").all()
                for record_id, ref, owner, provider in crossed:
                    self.outcome.problems.append(_problem(
                        self._located(entity, record_id), name, ref,
                        f"{target.replace('_', ' ')} {ref} belongs to provider {owner}, not "
                        f"to provider {provider}"))

    def gate_given_checklists(self) -> None:
        """The approval gate for reviews the file gives checklist rows for: approved while
        a critical item is open needs an override reason. (Before ``derive``: a derived
        checklist is gated as it is derived.) No critical gaps: the register held nothing
        before this restore, so its providers have none yet (``critical_gaps``)."""
        from tracker.app.restore import _problem

        assessment, answer = table_of("assessment"), table_of("checklist_answer")
        critical = [n for n, item in CHECKLIST_BY_NUMBER.items() if item.critical]
        approving = [o for o in assessment.c.outcome.type.python_type
                     if str(o.value) in APPROVING]
        candidates = self.session.execute(
            select(assessment).where(
                assessment.c.outcome.in_(approving),
                select(answer.c.id).where(
                    answer.c.assessment_id == assessment.c.id,
                    answer.c.status == ChecklistStatus.OPEN,
                    answer.c.item.in_(critical)).exists())
            .order_by(assessment.c.id)).mappings().all()
        for values in candidates:
            opened = [item for (item,) in self.session.execute(
                select(answer.c.item).where(answer.c.assessment_id == values["id"],
                                            answer.c.status == ChecklistStatus.OPEN))
                      if item in CHECKLIST_BY_NUMBER]
            for error in approval_blockers(dict(values), opened, []):
                self.outcome.problems.append(_problem(
                    self._located("assessment", values["id"]), error.field,
                    values.get("outcome"), f"assessment {error.field}: {error.message}"))

    # --- derived children ----------------------------------------------------------------

    def derive(self) -> None:
        """Each new agreement's and review's insert event, with the clause or checklist rows
        derived for those the file gives none (reviews in date order, each carrying the
        answers of the latest earlier review derived here, as tracker.app.restore did)."""
        for entity in PARENTS:
            child = CHILD_OF[entity]
            parent = PARENT_FIELD[child]
            latest: dict[Any, int] = {}  # provider -> its review derived last
            after = (-1, -1)
            while True:
                rows = self.connection.exec_driver_sql(
                    f"SELECT seq, record_id, day, sheet, row, payload, EXISTS (SELECT 1 FROM "
                    f"{table_of(child).name} c WHERE c.{parent} = p.record_id) FROM "
                    "_restore_parent p WHERE entity = ? AND (day, seq) > (?, ?) ORDER BY "
                    "day, seq LIMIT ?", (entity, *after, CHUNK)).all()
                if not rows:
                    break
                after = (rows[-1][2], rows[-1][0])
                self._derive_chunk(entity, rows, latest)

    def _derive_chunk(self, entity: str, rows: Sequence[Any], latest: dict[Any, int]) -> None:
        from tracker.app.restore import _problem

        loaded = [(record_id, sheet, number, pickle.loads(payload), bool(given))
                  for _, record_id, _, sheet, number, payload, given in rows]
        carried = self._stored_answers({latest[pid] for _, _, _, full, given in loaded
                                        if not given and (pid := full.get("provider_id"))
                                        in latest})
        batch: list[tuple[int, list[tuple[str, dict[str, Any]]], PendingEvent]] = []
        events: list[PendingEvent] = []
        for record_id, sheet, number, full, given in loaded:
            event = PendingEvent(AuditAction.INSERT, entity, record_id, None,
                                 after_state(full, record_id, self.jsonable))
            events.append(event)
            kids: list[tuple[str, dict[str, Any]]] = []
            if not given and entity == "agreement" and self.clauses.copied(record_id, full,
                                                                           event):
                continue
            if not given:
                review = entity == "assessment" and is_review(full)
                pid = full.get("provider_id")
                previous = carried.get(latest[pid], {}) if review and pid in latest else {}
                kids = derived_children(entity, full, previous)
                if review:
                    latest[pid] = record_id
                    carried[record_id] = {v["item"]: v for _, v in kids}
                    # no critical gaps yet: see gate_given_checklists
                    for error in approval_blockers(full, open_items(kids), []):
                        row = NativeRow(entity, sheet, number, record_id, {},
                                        self.where.get(sheet, {}))
                        self.outcome.problems.append(_problem(
                            row, error.field, full.get("outcome"),
                            f"assessment {error.field}: {error.message}"))
            batch.append((record_id, kids, event))
        self.clauses.flush()
        if any(kids for _, kids, _ in batch):
            write_derived(self.session, batch, self.now)
            self.clauses.moved()
        record_events_bulk(self.session, actor=self.actor, events=events)

    def _stored_answers(self, reviews: set[int]) -> dict[int, dict[int, dict[str, Any]]]:
        """The checklists derived in earlier chunks for ``reviews``, by item."""
        table = table_of("checklist_answer")
        names = ("item", "status", "note", "evidence_id", "answered_by", "answered_on")
        found: dict[int, dict[int, dict[str, Any]]] = {r: {} for r in reviews}
        wanted = sorted(reviews)
        for start in range(0, len(wanted), 500):
            for row in self.session.execute(
                    select(table.c.assessment_id, *(table.c[n] for n in names))
                    .where(table.c.assessment_id.in_(wanted[start:start + 500]))):
                found[row[0]][row[1]] = dict(zip(names, row[1:], strict=True))
        return found

"""Write the tracker's own export back into a register, all or nothing.

Which register it lands in decides what an ID means:
- the register it was exported from: rows are matched by ID, so a provider renamed in the
  workbook stays the same provider; a blank ID adds a record, a blank cell clears a field;
- an empty register: every record is restored with its ID, so references, reminder keys
  and a second export come out the same;
- any other register: refused, because the file's IDs mean nothing there and importing it
  would duplicate every record.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import UniqueConstraint, delete, select, update
from sqlmodel import Session, col

from tracker.app.batch import PARENTS, EntityCounts, update_rows
from tracker.app.derived_rows import write_derived
from tracker.app.export_content import LOCAL_SETTINGS
from tracker.app.pipeline import (
    PreviousReviews,
    arrival_day,
    critical_gaps,
    jsonable,
    refuse_fixed_changes,
    validate_values,
)
from tracker.app.rebase import ChangesSince, Since, changes_since, comparable, rebase
from tracker.domain.checklists import CHECKLIST_BY_NUMBER
from tracker.domain.dates import date_problem
from tracker.domain.derived import derived_children, is_review, open_items
from tracker.domain.enums import AuditAction, ChecklistStatus, ReminderState
from tracker.domain.registry import PARENT_FIELD, REFERENCES
from tracker.domain.rules import approval_blockers
from tracker.domain.settings import SettingError, spec_for
from tracker.domain.text import provider_search_extra, search_key
from tracker.errors import ValidationFailed
from tracker.sheets.layout import ENTITY_ORDER, MANIFEST_SHEET, SHEET_TITLES
from tracker.sheets.limits import Deadline
from tracker.sheets.native import NativeBook, NativeRow, read_native
from tracker.sheets.plan import Problem
from tracker.sheets.readers import SheetSource
from tracker.store.audit import PendingEvent, last_event_id, record_events_bulk
from tracker.store.fastinsert import insert_rows
from tracker.store.models import BASE_MODELS, AuditEvent, ReminderAction, table_of, utcnow
from tracker.store.settings import REGISTER_ID_KEY, get_setting, register_id, set_setting
from tracker.store.snapshot import naive_utc

STAMPS = ("archived_at", "added_at")
_APPROVAL_INPUTS = ("assessment", "checklist_answer")  # what the approval gate reads
COUNTED = (*ENTITY_ORDER, "setting", "reminder_mark")


@dataclass
class RestoreOutcome:
    mode: str  # "same register" or "empty register"
    counts: dict[str, EntityCounts] = field(
        default_factory=lambda: {e: EntityCounts() for e in COUNTED})
    problems: list[Problem] = field(default_factory=list)
    # Fields the register and the workbook both changed since the export: register kept.
    conflicts: list[Problem] = field(default_factory=list)
    written: bool = False


@dataclass
class _Change:
    row: NativeRow
    record_id: int | None  # None: a new record given the next free ID
    values: dict[str, Any]  # new: every column; changed: the changed ones
    before: dict[str, Any] | None  # None: new


def register_is_empty(session: Session) -> bool:
    for entity in ENTITY_ORDER:
        table = table_of(entity)
        if session.execute(select(table.c.id).limit(1)).first() is not None:
            return False
    return session.execute(select(col(ReminderAction.key)).limit(1)).first() is None


def restore_native(session: Session, source: SheetSource, manifest: dict[str, str], *,
                   actor: str, dry_run: bool, deadline: Deadline
                   ) -> tuple[RestoreOutcome, NativeBook]:
    """The export's sheets applied to this register (what was read comes back too). Into
    an empty SQLite register the restore is streamed (tracker.app.restore_stream: a chunk
    of rows held at a time); otherwise every row is read first and planned against the
    register as below."""
    here = register_id(session)
    theirs = manifest.get("register_id", "")
    if session.connection().dialect.name == "sqlite" and not (theirs and theirs == here) \
            and register_is_empty(session):
        from tracker.app.restore_stream import restore_streamed

        return restore_streamed(session, source, manifest, actor=actor, dry_run=dry_run,
                                deadline=deadline)
    native = read_native(source.sheets(), manifest, deadline)
    return apply_native(session, native, actor=actor, dry_run=dry_run), native


def apply_native(session: Session, native: NativeBook, *, actor: str,
                 dry_run: bool) -> RestoreOutcome:
    here = register_id(session)
    same = bool(native.register_id) and native.register_id == here
    if not same and not register_is_empty(session):
        outcome = RestoreOutcome(mode="other register")
        outcome.problems.append(Problem(
            "_tracker", None, None, None, native.register_id or None,
            "this workbook was exported from another register; its IDs mean nothing here "
            "and importing it would duplicate every record. Import it into the register it "
            "came from, or into an empty one (tracker --db NEW.db import FILE) to restore it"))
        return outcome
    outcome = RestoreOutcome(mode="same register" if same else "empty register",
                             problems=list(native.problems))
    doubt = _provenance_doubt(session, native) if same and not native.problems else None
    if doubt is not None:
        outcome.problems.append(Problem(MANIFEST_SHEET, None, None, None, None, doubt))
        return outcome
    # Which agreements and reviews the file gives clause and checklist rows for (read
    # before planning, which lets go of each row's values).
    given = {child: {r.values.get(parent) for r in native.rows.get(child, [])}
             for child, parent in PARENT_FIELD.items()}
    since = changes_since(session, last_event=native.last_event,
                          exported_at=native.exported_at) if same else {}
    changes = _plan_records(session, native, outcome, keep_ids=not same, since=since)
    derived = _plan_derived(session, changes, given, outcome)
    settings = _plan_settings(session, native, outcome, since)
    marks = _plan_marks(session, native, outcome, same, since)
    if outcome.problems or dry_run:
        return outcome
    if not any(changes.values()) and not settings and not marks:
        return outcome
    now = utcnow()
    new_parents: list[tuple[_Change, int, PendingEvent]] = []
    held: list[PendingEvent] = []  # the parents' events wait for their derived children
    for entity in ENTITY_ORDER:
        events: list[PendingEvent] = []
        inserted = _insert(session, entity, [c for c in changes[entity] if c.before is None],
                           now, events)
        if entity in PARENTS:  # _insert wrote one event per record, in order
            new_parents += [(change, record_id, event) for (change, record_id), event
                            in zip(inserted, events, strict=False)]
        update_rows(session, entity, [(c.record_id, c.before, c.values)
                                      for c in changes[entity]
                                      if c.before is not None and c.record_id is not None],
                    now=now, events=events)
        if entity in PARENTS:
            held += events
        else:
            record_events_bulk(session, actor=actor, events=events)
    # after every row of the file, so the children's new IDs cannot collide with the file's
    write_derived(session, [(record_id, derived.get(id(change), []), event)
                            for change, record_id, event in new_parents], now)
    record_events_bulk(session, actor=actor, events=held)
    for key, value in settings:
        set_setting(session, key, value, actor=actor)
    _write_marks(session, marks, actor)
    outcome.written = True
    return outcome


def _provenance_doubt(session: Session, native: NativeBook) -> str | None:
    """Why the workbook's own account of when it was exported cannot be trusted, or None.
    The rebase keeps what changed after the export only if it knows the export's place in
    this register's trail; a hidden sheet that was edited, or an export of a plain file copy
    that went on by itself (same identity, another history), would let it revert work."""
    edited = ("the hidden _tracker sheet was edited or this workbook was exported from a "
              "copy of this register that went on by itself; importing it could undo later "
              "work, so nothing was written. Export again from this register")
    exported_at = native.exported_at
    if exported_at is not None and exported_at > datetime.now(UTC).replace(tzinfo=None) \
            + timedelta(minutes=5):
        return f"the workbook says it was exported at {exported_at:%Y-%m-%d %H:%M}, in " \
               f"the future: {edited}"
    if native.format_version < 2:
        if native.versioned:
            return f"the workbook says export format 1 but its sheets carry versions: {edited}"
        if exported_at is None:
            return f"the workbook does not say when it was exported: {edited}"
        return None
    last, head_hash = native.last_event, native.manifest.get("audit_head_hash", "")
    if last is None or not head_hash:
        return f"the workbook does not say which audit event it reflects: {edited}"
    newest = last_event_id(session)
    if last > newest:
        return (f"the workbook reflects audit event {last}, but this register's trail ends "
                f"at event {newest}: {edited}")
    if last > 0:
        event = session.get(AuditEvent, last)
        if event is None or event.hash != head_hash:
            return (f"this register's audit event {last} is not the one the workbook was "
                    f"exported after: {edited}")
    return None


# --- records ------------------------------------------------------------------------------

def _load(session: Session, entity: str) -> dict[int, dict[str, Any]]:
    table = table_of(entity)
    names = [*BASE_MODELS[entity].model_fields, *(s for s in STAMPS if s in table.c),
             "version"]
    statement = select(table.c.id, *(table.c[n] for n in names))
    return {row[0]: dict(zip(names, row[1:], strict=True)) for row in session.execute(statement)}


def _same_stamp(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is b
    return bool(naive_utc(a) == naive_utc(b))


def _problem(row: NativeRow, name: str | None, value: Any, reason: str) -> Problem:
    letter, header = row.columns.get(name or "", (None, name))
    return Problem(row.sheet, row.row, letter, header,
                   None if value is None else str(value)[:80], reason)


def _plan_records(session: Session, native: NativeBook, outcome: RestoreOutcome,
                  keep_ids: bool, since: ChangesSince) -> dict[str, list[_Change]]:
    existing = {entity: _load(session, entity) for entity in ENTITY_ORDER}
    in_file = {entity: {r.id for r in native.rows.get(entity, []) if r.id is not None}
               for entity in ENTITY_ORDER}
    changes: dict[str, list[_Change]] = {entity: [] for entity in ENTITY_ORDER}
    final: dict[str, dict[int, dict[str, Any]]] = {e: {} for e in ENTITY_ORDER}
    # Which provider each record belongs to, after the import: a record may refer only to
    # records of its own provider (as the services check).
    owners = {entity: {i: v["provider_id"] for i, v in rows.items() if "provider_id" in v}
              for entity, rows in existing.items()}
    for entity in ENTITY_ORDER:
        base = BASE_MODELS[entity]
        seen: dict[int, NativeRow] = {}
        unique = _unique_keys(entity)
        keyed: list[tuple[NativeRow, int | None, tuple[tuple[Any, ...], ...]]] = []
        for row in native.rows.get(entity, []):
            if row.id is not None and row.id in seen:
                first = seen[row.id]
                outcome.problems.append(_problem(row, "id", row.id,
                                        f"ID {row.id} is also on {first.sheet} row {first.row}"))
                continue
            if row.id is not None:
                seen[row.id] = row
            stored = existing[entity].get(row.id) if row.id is not None else None
            if stored is None and row.id is not None and not keep_ids:
                outcome.problems.append(_problem(
                    row, "id", row.id, f"no {entity.replace('_', ' ')} with ID {row.id} in "
                    "this register (deleted since the export?); clear the ID to add it as a "
                    "new record"))
                continue
            if not _references_known(row, existing, in_file, outcome):
                continue
            fields = {k: v for k, v in row.values.items()
                      if k in base.model_fields}
            merged = {**({k: v for k, v in stored.items() if k in base.model_fields}
                         if stored else {}), **fields}
            try:
                clean = validate_values(entity, base, merged)
                if stored is not None:
                    refuse_fixed_changes(entity, stored, clean)
            except ValidationFailed as failure:
                outcome.problems += [_problem(row, e.field, merged.get(e.field),
                                              f"{entity.replace('_', ' ')} {e.field}: "
                                              f"{e.message}") for e in failure.errors]
                continue
            if not _same_provider(row, clean, owners, outcome):
                continue
            if row.id is not None and "provider_id" in clean:
                owners[entity][row.id] = clean["provider_id"]
            # A blank "Archived at" restores the record; a blank "Added at" is not known.
            stamps = {s: row.values[s] for s in STAMPS if s in row.values
                      and (row.values[s] is not None or s == "archived_at")}
            bad_stamps = [(name, problem) for name, stamp in stamps.items()
                          if isinstance(stamp, datetime) and (problem := date_problem(
                              "stamp", stamp.date(), date.today())) is not None]
            for name, problem in bad_stamps:
                outcome.problems.append(_problem(row, name, row.values[name],
                                                 f"{entity.replace('_', ' ')} {name}: {problem}"))
            if bad_stamps:
                continue
            if unique:
                keyed.append((row, row.id, tuple(tuple(clean[n] for n in names)
                                                 for names in unique)))
            counts = outcome.counts[entity]
            if stored is None:
                counts.new += 1
                # A restore keeps each record's version, so its next export is the same.
                kept = {"version": row.version} if row.version and row.id else {}
                changes[entity].append(_Change(row, row.id, {**clean, **stamps, **kept},
                                               None))
            elif row.version is not None and not 1 <= row.version <= int(stored["version"]):
                outcome.problems.append(_problem(row, "version", row.version, (
                    f"{entity.replace('_', ' ')} {row.id} is at version {stored['version']} "
                    f"in this register, and was never at version {row.version}: the row "
                    "is not from this register's history (was the Version cell edited?); "
                    "export again and make the change there")))
                continue
            else:
                if _changed_since_export(entity, row, stored, since):
                    rebased = _rebase_row(entity, row, stored, {
                        **{k: clean[k] for k in fields}, **stamps}, since, outcome)
                    if rebased is None:
                        continue
                    clean = {**{k: v for k, v in stored.items() if k in base.model_fields},
                             **{k: v for k, v in rebased.items() if k in base.model_fields}}
                    fields = {k: v for k, v in rebased.items() if k in base.model_fields}
                    stamps = {k: v for k, v in rebased.items() if k in STAMPS}
                differ = {k: clean[k] for k in fields if clean[k] != stored.get(k)}
                differ |= {s: v for s, v in stamps.items() if not _same_stamp(v, stored.get(s))}
                if differ:
                    counts.changed += 1
                    changes[entity].append(_Change(row, row.id, differ,
                                                   {k: stored.get(k) for k in differ}))
                else:
                    counts.unchanged += 1
            if row.id is not None and entity in _APPROVAL_INPUTS:
                final[entity][row.id] = {**(stored or {}), **clean, **stamps}
            row.values = {}  # planned: the change holds what is needed from here on
        if unique:
            _check_unique(entity, unique, existing[entity], keyed, outcome)
    _check_approvals(session, existing, final, changes, outcome)
    return changes


def _changed_since_export(entity: str, row: NativeRow, stored: dict[str, Any],
                          since: ChangesSince) -> bool:
    """The register changed this record after the export: an event says so, or its
    version moved past the one the workbook was given."""
    return ((entity, str(row.id)) in since
            or (row.version is not None and int(stored["version"]) > row.version))


def _rebase_row(entity: str, row: NativeRow, stored: dict[str, Any],
                proposed: dict[str, Any], since: ChangesSince,
                outcome: RestoreOutcome) -> dict[str, Any] | None:
    """What of a row the register changed since the export may still be applied: the
    workbook's own edits, unless they collide with the register's (then a conflict). None:
    the row cannot be applied at all (a problem says why)."""
    label = entity.replace("_", " ")
    record = since.get((entity, str(row.id)))
    if record is not None and record.created:
        outcome.problems.append(_problem(row, "id", row.id, (
            f"{label} {row.id} was deleted and its ID given to a new record after the "
            f"export ({record.who}): this row describes another record; clear its ID to add "
            "it as a new one")))
        return None
    applied, collisions = rebase(proposed, stored, record)
    for collision in collisions:
        who = f" ({record.who})" if record is not None and record.who else ""
        was = ("" if record is None else
               f" from {_shown(collision.field, collision.exported)}")
        outcome.conflicts.append(_problem(row, collision.field, collision.workbook, (
            f"{label} {row.id} {collision.field}: changed in the register since the "
            f"export{who}{was} to {_shown(collision.field, collision.register)}, and in the "
            f"workbook to {_shown(collision.field, collision.workbook)}; the register's "
            "value is kept (change it in the register if the workbook is right)")))
    if collisions or applied:
        try:
            validate_values(entity, BASE_MODELS[entity], {
                **{k: v for k, v in stored.items() if k in BASE_MODELS[entity].model_fields},
                **{k: v for k, v in applied.items() if k not in STAMPS}})
        except ValidationFailed as failure:
            outcome.problems += [_problem(row, e.field, applied.get(e.field), (
                f"{label} {e.field}: {e.message} (with the register's newer values, "
                "changed since the export)")) for e in failure.errors]
            return None
    return applied


def _shown(name: str, value: Any) -> str:
    shown = comparable(name, value)
    return "blank" if shown in (None, "") else repr(shown)


def _unique_keys(entity: str) -> list[tuple[str, ...]]:
    """The table's unique constraints (a clause once per agreement, an item once per
    assessment), as column names."""
    return [tuple(c.name for c in constraint.columns)
            for constraint in table_of(entity).constraints
            if isinstance(constraint, UniqueConstraint)]


def _check_unique(entity: str, unique: list[tuple[str, ...]],
                  stored: dict[int, dict[str, Any]],
                  keyed: list[tuple[NativeRow, int | None, tuple[tuple[Any, ...], ...]]],
                  outcome: RestoreOutcome) -> None:
    """The register after the import may hold each unique key once: what the file leaves
    as it is, plus what the file writes."""
    touched = {record_id for _, record_id, _ in keyed if record_id is not None}
    for position, names in enumerate(unique):
        holders: dict[tuple[Any, ...], str] = {
            tuple(values[n] for n in names): f"{entity.replace('_', ' ')} {record_id}"
            for record_id, values in stored.items() if record_id not in touched}
        for row, _, keys in keyed:
            key = keys[position]
            if key in holders:
                shown = ", ".join(f"{n}={v}" for n, v in zip(names, key, strict=True))
                outcome.problems.append(_problem(
                    row, names[-1], key[-1], f"{entity.replace('_', ' ')} {shown} is also "
                    f"{holders[key]}; each may appear once"))
            else:
                holders[key] = f"on {row.sheet} row {row.row}"


def _same_provider(row: NativeRow, clean: dict[str, Any], owners: dict[str, dict[int, Any]],
                   outcome: RestoreOutcome) -> bool:
    provider = clean.get("provider_id")
    if provider is None:
        return True
    ok = True
    for name, target in REFERENCES.items():
        ref = clean.get(name)
        owner = owners[target].get(ref) if ref is not None and target != "provider" else None
        if owner is not None and owner != provider:
            outcome.problems.append(_problem(
                row, name, ref, f"{target.replace('_', ' ')} {ref} belongs to provider "
                f"{owner}, not to provider {provider}"))
            ok = False
    return ok


def _references_known(row: NativeRow, existing: dict[str, dict[int, dict[str, Any]]],
                      in_file: dict[str, set[int]], outcome: RestoreOutcome) -> bool:
    ok = True
    for name, target in REFERENCES.items():
        ref = row.values.get(name)
        if ref is None or ref in in_file[target] or ref in existing[target]:
            continue
        outcome.problems.append(_problem(
            row, name, ref, f"refers to {target.replace('_', ' ')} ID {ref}, which is neither "
            f"in the register nor on the {SHEET_TITLES[target]} sheet"))
        ok = False
    return ok


def _check_approvals(session: Session, existing: dict[str, dict[int, dict[str, Any]]],
                     final: dict[str, dict[int, dict[str, Any]]],
                     changes: dict[str, list[_Change]], outcome: RestoreOutcome) -> None:
    """The service's approval gate, for assessments the file approves (newly or anew)."""
    touched = [c for c in changes["assessment"] if c.before is None
               or {"outcome", "approval_override"} & set(c.values)]
    if not touched:
        return
    answers: dict[int, dict[int, Any]] = {}
    for source in (existing["checklist_answer"], final["checklist_answer"]):
        for values in source.values():
            answers.setdefault(values["assessment_id"], {})[values["item"]] = values["status"]
    for change in touched:
        if change.record_id is None:
            continue
        values = final["assessment"].get(change.record_id, change.values)
        open_items = [item for item, status in answers.get(change.record_id, {}).items()
                      if status == ChecklistStatus.OPEN and item in CHECKLIST_BY_NUMBER]
        # the register's open critical gaps, as stored before the restore, for a live review
        # the file approves anew
        before = existing["assessment"].get(change.record_id) or {}
        anew = change.before is None or any(
            jsonable(values.get(n)) != jsonable(before.get(n))
            for n in ("outcome", "approval_override"))
        gaps = critical_gaps(session, values) if anew else []
        for error in approval_blockers(values, open_items, gaps):
            outcome.problems.append(_problem(change.row, error.field, values.get("outcome"),
                                             f"assessment {error.field}: {error.message}"))


Derived = dict[int, list[tuple[str, dict[str, Any]]]]  # id(change) -> its children


def _plan_derived(session: Session, changes: dict[str, list[_Change]],
                  given: dict[str, set[Any]], outcome: RestoreOutcome) -> Derived:
    """The children of each new agreement or review the file gives no clause or checklist
    rows for (a row added by hand to an exported workbook), as every other door derives them
    (reviews in date order, each carrying the one before it), and the approval gate on the
    checklist a new review will have."""
    new = [(entity, c) for entity in PARENTS for c in changes[entity] if c.before is None
           and (c.record_id is None or c.record_id not in given[
               "agreement_clause" if entity == "agreement" else "checklist_answer"])]
    previous = PreviousReviews(session, sorted(
        {c.values["provider_id"] for entity, c in new if entity == "assessment"}))

    def in_time(item: tuple[str, _Change]) -> int:
        return arrival_day(item[1].values.get("assessed_on"))

    derived: Derived = {}
    for entity, change in sorted(new, key=in_time):
        pid = change.values["provider_id"]
        review = entity == "assessment" and is_review(change.values)
        kids = derived_children(entity, change.values, previous.answers_for(
            pid, change.values.get("assessed_on")) if review else {})
        derived[id(change)] = kids
        if review:
            previous.add(pid, change.values.get("assessed_on"), {v["item"]: v for _, v in kids})
            for error in approval_blockers(change.values, open_items(kids),
                                           critical_gaps(session, change.values)):
                outcome.problems.append(_problem(change.row, error.field,
                                                 change.values.get("outcome"),
                                                 f"assessment {error.field}: {error.message}"))
    return derived


def _insert(session: Session, entity: str, new: list[_Change], now: datetime,
            events: list[PendingEvent]) -> list[tuple[_Change, int]]:
    """Insert new records; returns each with its ID."""
    if not new:
        return []
    inserted: list[tuple[_Change, int]] = []
    table = table_of(entity)
    names = [c.name for c in table.columns if c.name != "id"]
    with_ids = [c for c in new if c.record_id is not None]
    without = [c for c in new if c.record_id is None]
    for group, assign in ((with_ids, False), (without, True)):
        if not group:
            continue
        payload = [_full_row(entity, change, names, now, with_id=not assign) for change in group]
        ids = insert_rows(session, table, payload, assign_ids=assign)
        for index, (change, full) in enumerate(zip(group, payload, strict=True)):
            record_id = ids[index] if assign else change.record_id
            after = {k: jsonable(v) for k, v in full.items()}
            after["id"] = record_id
            events.append(PendingEvent(AuditAction.INSERT, entity, record_id, None, after))
            inserted.append((change, int(record_id or 0)))
    return inserted


_NOW = frozenset({"created_at", "updated_at", "added_at"})


def _full_row(entity: str, change: _Change, names: list[str], now: datetime,
              with_id: bool) -> dict[str, Any]:
    values = change.values
    full: dict[str, Any] = {"id": change.record_id} if with_id else {}
    for name in names:
        if name in values:
            full[name] = values[name]
        elif name in _NOW:
            full[name] = now
        elif name == "version":
            full[name] = 1
        elif name == "search_name":
            full[name] = search_key(values["legal_name"])
        elif name == "search_extra":
            full[name] = provider_search_extra(values)
        else:
            full[name] = None
    return full


# --- settings and reminder marks ---------------------------------------------------------

def _plan_settings(session: Session, native: NativeBook, outcome: RestoreOutcome,
                   since: ChangesSince) -> list[tuple[str, Any]]:
    planned: list[tuple[str, Any]] = []
    for row in native.settings:
        key, text = row.values.get("key"), row.values.get("value")
        if not key or key in LOCAL_SETTINGS or key == REGISTER_ID_KEY:
            continue
        try:
            spec = spec_for(key)
            value = spec.check(json.loads(text) if text is not None else spec.default)
        except (SettingError, json.JSONDecodeError) as err:
            outcome.problems.append(_problem(row, "value", text, f"setting {key}: {err}"))
            continue
        current = get_setting(session, key)
        changed = since.get(("setting", key))
        if changed is not None:  # the register's later value stands
            _note_collision(row, f"setting {key}", changed,
                            spec.default if changed.absent else changed.exported.get("value"),
                            current, value, outcome)
            outcome.counts["setting"].unchanged += 1
        elif current == value:
            outcome.counts["setting"].unchanged += 1
        else:
            outcome.counts["setting"].changed += 1
            planned.append((key, value))
    return planned


@dataclass
class _Mark:
    key: str
    values: dict[str, Any] | None  # None: remove the stored mark
    before: dict[str, Any] | None


def _note_collision(row: NativeRow, label: str, since: Since, exported: Any, current: Any,
                    workbook: Any, outcome: RestoreOutcome) -> None:
    """A mark or a setting is one value: when the register changed it after the export,
    its value stands, and a workbook that changed it too gets a conflict."""
    if workbook == exported or workbook == current:
        return
    outcome.conflicts.append(_problem(row, "value" if label.startswith("setting") else
                                      "state", None, (
        f"{label}: changed in the register since the export ({since.who}) from "
        f"{_shown('', exported)} to {_shown('', current)}, and in the workbook to "
        f"{_shown('', workbook)}; the register's value is kept")))


def _mark_values(mark: ReminderAction | None) -> dict[str, Any] | None:
    return None if mark is None else {"state": mark.state, "until": mark.until,
                                      "reason": mark.reason}


def _exported_mark(since: Since) -> dict[str, Any] | None:
    if since.absent or not since.exported:
        return None
    return {"state": since.exported.get("state"), "until": since.exported.get("until"),
            "reason": since.exported.get("reason")}


def _comparable_mark(values: dict[str, Any] | None) -> Any:
    return None if values is None else tuple(comparable(k, values.get(k))
                                             for k in ("state", "until", "reason"))


def _plan_marks(session: Session, native: NativeBook, outcome: RestoreOutcome,
                same: bool, since: ChangesSince) -> list[_Mark]:
    stored = {m.key: m for m in session.execute(select(ReminderAction)).scalars()}
    planned: list[_Mark] = []
    counts = outcome.counts["reminder_mark"]
    if same:
        for cleared in sorted(native.unmarked & stored.keys()):
            if ("reminder_action", cleared) in since:  # marked after the export: kept
                counts.unchanged += 1
                continue
            gone = stored[cleared]
            counts.changed += 1
            planned.append(_Mark(cleared, None, _mark_values(gone)))
    for row in native.marks:
        key = str(row.values.get("key") or "")
        state = row.values.get("state")
        if not key or state is None:
            continue
        held = stored.get(key)
        before = _mark_values(held)
        values = {"state": state, "until": row.values.get("until"),
                  "reason": row.values.get("reason")}
        changed = since.get(("reminder_action", key))
        if changed is not None:  # marked after the export: the register's mark stands
            _note_collision(row, f"the mark of reminder {key}", changed,
                            _comparable_mark(_exported_mark(changed)),
                            _comparable_mark(before), _comparable_mark(values), outcome)
            counts.unchanged += 1
            continue
        if values != before and not _mark_is_valid(row, values, outcome):
            continue
        if before == values:
            counts.unchanged += 1
            continue
        if before is None:
            counts.new += 1
        else:
            counts.changed += 1
        planned.append(_Mark(key, values, before))
    return planned


def _mark_is_valid(row: NativeRow, values: dict[str, Any], outcome: RestoreOutcome) -> bool:
    """A snooze read back meets the rules a snooze typed in does (tracker.app.reminders):
    a reason, and an end inside the register's dates."""
    if str(getattr(values["state"], "value", values["state"])) != ReminderState.SNOOZED.value:
        return True
    problems = []
    until = values.get("until")
    if not isinstance(until, date):
        problems.append(("until", "a snoozed reminder needs the date it is snoozed until"))
    elif (problem := date_problem("until", until, date.today())) is not None:
        problems.append(("until", problem))
    if not (values.get("reason") or "").strip():
        problems.append(("reason", "say why the reminder is snoozed"))
    for name, reason in problems:
        outcome.problems.append(_problem(row, name, values.get(name), f"snooze {reason}"))
    return not problems


def _write_marks(session: Session, marks: list[_Mark], actor: str) -> None:
    events: list[PendingEvent] = []
    table = ReminderAction.__table__  # type: ignore[attr-defined]
    for mark in marks:
        if mark.values is None:
            session.connection().execute(delete(table).where(table.c.key == mark.key))
        elif mark.before is None:
            session.connection().execute(table.insert().values(
                key=mark.key, version=1, updated_at=utcnow(), **mark.values))
        else:
            session.connection().execute(update(table).where(table.c.key == mark.key).values(
                version=table.c.version + 1, updated_at=utcnow(), **mark.values))
        events.append(PendingEvent(
            AuditAction.DELETE if mark.values is None else AuditAction.UPDATE,
            "reminder_action", mark.key,
            None if mark.before is None else {k: jsonable(v) for k, v in mark.before.items()},
            None if mark.values is None else {k: jsonable(v) for k, v in mark.values.items()}))
    record_events_bulk(session, actor=actor, events=events)

"""Write an import plan in one transaction: match each planned record to the register by
its natural key, count what is new, changed and unchanged, and write the difference in
batches, every change with its audit event. A blank cell never erases a stored value.

This is the write pipeline's batch entry. Why batches and not the per-record services: at
100,000 rows the ORM path costs tens of seconds (MEASURED.md: add_all is 15x a raw
executemany). The rules are the pipeline's own, not copies: every planned record passes
``validate_values`` over the record as it would be stored (``_validate``), a new
agreement or review gets the children of ``tracker.domain.derived``, and an approval
meets ``approval_blockers`` with the same checklist the per-record entry would read.
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Hashable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlmodel import Session

from tracker.app.batchcheck import RecordCheck
from tracker.app.derived_rows import ClauseCopies, new_record_defaults, write_derived
from tracker.app.pipeline import (
    PreviousReviews,
    arrival_day,
    critical_gaps,
    jsonable,
    refuse_fixed_changes,
    typed_evidence,
    validate_values,
)
from tracker.app.rebase import field_histories, reversions
from tracker.domain.derived import derived_children, is_review, open_items
from tracker.domain.enums import AuditAction, ChecklistStatus
from tracker.domain.rules import FieldError, approval_blockers
from tracker.domain.text import (
    PROVIDER_SEARCHED,
    provider_name_key,
    provider_search_extra,
    search_key,
)
from tracker.errors import ValidationFailed
from tracker.sheets.mapping import IMPORT_ENTITIES, ColumnMapping, target_label
from tracker.sheets.plan import (
    ImportPlan,
    Key,
    PlannedRecord,
    Problem,
    accepted_for,
    record_key,
    show_value,
)
from tracker.store.audit import PendingEvent, record_events_bulk
from tracker.store.fastinsert import insert_rows
from tracker.store.models import BASE_MODELS, table_of, utcnow

PARENTS = ("agreement", "assessment")  # the entities that arrive with derived children


@dataclass
class EntityCounts:
    new: int = 0
    changed: int = 0
    unchanged: int = 0


@dataclass
class ImportOutcome:
    counts: dict[str, EntityCounts] = field(
        default_factory=lambda: {e: EntityCounts() for e in IMPORT_ENTITIES})
    problems: list[Problem] = field(default_factory=list)
    # Cells holding a value the register had once and has moved on from: register kept.
    conflicts: list[Problem] = field(default_factory=list)
    # What the import took as meant, for its notes (a provider's name spelled otherwise).
    notes: list[str] = field(default_factory=list)
    written: bool = False


@dataclass
class _Existing:
    id: int
    values: dict[str, Any]
    also: list[int] = field(default_factory=list)  # other stored records with the same key
    version: int = 1


def _existing(row: dict[str, Any]) -> _Existing:
    """A stored record as matched; two rows of the file may match the same one."""
    return _Existing(row["id"], {k: v for k, v in row.items() if k != "version"},
                     version=int(row["version"]))


# A record to write: a new one as planned (values in ``record.values``), or a change
# (the record, the stored one it changes, the values that differ). A new record is held
# as itself, not in a tuple: at 100,000 rows, 300,000 tuples were ~20 MB of the peak.
Change = tuple[PlannedRecord, "_Existing | None", dict[str, Any]]
Pending = PlannedRecord | Change
Changes = dict[str, list[Pending]]


def _each(pending: list[Pending]) -> Iterator[Change]:
    """Every record to write as (record, stored record or None, values to write)."""
    for item in pending:
        yield (item, None, item.values) if isinstance(item, PlannedRecord) else item


def _load(session: Session, entity: str, where: Any = None) -> list[dict[str, Any]]:
    table = table_of(entity)
    names = ["id", *BASE_MODELS[entity].model_fields, "version"]
    statement = select(*(table.c[n] for n in names))
    if "archived_at" in table.c:
        statement = statement.where(table.c.archived_at.is_(None))
    return [dict(zip(names, row, strict=True)) for row in session.execute(statement)]


def apply_plan(session: Session, plan: ImportPlan, *, actor: str,
               dry_run: bool) -> ImportOutcome:
    """Check the plan against the register and, when nothing is wrong and this is no dry
    run, write it. The plan's records are consumed (let go once checked, and as they are
    written): the plan cannot be applied twice."""
    outcome = ImportOutcome(problems=list(plan.problems))
    provider_ids, matched = _match_providers(session, plan, outcome)
    _origins_from_the_register(plan, matched)
    columns = _columns_of(plan)
    today = date.today()
    changes: Changes = {}
    for entity in IMPORT_ENTITIES:
        found = matched if entity == "provider" else _match_children(session, plan, entity,
                                                                     provider_ids)
        changes[entity] = []
        checks = RecordCheck(entity)
        for key, record in plan.records[entity].items():
            existing = found.get(key)
            if existing is not None and existing.also:
                sheet, line = record.origin[0]
                ids = ", ".join(str(i) for i in [existing.id, *existing.also])
                outcome.problems.append(Problem(
                    sheet, line, None, None, None,
                    f"{len(existing.also) + 1} {entity.replace('_', ' ')} records of this "
                    f"provider in the register match this row (IDs {ids}); tell them apart "
                    "(e.g. a title or a date) or edit them in the register"))
                continue
            # the pipeline's rules on the record as the import would leave it: the file's
            # cells over the stored record, or over the defaults for a new one
            if not _validate(entity, record, existing, columns, today, outcome.problems,
                             checks):
                continue
            if existing is None:
                outcome.counts[entity].new += 1
                changes[entity].append(record)
                continue
            differ = {k: v for k, v in record.values.items() if existing.values.get(k) != v}
            if differ:
                outcome.counts[entity].changed += 1
                changes[entity].append((record, existing, differ))
            else:
                outcome.counts[entity].unchanged += 1
        # The records to write are in ``changes`` now: the plan's index of them by key is
        # let go (at 100,000 rows, ~5 MB a table, held through the write's peak).
        plan.records[entity] = {}
    _keep_newer_values(session, changes, columns, today, outcome)
    reviewed = sorted({provider_ids[r.provider_key] for r in changes["assessment"]
                       if type(r) is PlannedRecord and r.provider_key in provider_ids})
    children = _plan_children(changes, provider_ids, PreviousReviews(session, reviewed))
    _gate_approvals(session, changes, children, outcome, provider_ids, today)
    if outcome.problems or dry_run or not any(changes.values()):
        return outcome
    now = utcnow()
    clauses = _clause_copies(session, now)
    for entity in IMPORT_ENTITIES:
        # Written a few thousand records at a time, each chunk's events chained and written
        # with its rows, inside the one transaction: the rows' payloads, their events and
        # their derived children are never all held at once (peak memory).
        # The plan is consumed as it is written: a chunk's records (their values, keys
        # and origins) are let go once written, so the records of the entities still to
        # come are all that stays held.
        new = [r for r in changes[entity] if type(r) is PlannedRecord]
        updates = [(e, v) for _, e, v in _each(changes[entity]) if e is not None]
        changes[entity] = []
        while new:
            events: list[PendingEvent] = []
            chunk = new[:WRITE_CHUNK]
            del new[:WRITE_CHUNK]
            inserted = _insert(session, entity, chunk, provider_ids, events, now)
            _insert_children(session, inserted, children, events, now, clauses)
            for record in chunk:
                children.pop(id(record), None)
            record_events_bulk(session, actor=actor, events=events)
            del chunk, inserted, events
        events = []
        _update(session, entity, updates, events, now)
        record_events_bulk(session, actor=actor, events=events)
        del updates, events
    if clauses is not None:
        clauses.close()
    outcome.written = True
    return outcome


def _origins_from_the_register(plan: ImportPlan, matched: dict[Key, _Existing]) -> None:
    """A transfer whose origin the file does not give starts from its provider's country;
    on a Transfers sheet that names the provider alone, the country is the register's."""
    transfers = plan.records["transfer"]
    for key, record in list(transfers.items()):
        if record.values.get("origin_country") is not None:
            continue
        stored = matched.get(record.provider_key)
        country = stored.values.get("country") if stored is not None else None
        if country is None:
            continue
        record.values["origin_country"] = country
        new_key = record_key("transfer", record.provider_key, record.values)
        if new_key in transfers:  # the file also names that origin: leave it to the checks
            record.values.pop("origin_country")
            continue
        del transfers[key]
        record.key = new_key
        transfers[new_key] = record


def _match_providers(session: Session, plan: ImportPlan,
                     outcome: ImportOutcome) -> tuple[dict[Key, int], dict[Key, _Existing]]:
    """Each provider of the file found in the register by its name key and country (by the
    name alone when the file has no country), or none; a name that finds two is refused."""
    by_key: dict[Key, list[dict[str, Any]]] = {}
    by_name: dict[str, list[dict[str, Any]]] = {}
    for stored in _load(session, "provider"):
        name = provider_name_key(stored["legal_name"])
        by_key.setdefault((name, stored["country"]), []).append(stored)
        by_name.setdefault(name, []).append(stored)
    ids: dict[Key, int] = {}
    matched: dict[Key, _Existing] = {}
    for key, record in plan.records["provider"].items():
        name, country = key
        candidates = by_key.get(key) or (by_name.get(name, []) if country is None else [])
        sheet, line = record.origin[0]
        spelled = record.values["legal_name"]
        if len(candidates) > 1:
            found = ", ".join(str(c["id"]) for c in candidates)
            outcome.problems.append(Problem(
                sheet, line, None, None, spelled,
                f"{len(candidates)} providers in the register have this name (IDs {found}); "
                + ("add a country column to say which" if country is None else
                   "archive or rename all but one in the register first")))
            continue
        if not candidates:
            continue
        row = candidates[0]
        if search_key(row["legal_name"]) != search_key(spelled):
            outcome.notes.append(
                f"{sheet}, row {line}: provider {spelled!r} is the register's "
                f"{row['legal_name']!r} (ID {row['id']}), its name written with other "
                "punctuation or spaces; the import writes the file's spelling")
        ids[key] = row["id"]
        matched[key] = _existing(row)
    return ids, matched


def _match_children(session: Session, plan: ImportPlan, entity: str,
                    provider_ids: dict[Key, int]) -> dict[Key, _Existing]:
    if not plan.records[entity]:
        return {}
    key_of_id = {pid: key for key, pid in provider_ids.items()}
    found: dict[Key, _Existing] = {}
    for row in _load(session, entity):
        pkey = key_of_id.get(row["provider_id"])
        if pkey is not None:
            key = record_key(entity, pkey, row)
            held = found.get(key)
            if held is None:
                found[key] = _existing(row)
            else:  # two stored records answer to this key (e.g. two reviews on one date)
                held.also.append(int(row["id"]))
    return found


def _insert(session: Session, entity: str, rows: list[PlannedRecord],
            provider_ids: dict[Key, int], events: list[PendingEvent],
            now: datetime) -> list[tuple[PlannedRecord, int, int]]:
    """Insert new records; returns each with its new id and the index of its event."""
    if not rows:
        return []
    defaults = new_record_defaults(entity)
    table = table_of(entity)
    payload = []
    for record in rows:
        full = {**defaults, **record.values, "version": 1, "created_at": now,
                "updated_at": now}
        if entity == "provider":
            full["search_name"] = search_key(full["legal_name"])
            full["search_extra"] = provider_search_extra(full)
        else:
            full["provider_id"] = provider_ids[record.provider_key]
        if entity == "evidence":
            full["added_at"] = now
        payload.append(full)
    new_ids = insert_rows(session, table, payload, assign_ids=True)
    stamp = jsonable(now)
    converted = _converted_fields(entity)
    # Each value jsonable() changes (a date, an enum member: JSON's own types are left as
    # they are), converted once: keyed by the value alone, as equal members of two enums
    # and the like give the same JSON value.
    memo: dict[Any, Any] = {now: stamp}
    for record, after, new_id in zip(rows, payload, new_ids, strict=True):
        if entity == "provider":
            provider_ids[record.key] = new_id
        # the event's values as jsonable() gives them, converting only the fields whose
        # type needs it (dates, enums, the stamps); the row's own dict becomes the event's
        # (its values are with the driver already)
        for name in converted:
            value = after.get(name)
            if value is not None and type(value) not in _JSON_TYPES:
                found = memo.get(value, memo)
                if found is memo:
                    found = memo[value] = jsonable(value)
                after[name] = found
        after["id"] = new_id
        events.append(PendingEvent(AuditAction.INSERT, entity, new_id, None, after))
    del payload
    first = len(events) - len(rows)
    return [(record, new_id, first + index) for index, (record, new_id)
            in enumerate(zip(rows, new_ids, strict=True))]


_STAMPS = ("created_at", "updated_at", "added_at")
_JSON_TYPES = frozenset({str, int, float, bool})  # jsonable() leaves them as they are


@functools.cache
def _converted_fields(entity: str) -> tuple[str, ...]:
    """The fields of ``entity`` whose values jsonable() changes (not str, int, bool, float
    or None): dates, timestamps, enum members."""
    from tracker.domain.registry import field_kind

    found = [name for name, info in BASE_MODELS[entity].model_fields.items()
             if field_kind(info.annotation).kind in {"date", "datetime", "enum"}]
    return tuple(found + [n for n in _STAMPS if n not in found])


Children = dict[int, list[tuple[str, dict[str, Any]]]]  # id(PlannedRecord) -> children


def _plan_children(changes: Changes,
                   provider_ids: dict[Key, int], previous: PreviousReviews) -> Children:
    """The derived children of every new agreement and review, as the per-record entry
    derives them; new reviews are taken in date order, so each carries the answers of the
    review before it in time, whether that one is stored or in this batch."""
    planned: Children = {}
    # An agreement's clauses depend on its own values only: derived as it is written
    # (``_children_of``), a chunk at a time, not all held from here.
    # Each review's full values (its defaults under the file's) are made as it is taken,
    # not all at once: at 100,000 reviews they were ~80 MB held together.
    defaults = new_record_defaults("assessment")
    new_reviews = [(record, record.values) for record in changes.get("assessment", [])
                   if type(record) is PlannedRecord]
    new_reviews.sort(key=lambda pair: arrival_day(
        pair[1]["assessed_on"] if "assessed_on" in pair[1] else defaults.get("assessed_on")))
    # a provider this import creates has no id yet: its reviews meet by its key
    owners: Counter[Hashable] = Counter(provider_ids.get(r.provider_key, r.provider_key)
                                        for r, _ in new_reviews)
    for record, values in new_reviews:
        full = {**defaults, **values}
        owner: Hashable = provider_ids.get(record.provider_key, record.provider_key)
        kids = derived_children("assessment", full, previous.answers_for(
            owner, full.get("assessed_on")) if is_review(full) else {})
        if kids:  # none is what _children_of gives a review with no planned entry
            planned[id(record)] = kids
        if is_review(full) and owners[owner] > 1:
            # carried by a later review of the same provider in this batch (a provider's
            # only new review is asked for by none: not held)
            previous.add(owner, full.get("assessed_on"), {v["item"]: v for _, v in kids})
    return planned


def _gate_approvals(session: Session, changes: Changes,
                    children: Children, outcome: ImportOutcome,
                    provider_ids: Mapping[tuple[Any, ...], int], today: date) -> None:
    """The approval gate for every review the import adds or approves anew: its checklist,
    and the provider's open critical gaps in the register as stored before the import."""
    for record, existing, values in _each(changes.get("assessment", [])):
        if existing is None:
            merged = {**new_record_defaults("assessment"), **values}
            still_open = open_items(children.get(id(record), []))
        elif {"outcome", "approval_override"} & values.keys():
            merged = {**existing.values, **values}
            if not is_review(merged):
                continue
            table = table_of("checklist_answer")
            still_open = [int(item) for item, in session.execute(
                select(table.c.item).where(table.c.assessment_id == existing.id,
                                           table.c.status == ChecklistStatus.OPEN.value))]
        else:
            continue
        sheet, row = record.origin[0]
        gaps = critical_gaps(session, {**merged, "provider_id": provider_ids.get(
            record.provider_key, merged.get("provider_id"))}, today)
        for error in approval_blockers(merged, still_open, gaps):
            outcome.problems.append(Problem(sheet, row, None, "assessment.outcome",
                                            str(jsonable(merged.get("outcome"))),
                                            f"assessment {error.field}: {error.message}"))


def _clause_copies(session: Session, now: datetime) -> ClauseCopies | None:
    """The restore's SQL copies of an agreement's clause rows (``derived_rows``), on
    SQLite: a new agreement's clauses depend on its kind alone, so all but the first of each
    kind are copied by SQLite instead of built, converted and sent from Python (4.3 rows per
    agreement of the benchmark's sheet, with the same IDs and event entries)."""
    if session.connection().dialect.name != "sqlite":
        return None
    return ClauseCopies(session, now)


def _insert_children(session: Session, inserted: list[tuple[PlannedRecord, int, int]],
                     children: Children, events: list[PendingEvent], now: datetime,
                     clauses: ClauseCopies | None = None) -> None:
    """Write the derived children of the records just inserted, a few thousand parents at
    a time; an agreement's clauses copied in SQL where ``clauses`` can (``_clause_copies``)."""
    for start in range(0, len(inserted), CHILD_CHUNK):
        parents: list[tuple[int, list[tuple[str, dict[str, Any]]], PendingEvent]] = []
        for record, parent_id, index in inserted[start:start + CHILD_CHUNK]:
            event = events[index]
            if clauses is not None and record.entity == "agreement" and \
                    id(record) not in children and clauses.copied(
                        parent_id, {**new_record_defaults("agreement"), **record.values}, event):
                continue
            parents.append((parent_id, _children_of(record, children), event))
        if clauses is not None:
            clauses.flush()
        if any(kids for _, kids, _ in parents):
            write_derived(session, parents, now)
            if clauses is not None:
                clauses.moved()


def _children_of(record: PlannedRecord,
                 children: Children) -> list[tuple[str, dict[str, Any]]]:
    """A new record's derived children: planned (a review's checklist, which carries the
    review before it), or an agreement's clauses, derived from its values now."""
    planned = children.get(id(record))
    if planned is not None:
        return planned
    if record.entity == "agreement":
        return derived_children("agreement", {**new_record_defaults("agreement"), **record.values})
    return []


CHILD_CHUNK = 5000
WRITE_CHUNK = 5000  # records written (with their events and children) at a time


def _columns_of(plan: ImportPlan) -> dict[tuple[str, str], ColumnMapping]:
    columns: dict[tuple[str, str], ColumnMapping] = {}
    for mapping in plan.mappings:
        for column in mapping.mapped:
            if column.target:
                entity, name = column.target.split(".")
                columns[(mapping.sheet, f"{entity}.{name}")] = column
    return columns


def _keep_newer_values(session: Session,
                       changes: Changes,
                       columns: dict[tuple[str, str], ColumnMapping], today: date,
                       outcome: ImportOutcome) -> None:
    """A workbook imported again after the register moved on must not undo that: a cell
    holding a value the record had before a later change (an old copy of the workbook, or
    one kept beside the register) is a conflict, and the register's value stays. Only
    records changed since they were made (version 2 on) have a history to consult."""
    for entity, planned in changes.items():
        changed = {e.id: e for _, e, _ in _each(planned) if e is not None and e.version > 1}
        if not changed:
            continue
        histories = field_histories(session, entity, changed)
        kept: list[Pending] = []
        for item in planned:
            if isinstance(item, PlannedRecord):  # new: no history
                kept.append(item)
                continue
            record, existing, differ = item
            found = (reversions(differ, histories.get(existing.id, {}))
                     if existing is not None and existing.id in changed else [])
            if not found or existing is None:
                kept.append(item)
                continue
            sheet, row = record.origin[0]
            label = entity.replace("_", " ")
            for reversion in found:
                column = columns.get((sheet, f"{entity}.{reversion.field}"))
                outcome.conflicts.append(Problem(
                    sheet, row, column.letter if column else None,
                    column.header if column else f"{entity}.{reversion.field}",
                    show_value(reversion.workbook), (
                        f"{label} {existing.id} {reversion.field}: the workbook holds an "
                        f"earlier value; the register changed it since{reversion.who} to "
                        f"{show_value(reversion.register)!r}, which is kept (change it in "
                        "the register if the workbook is right)")))
            rest = {k: v for k, v in differ.items()
                    if k not in {r.field for r in found}}
            if not rest:
                outcome.counts[entity].changed -= 1
                outcome.counts[entity].unchanged += 1
                continue
            try:
                validate_values(entity, BASE_MODELS[entity], {
                    **{k: v for k, v in existing.values.items() if k != "id"}, **rest},
                    today=today)
            except ValidationFailed as failure:
                outcome.problems.extend(_locate(error, entity, sheet, row, columns, rest)
                                        for error in failure.errors)
                continue
            kept.append((record, existing, rest))
        changes[entity] = kept


def _validate(entity: str, record: PlannedRecord, existing: _Existing | None,
              columns: dict[tuple[str, str], ColumnMapping], today: date,
              problems: list[Problem], checks: RecordCheck | None = None) -> bool:
    """``validate_values`` over the record as it would be stored; the cleaned values
    replace the file's. Every problem is located at the row the record came from.
    ``checks``: the same rules field by field (tracker.app.batchcheck), tried first."""
    if entity == "evidence":  # a hash in a workbook is typed, not computed (issue 14)
        record.values = typed_evidence(existing.values if existing is not None else None,
                                       record.values)
    values = {**(existing.values if existing is not None else {}), **record.values}
    values.pop("id", None)
    if entity != "provider" and existing is None:
        values["provider_id"] = 0  # linked on write; its existence is not in question
    try:
        clean = checks.clean(values, today) if checks is not None else None
        if clean is None:  # refused, or not vouched for: the per-record path names why
            clean = validate_values(entity, BASE_MODELS[entity], values, today=today)
        if existing is not None:
            refuse_fixed_changes(entity, existing.values, clean)
    except ValidationFailed as failure:
        sheet, row = record.origin[0]
        problems.extend(_locate(error, entity, sheet, row, columns, values)
                        for error in failure.errors)
        return False
    record.values = {k: clean[k] for k in record.values}
    return True


def _locate(error: FieldError, entity: str, sheet: str, row: int,
            columns: dict[tuple[str, str], ColumnMapping], values: dict[str, Any]) -> Problem:
    column = columns.get((sheet, f"{entity}.{error.field}"))
    accepted = None
    reason = f"{entity.replace('_', ' ')} {error.field}: {error.message}"
    if error.field in BASE_MODELS[entity].model_fields:
        accepted = accepted_for(entity, error.field)
        if column is None:
            accepted = f"a column for {target_label(f'{entity}.{error.field}')}: {accepted}"
    if column is None and entity != "provider":
        # No cell holds the missing value: name the columns that made this row a record of
        # the entity ("Gültig bis" made an agreement, and an agreement needs its kind).
        makers = [c for (where, target), c in columns.items()
                  if where == sheet and target.startswith(f"{entity}.")]
        if makers:
            named = ", ".join(f"{c.letter} ({c.header})" for c in makers)
            reason += (f"; the row's {entity.replace('_', ' ')} comes from column"
                       f"{'s' if len(makers) > 1 else ''} {named}")
            leave = (f"or leave column{'s' if len(makers) > 1 else ''} "
                     f"{', '.join(c.letter for c in makers)} out")
            accepted = f"{accepted}; {leave}" if accepted else leave
    return Problem(sheet, row, column.letter if column else None,
                   column.header if column else f"{entity}.{error.field}",
                   show_value(values.get(error.field)) if values.get(error.field) is not None
                   else None, reason, accepted)


def _update(session: Session, entity: str, rows: list[tuple[_Existing, dict[str, Any]]],
            events: list[PendingEvent], now: datetime) -> None:
    update_rows(session, entity, [
        (existing.id, {k: existing.values.get(k) for k in changed}, changed)
        for existing, changed in rows], events, now)


def update_rows(session: Session, entity: str,
                rows: list[tuple[int, dict[str, Any], dict[str, Any]]],
                events: list[PendingEvent], now: datetime) -> None:
    """Apply (id, values before, changed values) to many records: one executemany per set
    of changed columns, each record's version bumped, an audit event each."""
    table = table_of(entity)
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for record_id, before, changed in rows:
        values = dict(changed)
        if entity == "provider" and "legal_name" in values:
            values["search_name"] = search_key(values["legal_name"])
        names = tuple(sorted(values))
        groups.setdefault(names, []).append(
            {"_id": record_id, "_now": now, **{f"_{n}": v for n, v in values.items()}})
        events.append(PendingEvent(
            AuditAction.UPDATE, entity, record_id,
            {k: jsonable(v) for k, v in before.items()},
            {k: jsonable(v) for k, v in changed.items()}))
    for names, params in groups.items():
        statement = (update(table).where(table.c.id == bindparam("_id"))
                     .values(version=table.c.version + 1, updated_at=bindparam("_now"),
                             **{n: bindparam(f"_{n}") for n in names}))
        session.connection().execute(statement, params)
    if entity == "provider":
        refresh_search_names(session, [record_id for record_id, _, changed in rows
                                       if set(changed) & set(PROVIDER_SEARCHED)])


def refresh_search_names(session: Session, provider_ids: list[int]) -> None:
    """The folded search column of providers whose aliases, registration number or
    website changed, recomputed from their stored values (a change may carry only one)."""
    table = table_of("provider")
    columns = [table.c.id, *(table.c[name] for name in PROVIDER_SEARCHED)]
    for start in range(0, len(provider_ids), 500):
        chunk = provider_ids[start:start + 500]
        found = session.connection().execute(
            select(*columns).where(table.c.id.in_(chunk))).all()
        if found:
            session.connection().execute(
                update(table).where(table.c.id == bindparam("_id"))
                .values(search_extra=bindparam("_search")),
                [{"_id": row[0], "_search": provider_search_extra(
                    dict(zip(PROVIDER_SEARCHED, row[1:], strict=True)))} for row in found])

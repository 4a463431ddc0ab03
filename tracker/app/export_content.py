"""What an export holds: the Summary, one sheet per entity, the Reminders (derived, with the
user's marks), the Settings, and for a provider's file its Gaps. Built as lazy rows of
typed values; ``tracker.sheets.writers`` turns them into a workbook or CSV files.

The rows are generated while the file is written, inside the caller's read transaction, so
the export is one consistent view of the register and never holds a whole sheet in memory.
"""

from __future__ import annotations

import heapq
import json
import operator
import pickle
import tempfile
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, date, datetime
from typing import IO, Any

from sqlmodel import Session

from tracker import __version__
from tracker.domain.enums import ReminderStatus
from tracker.domain.settings import spec_for
from tracker.sheets.content import ExportContent, ExportScope, SheetData
from tracker.sheets.layout import (
    FORMAT_NAME,
    FORMAT_VERSION,
    GAPS_SHEET,
    MANIFEST_SHEET,
    REMINDER_COLUMNS,
    REMINDERS_SHEET,
    SETTING_COLUMNS,
    SETTINGS_SHEET,
    SUMMARY_SHEET,
    Column,
    EntitySheet,
    entity_sheets,
)
from tracker.store.snapshot import count_records, record_rows, reference_names

# Settings that describe this database rather than the register's content.
LOCAL_SETTINGS = frozenset({"register_kind"})
TWO_COLUMNS = (Column("Item", None, "text", 34), Column("Value", None, "text", 90))
SUMMARY_COLUMNS = (Column("Supplier due-diligence register", None, "text", 30),
                   Column("", None, "text", 110))


def build_export(session: Session, *, scope: ExportScope, today: date,
                 actor: str) -> ExportContent:
    from tracker.app.reminders import reminders_by_provider
    from tracker.store.audit import last_event_id
    from tracker.store.settings import register_id

    pid = scope.provider_id
    names = _NameCache(session, pid)
    by_status = dict.fromkeys(ReminderStatus, 0)
    # Derived once: counted for the Summary while sorted into runs the sheet merges.
    reminder_rows = _sorted_reminder_rows(
        session, reminders_by_provider(session, today, pid), by_status)
    counts = {sheet.entity: count_records(session, sheet.entity, pid)
              for sheet in entity_sheets()}
    content = ExportContent(sheets=[], scope=scope)
    content.sheets.append(SheetData(SUMMARY_SHEET, SUMMARY_COLUMNS, _summary_rows(
        session, scope, today, actor, counts, by_status), title_row=True))
    for sheet in entity_sheets():
        content.sheets.append(SheetData(
            sheet.title, sheet.columns, _entity_rows(session, sheet, names, pid),
            records=True, freeze_columns=_frozen(sheet)))
    # by due date, the soonest first (then provider and key: the same order every time)
    content.sheets.append(SheetData(REMINDERS_SHEET, REMINDER_COLUMNS, reminder_rows,
                                    records=True, freeze_columns=2))
    settings = _setting_rows(session)
    content.sheets.append(SheetData(SETTINGS_SHEET, SETTING_COLUMNS, settings, records=True))
    if pid is not None:
        gaps = _gap_rows(session, pid, today)
        content.sheets.append(SheetData(GAPS_SHEET, GAP_COLUMNS, gaps, records=True))
    content.sheets.append(SheetData(MANIFEST_SHEET, TWO_COLUMNS, [
        ["format", FORMAT_NAME], ["format_version", FORMAT_VERSION],
        ["register_id", register_id(session)],
        ["scope", "register" if pid is None else "provider"],
        ["provider_id", pid], ["exported_at", _now().isoformat()],
        # read in the export's own transaction: every later event is news to this file
        ["audit_last_event", last_event_id(session)],
        # the audit anchor (tracker.store.anchors): `tracker audit verify --anchor FILE`
        # checks that the register's event number audit_event_count still has this hash
        *_anchor_rows(session),
        ["tracker_version", __version__]], hidden=True))
    return content


def _anchor_rows(session: Session) -> list[list[Any]]:
    from tracker.store.anchors import current_anchor

    anchor = current_anchor(session)
    return [["audit_event_count", anchor.count], ["audit_head_hash", anchor.hash]]


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0, tzinfo=None)


def _frozen(sheet: EntitySheet) -> int:
    """Keep the ID and the record's owner (or a provider's name) in view."""
    for index, column in enumerate(sheet.columns):
        if column.kind == "ref_name" or column.field == "legal_name":
            return index + 1
    return 1


class _NameCache:
    """Readable names of referenced records, loaded once per entity an export needs."""

    def __init__(self, session: Session, provider_id: int | None) -> None:
        self.session, self.provider_id = session, provider_id
        self.loaded: dict[str, dict[int, str]] = {}

    def __call__(self, entity: str) -> dict[int, str]:
        if entity not in self.loaded:
            self.loaded[entity] = reference_names(self.session, entity, self.provider_id)
        return self.loaded[entity]


def _entity_rows(session: Session, sheet: EntitySheet, names: _NameCache,
                 provider_id: int | None) -> Iterator[list[Any]]:
    fields = [c.field for c in sheet.fields if c.field is not None]
    # Each helper column's value is put into the record's values under a key of its own, so
    # one itemgetter (C code) picks a whole row in column order: a Python call per cell was
    # a fifth of a large export's time.
    helpers: list[tuple[str, Callable[[dict[str, Any]], Any]]] = []
    keys: list[str] = []
    previous: str | None = None
    for index, column in enumerate(sheet.columns):
        if column.kind == "ref_name":
            assert column.refers_to is not None and previous is not None
            helpers.append((f"#{index}", _name_getter(names, column.refers_to, previous)))
            keys.append(f"#{index}")
        elif column.spells_out is not None:
            helpers.append((f"#{index}", _spelled_out(column.spells_out)))
            keys.append(f"#{index}")
        else:
            keys.append(column.field or "")
        previous = column.field
    pick = operator.itemgetter(*keys)
    for values in record_rows(session, sheet.entity, fields, provider_id):
        for key, get in helpers:
            values[key] = get(values)
        yield list(pick(values))


def _spelled_out(what: str) -> Callable[[dict[str, Any]], Any]:
    """A clause code's text and article, a checklist item's question and whether it is
    critical (tracker.domain.checklists), for the helper columns beside them."""
    from tracker.domain.checklists import ALL_CLAUSES, CHECKLIST_BY_NUMBER

    def get(values: dict[str, Any]) -> Any:
        if what.startswith("clause"):
            clause = ALL_CLAUSES.get(str(values.get("clause")))
            if clause is None:
                return None
            return clause.article if what == "clause_article" else clause.text
        item = CHECKLIST_BY_NUMBER.get(values.get("item"))  # type: ignore[arg-type]
        if item is None:
            return None
        if what == "item_critical":
            return "critical" if item.critical else ""
        return item.text
    return get


def _name_getter(names: _NameCache, entity: str,
                 id_field: str) -> Callable[[dict[str, Any]], Any]:
    def get(values: dict[str, Any]) -> Any:
        ref = values[id_field]
        if ref is None:
            return None
        found = names(entity).get(ref)
        # A provider's file can point at another provider's record (rare): say so.
        return found if found is not None else f"(record {ref} outside this file)"
    return get


def _summary_rows(session: Session, scope: ExportScope, today: date, actor: str,
                  counts: dict[str, tuple[int, int]],
                  by_status: dict[ReminderStatus, int]) -> list[list[Any]]:
    from tracker.store.settings import get_setting

    organisation = get_setting(session, "organisation_name") or "(not set: tracker settings " \
        "set organisation_name ...)"
    rows: list[list[Any]] = [
        ["Organisation (controller)", organisation],
        ["DPO / PI protection officer", get_setting(session, "organisation_dpo") or ""],
        ["Contents", scope.label],
        ["Exported at (UTC)", _now()],
        ["Exported by", actor],
        ["Reminders as of", today],
        ["", ""],
        ["Records", "all (archived among them)"],
    ]
    for sheet in entity_sheets():
        total, archived = counts[sheet.entity]
        rows.append([sheet.title, f"{total:,}" + (f" ({archived:,} archived)" if archived
                                                  else "")])
    rows += [["", ""], ["Reminders", f"{sum(by_status.values()):,}"]]
    rows += [[f"  {status.label}", f"{count:,}"] for status, count in by_status.items()]
    rows += [
        ["", ""],
        ["How to read it", "One sheet per kind of record. A reference to another record is "
         "its ID, with its name beside it."],
        ["", "Dates are real dates; the drop-downs list the allowed values."],
        ["", "Text that starts with = + - @ is shown after an apostrophe, so no formula runs "
         "when the file is opened."],
        ["How to import it back", "tracker import FILE (the import removes those apostrophes)."],
        ["", "Into the register it came from, records are matched by ID: a blank ID adds a "
         "record, a blank cell clears a field."],
        ["", "What the register changed after this export is kept: only cells you change "
         "here are applied, and a cell changed on both sides is reported as a conflict."],
        ["", "Into an empty register, everything is restored with the same IDs."],
        ["", "Summary, Gaps and the reminders' status are derived and not imported; the marks "
         "(snoozed, done) on the Reminders sheet are."],
    ]
    return rows


# Reminders sorted in memory at a time; a larger register's are sorted in runs of this many,
# each spilled to an unnamed temporary file, and merged while the sheet is written.
REMINDER_RUN = 50_000
_BLOCK = 2_000  # rows pickled together in a run's file


def _sorted_reminder_rows(session: Session, reminders: Iterable[Any],
                          by_status: dict[ReminderStatus, int]) -> Iterator[list[Any]]:
    """The Reminders sheet's rows by due date (then provider and key: the same order every
    time), from one pass of the derivation, which also counts ``by_status`` before this
    returns. A whole register's ~450,000 reminders never stand in memory at once: each run
    of ``REMINDER_RUN`` is sorted and spilled, and the runs are merged (a stable merge of
    stable sorts gives the order one sort of them all would)."""
    from sqlmodel import select

    from tracker.store.models import ReminderAction

    marks = {m.key: m for m in session.exec(select(ReminderAction)).all()}
    runs: list[IO[bytes]] = []
    batch: list[list[Any]] = []
    for r in reminders:
        by_status[r.status] += 1
        mark = marks.get(r.key)
        batch.append([r.key, r.due_on, r.status.label, r.kind.label, r.provider_id,
                      r.provider_name, r.subject, r.why, r.action, r.article,
                      mark.state.value if mark else None, mark.until if mark else None,
                      mark.reason if mark else None])
        if len(batch) == REMINDER_RUN:
            runs.append(_spill(sorted(batch, key=_reminder_order)))
            batch = []
    batch.sort(key=_reminder_order)
    if not runs:
        return iter(batch)
    runs.append(_spill(batch))
    return heapq.merge(*(_read_run(run) for run in runs), key=_reminder_order)


def _reminder_order(row: list[Any]) -> tuple[Any, ...]:
    return row[1], row[5], row[0]  # due on, provider, key


def _spill(rows: list[list[Any]]) -> IO[bytes]:
    run = tempfile.TemporaryFile()  # unnamed and private: gone when closed or on exit
    for start in range(0, len(rows), _BLOCK):
        pickle.dump(rows[start:start + _BLOCK], run, protocol=pickle.HIGHEST_PROTOCOL)
    run.seek(0)
    return run


def _read_run(run: IO[bytes]) -> Iterator[list[Any]]:
    with run:
        while True:
            try:  # the file _spill wrote, never one from outside
                block: list[list[Any]] = pickle.load(run)
            except EOFError:
                return
            yield from block


def _setting_rows(session: Session) -> list[list[Any]]:
    from tracker.store.settings import all_settings

    rows = []
    for key, value in all_settings(session).items():
        if key in LOCAL_SETTINGS:
            continue
        rows.append([key, json.dumps(value, ensure_ascii=False), spec_for(key).help])
    return rows


GAP_COLUMNS: tuple[Column, ...] = (
    Column("Severity", None, "text", 10), Column("Rule", None, "text", 34),
    Column("Subject", None, "text", 36), Column("Why", None, "text", 60),
    Column("What to do", None, "text", 60), Column("Article", None, "text", 30))


def _gap_rows(session: Session, provider_id: int, today: date) -> list[list[Any]]:
    from tracker.app.gaps import register_gaps

    return [[g.severity.value, g.rule, g.subject, g.why, g.fix, g.article]
            for g in register_gaps(session, today, provider_id)]

"""Import a spreadsheet: read (guarded), map columns (profile or automatic), plan, and
write in one transaction, or nothing at all."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from tracker.app.batch import EntityCounts, apply_plan
from tracker.errors import TrackerError
from tracker.gcpause import gc_paused
from tracker.sheets.guard import FileRefused
from tracker.sheets.layout import (
    GAPS_SHEET,
    LISTS_SHEET,
    MANIFEST_SHEET,
    REMINDERS_SHEET,
    SETTINGS_SHEET,
    SUMMARY_SHEET,
)
from tracker.sheets.limits import Deadline
from tracker.sheets.mapping import (
    Profile,
    SheetMapping,
    detect_mapping,
    first_row_mapping,
    header_key,
    save_profile,
)
from tracker.sheets.native import manifest_of
from tracker.sheets.plan import Problem, plan_import
from tracker.sheets.readers import SheetSource, Workbook, open_source
from tracker.sheets.text_encoding import describe
from tracker.sheets.values import DayOrder
from tracker.store.audit import current_actor
from tracker.store.engine import session_scope

# Sheets of the tracker's export that hold no records of their own (tracker/sheets/layout).
DERIVED_SHEETS = frozenset({SUMMARY_SHEET, REMINDERS_SHEET, SETTINGS_SHEET, GAPS_SHEET,
                            LISTS_SHEET})
PROFILE_HELP = ("write a mapping profile: a JSON file such as imports/profiles/"
                "example-register.json, {\"name\": ..., \"columns\": {\"<header>\": "
                "\"provider.legal_name\", \"<header to leave out>\": null}}, then pass "
                "--profile NAME")


@dataclass
class ImportReport:
    path: Path
    mappings: list[SheetMapping]
    left_out_sheets: list[str]
    counts: dict[str, EntityCounts]
    problems: list[Problem]
    written: bool
    dry_run: bool
    rows_read: int
    saved_profile: Path | None = None
    notes: list[str] = field(default_factory=list)
    # What the register and the workbook both changed since its export (register kept).
    conflicts: list[Problem] = field(default_factory=list)
    # Columns with a header that matched no field (left out), each with the closest field
    # as a suggestion, never applied: the person maps it (profile, import screen) or not.
    unmatched: list[Problem] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": str(self.path), "dry_run": self.dry_run, "written": self.written,
            "rows_read": self.rows_read,
            "sheets": [{"sheet": m.sheet, "header_row": m.header_row,
                        "columns": [{"column": c.letter, "header": c.header,
                                     "field": c.target, "suggestion": c.suggestion,
                                     "reason": c.reason}
                                    for c in m.columns]}
                       for m in self.mappings],
            "left_out_sheets": self.left_out_sheets,
            "counts": {e: vars(c) for e, c in self.counts.items()},
            "problems": [p.as_dict() for p in self.problems],
            "conflicts": [p.as_dict() for p in self.conflicts],
            "unmatched": [p.as_dict() for p in self.unmatched],
            "notes": self.notes,
            "saved_profile": str(self.saved_profile) if self.saved_profile else None,
        }


def map_workbook(book: Workbook, profile: Profile | None) -> tuple[list[SheetMapping],
                                                                   list[str]]:
    mappings: list[SheetMapping] = []
    left_out: list[str] = []
    # The export's derived sheets, by name, only in a workbook that looks like an export
    # (two of them at least): an officer's own hidden "Lists" sheet is just hidden.
    exported = sum(sheet.name in DERIVED_SHEETS for sheet in book.sheets) >= 2
    # A profile's sheet picks that sheet (hidden or not); in a file without it, the one
    # visible sheet of a file that has one (a CSV, next month's copy saved under another
    # sheet name) is the one it means, and among several none is guessed.
    wanted = profile.sheet if profile else None
    if wanted and not any(header_key(wanted) == header_key(s.name) for s in book.sheets):
        visible = [s.name for s in book.sheets if not s.hidden]
        wanted = visible[0] if len(visible) == 1 else wanted
    for sheet in book.sheets:
        if wanted and header_key(wanted) != header_key(sheet.name):
            left_out.append(f"{sheet.name} (not the profile's sheet)")
            continue
        if sheet.name in DERIVED_SHEETS and exported and not wanted:
            left_out.append(f"{sheet.name} (derived by the tracker's export, not records)")
            continue
        if sheet.hidden and not wanted:
            left_out.append(f"{sheet.name} (hidden)")
            continue
        mapping = detect_mapping(sheet.name, sheet.rows, sheet.merged,
                                 overrides=profile.columns if profile else None,
                                 header_row=profile.header_row if profile else None)
        if mapping is None:
            hint = legal_name_hint(sheet.rows)
            left_out.append(f"{sheet.name} (no column for a provider's legal name"
                            + (f"; closest: {hint}" if hint else "") + ")")
            continue
        mappings.append(mapping)
    return mappings, left_out


def encoding_notes(book: Workbook) -> list[str]:
    """The legacy code page a CSV was read in, said out loud: it is a guess (the file does
    not say), and a wrong one shows only as odd letters in names."""
    if book.encoding is None or book.encoding.startswith("utf-"):
        return []
    return [f"{book.path.name}: read as {describe(book.encoding)} text, the file is not "
            "UTF-8; if letters look wrong, save it from Excel as \"CSV UTF-8\""]


def with_columns(profile: Profile | None, columns: dict[str, str | None]) -> Profile:
    """A profile with the person's choices for some columns over it (the import screen)."""
    from tracker.errors import TrackerError
    from tracker.sheets.mapping import all_targets

    known = set(all_targets())
    unknown = sorted(str(t) for t in columns.values() if t is not None and t not in known)
    if unknown:
        raise TrackerError(f"no such field: {', '.join(unknown)}")
    if profile is None:
        return Profile(name="chosen", columns=dict(columns))
    return Profile(name=profile.name, columns={**profile.columns, **columns},
                   sheet=profile.sheet, header_row=profile.header_row,
                   day_first=profile.day_first)


def mapping_choices() -> list[tuple[str, str]]:
    """Every field a column can be mapped to, as (label, field), in the registry's order."""
    from tracker.sheets.mapping import all_targets, target_label

    return [(target_label(target), target) for target in all_targets()]


def legal_name_hint(rows: Sequence[Sequence[Any]]) -> str | None:
    """The header among a sheet's first rows most like the provider's legal name, for the
    message that says none matched it."""
    from tracker.sheets.mapping import HEADER_SEARCH_ROWS, column_letter, match_header

    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        for column, cell in enumerate(row):
            if isinstance(cell, str) and cell.strip() and len(cell) < 100 and \
                    match_header(cell, None).suggestion == "provider.legal_name":
                return (f"{cell.strip()!r} in {column_letter(column)}{index + 1}, which a "
                        "profile or the import screen can map to provider.legal_name")
    return None


def unmatched_columns(mappings: list[SheetMapping]) -> list[Problem]:
    from tracker.sheets.mapping import target_label

    found: list[Problem] = []
    for mapping in mappings:
        for column in mapping.unmapped:
            if column.chosen:
                continue  # left out on purpose (a profile's null)
            if column.disagree:
                reason = ("its parts name different fields: " + " / ".join(
                    target_label(t) for t in column.disagree) + "; left out")
                accepted = ", ".join(column.disagree)
            elif column.suggestion:
                reason = (f"matches no field; left out. Closest: "
                          f"{target_label(column.suggestion)}")
                accepted = column.suggestion
            else:
                reason, accepted = "matches no field; left out", None
            found.append(Problem(mapping.sheet, mapping.header_row, column.letter,
                                 column.header, None, reason, accepted))
    return found


def _candidate(book: Workbook, profile: Profile | None) -> SheetMapping | None:
    """The columns of the first sheet that has any a person could map, when no sheet has a
    column for the provider's name: shown so the name column can be chosen (the import
    screen, a profile), instead of refusing the file with nothing to choose from."""
    for sheet in book.sheets:
        if sheet.hidden or not sheet.rows:
            continue
        found = detect_mapping(sheet.name, sheet.rows, sheet.merged,
                               overrides=profile.columns if profile else None,
                               header_row=profile.header_row if profile else None,
                               require_name=False)
        if found is not None:
            return found
    return next((found for sheet in book.sheets if not sheet.hidden and sheet.rows
                 and (found := first_row_mapping(sheet.name, sheet.rows)) is not None), None)


def _choose_the_name(path: Path, candidate: SheetMapping, left_out: list[str],
                     dry_run: bool) -> ImportReport:
    closest = next((c for c in candidate.columns if c.suggestion == "provider.legal_name"),
                   None)
    hint = (f"; the closest is column {closest.letter} ({closest.header!r})" if closest
            else "")
    problem = Problem(candidate.sheet, candidate.header_row, closest.letter if closest else None,
                      closest.header if closest else None, None,
                      "no column is the provider's legal name, which every row needs" + hint,
                      "choose the column that holds it: in the import screen, or a profile "
                      "mapping its header to provider.legal_name")
    return ImportReport(path=path, mappings=[candidate], left_out_sheets=left_out[1:],
                        counts={}, problems=[problem], written=False, dry_run=dry_run,
                        rows_read=0, unmatched=unmatched_columns([candidate]))


def run_import(engine: Engine, path: Path, *, profile: Profile | None, order: DayOrder,
               dry_run: bool, save_as: str | None = None) -> ImportReport:
    deadline = Deadline()
    if profile and profile.day_first is not None and order is None:
        order = "day-first" if profile.day_first else "month-first"
    # The source stays open until the plan is made: its rows are read in passes from the
    # one private copy the guard checked (readers.XlsxSource), never from the file again.
    paused = ExitStack()  # the collector paused from planning to writing, as one bulk
    try:
        with paused, open_source(path, deadline) as source:
            manifest = manifest_of(source.sheet(MANIFEST_SHEET))
            if manifest is not None and profile is None:
                return _run_native(engine, path, source, manifest, dry_run=dry_run,
                                   deadline=deadline)
            book = source.workbook(streamed=True)
            read_as = encoding_notes(book)
            mappings, left_out = map_workbook(book, profile)
            if not mappings:
                candidate = _candidate(book, profile)
                if candidate is not None:
                    return _choose_the_name(path, candidate, left_out, dry_run)
                raise TrackerError(
                    f"{path.name}: no sheet has a column the import recognises as the "
                    f"provider's legal name ({'; '.join(left_out) or 'no sheets'}); "
                    + PROFILE_HELP)
            paused.enter_context(gc_paused())  # ~10^6 short-lived objects; tracker/gcpause.py
            plan = plan_import(book, mappings, order=order, deadline=deadline,
                               formula_cells=book.formula_cells)
            del book  # the rows are in the plan now; free the sheet before writing
            paused = paused.pop_all()
    except FileRefused as err:
        raise TrackerError(str(err)) from None
    except OSError as err:
        raise TrackerError(f"{path}: {err.strerror or err}") from None
    with paused:
        with session_scope(engine) as session:
            outcome = apply_plan(session, plan, actor=current_actor(session),
                                 dry_run=dry_run)
            if not outcome.written:
                session.rollback()
    report = ImportReport(path=path, mappings=mappings, left_out_sheets=left_out,
                          counts=outcome.counts, problems=outcome.problems,
                          written=outcome.written, dry_run=dry_run,
                          rows_read=plan.rows_read, conflicts=outcome.conflicts,
                          unmatched=unmatched_columns(mappings),
                          notes=read_as + [f"{sheet}: dates in {why}"
                                           for (sheet, _), why in plan.date_orders.items()]
                          + plan.left_out_rows + plan.spelling_notes() + outcome.notes)
    if save_as:
        if any("look like" in p.reason for p in report.problems):
            report.notes.append(f"the mapping was not saved as profile {save_as}: two columns "
                                "map to one field; leave one out first")
        else:
            report.saved_profile = save_profile(profile_from(save_as, mappings, order))
    return report


def _run_native(engine: Engine, path: Path, source: SheetSource, manifest: dict[str, str], *,
                dry_run: bool, deadline: Deadline) -> ImportReport:
    """The tracker's own export: read a sheet at a time by its layout, matched by ID
    (tracker.app.restore)."""
    from tracker.app.restore import restore_native

    with gc_paused():
        with session_scope(engine) as session:
            outcome, native = restore_native(session, source, manifest,
                                             actor=current_actor(session), dry_run=dry_run,
                                             deadline=deadline)
            if not outcome.written:
                session.rollback()
    return ImportReport(path=path, mappings=[], left_out_sheets=native.left_out,
                        counts=outcome.counts, problems=outcome.problems,
                        written=outcome.written, dry_run=dry_run, rows_read=native.rows_read,
                        conflicts=outcome.conflicts,
                        notes=[f"the tracker's own export ({manifest.get('scope', 'register')}"
                               f", exported {manifest.get('exported_at', '?')}), imported "
                               f"into {outcome.mode}: records matched by ID"
                               + ("; what the register changed since the export is kept"
                                  if outcome.mode == "same register" else "")])


def profile_from(name: str, mappings: list[SheetMapping], order: DayOrder) -> Profile:
    first = mappings[0]
    return Profile(name=name, sheet=first.sheet if len(mappings) == 1 else None,
                   header_row=first.header_row if len(mappings) == 1 else None,
                   columns={c.header: c.target for c in first.columns if c.header},
                   day_first=None if order is None else order == "day-first")

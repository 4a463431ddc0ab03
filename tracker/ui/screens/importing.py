"""Import a spreadsheet from the TUI: the same import as `tracker import`, shown as a
mapping, counts and every problem before anything is written. Each column's field is an
editable choice (or "leave out") beside a few of its values; a change previews again, and
the mapping can be kept as a named profile for next month's file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Button, DataTable, Footer, Header, Input, Label, Select, Static

from tracker.app.imports import ImportReport
from tracker.errors import TrackerError
from tracker.ui.screens.base import TrackerScreen
from tracker.ui.table import RegisterTable
from tracker.ui.text import Part, plain, styled

ORDERS: list[tuple[str, str]] = [("day-first (31/12/2026)", "day-first"),
                                 ("month-first (12/31/2026)", "month-first")]
LEAVE_OUT = "-"  # the select's value for a column left out


class ColumnChoice(Vertical):
    """One column of the file: where it is and its header beside the field it goes to (an
    editable one-line select), a few of its values on the line below, and, for a header
    that matched nothing, the closest field as a third line (gone once a field is chosen).
    Two or three lines a column, so an 80x24 terminal shows several at once."""

    def __init__(self, sheet: str, letter: str, header: str, target: str | None,
                 note: str, samples: str, choices: list[tuple[str, str]]) -> None:
        super().__init__(classes="import-column")
        self.sheet, self.letter, self.header = sheet, letter, header
        self.target = target
        self.note, self.samples = note, samples
        self.choices = choices

    def compose(self) -> ComposeResult:
        with Horizontal(classes="import-column-line"):
            yield Label(plain(f"{self.sheet} {self.letter}  {self.header}"),
                        classes="import-column-header")
            yield Select([("(leave out)", LEAVE_OUT), *self.choices],
                         value=self.target or LEAVE_OUT, allow_blank=False, compact=True,
                         classes="import-column-field")
        yield Label(plain(f"values: {self.samples}"), classes="import-column-samples")
        note = Label(plain(self.note), classes="import-column-note")
        note.display = bool(self.note)
        yield note

    def chosen(self) -> None:
        """The person chose the field: the suggestion has had its say."""
        self.query_one(".import-column-note", Label).display = False


class ImportScreen(TrackerScreen):
    BINDINGS = [Binding("escape", "back", "Back", id="import.back")]

    class Finished(Message):
        """A preview or an import finished (or failed)."""

        def __init__(self, report: ImportReport | None, error: str | None,
                     dry_run: bool) -> None:
            super().__init__()
            self.report, self.error, self.dry_run = report, error, dry_run

    def __init__(self) -> None:
        super().__init__()
        self.previewed: tuple[Any, ...] | None = None
        self.details: list[str] = []  # the problems table's rows, each whole
        self.chosen: dict[str, str | None] = {}  # header -> field the person chose
        self.kept = False  # the choices were imported or saved as a profile since made
        self.shown: tuple[Any, ...] = ()  # the columns the choices were built for
        self.choices: list[tuple[str, str]] | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        # One line a control (compact widgets): the mapping below needs the rows of an
        # 80x24 terminal more than the controls need borders.
        with Horizontal(classes="import-line"):
            yield Input(placeholder="path to .xlsx or .csv, e.g. imports/sample-register.xlsx",
                        id="import-file", compact=True, select_on_focus=False)
            yield Select(ORDERS, prompt="ambiguous dates: refuse", id="import-order",
                         allow_blank=True, compact=True)
        with Horizontal(classes="import-line"):
            yield Input(placeholder="profile to start from (optional)", id="import-profile",
                        compact=True)
            yield Button("Preview (dry run)", id="preview", variant="primary", compact=True)
            yield Button("Import", id="import", variant="success", disabled=True,
                         compact=True)
        with Horizontal(classes="import-line"):
            yield Input(placeholder="name to keep this mapping as a profile",
                        id="import-save-name", compact=True)
            yield Button("Save profile", id="save-profile", disabled=True, compact=True)
        with VerticalScroll(id="import-summary-box"):
            yield Static("Type a file path and press Enter or Preview: nothing is written "
                         "until you import, and an import with any problem writes nothing.",
                         id="import-summary")
        yield Label("Mapping: each column's field (change one: the preview runs again)",
                    classes="caption")
        yield VerticalScroll(id="import-mapping")
        yield Label("Problems", classes="caption")
        yield RegisterTable(id="import-problems", cursor_type="row", zebra_stripes=True)
        # A problem's or conflict's whole sentence (both values, who, when): the table's
        # column cuts it at the screen's width.
        yield Static("", id="import-problem-detail")
        yield Footer()

    def on_mount(self) -> None:
        self.title = "Import a register"
        self.query_one("#import-problems", DataTable).add_columns(
            "Sheet", "Row", "Column", "Value", "Problem")
        self.query_one("#import-file", Input).focus()

    def _options(self) -> tuple[Path, str | None, str | None, tuple[tuple[str, Any], ...]]:
        order = self.query_one("#import-order", Select).value
        profile = self.query_one("#import-profile", Input).value.strip() or None
        path = Path(self.query_one("#import-file", Input).value.strip()).expanduser()
        return (path, profile, None if order == Select.NULL else str(order),
                tuple(sorted(self.chosen.items(), key=lambda item: item[0])))

    @property
    def holds_work(self) -> bool:
        """Column choices the person made and has not imported or kept as a profile: the
        app's one-letter moves wait (tracker.ui.app.NAVIGATION_ACTIONS), Esc asks."""
        return bool(self.chosen) and not self.kept

    @property
    def holds_keys(self) -> bool:
        """A file is previewed: the app's one-letter moves wait (Esc leaves)."""
        return bool(self.shown)

    def action_back(self) -> None:
        if not self.holds_work:
            self.dismiss()
            return

        def answered(leave: bool | None) -> None:
            if leave:
                self.dismiss()

        from tracker.ui.screens.confirm import ConfirmScreen

        self.app.push_screen(ConfirmScreen(
            f"Leave the import? The {len(self.chosen)} column choice(s) you made are "
            "dropped: save them as a profile to keep them.", confirm_label="Leave"),
            answered)

    @on(Input.Changed, "#import-file, #import-profile")
    @on(Select.Changed, "#import-order")
    def _options_changed(self, event: Input.Changed | Select.Changed) -> None:
        self.query_one("#import", Button).disabled = True  # preview the file you import
        if isinstance(event, Input.Changed) and event.input.id == "import-file":
            self.chosen = {}  # another file: its columns are its own
        if isinstance(event, Select.Changed) and self.shown:
            self.action_preview()  # the dates read otherwise: the problems change at once

    @on(Input.Changed, "#import-save-name")
    def _save_name_changed(self, event: Input.Changed) -> None:
        self.query_one("#save-profile", Button).disabled = not (
            event.value.strip() and self.shown)

    @on(Select.Changed, ".import-column-field")
    def _column_changed(self, event: Select.Changed) -> None:
        """The person chose a field for a column: preview again with the choice."""
        row = next((node for node in event.select.ancestors
                    if isinstance(node, ColumnChoice)), None)
        if row is None:
            return
        value = None if event.value in (LEAVE_OUT, Select.NULL) else str(event.value)
        if value == row.target:
            return  # the select was set from the preview, not changed by the person
        row.target = value
        row.chosen()
        self.chosen[row.header] = value
        self.kept = False
        self.query_one("#import", Button).disabled = True
        self.query_one("#import-summary", Static).update("Reading …")
        self.run(*self._options()[:3], dry_run=True)

    @on(Button.Pressed, "#save-profile")
    @on(Input.Submitted, "#import-save-name")
    def _save_profile(self) -> None:
        name = self.query_one("#import-save-name", Input).value.strip()
        if not name:
            return
        self.query_one("#import-summary", Static).update("Saving the mapping …")
        self.run(*self._options()[:3], dry_run=True, save_as=name)

    @on(DataTable.RowHighlighted, "#import-problems")
    def _show_problem(self, event: DataTable.RowHighlighted) -> None:
        row = event.cursor_row
        detail = self.details[row] if 0 <= row < len(self.details) else ""
        self.query_one("#import-problem-detail", Static).update(plain(detail))

    @on(Input.Submitted, "#import-file, #import-profile")
    @on(Button.Pressed, "#preview")
    def action_preview(self) -> None:
        self.query_one("#import-summary", Static).update("Reading …")
        self.run(*self._options()[:3], dry_run=True)

    @on(Button.Pressed, "#import")
    def _import(self) -> None:
        if self._options() != self.previewed:
            self.notify("Preview this file first", severity="warning")
            return
        self.query_one("#import-summary", Static).update("Importing …")
        self.run(*self._options()[:3], dry_run=False)

    @work(thread=True, exclusive=True, group="import", exit_on_error=False)
    def run(self, path: Path, profile: str | None, order: str | None, *,
            dry_run: bool, save_as: str | None = None) -> None:
        try:
            report = self.register.import_file(path, profile=profile or None,
                                               order=order,  # type: ignore[arg-type]
                                               dry_run=dry_run, save_as=save_as,
                                               columns=dict(self.chosen) or None)
        except TrackerError as err:
            self.post_message(self.Finished(None, str(err), dry_run))
            return
        self.post_message(self.Finished(report, None, dry_run))

    def on_import_screen_finished(self, message: Finished) -> None:
        summary = self.query_one("#import-summary", Static)
        problems = self.query_one("#import-problems", DataTable)
        problems.clear()
        self.details = []
        self.query_one("#import-problem-detail", Static).update("")
        if message.report is None:
            summary.update(styled(("Cannot import:", "bold"), f" {message.error}"))
            return
        report = message.report
        self._show_mapping(report)
        if report.saved_profile is not None:
            self.kept = True
            self.notify(f"Mapping saved as profile {report.saved_profile.stem}")
        self.details = [str(p) for p in report.problems] + [
            f"conflict: {c}" for c in report.conflicts]
        for problem in report.problems:
            problems.add_row(plain(problem.sheet), plain(problem.row or ""),
                             plain(problem.column or ""), plain((problem.value or "")[:40]),
                             plain(problem.reason))
        for conflict in report.conflicts:  # the register's newer value is kept
            problems.add_row(plain(conflict.sheet), plain(conflict.row or ""),
                             plain(conflict.column or ""), plain((conflict.value or "")[:40]),
                             styled(("conflict", "bold yellow"), f": {conflict.reason}"))
        for left in report.unmatched:  # left out; the closest field is suggested
            problems.add_row(plain(left.sheet), plain(left.row or ""), plain(left.column or ""),
                             plain((left.header or "")[:40]),
                             styled(("left out", "bold"), f": {left.reason}"))
            self.details.append(f"left out: {left}")
        counts = " · ".join(f"{e}: {c.new} new, {c.changed} changed, {c.unchanged} unchanged"
                            for e, c in report.counts.items()
                            if c.new or c.changed or c.unchanged)
        verdict: list[Part]
        if report.problems:
            verdict = [(f"{len(report.problems)} problem(s)", "bold"),
                       ": fix the file and preview again; nothing was written (the counts "
                       "leave out the records they refuse)."]
        elif message.dry_run:
            verdict = ["No problems. Press Import to write it (one transaction, audited)."]
            self.previewed = self._options()
        elif report.written:
            self.kept = True
            verdict = [("Imported", "bold"), f" {report.rows_read:,} rows."]
            self.notify(f"Imported {report.path.name}")
        else:
            verdict = ["The register already holds all of it: nothing changed."]
        if report.conflicts and not report.problems:
            verdict.append((f" {len(report.conflicts)} conflict(s)", "bold yellow"))
            verdict.append(": the register changed those cells since the workbook's values "
                           "were current, and its values are kept (listed below).")
        notes = "".join(f"{note}\n" for note in report.notes)
        if report.saved_profile is not None:
            notes += f"Mapping saved as profile {report.saved_profile.stem}.\n"
        summary.update(styled(f"{notes}{report.rows_read:,} rows read from "
                              f"{report.path.name}. {counts}\n", *verdict))
        self.query_one("#import", Button).disabled = not (
            message.dry_run and not report.problems)

    def _show_mapping(self, report: ImportReport) -> None:
        """One editable choice per column; rebuilt only when the file's columns change,
        so a choice keeps its place (and focus) while the preview runs again."""
        if self.choices is None:
            self.choices = self.register.import_choices()
        columns = [(sheet.sheet, column) for sheet in report.mappings
                   for column in sheet.columns if column.header]
        shape = tuple((sheet, c.letter, c.header) for sheet, c in columns) + tuple(
            report.left_out_sheets)
        box = self.query_one("#import-mapping", VerticalScroll)
        if shape == self.shown:
            for row, (_, column) in zip(box.query(ColumnChoice), columns, strict=False):
                if row.target != column.target:
                    row.target = column.target
                    row.query_one(Select).value = column.target or LEAVE_OUT
            return
        self.shown = shape
        box.remove_children()
        rows: list[Any] = []
        for sheet, column in columns:
            note = f"{column.reason}" if column.reason else ""
            if not column.target and column.suggestion:
                note = f"no field matched the header; closest: {column.suggestion}?"
            elif not column.target and column.disagree:
                note = f"the header's parts say {' / '.join(column.disagree)}: choose one"
            samples = " · ".join(column.samples) or "(no values)"
            rows.append(ColumnChoice(sheet, column.letter, column.header, column.target,
                                     note, samples, self.choices))
        rows += [Label(plain(f"(sheet left out) {left}"), classes="import-left-out")
                 for left in report.left_out_sheets]
        box.mount_all(rows)
        self.query_one("#save-profile", Button).disabled = not (
            self.query_one("#import-save-name", Input).value.strip() and columns)

"""Import a spreadsheet from the TUI: the same import as `tracker import`, shown as a
mapping, counts and every problem before anything is written."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import Button, DataTable, Footer, Header, Input, Label, Select, Static

from tracker.app.imports import ImportReport
from tracker.errors import TrackerError
from tracker.ui.screens.base import TrackerScreen
from tracker.ui.text import Part, plain, styled

ORDERS: list[tuple[str, str]] = [("day-first (31/12/2026)", "day-first"),
                                 ("month-first (12/31/2026)", "month-first")]


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

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="import-options"):
            yield Input(placeholder="path to .xlsx or .csv, e.g. imports/sample-register.xlsx",
                        id="import-file")
            yield Input(placeholder="profile (optional)", id="import-profile")
            yield Select(ORDERS, prompt="ambiguous dates: refuse", id="import-order",
                         allow_blank=True)
        with Horizontal(id="import-buttons", classes="buttons"):
            yield Button("Preview (dry run)", id="preview", variant="primary")
            yield Button("Import", id="import", variant="success", disabled=True)
        yield Static("Type a file path and press Preview: nothing is written until you "
                     "import, and an import with any problem writes nothing.",
                     id="import-summary")
        yield Label("Mapping", classes="caption")
        yield DataTable(id="import-mapping", cursor_type="row", zebra_stripes=True)
        yield Label("Problems", classes="caption")
        yield DataTable(id="import-problems", cursor_type="row", zebra_stripes=True)
        # A problem's or conflict's whole sentence (both values, who, when): the table's
        # column cuts it at the screen's width.
        yield Static("", id="import-problem-detail")
        yield Footer()

    def on_mount(self) -> None:
        self.title = "Import a register"
        self.query_one("#import-mapping", DataTable).add_columns("Sheet", "Column", "Header",
                                                                 "Field")
        self.query_one("#import-problems", DataTable).add_columns(
            "Sheet", "Row", "Column", "Value", "Problem")
        self.query_one("#import-file", Input).focus()

    def _options(self) -> tuple[Path, str | None, str | None]:
        order = self.query_one("#import-order", Select).value
        profile = self.query_one("#import-profile", Input).value.strip() or None
        path = Path(self.query_one("#import-file", Input).value.strip()).expanduser()
        return path, profile, None if order == Select.NULL else str(order)

    def action_back(self) -> None:
        self.dismiss()

    @on(Input.Changed)
    @on(Select.Changed)
    def _options_changed(self) -> None:
        self.query_one("#import", Button).disabled = True  # preview the file you import

    @on(DataTable.RowHighlighted, "#import-problems")
    def _show_problem(self, event: DataTable.RowHighlighted) -> None:
        row = event.cursor_row
        detail = self.details[row] if 0 <= row < len(self.details) else ""
        self.query_one("#import-problem-detail", Static).update(plain(detail))

    @on(Input.Submitted, "#import-file")
    @on(Button.Pressed, "#preview")
    def action_preview(self) -> None:
        self.query_one("#import-summary", Static).update("Reading …")
        self.run(*self._options(), dry_run=True)

    @on(Button.Pressed, "#import")
    def _import(self) -> None:
        if self._options() != self.previewed:
            self.notify("Preview this file first", severity="warning")
            return
        self.query_one("#import-summary", Static).update("Importing …")
        self.run(*self._options(), dry_run=False)

    @work(thread=True, exclusive=True, group="import", exit_on_error=False)
    def run(self, path: Path, profile: str | None, order: str | None, *,
            dry_run: bool) -> None:
        try:
            report = self.register.import_file(path, profile=profile or None,
                                               order=order,  # type: ignore[arg-type]
                                               dry_run=dry_run)
        except TrackerError as err:
            self.post_message(self.Finished(None, str(err), dry_run))
            return
        self.post_message(self.Finished(report, None, dry_run))

    def on_import_screen_finished(self, message: Finished) -> None:
        summary = self.query_one("#import-summary", Static)
        mapping = self.query_one("#import-mapping", DataTable)
        problems = self.query_one("#import-problems", DataTable)
        mapping.clear()
        problems.clear()
        self.details = []
        self.query_one("#import-problem-detail", Static).update("")
        if message.report is None:
            summary.update(styled(("Cannot import:", "bold"), f" {message.error}"))
            return
        report = message.report
        for sheet in report.mappings:
            for column in sheet.columns:
                mapping.add_row(plain(sheet.sheet), plain(column.letter), plain(column.header),
                                plain(column.target or "(left out: no field)"))
        for left in report.left_out_sheets:
            mapping.add_row(plain(left), "", "", plain("(sheet left out)"))
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
        counts = " · ".join(f"{e}: {c.new} new, {c.changed} changed, {c.unchanged} unchanged"
                            for e, c in report.counts.items()
                            if c.new or c.changed or c.unchanged)
        verdict: list[Part]
        if report.problems:
            verdict = [(f"{len(report.problems)} problem(s)", "bold"),
                       ": fix the file and preview again; nothing was written."]
        elif message.dry_run:
            verdict = ["No problems. Press Import to write it (one transaction, audited)."]
            self.previewed = self._options()
        elif report.written:
            verdict = [("Imported", "bold"), f" {report.rows_read:,} rows."]
            self.notify(f"Imported {report.path.name}")
        else:
            verdict = ["The register already holds all of it: nothing changed."]
        if report.conflicts and not report.problems:
            verdict.append((f" {len(report.conflicts)} conflict(s)", "bold yellow"))
            verdict.append(": the register changed those cells since the workbook's values "
                           "were current, and its values are kept (listed below).")
        notes = "".join(f"{note}\n" for note in report.notes)
        summary.update(styled(f"{notes}{report.rows_read:,} rows read from "
                              f"{report.path.name}. {counts}\n", *verdict))
        self.query_one("#import", Button).disabled = not (
            message.dry_run and not report.problems)

"""A review on one screen: the checklist (or an agreement's clauses) as one editable table.
Space cycles a status, s / n / o set one (and move on), m marks rows for a bulk set, c
comments inline, A approves with the blockers listed in full. What the rows are, what a
status cycles to, the writes and the blockers come from tracker.app.review."""

from __future__ import annotations

from enum import Enum

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Header, Input, Static

from tracker.app.review import (
    Review,
    ReviewRow,
    approve,
    blockers,
    load_review,
    next_status,
    progress,
    set_note,
    set_status,
)
from tracker.domain.enums import AssessmentOutcome, ChecklistStatus, ClauseStatus
from tracker.errors import TrackerError
from tracker.ui.footer import FittedFooter
from tracker.ui.screens.base import TrackerScreen
from tracker.ui.table import RegisterTable
from tracker.ui.text import plain, styled

STYLE = {"open": "bold red", "missing": "bold red", "satisfied": "green", "present": "green",
         "not_applicable": "dim"}


class ReviewScreen(TrackerScreen):
    HELP_NAME = "review"
    BINDINGS = [
        Binding("escape", "back", "Back", id="review.back"),
        Binding("space", "cycle", "Cycle status", key_display="space", id="review.cycle"),
        Binding("s", "set('done')", "Satisfied", id="review.done"),
        Binding("n", "set('not_applicable')", "N/A", id="review.na"),
        Binding("o", "set('open')", "Open", show=False, id="review.open"),
        Binding("m", "mark", "Mark", id="review.mark"),
        Binding("asterisk", "mark_all", "Mark all", key_display="*", id="review.mark_all"),
        Binding("c", "comment", "Comment", id="review.comment"),
        Binding("A", "approve", "Approve", key_display="A", id="review.approve"),
        Binding("O", "override", "Approve with reason", key_display="O", show=False,
                id="review.override"),
    ]

    def __init__(self, entity: str, record_id: int) -> None:
        super().__init__()
        self.entity = entity
        self.record_id = record_id
        self.review: Review | None = None
        self.marked: set[int] = set()
        self.editing: str | None = None  # "comment" or "override" while the input is open

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="review-summary")
        yield RegisterTable(id="review-table", cursor_type="row", zebra_stripes=True)
        yield Static("", id="review-detail")
        yield Input(id="review-input")
        yield Static("", id="review-blockers")
        yield FittedFooter()

    def on_mount(self) -> None:
        self.query_one("#review-input", Input).display = False
        self.query_one("#review-blockers", Static).display = False
        self.reload()
        self.query_one(DataTable).focus()

    def on_resize(self) -> None:
        if self.review is not None:
            self._fill()

    # -- data ----------------------------------------------------------------------
    def reload(self) -> None:
        self.review = load_review(self.register, self.entity, self.record_id)
        self.title = self.review.title
        self._fill()

    def _fill(self) -> None:
        review = self.review
        assert review is not None
        table = self.query_one(DataTable)
        cursor = table.cursor_row
        table.clear(columns=True)
        width = max((table.size.width or self.size.width) - 2, 60)
        wide = width >= 140  # who and when in a column; narrower, in the line below
        status_width = 14
        comment_width = 24 if width >= 110 else 14
        who_width = 32 if wide else 0
        columns = 7 if wide else 6
        text_width = max(width - 1 - 4 - 1 - status_width - comment_width - who_width
                         - columns * 2 - 2, 20)
        table.add_column(" ", width=1, key="mark")
        table.add_column("#" if review.entity == "assessment" else "Art", width=4, key="no")
        table.add_column("!", width=1, key="critical")
        table.add_column("Question" if review.entity == "assessment" else "Clause",
                         width=text_width, key="text")
        table.add_column("Status", width=status_width, key="status")
        table.add_column("Comment", width=comment_width, key="note")
        if wide:
            table.add_column("By, on", width=who_width, key="by")
        for row in review.rows:
            cells: list[Text] = [
                plain("●" if row.record_id in self.marked else " ", "bold"),
                plain(row.number[-4:] if review.entity != "assessment" else row.number),
                plain("!" if row.critical and review.entity == "assessment" else "",
                      "bold red"),
                Text(row.text, overflow="fold"),
                plain(getattr(row.status, "label", str(row.status)),
                      STYLE.get(str(getattr(row.status, "value", "")), "")),
                Text(row.note or "", overflow="fold"),
            ]
            if wide:
                cells.append(plain(f"{row.answered_by or ''}"
                                   + (f", {row.answered_on.isoformat()}" if row.answered_on
                                      else "")))
            table.add_row(*cells, key=str(row.record_id), height=None)
        if table.row_count:
            table.move_cursor(row=min(cursor, table.row_count - 1))
        self._summarize()
        self._explain()

    def _summarize(self) -> None:
        review = self.review
        assert review is not None
        marked = f" · {len(self.marked)} marked" if self.marked else ""
        keys = ("space cycles · s satisfied · n n/a · m marks · c comment · A approves"
                if review.entity == "assessment" else
                "space cycles · s present · n n/a · o missing · m marks · c comment")
        outcome = (f"Outcome: {review.outcome.label} · " if review.outcome is not None
                   else "")
        if not review.is_review:
            text = (f"{outcome}Only a due-diligence review has the 30-item checklist; this "
                    "assessment is recorded with its findings (e on the Assessments tab).")
        elif not review.rows and review.entity == "agreement":
            text = "This kind of agreement has no statutory clause checklist."
        elif not review.rows:
            text = (f"{outcome}This review has no checklist: it was recorded as decided "
                    "after the fact. A review saved as Pending gets the 30 items to fill "
                    "here; record a new one (n on the provider's Assessments tab).")
        else:
            text = f"{outcome}{progress(review)}{marked}   {keys}"
        self.query_one("#review-summary", Static).update(plain(text))

    def current(self) -> ReviewRow | None:
        table = self.query_one(DataTable)
        if self.review is None or not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return next((r for r in self.review.rows if str(r.record_id) == key), None)

    @on(DataTable.RowHighlighted)
    def _explain(self) -> None:
        row = self.current()
        detail = self.query_one("#review-detail", Static)
        if row is None:
            detail.update("")
            return
        who = (f"   answered by {row.answered_by}"
               + (f" on {row.answered_on.isoformat()}" if row.answered_on else "")
               if row.answered_by else "")
        critical = " · critical: blocks approval while open" if row.critical and \
            self.entity == "assessment" else ""
        detail.update(styled((f"{row.number} ", "bold"), (row.text, "bold"),
                             f"\n{row.sources}{critical}{who}"
                             + (f"\nComment: {row.note}" if row.note else "")))

    # -- keys ------------------------------------------------------------------------
    def _targets(self) -> tuple[list[ReviewRow], bool]:
        """The marked rows, or the cursor's row (then the cursor moves on after a set)."""
        assert self.review is not None
        if self.marked:
            return [r for r in self.review.rows if r.record_id in self.marked], False
        row = self.current()
        return ([row] if row else []), True

    def _status_named(self, name: str) -> Enum:
        if self.entity == "assessment":
            return {"done": ChecklistStatus.SATISFIED, "open": ChecklistStatus.OPEN,
                    "not_applicable": ChecklistStatus.NOT_APPLICABLE}[name]
        return {"done": ClauseStatus.PRESENT, "open": ClauseStatus.MISSING,
                "not_applicable": ClauseStatus.NOT_APPLICABLE}[name]

    def _write(self, rows: list[ReviewRow], status: Enum) -> bool:
        assert self.review is not None
        try:
            set_status(self.register, self.review, rows, status, today=self.today)
        except TrackerError as err:
            self.notify(str(err), severity="error", timeout=8)
            self.reload()
            return False
        return True

    def action_cycle(self) -> None:
        row = self.current()
        if row is None or self.editing or self.review is None:
            return
        if self._write([row], next_status(self.review, row.status)):
            self.reload()

    def action_set(self, name: str) -> None:
        if self.editing or self.review is None:
            return
        rows, advance = self._targets()
        if not rows:
            return
        status = self._status_named(name)
        if self._write(rows, status):
            if not advance:
                self.notify(f"{len(rows)} set to {getattr(status, 'label', status)}")
                self.marked.clear()
            self.reload()
            if advance:
                self.action_cursor(1)

    def action_mark(self) -> None:
        row = self.current()
        if row is None or self.editing:
            return
        self.marked ^= {row.record_id}
        self._fill()
        self.action_cursor(1)

    def action_mark_all(self) -> None:
        if self.review is None or self.editing:
            return
        every = {r.record_id for r in self.review.rows}
        self.marked = set() if self.marked == every else every
        self._fill()

    def action_cursor(self, step: int) -> None:
        table = self.query_one(DataTable)
        table.move_cursor(row=max(min(table.cursor_row + step, table.row_count - 1), 0))

    # -- comment and override, inline ---------------------------------------------------
    def _open_input(self, mode: str, value: str, placeholder: str) -> None:
        self.editing = mode
        field = self.query_one("#review-input", Input)
        field.value = value
        field.placeholder = placeholder
        field.display = True
        field.focus()

    def _close_input(self) -> None:
        self.editing = None
        field = self.query_one("#review-input", Input)
        field.display = False
        self.query_one(DataTable).focus()

    def action_comment(self) -> None:
        row = self.current()
        if row is None or self.editing:
            return
        self._open_input("comment", row.note or "",
                         f"comment on {row.number}: enter saves, escape cancels")

    def action_override(self) -> None:
        if self.entity != "assessment" or self.editing:
            return
        self._open_input("override", "", "why approve with critical items open (audited): "
                                         "enter approves, escape cancels")

    @on(Input.Submitted, "#review-input")
    def _submitted(self, event: Input.Submitted) -> None:
        mode, row = self.editing, self.current()
        self._close_input()
        if mode == "comment" and row is not None and self.review is not None:
            try:
                set_note(self.register, self.review, row, event.value, today=self.today)
            except TrackerError as err:
                self.notify(str(err), severity="error", timeout=8)
            self.reload()
        elif mode == "override" and event.value.strip():
            self._approve(override=event.value.strip())

    def action_back(self) -> None:
        if self.editing:
            self._close_input()
        else:
            self.dismiss()

    # -- approval --------------------------------------------------------------------
    def action_approve(self) -> None:
        if self.entity != "assessment" or self.editing:
            if self.entity != "assessment":
                self.notify("An agreement's clauses are checked, not approved",
                            severity="warning")
            return
        self._approve()

    def _approve(self, override: str | None = None) -> None:
        assert self.review is not None
        panel = self.query_one("#review-blockers", Static)
        found = approve(self.register, self.review, outcome=AssessmentOutcome.APPROVED,
                        override=override)
        if found:
            panel.update(styled(("Not approved:", "bold"),
                                "".join(f"\n• {line}" for line in found)))
            panel.display = True
            return
        panel.display = False
        self.notify(f"Approved the {self.review.title}"
                    + (" with the override recorded" if override else ""))
        self.reload()

    def blockers_now(self) -> list[str]:
        return blockers(self.review) if self.review is not None else []

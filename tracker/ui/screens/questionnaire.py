"""Supplier questionnaires in the TUI: "Send questionnaire" from a provider's file and the
"Receive answers" screen, the same use cases as `tracker questionnaire send|receive`
(tracker.app.questionnaires), run by workers so the screen stays responsive."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, DataTable, Footer, Header, Input, Label, Select, Static

from tracker.app.questionnaires import ReceiveReport, SentQuestionnaire
from tracker.app.register import Register
from tracker.domain.dates import parse_iso_date
from tracker.domain.questionnaire import corrections_count
from tracker.errors import TrackerError
from tracker.files import TargetExists
from tracker.locations import exports_dir, given_path, shown_path
from tracker.ui.screens.base import TrackerScreen
from tracker.ui.screens.confirm import ConfirmScreen
from tracker.ui.screens.record_form import show_message
from tracker.ui.table import RegisterTable
from tracker.ui.text import plain, styled

LANGUAGES: list[tuple[str, str]] = [("English and Chinese", "both"), ("English", "en"),
                                    ("Chinese (中文)", "zh")]


def default_questionnaire_path(today: date, provider_id: int) -> Path:
    return exports_dir() / f"questionnaire-provider-{provider_id}-{today.isoformat()}.xlsx"


class SendQuestionnaireForm(ModalScreen[bool]):
    """Where to write the workbook, in which language, answers due when."""

    BINDINGS = [Binding("ctrl+s", "send", "Send", id="questionnaire.send"),
                Binding("escape", "close", "Close", id="questionnaire.close")]

    class Finished(Message):
        """The workbook was written (or not)."""

        def __init__(self, sent: SentQuestionnaire | None, error: str | None,
                     exists: Path | None = None) -> None:
            super().__init__()
            self.sent, self.error, self.exists = sent, error, exists

    def __init__(self, register: Register, today: date, provider_id: int,
                 provider_name: str) -> None:
        super().__init__()
        self.register, self.today = register, today
        self.provider_id, self.provider_name = provider_id, provider_name
        self.sent = False

    def compose(self) -> ComposeResult:
        with Vertical(id="questionnaire-dialog", classes="dialog"):
            yield Label(plain(f"Send a questionnaire to {self.provider_name}"),
                        id="form-title")
            with Horizontal(classes="field-row"):
                yield Label("Write the workbook to", classes="field-label")
                yield Input(shown_path(default_questionnaire_path(self.today, self.provider_id)),
                            id="input-path", compact=True)
            with Horizontal(classes="field-row"):
                yield Label("Language", classes="field-label")
                yield Select(LANGUAGES, value="both", allow_blank=False, id="input-lang",
                             compact=True)
            with Horizontal(classes="field-row"):
                yield Label("Answers due on (YYYY-MM-DD)", classes="field-label")
                yield Input("", placeholder="in 21 days", id="input-due", compact=True)
            yield Static("", id="error-path", classes="field-error")
            yield Static("", id="questionnaire-result")
            with Horizontal(classes="buttons"):
                yield Button("Send (ctrl+s)", variant="primary", id="save")
                yield Button("Close (esc)", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#input-path", Input).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.action_send() if event.button.id == "save" else self.action_close()

    def on_input_submitted(self) -> None:
        self.action_send()

    def action_close(self) -> None:
        self.dismiss(self.sent)

    def action_send(self) -> None:
        error = self.query_one("#error-path", Static)
        text = self.query_one("#input-path", Input).value.strip()
        if not text:
            show_message(error, "the path is required")
            return
        try:
            due = parse_iso_date(self.query_one("#input-due", Input).value)
        except ValueError as err:
            show_message(error, f"due date: {err}")
            return
        show_message(error, "")
        language = str(self.query_one("#input-lang", Select).value)
        self.query_one("#questionnaire-result", Static).update("Writing …")
        self.write(given_path(text, option="the path"), language, due)

    @work(thread=True, exclusive=True, group="questionnaire", exit_on_error=False)
    def write(self, path: Path, language: str, due: date | None, force: bool = False) -> None:
        try:
            sent = self.register.send_questionnaire(str(self.provider_id), path,
                                                    language=language, due_on=due,
                                                    today=self.today, force=force)
        except TargetExists as err:
            self.post_message(self.Finished(None, None, exists=err.path))
            return
        except (TrackerError, OSError) as err:
            self.post_message(self.Finished(None, str(err)))
            return
        self.post_message(self.Finished(sent, None))

    def on_send_questionnaire_form_finished(self, message: Finished) -> None:
        shown = self.query_one("#questionnaire-result", Static)
        if message.exists is not None:
            shown.update("")
            path = message.exists

            def answered(replace: bool | None) -> None:
                if replace:
                    language = str(self.query_one("#input-lang", Select).value)
                    due = parse_iso_date(self.query_one("#input-due", Input).value)
                    self.write(path, language, due, force=True)

            self.app.push_screen(ConfirmScreen(f"{path} already exists. Replace it?",
                                               confirm_label="Replace"), answered)
            return
        if message.sent is None:
            shown.update("")
            show_message(self.query_one("#error-path", Static), message.error or "failed")
            return
        self.sent = True
        q = message.sent.questionnaire
        shown.update(styled(("Written", "bold"), f" {message.sent.path}\nQuestionnaire {q.id}, "
                            f"due {q.due_on}; {message.sent.prefilled} answers prefilled. "
                            "E-mail it to the supplier; receive their reply with R."))
        self.query_one("#cancel", Button).focus()
        self.notify(f"Questionnaire written to {message.sent.path}", timeout=10)


class ReceiveAnswersScreen(TrackerScreen):
    """A returned workbook previewed (per question: before, now, the comment; corrections;
    evidence promised vs received; every problem) before anything is written."""

    BINDINGS = [Binding("escape", "back", "Back", id="receive.back")]

    class Finished(Message):
        """A preview or an apply finished (or was refused)."""

        def __init__(self, report: ReceiveReport | None, error: str | None,
                     dry_run: bool) -> None:
            super().__init__()
            self.report, self.error, self.dry_run = report, error, dry_run

    def __init__(self, path: str = "") -> None:
        super().__init__()
        self.initial = path

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="import-options"):
            yield Input(self.initial, placeholder="the returned questionnaire (.xlsx)",
                        id="receive-file")
        with Horizontal(id="import-buttons", classes="buttons"):
            yield Button("Preview (dry run)", id="preview", variant="primary")
            yield Button("Apply to the review", id="apply", variant="success", disabled=True)
        yield Static("Type the returned workbook's path and press Preview: nothing is "
                     "written until you apply, and a file with any problem writes nothing.",
                     id="import-summary")
        yield Label("Answers", classes="caption")
        yield RegisterTable(id="receive-answers", cursor_type="row", zebra_stripes=True)
        yield Label("Corrections, evidence and problems", classes="caption")
        yield RegisterTable(id="receive-other", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        self.title = "Receive answers"
        self.query_one("#receive-answers", DataTable).add_columns(
            "Ref", "Question", "Previous", "New", "Supplier's comment")
        self.query_one("#receive-other", DataTable).add_columns("What", "About", "Detail")
        self.query_one("#receive-file", Input).focus()

    def action_back(self) -> None:
        self.dismiss()

    @on(Input.Submitted, "#receive-file")
    def _submitted(self) -> None:
        self._run(dry_run=True)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self._run(dry_run=event.button.id == "preview")

    def _run(self, *, dry_run: bool) -> None:
        text = self.query_one("#receive-file", Input).value.strip()
        if not text:
            self.query_one("#import-summary", Static).update("Type the file's path first.")
            return
        self.query_one("#apply", Button).disabled = True
        self.query_one("#import-summary", Static).update("Reading …")
        self.receive(str(given_path(text, option="the file")), dry_run)

    @work(thread=True, exclusive=True, group="receive", exit_on_error=False)
    def receive(self, path: str, dry_run: bool) -> None:
        try:
            report = self.register.receive_questionnaire(Path(path), dry_run=dry_run,
                                                         today=self.today)
        except (TrackerError, OSError) as err:
            self.post_message(self.Finished(None, str(err), dry_run))
            return
        self.post_message(self.Finished(report, None, dry_run))

    def on_receive_answers_screen_finished(self, message: Finished) -> None:
        summary = self.query_one("#import-summary", Static)
        answers = self.query_one("#receive-answers", DataTable)
        other = self.query_one("#receive-other", DataTable)
        answers.clear()
        other.clear()
        report = message.report
        if report is None:
            summary.update(styled(("Refused: ", "bold"), message.error or "failed"))
            return
        for a in report.answers:
            answers.add_row(plain(a.code), plain(a.question[:60]),
                            plain(a.previous or "—"), plain(a.new or "(unanswered)"),
                            plain(a.comment or ""))
        for c in report.corrections:
            other.add_row(plain("Correction"), plain(f"{c.record}: {c.field}"),
                          plain(f"{c.held or '(nothing)'} → {c.proposed or '(comment)'}"
                                + (f"  ({c.comment})" if c.comment else "")))
        for e in report.evidence:
            other.add_row(plain("Evidence"), plain(e.asked[:50]),
                          plain(f"{e.file_name or '(none named)'}: "
                                f"{'received' if e.received else 'NOT received'}"))
        for p in report.problems:
            other.add_row(plain("Problem"), plain(f"{p.sheet}!{p.cell} ({p.code})"),
                          plain(f"{p.value!r} {p.message}" if p.value else p.message))
        head = (f"Questionnaire {report.questionnaire_id} from {report.provider}, answered "
                f"by {report.answered_by} on {report.answered_on}. ")
        changed = sum(1 for a in report.answers if a.changed)
        if report.problems:
            summary.update(plain(head + f"{len(report.problems)} problems: nothing can be "
                                        "written until the supplier fixes them."))
        elif report.unchanged:
            summary.update(plain(head + "These answers were received already: nothing "
                                        "changes."))
        elif report.written:
            summary.update(plain(head + f"Recorded in pending review {report.assessment_id}; "
                                        f"{corrections_count(len(report.corrections))} await your "
                                        "decision in the provider's Questionnaires tab."))
            self.notify("Answers recorded", timeout=8)
        else:
            summary.update(plain(head + f"{changed} answers differ from before, "
                                        f"{len(report.skipped)} questions unanswered, "
                                        f"{corrections_count(len(report.corrections))}. Apply to "
                                        "record them in the provider's pending review."))
            self.query_one("#apply", Button).disabled = False


def response_rows(lines: list[Any]) -> dict[int, list[Any]]:
    """The stored answers grouped by questionnaire, for the provider's file."""
    grouped: dict[int, list[Any]] = {}
    for line in lines:
        grouped.setdefault(int(line.questionnaire_id), []).append(line)
    return grouped

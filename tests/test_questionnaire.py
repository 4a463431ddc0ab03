"""Supplier questionnaires (issue 15): the workbook sent, filled in by a supplier with
openpyxl (Chinese answers, a comment, a formula-looking answer, a question skipped, a
corrected supply detail, an evidence file), received (dry run, apply, a second time),
approved through the gate, exported, and refused when foreign or tampered with.

One questionnaire is sent and one filled in per session (``sent``); each test copies the
register (its identity kept, so the manifest still matches) and the workbooks."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import func, select
from sqlmodel import Session, col

from tracker.app.questionnaires import (
    decide_correction,
    list_corrections,
    list_questionnaires,
    questionnaire_statuses,
    receive_questionnaire,
    send_questionnaire,
)
from tracker.app.register import Register
from tracker.domain.enums import (
    AssessmentOutcome,
    ChecklistStatus,
    CorrectionDecision,
    QuestionnaireStatus,
    ReminderKind,
    ReminderStatus,
)
from tracker.errors import QuestionnaireRefused, TrackerError, ValidationFailed
from tracker.sheets.questionnaire import AI, COVER, MANIFEST, QUESTIONS, SUPPLIES, VISIBLE
from tracker.store.engine import session_scope
from tracker.store.models import (
    AuditEvent,
    ChecklistAnswer,
    Questionnaire,
    QuestionnaireResponse,
)

from .conftest import TODAY, _hermetic_env
from .helpers import ANSWERED_ON, copy_demo, fill_as_supplier, row_of

PROVIDER = "Medilex"  # a demo provider with a supply holding personal information


@dataclass(frozen=True)
class Sent:
    register: Path  # the register that sent it (its identity is the manifest's)
    workbook: Path  # as sent
    filled: Path  # as the supplier returned it
    evidence: Path  # the file the supplier attached, beside the returned workbook
    people_cell: str  # the Supplies cell holding the people_concerned correction
    received: Path  # the register once the filled workbook was received into it
    review_id: int  # the pending review the answers went to


@pytest.fixture(scope="session")
def sent(demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Sent:
    where = tmp_path_factory.mktemp("questionnaire")
    with pytest.MonkeyPatch.context() as patch:
        _hermetic_env(patch, where)
        register = Register.open(f"sqlite:///{copy_demo(demo_template, where)}")
        try:
            result = send_questionnaire(register.engine, PROVIDER, where / "sent.xlsx",
                                        today=TODAY, due_on=TODAY + timedelta(days=14))
            assert result.questionnaire.status == QuestionnaireStatus.SENT
        finally:
            register.close()
    cell = fill_as_supplier(where / "sent.xlsx", where / "filled.xlsx")
    (where / "iso27001.pdf").write_bytes(b"%PDF-1.7 certificate")
    # the same register with the answers received: the tests of what follows start here
    shutil.copy(where / "demo.sqlite", where / "received.sqlite")
    with pytest.MonkeyPatch.context() as patch:
        _hermetic_env(patch, where)
        register = Register.open(f"sqlite:///{where / 'received.sqlite'}")
        try:
            report = receive_questionnaire(register.engine, where / "filled.xlsx",
                                           dry_run=False, today=TODAY)
            assert report.written and report.assessment_id is not None
        finally:
            register.close()
    return Sent(where / "demo.sqlite", where / "sent.xlsx", where / "filled.xlsx",
                where / "iso27001.pdf", cell, where / "received.sqlite", report.assessment_id)


def _copy(sent: Sent, tmp_path: Path, register: Path) -> Iterator[tuple[Register, Path, Path]]:
    shutil.copy(register, tmp_path / "demo.sqlite")
    for name in ("sent.xlsx", "filled.xlsx", "iso27001.pdf"):
        shutil.copy(sent.workbook.parent / name, tmp_path / name)
    opened = Register.open(f"sqlite:///{tmp_path / 'demo.sqlite'}")
    yield opened, tmp_path / "sent.xlsx", tmp_path / "filled.xlsx"
    opened.close()


@pytest.fixture
def copied(sent: Sent, tmp_path: Path) -> Iterator[tuple[Register, Path, Path]]:
    """This test's register as it sent the questionnaire (the same identity, so the
    manifest matches), and copies of the sent and the filled workbook, with the attached
    file beside the filled one."""
    yield from _copy(sent, tmp_path, sent.register)


@pytest.fixture
def received(sent: Sent, tmp_path: Path) -> Iterator[tuple[Register, Path, Path]]:
    """The same, once the filled workbook was received (applied) into the register."""
    yield from _copy(sent, tmp_path, sent.received)


def _events(register: Register) -> int:
    with session_scope(register.engine, write=False) as session:
        return int(session.scalar(select(func.count()).select_from(AuditEvent)) or 0)


def _questionnaire(session: Session) -> Questionnaire:
    found = session.scalars(select(Questionnaire)).one()
    return found


# --- the workbook sent ---------------------------------------------------------------------

def test_the_sent_workbook_is_locked_but_for_its_answer_cells(
        copied: tuple[Register, Path, Path]) -> None:
    register, sent_path, _ = copied
    book = openpyxl.load_workbook(sent_path)
    assert book.sheetnames == [*VISIBLE, MANIFEST]
    assert book[MANIFEST].sheet_state == "veryHidden"
    assert book.security is not None and book.security.lockStructure
    for title in book.sheetnames:
        assert book[title].protection.sheet, f"{title} is protected"
    questions = book[QUESTIONS]
    row = row_of(questions, "dd09")
    assert questions[f"B{row}"].protection.locked  # the question
    assert questions[f"A{row}"].protection.locked
    for letter in "CEF":  # answer, detail (a number for item 9), comment
        assert not questions[f"{letter}{row}"].protection.locked
    assert questions[f"E{row_of(questions, 'dd03')}"].protection.locked  # no detail asked
    assert "illegal" in questions[f"B{row}"].value and "违法" in questions[f"B{row}"].value
    kinds = {v.type: v for v in questions.data_validations.dataValidation}
    assert "Yes / 是" in kinds["list"].formula1
    assert f"C{row}" in str(kinds["list"].sqref) and f"E{row}" in str(kinds["decimal"].sqref)
    assert f"E{row_of(questions, 'dd13')}" in str(kinds["date"].sqref)
    manifest = {r[0].value: r[1].value for r in book[MANIFEST].iter_rows()}
    with session_scope(register.engine, write=False) as session:
        stored = _questionnaire(session)
        from tracker.store.settings import register_id

        assert manifest["register_id"] == register_id(session)
    assert manifest["questionnaire_id"] == str(stored.id)
    assert manifest["provider_id"] == str(stored.provider_id)
    assert manifest["token"] == stored.token and len(stored.token) >= 24
    assert manifest["structure"] == stored.structure_sha256
    # the previous review's answers are prefilled: a returning supplier changes what changed
    assert questions[f"C{row_of(questions, 'dd01')}"].value in {"Yes / 是", None}
    prefilled = [questions[f"C{r}"].value for r in range(4, 34)]
    assert any(v == "Yes / 是" for v in prefilled)
    supplies = book[SUPPLIES]
    assert any(str(c.value).endswith(":contains_pi") for c in supplies["A"])


# --- receiving -----------------------------------------------------------------------------

def test_a_dry_run_shows_each_answer_against_the_previous_and_writes_nothing(
        copied: tuple[Register, Path, Path]) -> None:
    register, _, filled = copied
    before = _events(register)
    report = receive_questionnaire(register.engine, filled, dry_run=True, today=TODAY)
    assert not report.problems and not report.written
    answers = {a.code: a for a in report.answers}
    assert answers["dd01"].new == "Yes | 母公司：杭州数据集团"
    assert answers["dd01"].comment == "我们没有外国股东"
    assert answers["dd02"].new == "Partly" and answers["dd02"].changed
    assert answers["dd02"].comment is not None and answers["dd02"].comment.startswith("=")
    assert answers["dd09"].new == "Yes | 2.5"
    assert "dd05" in report.skipped
    assert answers["ai_retention_days"].new == "30"
    [correction] = report.corrections
    assert correction.field == "people_concerned" and correction.proposed == "4500"
    assert correction.comment == "人数已更新"
    evidence = {e.code: e for e in report.evidence}
    assert evidence["ev_certificate"].received and not evidence["ev_audit_report"].received
    assert report.answered_by.startswith("李伟") and report.answered_on == ANSWERED_ON
    assert _events(register) == before


def test_applying_records_the_suppliers_answers_in_a_pending_review_once(
        sent: Sent, received: tuple[Register, Path, Path]) -> None:
    register, _, filled = received  # the filled workbook was received into it (``sent``)
    review = register.get("assessment", sent.review_id)
    assert review.outcome == AssessmentOutcome.PENDING
    with session_scope(register.engine, write=False) as session:
        items = {a.item: a for a in session.scalars(select(ChecklistAnswer).where(
            col(ChecklistAnswer.assessment_id) == sent.review_id))}
        q = _questionnaire(session)
        responses = {r.code: r for r in session.scalars(select(QuestionnaireResponse))}
    assert items[1].status == ChecklistStatus.SATISFIED
    assert items[1].answered_by is not None and items[1].answered_by.startswith("李伟")
    assert items[1].answered_on == ANSWERED_ON
    assert items[1].note is not None and "我们没有外国股东" in items[1].note
    assert items[2].status == ChecklistStatus.OPEN  # "partly" leaves it for the officer
    assert items[2].note is not None and '=HYPERLINK("http://example.com"' in items[2].note
    assert items[5].answered_by != items[1].answered_by  # skipped: not the supplier's
    assert q.status == QuestionnaireStatus.ANSWERED and q.assessment_id == review.id
    assert responses["dd02"].comment == '=HYPERLINK("http://example.com","click")'
    assert responses["ai_retention_days"].answer == "30"
    assert responses["ev_certificate"].received is True
    pending = [r for r in responses.values() if r.decision == CorrectionDecision.PENDING]
    assert [r.target_field for r in pending] == ["people_concerned"]
    assert not register.verify_audit().problems  # the replay covers the new tables

    before = _events(register)
    again = receive_questionnaire(register.engine, filled, dry_run=False, today=TODAY)
    assert again.unchanged and not again.written and _events(register) == before


def test_a_correction_is_accepted_into_the_record_or_rejected_one_by_one(
        received: tuple[Register, Path, Path]) -> None:
    register, _, _ = received
    [correction] = list_corrections(register.engine)
    assert correction.id is not None
    accepted = decide_correction(register.engine, correction.id, accept=True, today=TODAY)
    assert accepted.decision == CorrectionDecision.ACCEPTED and accepted.decided_by == "tester"
    supply_id = int(correction.code.split(":")[1])
    assert register.get("supply", supply_id).people_concerned == 4500
    assert list_corrections(register.engine) == []
    with pytest.raises(Exception, match="only a pending correction"):
        decide_correction(register.engine, correction.id, accept=False)
    assert not register.verify_audit().problems


def test_approving_the_review_meets_the_gate_and_marks_the_questionnaire_reviewed(
        sent: Sent, received: tuple[Register, Path, Path]) -> None:
    register, _, _ = received
    review = register.get("assessment", sent.review_id)
    with pytest.raises(ValidationFailed, match="critical"):  # item 2 is critical and open
        register.update("assessment", review.id, {"outcome": AssessmentOutcome.APPROVED},
                        expected_version=review.version)
    register.update("assessment", review.id, {
        "outcome": AssessmentOutcome.APPROVED_WITH_CONDITIONS,
        "approval_override": "Role clarified by phone; contract amendment by Q1"},
        expected_version=review.version)
    [q] = list_questionnaires(register.engine, TODAY)
    assert q.status == QuestionnaireStatus.REVIEWED


def test_answers_of_the_wrong_type_are_listed_with_their_cells_and_nothing_is_written(
        copied: tuple[Register, Path, Path], tmp_path: Path) -> None:
    register, _, filled = copied
    book = openpyxl.load_workbook(filled)
    questions, ai = book[QUESTIONS], book[AI]
    questions[f"C{row_of(questions, 'dd03')}"] = "maybe"
    questions[f"E{row_of(questions, 'dd09')}"] = "a few"
    ai[f"D{row_of(ai, 'ai_deletion_confirmed_on')}"] = "next spring"
    cover = book[COVER]
    cover[f"C{row_of(cover, 'answered_on')}"] = TODAY - timedelta(days=5)
    supplies = book[SUPPLIES]
    supplies[f"E{row_of(supplies, next(c.value for c in supplies['A'] if str(c.value).endswith(':contains_pi')))}"] = "perhaps"  # noqa: E501
    bad = tmp_path / "bad.xlsx"
    book.save(bad)
    before = _events(register)
    report = receive_questionnaire(register.engine, bad, dry_run=False, today=TODAY)
    shown = [str(p) for p in report.problems]
    assert len(shown) == 5, shown
    assert any("(answered_on)" in s and "before the questionnaire was sent" in s
               for s in shown)
    assert any(s.startswith(f"{QUESTIONS}!C{row_of(questions, 'dd03')} (dd03)") for s in shown)
    assert any("(dd09)" in s and "'a few'" in s for s in shown)
    assert any("(ai_deletion_confirmed_on)" in s for s in shown)
    assert any(":contains_pi)" in s for s in shown)
    assert not report.written and _events(register) == before


# --- refused files -------------------------------------------------------------------------

def _tampered(filled: Path, target: Path, how: str) -> Path:
    book = openpyxl.load_workbook(filled)
    manifest = book[MANIFEST]
    keys = {row[0].value: row[1] for row in manifest.iter_rows()}
    if how == "renamed":
        book[AI].title = "AI"
    elif how == "row inserted":
        book[QUESTIONS].insert_rows(6)
    elif how == "question edited":
        questions = book[QUESTIONS]
        questions[f"B{row_of(questions, 'dd13')}"] = "Is everything fine?"
    elif how == "token":
        keys["token"].value = "x" * 32
    elif how == "questionnaire":
        keys["questionnaire_id"].value = "999"
    elif how == "provider":
        keys["provider_id"].value = "1"
    elif how == "manifest structure":
        keys["structure"].value = "0" * 64
    book.save(target)
    return target


@pytest.mark.parametrize(("how", "reason"), [
    ("renamed", "structure was changed"),
    ("row inserted", "structure was changed"),
    ("question edited", "structure was changed"),
    ("token", "token does not match"),
    ("questionnaire", "sent no questionnaire 999"),
    ("provider", "went to provider"),
    ("manifest structure", "manifest was edited"),
])
def test_a_tampered_file_is_refused_with_its_reason(
        copied: tuple[Register, Path, Path], tmp_path: Path, how: str, reason: str) -> None:
    register, _, filled = copied
    before = _events(register)
    with pytest.raises(QuestionnaireRefused, match=reason) as refused:
        receive_questionnaire(register.engine, _tampered(filled, tmp_path / "t.xlsx", how),
                              dry_run=False, today=TODAY)
    # the file's name and the reason; "Refused" is the caller's word (the TUI's, the CLI's)
    assert str(refused.value).startswith("t.xlsx: ") and "refused" not in str(refused.value)
    assert _events(register) == before


def test_a_file_from_another_register_is_refused(sent: Sent, demo_path: Path) -> None:
    other = Register.open(f"sqlite:///{demo_path}")  # the demo, with an identity of its own
    try:
        with pytest.raises(QuestionnaireRefused, match="another register"):
            receive_questionnaire(other.engine, sent.filled, dry_run=True, today=TODAY)
    finally:
        other.close()


def test_a_file_that_is_no_questionnaire_is_refused_by_the_guard_or_the_manifest(
        copied: tuple[Register, Path, Path], tmp_path: Path) -> None:
    register, _, _ = copied
    plain = tmp_path / "plain.xlsx"
    openpyxl.Workbook().save(plain)
    with pytest.raises(QuestionnaireRefused, match="no questionnaire manifest"):
        receive_questionnaire(register.engine, plain, dry_run=True)
    fake = tmp_path / "fake.xlsx"
    fake.write_bytes(b"not a zip at all")
    with pytest.raises(QuestionnaireRefused, match="not an .xlsx"):
        receive_questionnaire(register.engine, fake, dry_run=True)


# --- status, reminders, the provider's file ------------------------------------------------

def test_an_unanswered_questionnaire_past_its_due_date_is_overdue_and_reminded(
        copied: tuple[Register, Path, Path]) -> None:
    register, _, _ = copied
    later = TODAY + timedelta(days=30)
    [q] = list_questionnaires(register.engine, later)
    assert q.status == QuestionnaireStatus.OVERDUE
    [reminder] = [r for r in register.reminders(later)
                  if r.kind == ReminderKind.QUESTIONNAIRE_OVERDUE]
    assert reminder.status == ReminderStatus.OVERDUE and reminder.entity_id == q.id
    summary = register.summary(today=later)
    assert (summary.questionnaires_outstanding, summary.questionnaires_overdue) == (1, 1)
    assert register.summary(today=TODAY).questionnaires_overdue == 0


def test_the_provider_export_and_dossier_show_the_answers_with_who_and_when(
        received: tuple[Register, Path, Path], tmp_path: Path) -> None:
    register, _, _ = received
    provider = register.resolve_provider(PROVIDER)
    register.export(tmp_path / "file.xlsx", provider_id=int(provider.id), today=TODAY)
    book = openpyxl.load_workbook(tmp_path / "file.xlsx", read_only=True)
    answers = [list(r) for r in book["Questionnaire answers"].iter_rows(values_only=True)]
    checklist = [list(r) for r in book["Checklist answers"].iter_rows(values_only=True)]
    book.close()
    assert any("我们没有外国股东" in str(cell) for row in answers for cell in row)
    assert any(str(cell).startswith("李伟") for row in checklist for cell in row)
    out = register.write_report("dossier", tmp_path / "dossier.md", TODAY,
                                int(provider.id))
    text = out.read_text(encoding="utf-8")
    assert "Supplier questionnaires" in text and "李伟" in text and "我们没有外国股东" in text


def test_the_export_round_trip_carries_the_questionnaires(
        received: tuple[Register, Path, Path], empty_template: Path, tmp_path: Path) -> None:
    from .helpers import copy_register

    register, _, _ = received
    register.export(tmp_path / "all.xlsx", today=TODAY)
    copy = Register.open(f"sqlite:///{copy_register(empty_template, tmp_path / 'c.sqlite')}")
    try:
        restored = copy.import_file(tmp_path / "all.xlsx", profile=None, order=None,
                                    dry_run=False)
        assert restored.written and not restored.problems, restored.problems
        with session_scope(copy.engine, write=False) as session:
            q = _questionnaire(session)
            count = session.scalar(select(func.count()).select_from(QuestionnaireResponse))
        with session_scope(register.engine, write=False) as session:
            original = _questionnaire(session)
            expected = session.scalar(select(func.count()).select_from(QuestionnaireResponse))
        assert (q.token, q.status, q.answered_by) == (original.token, original.status,
                                                      original.answered_by)
        assert count == expected
        assert not copy.verify_audit().problems
    finally:
        copy.close()


def test_the_command_line_round_trip(copied: tuple[Register, Path, Path],
                                     tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from tracker.cli import main

    register, _, filled = copied
    register.close()
    db = ["--db", str(tmp_path / "demo.sqlite")]
    assert main([*db, "questionnaire", "receive", str(filled), "--dry-run"]) == 0
    shown = capsys.readouterr()
    assert "我们没有外国股东" in shown.out and "people_concerned" in shown.out
    assert "dry run: nothing was written" in shown.err
    assert main([*db, "questionnaire", "receive", str(filled)]) == 0
    assert "answers recorded in pending review" in capsys.readouterr().err
    assert main([*db, "questionnaire", "receive", str(filled)]) == 0
    assert "received already" in capsys.readouterr().err
    assert main([*db, "questionnaire", "corrections"]) == 0
    listed = capsys.readouterr().out
    correction_id = listed.split()[0]
    assert main([*db, "questionnaire", "accept", correction_id]) == 0
    assert "accepted" in capsys.readouterr().out
    out = tmp_path / "again.xlsx"
    assert main([*db, "questionnaire", "send", PROVIDER, "--out", str(out), "--lang",
                 "zh"]) == 0
    book = openpyxl.load_workbook(out)
    questions = book[QUESTIONS]
    row = row_of(questions, "dd01")
    assert questions[f"C{row}"].value == "是"  # the last answers come back prefilled
    assert questions[f"F{row}"].value == "我们没有外国股东"
    assert "Have you" not in str(questions[f"B{row}"].value)  # Chinese only


def test_every_text_the_workbook_carries_is_formula_safe() -> None:
    from tracker.sheets.questionnaire import FormContent, HeldDetail, build_layout

    hostile = "=HYPERLINK(\"http://evil\",\"x\")"
    content = FormContent(
        register_id="r", organisation="+ORG", asked_by="@me", contact="-1+1", provider_id=1,
        provider_name=hostile, sent_to="", language="both", sent_on=TODAY, due_on=None,
        supplies=[HeldDetail("supply", 1, hostile, "licence_name", "Licence", "许可",
                             hostile, "text")])
    texts = [cell.value for sheet in build_layout(content) for cell in sheet.cells.values()
             if isinstance(cell.value, str)]
    assert hostile not in texts and f"'{hostile}" in texts
    assert all(not t.startswith(("=", "+", "@")) for t in texts)


def test_a_corrected_reply_updates_the_same_pending_review(
        sent: Sent, received: tuple[Register, Path, Path], tmp_path: Path) -> None:
    register, _, filled = received
    book = openpyxl.load_workbook(filled)
    questions, supplies = book[QUESTIONS], book[SUPPLIES]
    questions[f"C{row_of(questions, 'dd02')}"] = "Yes"
    supplies[sent.people_cell] = 5000
    second = tmp_path / "second.xlsx"
    book.save(second)
    report = receive_questionnaire(register.engine, second, dry_run=False, today=TODAY)
    assert report.written and report.assessment_id == sent.review_id
    assert {a.code: a for a in report.answers}["dd02"].previous == "Partly"
    with session_scope(register.engine, write=False) as session:
        item = session.scalars(select(ChecklistAnswer).where(
            col(ChecklistAnswer.assessment_id) == sent.review_id,
            col(ChecklistAnswer.item) == 2)).one()
    assert item.status == ChecklistStatus.SATISFIED
    [correction] = list_corrections(register.engine)
    assert correction.proposed == "5000" and correction.decision == CorrectionDecision.PENDING
    assert not register.verify_audit().problems


@pytest.mark.parametrize("typed", ["held", "held_float", "held_spaced"])
def test_a_correction_equal_to_the_value_held_proposes_nothing(
        sent: Sent, copied: tuple[Register, Path, Path], tmp_path: Path, typed: str) -> None:
    register, _, filled = copied
    book = openpyxl.load_workbook(filled)
    supplies = book[SUPPLIES]
    supply_id = int(str(supplies[f"A{sent.people_cell[1:]}"].value).split(":")[1])
    supply = register.get("supply", supply_id)
    held = 120000
    register.update("supply", supply_id, {"people_concerned": held},
                    expected_version=supply.version)
    supplies[sent.people_cell] = {"held": held, "held_float": float(held),
                                  "held_spaced": f" {held} "}[typed]
    supplies[f"F{sent.people_cell[1:]}"] = None
    book.save(tmp_path / "same.xlsx")
    report = receive_questionnaire(register.engine, tmp_path / "same.xlsx", dry_run=False,
                                   today=TODAY)
    assert report.written and report.corrections == []
    assert list_corrections(register.engine) == []


def test_a_comment_on_a_value_equal_to_the_one_held_is_a_comment_not_a_correction(
        sent: Sent, copied: tuple[Register, Path, Path], tmp_path: Path) -> None:
    register, _, filled = copied
    book = openpyxl.load_workbook(filled)
    supplies = book[SUPPLIES]
    row = sent.people_cell[1:]
    supply_id = int(str(supplies[f"A{row}"].value).split(":")[1])
    supply = register.get("supply", supply_id)
    register.update("supply", supply_id, {"people_concerned": 120000},
                    expected_version=supply.version)
    supplies[sent.people_cell] = 120000  # the tester's case: typed again, with a comment
    book.save(tmp_path / "same.xlsx")
    report = receive_questionnaire(register.engine, tmp_path / "same.xlsx", dry_run=False,
                                   today=TODAY)
    assert [(c.proposed, c.comment) for c in report.corrections] == [("", "人数已更新")]
    assert list_corrections(register.engine) == []


def test_a_reply_to_a_reviewed_questionnaire_is_refused_and_writes_nothing(
        sent: Sent, received: tuple[Register, Path, Path], tmp_path: Path) -> None:
    register, _, filled = received
    review = register.get("assessment", sent.review_id)
    register.update("assessment", review.id, {
        "outcome": AssessmentOutcome.APPROVED_WITH_CONDITIONS,
        "approval_override": "Role clarified by phone"}, expected_version=review.version)
    again = receive_questionnaire(register.engine, filled, dry_run=False, today=TODAY)
    assert again.unchanged and not again.written  # the file applied already: no change
    book = openpyxl.load_workbook(filled)
    questions = book[QUESTIONS]
    questions[f"C{row_of(questions, 'dd02')}"] = "Yes"
    book.save(tmp_path / "late.xlsx")
    before = _events(register)
    for dry_run in (True, False):
        with pytest.raises(QuestionnaireRefused) as refused:
            receive_questionnaire(register.engine, tmp_path / "late.xlsx", dry_run=dry_run,
                                  today=TODAY)
        message = str(refused.value)
        assert f"review {sent.review_id}, approved with conditions" in message
        assert "its answers are closed" in message and "questionnaire send" in message
        assert "refused" not in message  # the caller says so
    assert _events(register) == before
    [q] = list_questionnaires(register.engine, TODAY)
    assert q.status == QuestionnaireStatus.REVIEWED and q.assessment_id == sent.review_id
    with session_scope(register.engine, write=False) as session:  # the export's source
        assert questionnaire_statuses(session, TODAY) == {q.id: QuestionnaireStatus.REVIEWED}


def test_deciding_a_correction_twice_says_it_was_decided(
        received: tuple[Register, Path, Path]) -> None:
    register, _, _ = received
    [correction] = list_corrections(register.engine)
    assert correction.id is not None
    decide_correction(register.engine, correction.id, accept=True, today=TODAY)
    with pytest.raises(TrackerError, match=f"correction {correction.id} was already accepted"):
        decide_correction(register.engine, correction.id, accept=True, today=TODAY)


def test_the_corrections_count_reads_right_in_the_singular_and_plural() -> None:
    from tracker.domain.questionnaire import corrections_count, corrections_to_decide
    assert corrections_count(1) == "1 correction" and corrections_count(2) == "2 corrections"
    assert "`tracker questionnaire corrections`" not in corrections_to_decide(0)
    assert corrections_to_decide(1).startswith("1 correction to decide (`tracker")

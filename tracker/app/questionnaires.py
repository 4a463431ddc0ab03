"""Supplier questionnaires: send a workbook, receive the answers into a pending review.

Send: the provider's supplies and transfers as we hold them, the previous answers to start
from, a questionnaire record (token, fingerprint of the fixed cells) and the workbook,
written in one transaction: if the file cannot be written, no questionnaire is recorded.

Receive: the file passes the import's guard, then must be an answer to a questionnaire of
this register, for its provider, with its token, its version and its structure unchanged;
every answer is checked for its type and every problem listed at once. Applying it, in one
transaction through the write pipeline (tracker.app.pipeline), so all or nothing and every
change audited:

- the provider's pending due-diligence review (the one this questionnaire fed, or a new one
  carrying the previous review's answers) gets each answered item as the supplier's: the
  status their answer implies (tracker.domain.questionnaire.CHOICE_STATUS), a note with
  their answer, detail and comment, answered_by the supplier, answered_on the date they
  gave (else the day received). An item they skipped is left as it was;
- every answer is kept as a questionnaire_response in their words; a corrected supply or
  transfer detail is a correction pending until the officer accepts it (then written to the
  record through the pipeline) or rejects it; each evidence file they name is marked
  received when it lies beside the returned workbook or is already recorded as evidence.

The same file received twice changes nothing: its answers' fingerprint is stored, and an
unchanged one writes nothing. A changed reply before the review is decided updates the same
pending review; once it is decided (approved, with conditions, or rejected) the questionnaire
reads reviewed (questionnaire_status, the one rule the list and the export follow) and a
changed reply is refused: the answers the decision rests on are not overwritten.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select
from sqlmodel import Session, col

from tracker.app import pipeline
from tracker.app.batch import update_rows
from tracker.app.pipeline import jsonable, validate_values
from tracker.app.queries import resolve_provider
from tracker.app.values import parse_field_values
from tracker.domain.checklists import CHECKLIST_BY_NUMBER
from tracker.domain.enums import (
    AssessmentKind,
    AssessmentOutcome,
    AuditAction,
    CorrectionDecision,
    QuestionnaireLanguage,
    QuestionnaireStatus,
    ResponseSection,
)
from tracker.domain.questionnaire import (
    AI_BY_CODE,
    CHOICE_STATUS,
    CHOICES,
    DEFAULT_ANSWER_DAYS,
    EVIDENCE_BY_CODE,
    FORM_VERSION,
    QUESTION_BY_CODE,
    STATUS_CHOICE,
    SUPPLY_DETAILS,
    TRANSFER_DETAILS,
    question_text,
    status_of,
)
from tracker.domain.registry import field_kind
from tracker.domain.text import control_problem
from tracker.errors import QuestionnaireRefused, TrackerError, ValidationFailed
from tracker.sheets.questionnaire import (
    AnswerProblem,
    FormContent,
    HeldDetail,
    Manifest,
    Prefill,
    ReadAnswer,
    build_layout,
    layout_fingerprint,
    read_returned,
    write_questionnaire,
)
from tracker.store.audit import PendingEvent, current_actor, record_events_bulk
from tracker.store.engine import ensure_writable, session_scope
from tracker.store.fastinsert import insert_rows
from tracker.store.models import (
    BASE_MODELS,
    Assessment,
    ChecklistAnswer,
    Evidence,
    Provider,
    Questionnaire,
    QuestionnaireResponse,
    QuestionnaireResponseBase,
    Supply,
    Transfer,
    table_of,
    utcnow,
)
from tracker.store.settings import get_setting, register_id

NOTE_LIMIT = 4000
NAME_LIMIT = 200


# --- views ---------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class QuestionnaireView:
    id: int
    provider_id: int
    provider: str
    status: QuestionnaireStatus
    sent_on: date
    due_on: date | None
    sent_to: str | None
    answered_by: str | None
    answered_on: date | None
    received_on: date | None
    assessment_id: int | None
    pending_corrections: int = 0


@dataclass(frozen=True, slots=True)
class SentQuestionnaire:
    questionnaire: QuestionnaireView
    path: Path
    supplies: int
    transfers: int
    prefilled: int


@dataclass(frozen=True, slots=True)
class AnswerDiff:
    """One answer as the dry run shows it: before, now, and the supplier's comment."""

    section: str
    code: str
    question: str
    previous: str | None
    new: str | None
    comment: str | None

    @property
    def changed(self) -> bool:
        return self.previous != self.new


@dataclass(frozen=True, slots=True)
class CorrectionView:
    id: int | None
    questionnaire_id: int
    code: str  # supply:3:people_concerned
    record: str  # "supply 3: Chinese web corpus"
    field: str
    held: str | None
    proposed: str
    comment: str | None
    decision: CorrectionDecision = CorrectionDecision.PENDING
    decided_by: str | None = None
    decided_on: date | None = None


@dataclass(frozen=True, slots=True)
class EvidenceView:
    code: str
    asked: str
    file_name: str | None
    received: bool
    comment: str | None


@dataclass
class ReceiveReport:
    questionnaire_id: int
    provider_id: int
    provider: str
    answered_by: str
    answered_on: date
    answers: list[AnswerDiff] = field(default_factory=list)
    corrections: list[CorrectionView] = field(default_factory=list)
    evidence: list[EvidenceView] = field(default_factory=list)
    problems: list[AnswerProblem] = field(default_factory=list)
    unchanged: bool = False  # the same answers were received already
    written: bool = False
    assessment_id: int | None = None
    skipped: list[str] = field(default_factory=list)  # questions left unanswered
    answered_role: str | None = None  # their role and e-mail, from the cover


# --- send ----------------------------------------------------------------------------------

def _shown(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    label = getattr(value, "label", None)
    if isinstance(label, str):
        return label
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _held(entity: str, row: Any, name: str, fields: Any) -> list[HeldDetail]:
    details = []
    for spec in fields:
        info = BASE_MODELS[entity].model_fields[spec.name]
        kind = field_kind(info.annotation)
        shown_kind = "country" if spec.name.endswith("country") else kind.kind
        labels = tuple(str(getattr(m, "label", m.value)) for m in kind.enum) \
            if kind.enum else ()
        details.append(HeldDetail(entity, int(row.id), name, spec.name, spec.en, spec.zh,
                                  _shown(getattr(row, spec.name)), shown_kind, labels))
    return details


def _latest_answered(session: Session, provider_id: int,
                     before: int | None = None) -> Questionnaire | None:
    statement = select(Questionnaire).where(
        col(Questionnaire.provider_id) == provider_id,
        col(Questionnaire.status) == QuestionnaireStatus.ANSWERED,
        col(Questionnaire.archived_at).is_(None))
    if before is not None:
        statement = statement.where(col(Questionnaire.id) != before)
    return session.scalars(statement.order_by(col(Questionnaire.received_on).desc(),
                                              col(Questionnaire.id).desc())).first()


def _responses(session: Session, questionnaire_id: int) -> dict[str, QuestionnaireResponse]:
    return {r.code: r for r in session.scalars(select(QuestionnaireResponse).where(
        col(QuestionnaireResponse.questionnaire_id) == questionnaire_id)).all()}


def previous_answers(session: Session, provider_id: int,
                     exclude: int | None = None) -> dict[str, Prefill]:
    """What a returning supplier starts from: their last questionnaire's answers, else the
    statuses of the provider's latest review (never the officer's notes)."""
    prefill: dict[str, Prefill] = {}
    last = _latest_answered(session, provider_id, exclude)
    if last is not None and last.id is not None:
        for code, response in _responses(session, last.id).items():
            if response.section in {ResponseSection.CHECKLIST, ResponseSection.AI,
                                    ResponseSection.EVIDENCE}:
                prefill[code] = Prefill(_typed_back(code, response.answer),
                                        _detail_back(code, response.detail), response.comment)
        return prefill
    review = session.scalars(select(Assessment).where(
        col(Assessment.provider_id) == provider_id,
        col(Assessment.kind) == AssessmentKind.DUE_DILIGENCE,
        col(Assessment.archived_at).is_(None))
        .order_by(col(Assessment.assessed_on).desc(), col(Assessment.id).desc())).first()
    if review is not None:
        for answer in session.scalars(select(ChecklistAnswer).where(
                col(ChecklistAnswer.assessment_id) == review.id)).all():
            choice = STATUS_CHOICE.get(answer.status)
            if choice:
                prefill[f"dd{answer.item:02d}"] = Prefill(choice)
    return prefill


def _typed_back(code: str, text: str | None) -> Any:
    """A stored answer (text) as the cell it goes back into: a date or a number typed."""
    if text is None:
        return None
    kind = AI_BY_CODE[code].kind if code in AI_BY_CODE else None
    return _as_kind(kind, text)


def _detail_back(code: str, text: str | None) -> Any:
    question = QUESTION_BY_CODE.get(code)
    return _as_kind(question.detail if question else None, text) if text is not None else None


def _as_kind(kind: str | None, text: str) -> Any:
    try:
        if kind == "date":
            return date.fromisoformat(text)
        if kind == "number":
            number = float(text)
            return int(number) if number.is_integer() else number
    except ValueError:
        return text
    return text


def send_questionnaire(engine: Engine, provider: str, out: Path, *, language: str = "both",
                       due_on: date | None = None, today: date | None = None,
                       force: bool = False) -> SentQuestionnaire:
    """Record a questionnaire for the provider and write its workbook to ``out``."""
    ensure_writable(engine)
    sent_on = today or date.today()
    due = due_on or sent_on + timedelta(days=DEFAULT_ANSWER_DAYS)
    if due < sent_on:
        raise TrackerError(f"the due date {due.isoformat()} is before the day it is sent "
                           f"({sent_on.isoformat()})")
    lang = QuestionnaireLanguage(language)
    with session_scope(engine) as session:
        found = resolve_provider(session, provider)
        assert found.id is not None
        actor = current_actor(session)
        supplies = list(session.scalars(select(Supply).where(
            col(Supply.provider_id) == found.id, col(Supply.archived_at).is_(None))
            .order_by(col(Supply.id))).all())
        transfers = list(session.scalars(select(Transfer).where(
            col(Transfer.provider_id) == found.id, col(Transfer.archived_at).is_(None))
            .order_by(col(Transfer.id))).all())
        prefill = previous_answers(session, found.id)
        organisation = str(get_setting(session, "organisation_name") or "")
        dpo = str(get_setting(session, "organisation_dpo") or "")
        content = FormContent(
            register_id=register_id(session), organisation=organisation, asked_by=actor,
            contact=dpo or actor, provider_id=found.id, provider_name=found.legal_name,
            sent_to=found.contact_email or found.contact_name or "", language=lang.value,
            sent_on=sent_on, due_on=due,
            supplies=[d for s in supplies for d in _held("supply", s, s.name, SUPPLY_DETAILS)],
            transfers=[d for t in transfers for d in _held(
                "transfer", t, f"{t.origin_country} → {t.destination_country}",
                TRANSFER_DETAILS)],
            prefill=prefill)
        layout = build_layout(content)
        structure = layout_fingerprint(layout)
        token = secrets.token_urlsafe(24)
        row = pipeline.questionnaires.create(session=session, data={
            "provider_id": found.id, "status": QuestionnaireStatus.SENT, "language": lang,
            "form_version": FORM_VERSION, "sent_on": sent_on, "due_on": due,
            "sent_to": content.sent_to or None, "token": token,
            "structure_sha256": structure}, actor=actor)
        assert row.id is not None
        # written inside the transaction: a file that cannot be written records nothing
        write_questionnaire(layout, Manifest(content.register_id, found.id, row.id,
                                             FORM_VERSION, token, structure, lang.value),
                            out, force=force)
        view = _view(session, row, sent_on)
        return SentQuestionnaire(view, out, len(supplies), len(transfers), len(prefill))


# --- receive -------------------------------------------------------------------------------

def _refuse(path: Path, why: str) -> QuestionnaireRefused:
    # the words "refused" are the caller's (the CLI's error line, the TUI's "Refused: ")
    return QuestionnaireRefused(f"{path.name}: {why}")


def _matching(session: Session, path: Path, manifest: dict[str, str],
              structure: str) -> Questionnaire:
    """The questionnaire the file answers, or a refusal naming what does not match."""
    here = register_id(session)
    theirs = manifest.get("register_id", "")
    if theirs != here:
        raise _refuse(path, f"it was sent from another register ({theirs or 'none named'}); "
                            f"this register is {here}")
    try:
        questionnaire_id = int(manifest.get("questionnaire_id", ""))
        provider_id = int(manifest.get("provider_id", ""))
        version = int(manifest.get("form_version", ""))
    except ValueError:
        raise _refuse(path, "its manifest was edited (a number in it is not one)") from None
    found = session.get(Questionnaire, questionnaire_id)
    if found is None:
        raise _refuse(path, f"this register sent no questionnaire {questionnaire_id}")
    if found.provider_id != provider_id:
        raise _refuse(path, f"it names provider {provider_id}, but questionnaire "
                            f"{questionnaire_id} went to provider {found.provider_id}")
    if version != found.form_version:
        raise _refuse(path, f"it is version {version} of the questionnaire; version "
                            f"{found.form_version} was sent")
    if not hmac.compare_digest(manifest.get("token", ""), found.token):
        raise _refuse(path, f"its token does not match questionnaire {questionnaire_id}'s "
                            "(a copy of another questionnaire, or an edited manifest)")
    if manifest.get("structure") != found.structure_sha256:
        raise _refuse(path, "its manifest was edited (the structure fingerprint differs)")
    if structure != found.structure_sha256:
        raise _refuse(path, "its structure was changed since it was sent (a sheet renamed, "
                            "added or removed, a row inserted or moved, or a question or "
                            "another locked cell edited); ask the supplier to answer in the "
                            "workbook as sent, or send a new questionnaire")
    return found


def _answer_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _shown_answer(code: str, answer: Any, detail: Any) -> str | None:
    """An answer as the dry run shows it: a choice by its English label, then the detail."""
    text = _answer_text(answer)
    is_choice = code in QUESTION_BY_CODE or (code in AI_BY_CODE
                                             and AI_BY_CODE[code].kind == "choice")
    if is_choice and text is not None:
        text = next((c.en for c in CHOICES if c.code == text), text)
    parts = [text, _answer_text(detail)]
    shown = " | ".join(p for p in parts if p)
    return shown or None


def _previous_text(code: str, previous: Prefill | None) -> str | None:
    return None if previous is None else _shown_answer(code, previous.answer, previous.detail)


def _new_text(answer: ReadAnswer) -> str | None:
    return _shown_answer(answer.code, answer.answer, answer.detail)


def _control_problems(returned: dict[str, ReadAnswer]) -> list[AnswerProblem]:
    problems = []
    for answer in returned.values():
        for value in (answer.answer, answer.detail, answer.comment):
            if isinstance(value, str) and (why := control_problem(value)):
                problems.append(AnswerProblem(answer.sheet, answer.cell, answer.code, None,
                                              why))
    return problems


def _targets(session: Session, provider_id: int) -> dict[str, Any]:
    rows: dict[str, Any] = {}
    for model, entity in ((Supply, "supply"), (Transfer, "transfer")):
        for row in session.scalars(select(model).where(
                getattr(model, "provider_id") == provider_id)).all():
            rows[f"{entity}:{row.id}"] = row
    return rows


def _digest(answers: dict[str, ReadAnswer]) -> str:
    canonical = {code: [_answer_text(a.answer), _answer_text(a.detail), a.comment]
                 for code, a in sorted(answers.items())}
    return hashlib.sha256(json.dumps(canonical, ensure_ascii=False, sort_keys=True)
                          .encode()).hexdigest()


def _evidence_received(session: Session, provider_id: int, folder: Path, name: str) -> bool:
    """The named file lies beside the returned workbook (only there: a name with folders in
    it is read as its last part), or is recorded as the provider's evidence already."""
    if (folder / Path(name).name).is_file():
        return True
    for location in session.scalars(select(col(Evidence.location)).where(
            col(Evidence.provider_id) == provider_id, col(Evidence.archived_at).is_(None))):
        if Path(str(location)).name == Path(name).name:
            return True
    return False


def receive_questionnaire(engine: Engine, path: Path, *, dry_run: bool,
                          today: date | None = None) -> ReceiveReport:
    """Check a returned workbook and, unless ``dry_run`` or it has problems, apply it."""
    if not dry_run:
        ensure_writable(engine)
    received_on = today or date.today()
    returned = read_returned(path)
    with session_scope(engine, write=not dry_run) as session:
        questionnaire = _matching(session, path, returned.manifest, returned.structure)
        assert questionnaire.id is not None
        provider = session.get(Provider, questionnaire.provider_id)
        assert provider is not None
        answers = returned.answers
        name = _answer_text(answers.get("cover:answered_by", ReadAnswer("", "")).answer)
        answered_by = (f"{name or provider.contact_name or 'supplier'} "
                       f"({provider.legal_name})")[:NAME_LIMIT]
        on = answers.get("cover:answered_on", ReadAnswer("", "")).answer
        answered_on = on if isinstance(on, date) else received_on
        report = ReceiveReport(questionnaire.id, provider.id or 0, provider.legal_name,
                               answered_by, answered_on,
                               problems=[*returned.problems, *_control_problems(answers)],
                               answered_role=_answer_text(answers.get(
                                   "cover:answered_role", ReadAnswer("", "")).answer))
        if answered_on > received_on or answered_on < questionnaire.sent_on:
            cell = answers["cover:answered_on"].cell
            why = "is after the day the answers arrived" if answered_on > received_on else \
                f"is before the questionnaire was sent ({questionnaire.sent_on.isoformat()})"
            report.problems.append(AnswerProblem("Cover 封面", cell, "answered_on",
                                                 answered_on.isoformat(), why))
        digest = _digest(answers)
        _refuse_if_reviewed(session, path, questionnaire, digest)
        stored = _responses(session, questionnaire.id)
        previous = previous_answers(session, provider.id or 0, exclude=questionnaire.id)
        for code, response in stored.items():  # a second file: compare with the first
            previous[code] = Prefill(response.answer, response.detail, response.comment)
        _plan(session, report, questionnaire, answers, previous, path.parent)
        report.unchanged = questionnaire.answers_sha256 == digest
        if dry_run or report.problems or report.unchanged:
            return report
        actor = current_actor(session)
        _apply(session, report, questionnaire, answers, actor, received_on, digest)
        report.written = True
        return report


def decided_review(session: Session, questionnaire: Questionnaire) -> Assessment | None:
    """The review this questionnaire's answers fed, once it is decided (approved, approved
    with conditions or rejected): from then on the questionnaire reads as reviewed and its
    answers are closed. The one rule both the list and the export's status follow."""
    if questionnaire.assessment_id is None:
        return None
    review = session.get(Assessment, questionnaire.assessment_id)
    if review is None or review.outcome == AssessmentOutcome.PENDING:
        return None
    return review


def questionnaire_status(session: Session, questionnaire: Questionnaire,
                         today: date) -> QuestionnaireStatus:
    """What a questionnaire's status reads as today (tracker.domain.questionnaire.status_of
    with its review's decision): the list, the dossier and the export all show this."""
    return status_of(questionnaire.status, questionnaire.due_on,
                     decided_review(session, questionnaire) is not None, today)


def questionnaire_statuses(session: Session, today: date) -> dict[int, QuestionnaireStatus]:
    """Every questionnaire's status as it reads today, by id (questionnaire_status for each),
    for a sheet that lists them all (the export's Questionnaires sheet)."""
    return {int(row.id or 0): questionnaire_status(session, row, today)
            for row in session.scalars(select(Questionnaire))}


def _refuse_if_reviewed(session: Session, path: Path, questionnaire: Questionnaire,
                        digest: str) -> None:
    """A reply to a questionnaire whose review is decided is refused: applying it would
    overwrite the answers the decision rests on. The file applied already may come again
    (it changes nothing)."""
    review = decided_review(session, questionnaire)
    if review is None or questionnaire.answers_sha256 == digest:
        return
    on = review.assessed_on or review.updated_at.date()
    raise QuestionnaireRefused(
        f"{path.name}: questionnaire {questionnaire.id} was reviewed on "
        f"{on.isoformat()} (review {review.id}, "
        f"{review.outcome.label.lower()}): its answers are closed; send a new questionnaire "
        f"with `tracker questionnaire send {questionnaire.provider_id} --out FILE.xlsx`")


def _plan(session: Session, report: ReceiveReport, questionnaire: Questionnaire,
          answers: dict[str, ReadAnswer], previous: dict[str, Prefill], folder: Path) -> None:
    targets = _targets(session, questionnaire.provider_id)
    for code, answer in answers.items():
        if code.startswith("cover:"):
            continue
        if code in QUESTION_BY_CODE or code in AI_BY_CODE:
            section = "checklist" if code in QUESTION_BY_CODE else "ai"
            old = previous.get(code)
            new = _new_text(answer)
            if code in QUESTION_BY_CODE and new is None and answer.comment is None:
                report.skipped.append(code)
            report.answers.append(AnswerDiff(section, code, question_text(code),
                                             _previous_text(code, old), new, answer.comment))
        elif code in EVIDENCE_BY_CODE:
            if answer.answer is None and answer.comment is None:
                continue
            file_name = _answer_text(answer.answer)
            report.evidence.append(EvidenceView(
                code, EVIDENCE_BY_CODE[code].en, file_name,
                bool(file_name) and _evidence_received(session, questionnaire.provider_id,
                                                      folder, str(file_name)),
                answer.comment))
        else:
            _plan_correction(report, questionnaire, code, answer, targets)


def _plan_correction(report: ReceiveReport, questionnaire: Questionnaire, code: str,
                     answer: ReadAnswer, targets: dict[str, Any]) -> None:
    entity, record_id, name = (code.split(":") + ["", "", ""])[:3]
    target = targets.get(f"{entity}:{record_id}")
    if target is None or name not in BASE_MODELS[entity].model_fields:
        report.problems.append(AnswerProblem(answer.sheet, answer.cell, code, None,
                                             "names no record of this provider"))
        return
    if answer.answer is None:
        if answer.comment:
            report.corrections.append(CorrectionView(
                None, questionnaire.id or 0, code, _record_name(entity, target), name,
                _shown(getattr(target, name)), "", answer.comment))
        return
    proposed = str(answer.answer)
    try:
        parsed = parse_field_values(entity, {name: proposed})[name]
    except ValidationFailed as failure:
        report.problems.append(AnswerProblem(answer.sheet, answer.cell, code, proposed,
                                             "; ".join(e.message for e in failure.errors)))
        return
    if _same_value(parsed, getattr(target, name)):
        # what the register holds already (typed again, or a correction accepted since it
        # was sent): nothing to decide; a comment on it is kept as a comment only
        if answer.comment:
            report.corrections.append(CorrectionView(
                None, questionnaire.id or 0, code, _record_name(entity, target), name,
                _shown(getattr(target, name)), "", answer.comment))
        return
    report.corrections.append(CorrectionView(
        None, questionnaire.id or 0, code, _record_name(entity, target), name,
        _shown(getattr(target, name)), proposed, answer.comment))


def _same_value(proposed: Any, held: Any) -> bool:
    """The supplier's value (parsed as the pipeline stores it) is the one held: compared in
    the field's type, text without regard to case or surrounding and repeated spaces."""
    if isinstance(proposed, str) and isinstance(held, str):
        return " ".join(proposed.split()).casefold() == " ".join(held.split()).casefold()
    return bool(proposed == held)


def _record_name(entity: str, row: Any) -> str:
    if entity == "supply":
        return f"supply {row.id}: {row.name}"
    return f"transfer {row.id}: {row.origin_country} → {row.destination_country}"


def _pending_review(session: Session, questionnaire: Questionnaire, actor: str,
                    received_on: date) -> Assessment:
    if questionnaire.assessment_id is not None:
        linked = session.get(Assessment, questionnaire.assessment_id)
        if linked is not None and linked.outcome == AssessmentOutcome.PENDING \
                and linked.archived_at is None:
            return linked
    return pipeline.assessments.create(session=session, data={
        "provider_id": questionnaire.provider_id, "kind": AssessmentKind.DUE_DILIGENCE,
        "assessed_on": received_on, "outcome": AssessmentOutcome.PENDING,
        "findings": f"Opened from supplier questionnaire {questionnaire.id} (sent "
                    f"{questionnaire.sent_on.isoformat()}, answers received "
                    f"{received_on.isoformat()}); the checklist holds the supplier's "
                    "answers for the officer to review."}, actor=actor)


def _note(questionnaire_id: int, answer: ReadAnswer, answered_on: date) -> str:
    question = QUESTION_BY_CODE[answer.code]
    parts = [f"Supplier's answer (questionnaire {questionnaire_id}, "
             f"{answered_on.isoformat()}):"]
    if answer.answer:
        parts.append(f"{next(c.en for c in CHOICES if c.code == answer.answer)}.")
    if answer.detail is not None:
        parts.append(f"{question.detail_en}: {_answer_text(answer.detail)}.")
    if answer.comment:
        parts.append(f"Comment: {answer.comment}")
    return " ".join(parts)[:NOTE_LIMIT]


def _apply(session: Session, report: ReceiveReport, questionnaire: Questionnaire,
           answers: dict[str, ReadAnswer], actor: str, received_on: date,
           digest: str) -> None:
    """Write the answers. The review and the questionnaire go through the per-record entry;
    the thirty checklist answers and the responses, one row each, through the batch entry's
    writers (tracker.app.batch: the same validation, one statement and one chained insert
    of audit events for all of them), which is several times faster than a row at a time."""
    assert questionnaire.id is not None
    review = _pending_review(session, questionnaire, actor, received_on)
    assert review.id is not None
    report.assessment_id = review.id
    events: list[PendingEvent] = []
    now = utcnow()
    item_rows = {int(r["item"]): r for r in _stored_rows(
        session, "checklist_answer", "assessment_id", review.id)}
    updates: list[tuple[int, dict[str, Any], dict[str, Any]]] = []
    for code, answer in answers.items():
        question = QUESTION_BY_CODE.get(code)
        if question is None or question.item is None or question.item not in item_rows:
            continue
        if answer.answer is None and answer.detail is None and answer.comment is None:
            continue  # skipped: the item stays as it was
        changes: dict[str, Any] = {
            "note": _note(questionnaire.id, answer, report.answered_on),
            "answered_by": report.answered_by, "answered_on": report.answered_on}
        if answer.answer is not None:
            changes["status"] = CHOICE_STATUS[str(answer.answer)]
        updates.append(_checked_update("checklist_answer", item_rows[question.item], changes))
    update_rows(session, "checklist_answer", [u for u in updates if u[2]], events, now)
    corrections = {c.code: c for c in report.corrections}
    evidence = {e.code: e for e in report.evidence}
    held = {str(r["code"]): r for r in _stored_rows(
        session, "questionnaire_response", "questionnaire_id", questionnaire.id)}
    new_rows: list[dict[str, Any]] = []
    changed: list[tuple[int, dict[str, Any], dict[str, Any]]] = []
    for code, answer in answers.items():
        if code.startswith("cover:"):
            continue
        values = _response_values(questionnaire.id, code, answer, corrections.get(code),
                                  evidence.get(code))
        existing = held.get(code)
        if existing is None:
            if values.get("answer") is None and values.get("detail") is None \
                    and values.get("comment") is None:
                continue
            new_rows.append(validate_values("questionnaire_response",
                                            QuestionnaireResponseBase, values))
            continue
        if existing["decision"] not in (None, CorrectionDecision.PENDING) \
                and existing["answer"] == values.get("answer"):
            values["decision"] = existing["decision"]  # decided already, on the same value
            values["decided_by"] = existing["decided_by"]
            values["decided_on"] = existing["decided_on"]
        changed.append(_checked_update("questionnaire_response", existing, values))
    _insert_responses(session, new_rows, events, now)
    update_rows(session, "questionnaire_response", [c for c in changed if c[2]], events, now)
    record_events_bulk(session, actor=actor, events=events)
    session.expire_all()  # the ORM's copies of the rows written above are stale
    current = pipeline.questionnaires.get(session=session, record_id=questionnaire.id)
    pipeline.questionnaires.update(session=session, record_id=questionnaire.id, changes={
        "status": QuestionnaireStatus.ANSWERED,
        # who answered with their role and e-mail from the cover (the checklist keeps the
        # name and company only: its field is shorter)
        "answered_by": (f"{report.answered_by}, {report.answered_role}"
                        if report.answered_role else report.answered_by)[:300],
        "answered_on": report.answered_on, "received_on": received_on,
        "answers_sha256": digest, "assessment_id": review.id},
        expected_version=current.version, actor=actor)


def _stored_rows(session: Session, entity: str, parent: str,
                 parent_id: int) -> list[dict[str, Any]]:
    """The stored rows of one parent, each with its id and every typed field."""
    table = table_of(entity)
    names = ["id", *BASE_MODELS[entity].model_fields]
    return [dict(zip(names, row, strict=True)) for row in session.execute(
        select(*(table.c[n] for n in names)).where(table.c[parent] == parent_id))]


def _checked_update(entity: str, stored: dict[str, Any], changes: dict[str, Any]
                    ) -> tuple[int, dict[str, Any], dict[str, Any]]:
    """(id, values before, changed values) of one row, after the pipeline's validation of
    the whole record as it would be stored."""
    current = {k: v for k, v in stored.items() if k != "id"}
    clean = validate_values(entity, BASE_MODELS[entity], {**current, **changes})
    differ = {k: clean[k] for k in changes if current.get(k) != clean[k]}
    return int(stored["id"]), {k: current.get(k) for k in differ}, differ


def _insert_responses(session: Session, rows: list[dict[str, Any]],
                      events: list[PendingEvent], now: datetime) -> None:
    """Insert new responses with their audit events, as the batch entry inserts records."""
    payload = [{**row, "version": 1, "created_at": now, "updated_at": now} for row in rows]
    for full, new_id in zip(payload, insert_rows(session, table_of("questionnaire_response"),
                                                 payload, assign_ids=True), strict=True):
        after = {k: jsonable(v) for k, v in full.items()}
        after["id"] = new_id
        events.append(PendingEvent(AuditAction.INSERT, "questionnaire_response", new_id, None,
                                   after))


def _response_values(questionnaire_id: int, code: str, answer: ReadAnswer,
                     correction: CorrectionView | None,
                     evidence: EvidenceView | None) -> dict[str, Any]:
    values: dict[str, Any] = {"questionnaire_id": questionnaire_id, "code": code,
                              "answer": _answer_text(answer.answer),
                              "detail": _answer_text(answer.detail),
                              "comment": answer.comment}
    if code in QUESTION_BY_CODE:
        values["section"] = ResponseSection.CHECKLIST
    elif code in AI_BY_CODE:
        values["section"] = ResponseSection.AI
    elif code in EVIDENCE_BY_CODE:
        values["section"] = ResponseSection.EVIDENCE
        values["received"] = evidence.received if evidence else None
    else:
        entity, record_id, name = code.split(":")
        values.update({"section": ResponseSection(entity), "target_entity": entity,
                       "target_id": int(record_id), "target_field": name,
                       "held_value": correction.held if correction else None,
                       "decision": CorrectionDecision.PENDING
                       if correction is not None and correction.proposed else None,
                       "decided_by": None, "decided_on": None})
        if correction is None:
            values.update({"answer": None, "comment": answer.comment})
    return values


# --- corrections ---------------------------------------------------------------------------

def _correction_view(session: Session, response: QuestionnaireResponse) -> CorrectionView:
    target = None
    if response.target_entity in {"supply", "transfer"} and response.target_id is not None:
        model = Supply if response.target_entity == "supply" else Transfer
        target = session.get(model, response.target_id)
    record = _record_name(str(response.target_entity), target) if target is not None \
        else f"{response.target_entity} {response.target_id}"
    return CorrectionView(response.id, response.questionnaire_id, response.code, record,
                          str(response.target_field), response.held_value,
                          response.answer or "", response.comment,
                          response.decision or CorrectionDecision.PENDING,
                          response.decided_by, response.decided_on)


def list_corrections(engine: Engine, *, provider: str | None = None,
                     include_decided: bool = False) -> list[CorrectionView]:
    with session_scope(engine, write=False) as session:
        statement = select(QuestionnaireResponse).join(
            Questionnaire, col(Questionnaire.id) == col(QuestionnaireResponse.questionnaire_id)
        ).where(col(QuestionnaireResponse.decision).is_not(None))
        if provider is not None:
            found = resolve_provider(session, provider)
            statement = statement.where(col(Questionnaire.provider_id) == found.id)
        if not include_decided:
            statement = statement.where(
                col(QuestionnaireResponse.decision) == CorrectionDecision.PENDING)
        rows = session.scalars(statement.order_by(col(QuestionnaireResponse.id))).all()
        return [_correction_view(session, r) for r in rows]


def decide_correction(engine: Engine, response_id: int, *, accept: bool,
                      today: date | None = None) -> CorrectionView:
    """Accept (write the supplier's value to the record, through the pipeline) or reject
    one pending correction; audited either way."""
    with session_scope(engine) as session:
        actor = current_actor(session)
        response = pipeline.questionnaire_responses.get(session=session,
                                                        record_id=response_id, lock=True)
        if response.decision != CorrectionDecision.PENDING:
            if response.decision is None:
                raise TrackerError(f"questionnaire answer {response_id} is not a correction; "
                                   "only a pending correction can be accepted or rejected")
            raise TrackerError(f"correction {response_id} was already "
                               f"{response.decision.value}"
                               + (f" by {response.decided_by}" if response.decided_by else "")
                               + (f" on {response.decided_on.isoformat()}"
                                  if response.decided_on else "")
                               + "; only a pending correction can be accepted or rejected")
        if accept:
            entity = str(response.target_entity)
            service = pipeline.SERVICES[entity]
            target = service.get(session=session, record_id=int(response.target_id or 0))
            values = parse_field_values(entity, {str(response.target_field):
                                                 response.answer or ""})
            service.update(session=session, record_id=int(response.target_id or 0),
                           changes=values, expected_version=int(getattr(target, "version")),
                           actor=actor)
        row = pipeline.questionnaire_responses.update(
            session=session, record_id=response_id, changes={
                "decision": CorrectionDecision.ACCEPTED if accept
                else CorrectionDecision.REJECTED,
                "decided_by": actor[:300], "decided_on": today or date.today()},
            expected_version=response.version, actor=actor)
        return _correction_view(session, row)


# --- status --------------------------------------------------------------------------------

def _view(session: Session, row: Questionnaire, today: date) -> QuestionnaireView:
    provider = session.get(Provider, row.provider_id)
    pending = 0
    if row.id is not None:
        pending = sum(1 for r in _responses(session, row.id).values()
                      if r.decision == CorrectionDecision.PENDING)
    return QuestionnaireView(int(row.id or 0), row.provider_id,
                             provider.legal_name if provider else "",
                             questionnaire_status(session, row, today), row.sent_on,
                             row.due_on, row.sent_to, row.answered_by, row.answered_on,
                             row.received_on, row.assessment_id, pending)


def questionnaire_views(session: Session, today: date,
                        provider_id: int | None = None) -> list[QuestionnaireView]:
    statement = select(Questionnaire).where(col(Questionnaire.archived_at).is_(None))
    if provider_id is not None:
        statement = statement.where(col(Questionnaire.provider_id) == provider_id)
    return [_view(session, row, today) for row in session.scalars(
        statement.order_by(col(Questionnaire.sent_on).desc(), col(Questionnaire.id).desc()))]


def list_questionnaires(engine: Engine, today: date,
                        provider: str | None = None) -> list[QuestionnaireView]:
    with session_scope(engine, write=False) as session:
        provider_id = resolve_provider(session, provider).id if provider else None
        return questionnaire_views(session, today, provider_id)


@dataclass(frozen=True, slots=True)
class ResponseLine:
    """One stored answer, as the provider's file and the dossier list it."""

    id: int
    questionnaire_id: int
    section: str
    code: str
    question: str
    answer: str | None
    detail: str | None
    comment: str | None
    answered_by: str | None
    answered_on: date | None
    decision: str | None


def response_lines(session: Session, provider_id: int) -> list[ResponseLine]:
    lines: list[ResponseLine] = []
    for row in session.scalars(select(Questionnaire).where(
            col(Questionnaire.provider_id) == provider_id,
            col(Questionnaire.archived_at).is_(None)).order_by(col(Questionnaire.id))):
        assert row.id is not None
        for code, response in sorted(_responses(session, row.id).items(),
                                     key=lambda pair: int(pair[1].id or 0)):
            lines.append(ResponseLine(int(response.id or 0), row.id, response.section.label,
                                      code,
                                      question_text(code), response.answer, response.detail,
                                      response.comment, row.answered_by, row.answered_on,
                                      response.decision.label if response.decision else None))
    return lines


def checklist_item_text(item: int) -> str:
    return CHECKLIST_BY_NUMBER[item].text



def outstanding_counts(session: Session, today: date) -> tuple[int, int]:
    """(sent and unanswered, of which overdue) over live providers' questionnaires."""
    rows = session.execute(select(col(Questionnaire.due_on)).join(
        Provider, col(Provider.id) == col(Questionnaire.provider_id)).where(
        col(Questionnaire.status) == QuestionnaireStatus.SENT,
        col(Questionnaire.archived_at).is_(None), col(Provider.archived_at).is_(None))).all()
    overdue = sum(1 for (due,) in rows
                  if status_of(QuestionnaireStatus.SENT, due, False, today)
                  == QuestionnaireStatus.OVERDUE)
    return len(rows), overdue

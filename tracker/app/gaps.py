"""Run the gap rules over the register: one query per table, grouped per provider."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import date

from sqlmodel import Session, col, select

from tracker.app.queries import ProviderFile, grouped, live_rows, provider_file
from tracker.app.reminders import reminder_policy
from tracker.checks.rules import Gap, ProviderRecords, provider_gaps
from tracker.domain.enums import AssessmentKind, AssessmentOutcome, ReminderKind, ReminderStatus
from tracker.reminders.derive import (
    AssessmentDates,
    ProviderDates,
    RegisterDates,
    derive_reminders,
)
from tracker.store.models import (
    Agreement,
    AgreementClause,
    Assessment,
    ChecklistAnswer,
    Evidence,
    LegalBasis,
    Provider,
    Supply,
    Transfer,
)


def overdue_reviews(session: Session, records: Iterable[ProviderRecords],
                    today: date) -> dict[int, date]:
    """Provider id -> the date its review became overdue. Only review dates are derived
    (from the providers and their assessments), not every reminder of the register."""
    dates = RegisterDates()
    for r in records:
        p = r.provider
        dates.providers[p.id] = ProviderDates(p.id, p.legal_name, p.risk_tier, p.status,
                                              p.archived_at is not None)
        dates.assessments += [AssessmentDates(a.id, a.provider_id, a.kind, a.outcome,
                                              a.assessed_on, a.next_review_on, a.retain_until)
                              for a in r.assessments]
    return {int(r.provider_id or 0): r.due_on
            for r in derive_reminders(dates, reminder_policy(session), today)
            if r.kind == ReminderKind.PROVIDER_REVIEW and r.status == ReminderStatus.OVERDUE}


def file_gaps(session: Session, found: ProviderFile, today: date) -> list[Gap]:
    """One provider's gaps from its already-loaded file, so opening a provider costs the
    same in a register of any size."""
    overdue = overdue_reviews(session, [found], today)
    return provider_gaps(replace(found, review_overdue_since=overdue.get(
        int(found.provider.id or 0))), today)


def register_gaps(session: Session, today: date, provider_id: int | None = None) -> list[Gap]:
    if provider_id is not None:
        found = provider_file(session, provider_id)
        return [] if found is None or found.provider.archived_at else \
            file_gaps(session, found, today)
    providers = live_rows(session, Provider)
    records = {p.id: ProviderRecords(provider=p) for p in providers}
    supply_owner: dict[int, int] = {}
    for s in live_rows(session, Supply):
        if s.provider_id in records:
            records[s.provider_id].supplies.append(s)
            supply_owner[s.id] = s.provider_id
    for b in live_rows(session, LegalBasis):
        owner = supply_owner.get(b.supply_id)
        if owner is not None:
            records[owner].legal_bases.setdefault(b.supply_id, []).append(b)
    agreement_owner: dict[int, int] = {}
    for a in live_rows(session, Agreement):
        if a.provider_id in records:
            records[a.provider_id].agreements.append(a)
            agreement_owner[a.id] = a.provider_id
    clauses = grouped(session.exec(select(AgreementClause)).all(), "agreement_id")
    for agreement_id, owner in agreement_owner.items():
        records[owner].clauses[agreement_id] = clauses.get(agreement_id, [])
    for model, attribute in ((Transfer, "transfers"), (Assessment, "assessments"),
                             (Evidence, "evidence")):
        for row in live_rows(session, model):
            if row.provider_id in records:
                getattr(records[row.provider_id], attribute).append(row)
    answered = select(ChecklistAnswer.assessment_id).where(
        col(ChecklistAnswer.assessment_id) == col(Assessment.id)).exists()
    unrecorded = select(Assessment.id).where(
        col(Assessment.kind) == AssessmentKind.DUE_DILIGENCE,
        col(Assessment.outcome) != AssessmentOutcome.PENDING,
        col(Assessment.archived_at).is_(None), ~answered)
    review_owner = {a.id: a.provider_id for r in records.values() for a in r.assessments}
    for assessment_id in session.exec(unrecorded).all():
        owner = review_owner.get(assessment_id)
        if owner is not None and assessment_id is not None:
            records[owner].unrecorded_checklists.add(int(assessment_id or 0))
    for provider_id, since in overdue_reviews(session, records.values(), today).items():
        records[provider_id].review_overdue_since = since
    return [gap for r in records.values() for gap in provider_gaps(r, today)]

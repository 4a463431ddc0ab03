"""Run the gap rules over the register: one query per table, grouped per provider."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import date

from sqlmodel import Session, col, select

from tracker.app.queries import ProviderFile, grouped, live_rows, provider_file
from tracker.app.reminders import organisation_dates, reminder_policy
from tracker.checks.rules import (
    LEGAL_REMINDERS,
    Gap,
    ProviderRecords,
    organisation_gaps,
    provider_gaps,
)
from tracker.domain.enums import AssessmentKind, AssessmentOutcome, ReminderKind, ReminderStatus
from tracker.domain.regimes import Organisation
from tracker.reminders.derive import (
    AgreementDates,
    AssessmentDates,
    DerivedReminder,
    EvidenceDates,
    ProviderDates,
    RegisterDates,
    ReminderPolicy,
    TransferDates,
    TriggerDates,
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
    ReviewTrigger,
    Supply,
    Transfer,
)
from tracker.store.settings import get_setting


def organisation(session: Session) -> Organisation:
    """The company's side of which laws apply (settings ``organisation_*``)."""
    return Organisation(str(get_setting(session, "organisation_name") or ""),
                        frozenset(get_setting(session, "organisation_established_in") or ()),
                        frozenset(get_setting(session, "organisation_markets") or ()))


def register_dates(records: Iterable[ProviderRecords]) -> RegisterDates:
    """The reminders' inputs from the records the rules read, so both see one register.
    Snoozes and completions are left out: snoozing a legal duty does not discharge it."""
    dates = RegisterDates()
    for r in records:
        p = r.provider
        dates.providers[p.id] = ProviderDates(p.id, p.legal_name, p.risk_tier, p.status,
                                              p.archived_at is not None, p.is_ciio,
                                              p.handles_important_data)
        dates.assessments += [AssessmentDates(a.id, a.provider_id, a.kind, a.outcome,
                                              a.assessed_on, a.next_review_on, a.retain_until)
                              for a in r.assessments]
        dates.agreements += [AgreementDates(a.id, a.provider_id, a.kind, a.title, a.expires_on,
                                            a.notice_period_days, a.auto_renewal)
                             for a in r.agreements]
        dates.evidence += [EvidenceDates(e.id, e.provider_id, e.kind.value, e.location,
                                         e.valid_until) for e in r.evidence]
        sensitive = {s.id for s in r.supplies if s.contains_sensitive_pi or s.contains_minors_data}
        dates.transfers += [TransferDates(
            t.id, t.provider_id, t.origin_country, t.destination_country, t.mechanism,
            t.count_year, t.people_non_sensitive, t.people_sensitive, t.effective_on,
            t.filed_on, t.filing_number, t.filing_expires_on, t.exemption, t.on_negative_list,
            t.supply_id in sensitive) for t in r.transfers]
        dates.triggers += [TriggerDates(t.id, t.provider_id, t.kind, t.occurred_on, t.note,
                                        t.reported_on) for t in r.triggers]
    return dates


def attach_reminders(records: dict[int, ProviderRecords], policy: ReminderPolicy,
                     today: date) -> None:
    """Give each provider its overdue review date and its overdue legal-duty reminders."""
    for reminder in derive_reminders(register_dates(records.values()), policy, today):
        if reminder.provider_id not in records or reminder.status != ReminderStatus.OVERDUE:
            continue
        held = records[reminder.provider_id]
        if reminder.kind == ReminderKind.PROVIDER_REVIEW:
            held.review_overdue_since = reminder.due_on
        if reminder.kind in LEGAL_REMINDERS:
            held.overdue_reminders.append(reminder)


def organisation_reminders(session: Session, today: date) -> list[DerivedReminder]:
    dates = RegisterDates(organisation=organisation_dates(session))
    return derive_reminders(dates, reminder_policy(session), today)


def file_gaps(session: Session, found: ProviderFile, today: date) -> list[Gap]:
    """One provider's gaps from its already-loaded file, so opening a provider costs the
    same in a register of any size."""
    records = replace(found, organisation=organisation(session),
                      triggers=list(session.exec(select(ReviewTrigger).where(
                          col(ReviewTrigger.provider_id) == found.provider.id)).all()),
                      overdue_reminders=[])
    attach_reminders({int(found.provider.id or 0): records}, reminder_policy(session), today)
    return provider_gaps(records, today)


def register_gaps(session: Session, today: date, provider_id: int | None = None) -> list[Gap]:
    if provider_id is not None:
        found = provider_file(session, provider_id)
        return [] if found is None or found.provider.archived_at else \
            file_gaps(session, found, today)
    providers = live_rows(session, Provider)
    company = organisation(session)
    records = {p.id: ProviderRecords(provider=p, organisation=company) for p in providers}
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
    for trigger in session.exec(select(ReviewTrigger)).all():
        if trigger.provider_id in records:
            records[trigger.provider_id].triggers.append(trigger)
    attach_reminders(records, reminder_policy(session), today)
    gaps = organisation_gaps(company, organisation_reminders(session, today), today)
    return gaps + [gap for r in records.values() for gap in provider_gaps(r, today)]

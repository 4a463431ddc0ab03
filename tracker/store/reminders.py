"""Reminders against the database: load the dates (column tuples, not ORM objects, so
100,000 providers stay fast), apply the settings, and store snoozes and completions."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from tracker.domain.enums import (
    AssessmentKind,
    AssessmentOutcome,
    AuditAction,
    ReminderState,
    RiskTier,
)
from tracker.domain.rules import FieldError
from tracker.domain.settings import cadence_key
from tracker.errors import TrackerError, ValidationFailed
from tracker.reminders.derive import (
    ActionMark,
    AgreementDates,
    AssessmentDates,
    DerivedReminder,
    EvidenceDates,
    ProviderDates,
    RegisterDates,
    ReminderPolicy,
    TransferDates,
    TriggerDates,
    UserReminderDates,
    derive_reminders,
)
from tracker.store import services
from tracker.store.audit import record_event
from tracker.store.models import (
    Agreement,
    Assessment,
    Evidence,
    Provider,
    Reminder,
    ReminderAction,
    ReviewTrigger,
    Transfer,
    utcnow,
)
from tracker.store.settings import get_setting


def _rows(session: Session, *columns: Any, live_of: Any = None) -> list[Any]:
    statement = select(*columns)
    if live_of is not None:
        statement = statement.where(live_of.archived_at.is_(None))
    return list(session.execute(statement).all())


def load_register_dates(session: Session) -> RegisterDates:
    data = RegisterDates()
    for row in _rows(session, Provider.id, Provider.legal_name, Provider.risk_tier,
                     Provider.status, Provider.archived_at, Provider.is_ciio,
                     Provider.handles_important_data):
        data.providers[row[0]] = ProviderDates(row[0], row[1], row[2], row[3],
                                               row[4] is not None, row[5], row[6])
    data.agreements = [AgreementDates(*row) for row in _rows(
        session, Agreement.id, Agreement.provider_id, Agreement.kind, Agreement.title,
        Agreement.expires_on, Agreement.notice_period_days, Agreement.auto_renewal,
        live_of=Agreement)]
    data.assessments = [AssessmentDates(*row) for row in _rows(
        session, Assessment.id, Assessment.provider_id, Assessment.kind, Assessment.outcome,
        Assessment.assessed_on, Assessment.next_review_on, Assessment.retain_until,
        live_of=Assessment)]
    data.evidence = [EvidenceDates(row[0], row[1], row[2].value, row[3], row[4])
                     for row in _rows(session, Evidence.id, Evidence.provider_id, Evidence.kind,
                                      Evidence.location, Evidence.valid_until,
                                      live_of=Evidence)]
    data.transfers = [TransferDates(*row) for row in _rows(
        session, Transfer.id, Transfer.provider_id, Transfer.origin_country,
        Transfer.destination_country, Transfer.mechanism, Transfer.count_year,
        Transfer.people_non_sensitive, Transfer.people_sensitive, Transfer.effective_on,
        Transfer.filed_on, Transfer.filing_number, Transfer.filing_expires_on,
        live_of=Transfer)]
    data.triggers = [TriggerDates(*row) for row in _rows(
        session, ReviewTrigger.id, ReviewTrigger.provider_id, ReviewTrigger.kind,
        ReviewTrigger.occurred_on, ReviewTrigger.note)]
    data.user_reminders = [UserReminderDates(*row) for row in _rows(
        session, Reminder.id, Reminder.provider_id, Reminder.title, Reminder.due_on,
        Reminder.notes)]
    data.actions = {row[0]: ActionMark(row[1], row[2], row[3]) for row in _rows(
        session, ReminderAction.key, ReminderAction.state, ReminderAction.until,
        ReminderAction.reason)}
    return data


def reminder_policy(session: Session) -> ReminderPolicy:
    return ReminderPolicy(
        cadence_months={tier: int(get_setting(session, cadence_key(tier))) for tier in RiskTier},
        lead_days=tuple(get_setting(session, "reminder_lead_days")))


def current_reminders(session: Session, today: date) -> list[DerivedReminder]:
    return derive_reminders(load_register_dates(session), reminder_policy(session), today)


def find_reminder(reminders: list[DerivedReminder], ident: str) -> DerivedReminder:
    """By uid (its current due date) or by key (uid@date)."""
    for reminder in reminders:
        if ident in (reminder.uid, reminder.key):
            return reminder
    raise TrackerError(f"no current reminder {ident!r}; `tracker reminders --all` lists them")


def _mark(session: Session, reminder: DerivedReminder, state: ReminderState,
          until: date | None, reason: str | None, actor: str) -> None:
    stored = session.get(ReminderAction, reminder.key, with_for_update=True)
    before = None if stored is None else {"state": stored.state.value, "reason": stored.reason,
                                          "until": stored.until.isoformat()
                                          if stored.until else None}
    if stored is None:
        stored = ReminderAction(key=reminder.key, state=state, until=until, reason=reason)
        session.add(stored)
    else:
        stored.state, stored.until, stored.reason = state, until, reason
        stored.version, stored.updated_at = stored.version + 1, utcnow()
    session.flush()
    record_event(session, actor=actor, action=AuditAction.UPDATE, entity="reminder_action",
                 entity_id=reminder.key, before=before,
                 after={"state": state.value, "reason": reason,
                        "until": until.isoformat() if until else None,
                        "subject": reminder.subject, "provider": reminder.provider_name})


def snooze_reminder(session: Session, *, ident: str, until: date, reason: str, today: date,
                    actor: str) -> DerivedReminder:
    errors = []
    if until <= today:
        errors.append(FieldError("until", f"snooze to a date after today ({today.isoformat()})"))
    if not reason.strip():
        errors.append(FieldError("reason", "say why the reminder is snoozed"))
    if errors:
        raise ValidationFailed("reminder snooze", errors)
    reminder = find_reminder(current_reminders(session, today), ident)
    _mark(session, reminder, ReminderState.SNOOZED, until, reason.strip(), actor)
    return reminder


def complete_reminder(session: Session, *, ident: str, today: date, actor: str,
                      outcome: AssessmentOutcome | None = None,
                      note: str | None = None) -> str:
    """Mark a reminder done. A review reminder is done by recording the review itself (a
    due-diligence assessment dated today), which moves the next review date forward."""
    reminder = find_reminder(current_reminders(session, today), ident)
    if reminder.is_review:
        if outcome is None or outcome == AssessmentOutcome.PENDING:
            raise TrackerError("a review reminder is completed by recording the review: give "
                               "its outcome (--outcome approved, approved_with_conditions or "
                               "rejected)")
        assessment = services.assessments.create(session=session, data={
            "provider_id": reminder.provider_id, "kind": AssessmentKind.DUE_DILIGENCE,
            "assessed_on": today, "reviewer": actor, "outcome": outcome, "findings": note},
            actor=actor)
        return f"recorded due-diligence review {assessment.id} ({outcome.label})"
    _mark(session, reminder, ReminderState.DONE, None, note, actor)
    return f"marked done: {reminder.kind.label} — {reminder.subject}"

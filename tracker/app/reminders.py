"""Reminders against the database: load the dates (column tuples, not ORM objects, so
100,000 providers stay fast), apply the settings, and store snoozes and completions."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from enum import Enum
from typing import Any, TypeVar

from sqlmodel import Session

from tracker.domain.dates import date_problem
from tracker.domain.enums import (
    AgreementKind,
    AssessmentKind,
    AssessmentOutcome,
    AuditAction,
    ProviderStatus,
    ReminderState,
    ReviewTriggerKind,
    RiskTier,
    TransferExemption,
    TransferMechanism,
)
from tracker.domain.rules import FieldError
from tracker.domain.settings import cadence_key
from tracker.domain.text import clean_text
from tracker.errors import TrackerError, ValidationFailed
from tracker.gcpause import gc_paused
from tracker.reminders.derive import (
    STAGE_READS,
    ActionMark,
    AgreementDates,
    AssessmentDates,
    DerivedReminder,
    EvidenceDates,
    OrganisationDates,
    ProviderDates,
    QuestionnaireDates,
    RegisterDates,
    ReminderPolicy,
    TransferDates,
    TriggerDates,
    UserReminderDates,
    derive_reminders,
    derive_stage,
)
from tracker.store.audit import record_event
from tracker.store.models import ReminderAction, utcnow
from tracker.store.settings import get_setting

E = TypeVar("E", bound=Enum)
# Builds the loaded tuples in C, without each NamedTuple's Python-level __new__ (~400,000 rows).
_new = tuple.__new__


ProviderRange = tuple[int, int, bool]  # first id, last id, include reminders of no provider


def _rows(session: Session, sql: str, providers: ProviderRange | None = None) -> list[Any]:
    """Plain rows from the driver's own cursor (the session's connection and transaction):
    SQLAlchemy's per-value type processing, and even its Row wrappers, cost more than the
    query itself on 400,000 rows. The SQL is portable (SQLite and PostgreSQL); rows come
    in key order so the same register derives the same list on either backend."""
    order = "key" if "FROM reminder_action" in sql else "id"
    if providers is not None:
        first, last, unowned = providers
        column = "id" if "FROM provider" in sql else "provider_id"
        condition = f"{column} BETWEEN {int(first)} AND {int(last)}"
        if unowned and column == "provider_id":
            condition = f"({condition} OR provider_id IS NULL)"
        sql += (" AND " if " WHERE " in sql else " WHERE ") + condition
    return driver_rows(session, f"{sql} ORDER BY {order}")


def driver_rows(session: Session, sql: str) -> list[Any]:
    """The rows of ``sql`` (no parameters) as the DB-API driver's own tuples."""
    cursor = session.connection().connection.cursor()
    try:
        cursor.execute(sql)
        return list(cursor.fetchall())
    finally:
        cursor.close()


class _Days(dict[Any, date]):
    """A stored date as a ``date``, read once per distinct value: a register's ~500,000
    dates fall on a few thousand days, and one ``date`` each is shared by every row (and
    reminder) that holds it. SQLite hands back ISO text, PostgreSQL a date already."""

    def __init__(self, iso_text: bool) -> None:
        super().__init__()
        self.iso_text = iso_text

    def __missing__(self, value: Any) -> date:
        day = self[value] = date.fromisoformat(value) if self.iso_text else _as_date(value)
        return day


def _date_reader(session: Session) -> _Days:
    return _Days(session.get_bind().dialect.name == "sqlite")


def _as_date(value: Any) -> date:
    assert isinstance(value, date)
    return value


def _members(enum_cls: type[E]) -> dict[Any, E]:
    return {m.value: m for m in enum_cls}


def load_register_dates(session: Session, providers: ProviderRange | None = None, *,
                        reads: frozenset[str] | None = None) -> RegisterDates:
    """The dates reminders derive from: the whole register, or the providers in a range of
    ids (every reminder belongs to one provider, so a range derives on its own). ``reads``:
    only these of ``RegisterDates``' record lists (a stage's: ``derive.STAGE_READS``);
    the providers and the user's marks always."""
    with gc_paused():
        return _load(session, providers, reads)


def _load(session: Session, providers: ProviderRange | None,
          reads: frozenset[str] | None = None) -> RegisterDates:
    def wanted(name: str) -> bool:
        return reads is None or name in reads

    day = _date_reader(session)
    data = RegisterDates()
    tiers, statuses = _members(RiskTier), _members(ProviderStatus)
    data.providers = {
        pid: _new(ProviderDates, (pid, name, tiers.get(risk), statuses[state],
                                  archived is not None, bool(ciio), bool(important)))
        for pid, name, risk, state, archived, ciio, important in _rows(
            session, "SELECT id, legal_name, risk_tier, status, archived_at, is_ciio,"
                     " handles_important_data FROM provider", providers)}
    if wanted("agreements"):
        kinds = _members(AgreementKind)
        data.agreements = [
            _new(AgreementDates, (i, p, kinds[k], t, day[e] if e else None, n, bool(r)))
            for i, p, k, t, e, n, r in _rows(
                session, "SELECT id, provider_id, kind, title, expires_on, notice_period_days,"
                         " auto_renewal FROM agreement WHERE archived_at IS NULL", providers)]
    if wanted("assessments"):
        assessment_kinds, outcomes = _members(AssessmentKind), _members(AssessmentOutcome)
        data.assessments = [
            _new(AssessmentDates, (i, p, assessment_kinds[k], outcomes[o], day[a] if a else None,
                            day[n] if n else None, day[r] if r else None))
            for i, p, k, o, a, n, r in _rows(
                session, "SELECT id, provider_id, kind, outcome, assessed_on, next_review_on,"
                         " retain_until FROM assessment WHERE archived_at IS NULL", providers)]
    if wanted("evidence"):
        data.evidence = [
            _new(EvidenceDates, (i, p, k, loc, day[v] if v else None)) for i, p, k, loc, v in _rows(
                session, "SELECT id, provider_id, kind, location, valid_until FROM evidence"
                         " WHERE archived_at IS NULL", providers)]
    if wanted("transfers"):
        mechanisms, exemptions = _members(TransferMechanism), _members(TransferExemption)
        # PIPL Art 28: people of a supply holding sensitive PI or minors' data count as sensitive
        sensitive = {int(i) for i, in _rows(
            session, "SELECT id FROM supply WHERE contains_sensitive_pi = TRUE"
                     " OR contains_minors_data = TRUE", None)}
        data.transfers = [
            _new(TransferDates, (i, p, o, d, mechanisms.get(m), y, ns or 0, se or 0,
                          day[e] if e else None, day[f] if f else None, num,
                          day[x] if x else None, exemptions.get(ex),
                          None if neg is None else bool(neg), s in sensitive))
            for i, p, o, d, m, y, ns, se, e, f, num, x, ex, neg, s in _rows(
                session, "SELECT id, provider_id, origin_country, destination_country, mechanism,"
                         " count_year, people_non_sensitive, people_sensitive, effective_on,"
                         " filed_on, filing_number, filing_expires_on, exemption,"
                         " on_negative_list, supply_id FROM transfer"
                         " WHERE archived_at IS NULL", providers)]
    if wanted("triggers"):
        trigger_kinds = _members(ReviewTriggerKind)
        data.triggers = [
            _new(TriggerDates, (i, p, trigger_kinds[k], day[o], n, day[r] if r else None))
            for i, p, k, o, n, r in _rows(
                session, "SELECT id, provider_id, kind, occurred_on, note, reported_on"
                         " FROM review_trigger", providers)]
    if wanted("organisation") and (providers is None or providers[2]):
        data.organisation = organisation_dates(session)
    if wanted("user_reminders"):
        data.user_reminders = [
            _new(UserReminderDates, (i, p, t, day[d], n)) for i, p, t, d, n in _rows(
                session, "SELECT id, provider_id, title, due_on, notes FROM reminder", providers)]
    if wanted("questionnaires"):
        data.questionnaires = [  # issue 15 questionnaires
            _new(QuestionnaireDates, (i, p, day[s], day[d])) for i, p, s, d in _rows(
                session, "SELECT id, provider_id, sent_on, due_on FROM questionnaire"
                         " WHERE archived_at IS NULL AND status = 'sent' AND due_on IS NOT NULL",
                providers)]
    states = _members(ReminderState)
    data.actions = {
        key: _new(ActionMark, (states[st], day[until] if until else None, reason))
        for key, st, until, reason in _rows(
            session, "SELECT key, state, until, reason FROM reminder_action", None)}
    return data


def organisation_dates(session: Session) -> OrganisationDates:
    """The company's PI duties from its settings; the people count, when not set, is the
    sum of the people concerned over the live supplies holding PI (an upper bound: one
    person in two supplies counts twice, so an officer sets the figure when known)."""
    people = get_setting(session, "pi_people_processed")
    if people is None:
        people = session.connection().exec_driver_sql(
            "SELECT coalesce(sum(people_concerned), 0) FROM supply"
            " WHERE contains_pi = TRUE AND archived_at IS NULL").scalar()

    def day(key: str) -> date | None:
        value = get_setting(session, key)
        return date.fromisoformat(value) if value else None

    return OrganisationDates(int(people or 0), day("pi_compliance_audit_last_on"),
                             day("pi_million_reached_on"), day("pi_officer_reported_on"))


def reminder_policy(session: Session) -> ReminderPolicy:
    return ReminderPolicy(
        cadence_months={tier: int(get_setting(session, cadence_key(tier))) for tier in RiskTier},
        lead_days=tuple(get_setting(session, "reminder_lead_days")))


def current_reminders(session: Session, today: date) -> list[DerivedReminder]:
    """Every reminder, loaded and derived under one pause of the cyclic GC, and what was
    made then frozen out of later collections (``gc.freeze``, as ``GapCache`` does after a
    cold fill): the ~450,000 reminders and the ~400,000 rows they come from are kept (by
    ``Register.reminders``) until the audit head moves, and form no cycles, so refcounting
    frees them. Left to the collector, the collections that the pause put off ran at the
    first allocations after it, one of them over the oldest generation, and walked them
    all: ~0.9 s of a 2.5-3.5 s first derivation at 100,000 providers, measured here."""
    with gc_paused(freeze=True):
        return derive_reminders(load_register_dates(session), reminder_policy(session),
                                today)


def stage_reminders(session: Session, today: date,
                    stages: tuple[str, ...]) -> list[list[DerivedReminder]]:
    """Each of ``stages``' reminders (``derive.STAGES``), the dates loaded once, only those
    the stages read: a part of the register's reminders that another process can derive
    beside the rest (``tracker reminders --json``)."""
    reads = frozenset().union(*(STAGE_READS[stage] for stage in stages))
    with gc_paused():
        data = load_register_dates(session, reads=reads)
        policy = reminder_policy(session)
        return [derive_stage(data, policy, today, stage) for stage in stages]


def reminders_by_provider(session: Session, today: date, provider_id: int | None = None, *,
                          chunk: int = 10_000) -> Iterator[DerivedReminder]:
    """Every reminder, ordered by provider then due date (reminders of no provider first),
    derived a range of providers at a time so a whole-register export holds one range's
    reminders in memory, not all ~450,000 of a large register's."""
    policy = reminder_policy(session)
    if provider_id is not None:
        ranges: list[ProviderRange] = [(provider_id, provider_id, False)]
    else:
        low, high = session.connection().exec_driver_sql(
            "SELECT coalesce(min(id), 0), coalesce(max(id), 0) FROM provider").one()
        ranges = [(first, first + chunk - 1, first == low)
                  for first in range(int(low), int(high) + 1, chunk)] or [(0, 0, True)]
    for providers in ranges:
        derived = derive_reminders(load_register_dates(session, providers), policy, today)
        derived.sort(key=lambda r: r.provider_id or 0)  # stable: due dates stay in order
        yield from derived


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
    written = date.today()  # a snooze is dated by the clock, whatever --today shows
    if until <= max(today, written):
        errors.append(FieldError("until", "snooze to a date after today "
                                          f"({max(today, written).isoformat()})"))
    elif problem := date_problem("until", until, written):
        errors.append(FieldError("until", problem))
    reason_text, problem = _reason(reason)
    if problem:
        errors.append(FieldError("reason", problem))
    elif reason_text is None:
        errors.append(FieldError("reason", "say why the reminder is snoozed"))
    if errors:
        raise ValidationFailed("reminder snooze", errors)
    reminder = find_reminder(current_reminders(session, today), ident)
    _mark(session, reminder, ReminderState.SNOOZED, until, reason_text, actor)
    return reminder


def _reason(text: str | None) -> tuple[str | None, str | None]:
    """A snooze reason or a completion note as every stored text is (clean_text: no control
    characters, plain line ends), and the problem that refuses it."""
    if text is None:
        return None, None
    try:
        return clean_text(text), None
    except ValueError as err:
        return None, str(err)


def complete_reminder(session: Session, *, ident: str, today: date, actor: str,
                      outcome: AssessmentOutcome | None = None, note: str | None = None,
                      override: str | None = None) -> str:
    """Mark a reminder done. A review reminder is done by recording the review itself (a
    due-diligence assessment dated today), which moves the next review date forward.
    ``today`` chooses which reminders are shown; what is written is dated by the clock."""
    note, problem = _reason(note)
    if problem:
        raise ValidationFailed("reminder completion", [FieldError("note", problem)])
    reminder = find_reminder(current_reminders(session, today), ident)
    if reminder.is_review:
        if outcome is None or outcome == AssessmentOutcome.PENDING:
            raise TrackerError("a review reminder is completed by recording the review: give "
                               "its outcome (--outcome approved, approved_with_conditions or "
                               "rejected)")
        from tracker.app import pipeline  # the write pipeline: only a review completes here

        assessment = pipeline.assessments.create(session=session, data={
            "provider_id": reminder.provider_id, "kind": AssessmentKind.DUE_DILIGENCE,
            "assessed_on": date.today(), "reviewer": actor, "outcome": outcome, "findings": note,
            "approval_override": override}, actor=actor)
        return f"recorded due-diligence review {assessment.id} ({outcome.label})"
    _mark(session, reminder, ReminderState.DONE, None, note, actor)
    return f"marked done: {reminder.kind.label} — {reminder.subject}"

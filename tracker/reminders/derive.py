"""Derive every reminder from the register's dates. Pure: the caller loads the dates and
passes today, so the rules are tested without a database or a clock.

Each reminder has a stable ``uid`` (what it is about: "agreement-12-expiry") and a ``key``
(the uid at one due date). Snoozes and completions are stored against the key, so when the
date moves — an agreement renewed, a review recorded — the old mark no longer applies.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import cache, lru_cache
from operator import attrgetter, countOf
from typing import Any, NamedTuple, cast

from tracker.domain import china, doj
from tracker.domain.cac_thresholds import (
    STRICTNESS,
    ExportCount,
    classify_export,
    mechanism_covers,
    volume_counts,
)
from tracker.domain.citations import Citation
from tracker.domain.dates import shift_days, shift_months
from tracker.domain.enums import (
    AgreementKind,
    AssessmentKind,
    AssessmentOutcome,
    ExportClass,
    ProviderStatus,
    ReminderKind,
    ReminderState,
    ReminderStatus,
    ReviewTriggerKind,
    RiskTier,
    TransferExemption,
    TransferMechanism,
)
from tracker.domain.text import agreement_subject
from tracker.gcpause import gc_paused
from tracker.reminders.workdays import CalendarUnknown, add_working_days

# CAC application guide (3rd ed., June 2025): extension requested within the 60 working days
# before the security-assessment result expires (有效期届满前60个工作日内).
CAC_EXTENSION_WINDOW_WORKING_DAYS = 60
# CAC Standard Contract Measures Art 7: file within 10 working days of taking effect.
STANDARD_CONTRACT_FILING_WORKING_DAYS = china.STANDARD_CONTRACT_FILING_WORKING_DAYS
# When China's calendar for the year is not known: remind this many calendar days ahead and
# say why (60 working days never span more than ~90 calendar days, holidays included).
UNKNOWN_CALENDAR_FALLBACK_DAYS = 100
COMPLETED_OUTCOMES = frozenset({AssessmentOutcome.APPROVED,
                                AssessmentOutcome.APPROVED_WITH_CONDITIONS,
                                AssessmentOutcome.REJECTED})
REVIEW_KINDS = frozenset({ReminderKind.PROVIDER_REVIEW, ReminderKind.REVIEW_TRIGGERED,
                          ReminderKind.VOLUME_CLASS})


# --- inputs -----------------------------------------------------------------------------
# NamedTuples, not dataclasses: a large register loads ~400,000 of them.

class ProviderDates(NamedTuple):
    id: int
    name: str
    risk_tier: RiskTier | None
    status: ProviderStatus
    archived: bool
    is_ciio: bool = False
    important_data: bool = False


class AgreementDates(NamedTuple):
    id: int
    provider_id: int
    kind: AgreementKind
    title: str | None
    expires_on: date | None
    notice_period_days: int | None
    auto_renewal: bool


class AssessmentDates(NamedTuple):
    id: int
    provider_id: int
    kind: AssessmentKind
    outcome: AssessmentOutcome
    assessed_on: date | None
    next_review_on: date | None
    retain_until: date | None


class EvidenceDates(NamedTuple):
    id: int
    provider_id: int
    kind: str
    location: str
    valid_until: date | None


class TransferDates(NamedTuple):
    id: int
    provider_id: int
    origin_country: str
    destination_country: str
    mechanism: TransferMechanism | None
    count_year: int | None
    people_non_sensitive: int
    people_sensitive: int
    effective_on: date | None
    filed_on: date | None
    filing_number: str | None
    filing_expires_on: date | None
    # issue 14 rules: what the volume counts (2024 Provisions Art 4-6; PIPL Art 28)
    exemption: TransferExemption | None = None
    on_negative_list: bool | None = None
    sensitive_data: bool = False


class TriggerDates(NamedTuple):
    id: int
    provider_id: int
    kind: ReviewTriggerKind
    occurred_on: date
    note: str | None
    reported_on: date | None = None  # issue 14 rules: DOJ 14-day reports


class UserReminderDates(NamedTuple):
    id: int
    provider_id: int | None
    title: str
    due_on: date
    notes: str | None


class QuestionnaireDates(NamedTuple):  # issue 15 questionnaires
    id: int
    provider_id: int
    sent_on: date
    due_on: date


class ActionMark(NamedTuple):
    """A stored snooze or completion of one reminder at one due date."""

    state: ReminderState
    until: date | None
    reason: str | None


class OrganisationDates(NamedTuple):
    """The company's own PI duties (settings): people whose PI it processes and the dates
    of its last compliance audit, of reaching 1 million people, of reporting its officer."""

    people: int
    audit_last_on: date | None = None
    million_reached_on: date | None = None
    officer_reported_on: date | None = None


@dataclass(slots=True)
class RegisterDates:
    providers: dict[int, ProviderDates] = field(default_factory=dict)
    agreements: list[AgreementDates] = field(default_factory=list)
    assessments: list[AssessmentDates] = field(default_factory=list)
    evidence: list[EvidenceDates] = field(default_factory=list)
    transfers: list[TransferDates] = field(default_factory=list)
    triggers: list[TriggerDates] = field(default_factory=list)
    user_reminders: list[UserReminderDates] = field(default_factory=list)
    actions: dict[str, ActionMark] = field(default_factory=dict)
    organisation: OrganisationDates | None = None
    # issue 15 questionnaires: sent and not answered yet
    questionnaires: list[QuestionnaireDates] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class ReminderPolicy:
    """The settings that shape reminders (cadence per tier, lead times)."""

    cadence_months: Mapping[RiskTier, int]
    lead_days: tuple[int, ...] = (90, 30, 7)

    @property
    def strictest_months(self) -> int:
        return min(self.cadence_months.values())


# --- output -----------------------------------------------------------------------------

def _given(source: Any) -> tuple[str, str, str]:
    """The texts of a reminder built with them already written (tests, ``reminder_of``)."""
    return cast(tuple[str, str, str], source)


TextRender = Callable[[Any], tuple[str, str, str]]


class DerivedReminder(NamedTuple):
    """A NamedTuple, not a frozen dataclass: a register derives ~450,000 of these and a
    tuple is built several times faster. Its three texts (subject, why, action) are built
    when read, from ``source`` by ``render``: a list, a count or a cache never pays for the
    ~900,000 f-strings of the reminders nobody looks at."""

    uid: str
    kind: ReminderKind
    due_on: date
    provider_id: int | None
    provider_name: str
    render: TextRender
    source: Any
    status: ReminderStatus = ReminderStatus.UPCOMING
    snoozed_until: date | None = None
    note: str | None = None
    entity: str | None = None
    entity_id: int | None = None

    @property
    def key(self) -> str:
        return f"{self.uid}@{self.due_on.isoformat()}"

    @property
    def texts(self) -> tuple[str, str, str]:
        """Subject, why and action, built once for a reader that shows all three."""
        return self.render(self.source)

    @property
    def subject(self) -> str:
        return self.render(self.source)[0]

    @property
    def why(self) -> str:
        return self.render(self.source)[1]

    @property
    def action(self) -> str:
        return self.render(self.source)[2]

    @property
    def article(self) -> str:
        """The article without DOMAIN.md's working mark of a secondary source: a reminder's
        text goes into calendars, JSON and workbooks, none of which may print "[check]"."""
        return _citation(self.kind).article

    @property
    def secondary_source(self) -> bool:
        return _citation(self.kind).secondary

    @property
    def is_review(self) -> bool:
        return self.kind in REVIEW_KINDS


@cache
def _citation(kind: ReminderKind) -> Citation:
    """One parse per kind, shared by every reminder of it (``article`` and
    ``secondary_source`` used to parse the citation on each read)."""
    return Citation.of(kind.article)


def reminder_of(uid: str, kind: ReminderKind, due_on: date, provider_id: int | None,
                provider_name: str, subject: str, why: str, action: str,
                **rest: Any) -> DerivedReminder:
    """A reminder with its texts already written (tests and stand-ins)."""
    return DerivedReminder(uid, kind, due_on, provider_id, provider_name, _given,
                           (subject, why, action), **rest)


def status_of(due_on: date, today: date, lead_days: tuple[int, ...],
              mark: ActionMark | None) -> tuple[ReminderStatus, date | None]:
    """Done and snoozed come from the user's mark; otherwise the date decides: overdue after
    the due date, due within the shortest lead time, upcoming before that."""
    return _status(due_on, today, shift_days(today, min(lead_days, default=0)), mark)


def _status(due_on: date, today: date, due_from: date,
            mark: ActionMark | None) -> tuple[ReminderStatus, date | None]:
    if mark is not None:
        if mark.state == ReminderState.DONE:
            return ReminderStatus.DONE, None
        if mark.state == ReminderState.SNOOZED and mark.until and mark.until > today:
            return ReminderStatus.SNOOZED, mark.until
    if due_on < today:
        return ReminderStatus.OVERDUE, None
    if due_on <= due_from:
        return ReminderStatus.DUE, None
    return ReminderStatus.UPCOMING, None


# --- derivation ---------------------------------------------------------------------------

_new = tuple.__new__  # builds a DerivedReminder without NamedTuple's Python-level __new__
_UPCOMING, _DUE, _OVERDUE = ReminderStatus.UPCOMING, ReminderStatus.DUE, ReminderStatus.OVERDUE


_Put = Callable[[DerivedReminder], None]


class _Days(dict[date, tuple[ReminderStatus, _Put]]):
    """Per due date: a reminder's status from that date alone (no mark stored) and the
    list its reminders go in, made when the date is first met. ~450,000 reminders fall on
    ~3,500 dates, so the date's status is decided once, and the reminders come out sorted
    by joining the lists in date order instead of sorting them all (stable: same-day
    reminders keep the order they were derived in)."""

    def __init__(self, today: date, due_from: date) -> None:
        super().__init__()
        self.today, self.due_from = today, due_from
        self.lists: dict[date, list[DerivedReminder]] = {}

    def __missing__(self, due_on: date) -> tuple[ReminderStatus, _Put]:
        reminders = self.lists[due_on] = []
        day = self[due_on] = (_OVERDUE if due_on < self.today else
                              _DUE if due_on <= self.due_from else _UPCOMING,
                              reminders.append)
        return day

    def in_date_order(self) -> list[DerivedReminder]:
        lists, out = self.lists, []
        for due_on in sorted(lists):
            out += lists[due_on]
        return out


class _Collector:
    """What every kind's derivation shares. Each reminder is one tuple built in C
    (``_new``) with no call per reminder: its status and its place in the order come from
    its due date (``_Days``), and the snoozes and completions, when any is stored, are
    applied in one pass at the end (``_apply_marks``)."""

    def __init__(self, data: RegisterDates, policy: ReminderPolicy, today: date) -> None:
        self.data, self.policy, self.today = data, policy, today
        self.due_from = shift_days(today, min(policy.lead_days, default=0))
        self.days = _Days(today, self.due_from)
        self.live = {p.id for p in data.providers.values()
                     if not p.archived and p.status != ProviderStatus.OFFBOARDED}
        self.names: dict[int | None, str] = {pid: p.name for pid, p in data.providers.items()}

    def name(self, provider_id: int | None) -> str:
        provider = self.data.providers.get(provider_id) if provider_id is not None else None
        return provider.name if provider else ""

    def add(self, uid: str, kind: ReminderKind, due_on: date, provider_id: int | None,
            render: TextRender, source: Any, note: str | None = None,
            entity: str | None = None, entity_id: int | None = None) -> None:
        """One reminder, for the kinds that make a handful (organisation, DOJ reports)."""
        status, put = self.days[due_on]
        put(_new(DerivedReminder, (uid, kind, due_on, provider_id,
                                   self.names.get(provider_id, ""), render, source, status,
                                   None, note, entity, entity_id)))

    def finish(self) -> list[DerivedReminder]:
        """Every reminder by due date, with the user's marks applied."""
        out = self.days.in_date_order()
        if self.data.actions:
            _apply_marks(out, self.data.actions, self.today, self.due_from)
        return out


def _apply_marks(out: list[DerivedReminder], actions: Mapping[str, ActionMark], today: date,
                 due_from: date) -> None:
    """Done and snoozed from the user's marks, each stored against a key (uid@due date):
    only the reminders whose uid has a mark build their key."""
    marked = {key.rpartition("@")[0] for key in actions}
    for i, reminder in enumerate(out):
        if reminder[0] not in marked:
            continue
        mark = actions.get(f"{reminder[0]}@{reminder[2].isoformat()}")
        if mark is not None:
            status, snoozed = _status(reminder[2], today, due_from, mark)
            out[i] = reminder._replace(status=status, snoozed_until=snoozed)


def derive_reminders(data: RegisterDates, policy: ReminderPolicy,
                     today: date) -> list[DerivedReminder]:
    """Every reminder the register's dates imply, sorted by due date."""
    with gc_paused():
        return _derive(data, policy, today)


def derive_duties(data: RegisterDates, policy: ReminderPolicy,
                  today: date) -> list[DerivedReminder]:
    """Only the reminders the gap rules read: each live provider's review (with the volume
    check that can bring it forward), the standard contract's filing and the DOJ's reports.
    The gaps of a whole register need ~100,000 of these, not all ~450,000 reminders."""
    with gc_paused():
        c = _Collector(data, policy, today)
        _review_reminders(c, _volume_reminders(c), triggers=False)
        _transfer_reminders(c, duties_only=True)
        _doj_report_reminders(c)
        return c.finish()


# A derivation's stages, in the order their reminders stand within a due date: each stage
# can be derived on its own (``derive_stage``) from the dates it reads, and the stages'
# lists, joined day by day in this order, are ``derive_reminders``'s (tracker.cli's
# ``--json`` derives "documents" in a second process).
STAGES = ("reviews", "documents", "duties")
STAGE_READS: dict[str, frozenset[str]] = {  # RegisterDates' fields (providers, actions: all)
    "reviews": frozenset({"assessments", "transfers", "triggers"}),
    "documents": frozenset({"agreements", "evidence"}),
    "duties": frozenset({"transfers", "assessments", "triggers", "organisation",
                         "user_reminders", "questionnaires"}),
}


def derive_stage(data: RegisterDates, policy: ReminderPolicy, today: date,
                 stage: str) -> list[DerivedReminder]:
    """One stage's reminders (``STAGES``), sorted by due date, the user's marks applied."""
    with gc_paused():
        c = _Collector(data, policy, today)
        _run_stage(c, stage)
        return c.finish()


def _derive(data: RegisterDates, policy: ReminderPolicy, today: date) -> list[DerivedReminder]:
    c = _Collector(data, policy, today)
    for stage in STAGES:
        _run_stage(c, stage)
    return c.finish()


def _run_stage(c: _Collector, stage: str) -> None:
    if stage == "reviews":
        _review_reminders(c, _volume_reminders(c))
    elif stage == "documents":
        _agreement_reminders(c)
        _evidence_reminders(c)
    elif stage == "duties":
        _transfer_reminders(c)
        _retention_reminders(c)
        _doj_report_reminders(c)
        _organisation_reminders(c)
        _questionnaire_reminders(c)
        days, names, user = c.days, c.names, ReminderKind.USER
        for r in c.data.user_reminders:
            status, put = days[r.due_on]
            put(_new(DerivedReminder, (f"user-{r.id}", user, r.due_on, r.provider_id,
                                       names.get(r.provider_id, ""), _user_text, r, status,
                                       None, None, "reminder", r.id)))
    else:
        raise ValueError(f"no stage {stage!r}; the stages are {', '.join(STAGES)}")


def _user_text(r: UserReminderDates) -> tuple[str, str, str]:
    return r.title, r.notes or "Written by a user", r.title


@lru_cache(maxsize=65536)
def plus_months(day: date, months: int) -> date:
    """Calendar months later, clamped to the month's end (31 Jan + 1 month = 28/29 Feb).
    Cached: a register's review dates repeat, and relativedelta is the slow part."""
    return shift_months(day, months)



_REVIEW, _REVIEW_ACTION = "Due-diligence review", "Record a due-diligence review"


def _review_pending(pending: AssessmentDates) -> tuple[str, str, str]:
    assert pending.next_review_on is not None
    return _REVIEW, (f"next review date {pending.next_review_on.isoformat()} set by the review "
                     + (f"of {pending.assessed_on.isoformat()}" if pending.assessed_on
                        else "with no date")
                     + ", whose outcome is not recorded"), _REVIEW_ACTION


def _review_undecided(review: AssessmentDates) -> tuple[str, str, str]:
    assert review.assessed_on is not None
    return _REVIEW, (f"the review of {review.assessed_on.isoformat()} has no recorded "
                     "outcome: until it is approved or rejected the provider counts as not "
                     "reviewed"), "record the review's outcome, or review the provider now"


def _review_never(_: None) -> tuple[str, str, str]:
    return _REVIEW, "never reviewed: a provider is reviewed before data is used", _REVIEW_ACTION


def _review_cadence(source: tuple[AssessmentDates, int, RiskTier | None]
                    ) -> tuple[str, str, str]:
    last, months, tier = source
    assert last.assessed_on is not None
    return _REVIEW, (f"last review {last.assessed_on.isoformat()} + {months} months "
                     f"({tier.label if tier else 'untiered'} risk)"), _REVIEW_ACTION


def _review_set_next(last: AssessmentDates) -> tuple[str, str, str]:
    assert last.assessed_on is not None
    return (_REVIEW, f"next review date set by the review of {last.assessed_on.isoformat()}",
            _REVIEW_ACTION)


def _review_volume(volume: _Volume) -> tuple[str, str, str]:
    return _REVIEW, f"transfer volume crossed a threshold: {_volume_why(volume)}", _REVIEW_ACTION


def _review_reminders(c: _Collector, volume_gaps: Mapping[int, _Volume], *,
                      triggers: bool = True) -> None:
    last_review: dict[int, AssessmentDates] = {}
    # A review with no recorded outcome still carries the date its author set for the next
    # one (an imported register's "Next review" column): an overdue review stays overdue
    # instead of reading "never reviewed, due today".
    set_next: dict[int, AssessmentDates] = {}
    # A dated review with no outcome and no next date (a register's "Last review" column,
    # or a review begun and never decided): not "never reviewed", which the register
    # contradicts, but an outcome owed now.
    undecided: dict[int, AssessmentDates] = {}
    due_diligence = AssessmentKind.DUE_DILIGENCE
    for assessment in c.data.assessments:
        if assessment.kind != due_diligence:
            continue
        if assessment.assessed_on and assessment.outcome in COMPLETED_OUTCOMES:
            held = last_review.get(assessment.provider_id)
            if held is None or (held.assessed_on or date.min) < assessment.assessed_on:
                last_review[assessment.provider_id] = assessment
        elif assessment.next_review_on:
            held = set_next.get(assessment.provider_id)
            if held is None or (held.assessed_on or date.min) <= (
                    assessment.assessed_on or date.min):
                set_next[assessment.provider_id] = assessment
        elif assessment.assessed_on and assessment.outcome not in COMPLETED_OUTCOMES:
            held = undecided.get(assessment.provider_id)
            if held is None or (held.assessed_on or date.min) < assessment.assessed_on:
                undecided[assessment.provider_id] = assessment
    today, live, days = c.today, c.live, c.days
    months_of: dict[RiskTier | None, int] = dict(c.policy.cadence_months.items())
    strictest = months_of[None] = c.policy.strictest_months
    untiered = f"no risk tier set: the strictest cadence ({strictest} months) applies"
    review = ReminderKind.PROVIDER_REVIEW
    for provider in c.data.providers.values():
        pid = provider.id
        if pid not in live:
            continue
        last = last_review.get(pid)
        tier = provider.risk_tier
        months = months_of[tier]
        render: TextRender
        source: Any
        if last is None or last.assessed_on is None:
            pending = set_next.get(pid)
            if pending is not None and pending.next_review_on is not None:
                due = min(today, pending.next_review_on)
                render, source = _review_pending, pending
            elif pid in undecided:
                due, render, source = today, _review_undecided, undecided[pid]
            else:
                due, render, source = today, _review_never, None
        else:
            due = plus_months(last.assessed_on, months)
            render, source = _review_cadence, (last, months, tier)
            if last.next_review_on and last.next_review_on < due:
                due, render, source = last.next_review_on, _review_set_next, last
        if due > today and pid in volume_gaps:
            due, render, source = today, _review_volume, volume_gaps[pid]
        status, put = days[due]
        put(_new(DerivedReminder, (f"review-{pid}", review, due, pid, provider.name, render,
                                   source, status, None, untiered if tier is None else None,
                                   "provider", pid)))
    if not triggers:
        return
    triggered = ReminderKind.REVIEW_TRIGGERED
    names = c.names
    for trigger in c.data.triggers:
        last = last_review.get(trigger.provider_id)
        if trigger.provider_id not in live:
            continue
        if last is not None and last.assessed_on and last.assessed_on >= trigger.occurred_on:
            continue  # a review after the event answers it
        status, put = days[trigger.occurred_on]
        put(_new(DerivedReminder, (
            f"trigger-{trigger.id}", triggered, trigger.occurred_on, trigger.provider_id,
            names.get(trigger.provider_id, ""), _trigger_text, trigger, status, None, None,
            "provider", trigger.provider_id)))


def _trigger_text(trigger: TriggerDates) -> tuple[str, str, str]:
    return (f"Review after: {trigger.kind.label}",
            f"{trigger.kind.label} on {trigger.occurred_on.isoformat()}"
            + (f": {trigger.note}" if trigger.note else "")
            + f" ({_trigger_article(trigger.kind)})", "Review the provider now")


@cache
def _trigger_article(kind: ReviewTriggerKind) -> str:
    return Citation.of(kind.article).article


def _agreement_subject(agreement: AgreementDates) -> str:
    return agreement_subject(agreement.kind.label, agreement.title)


def _renews(agreement: AgreementDates) -> str:
    return " It renews automatically unless notice is given." if agreement.auto_renewal else ""


def _expiry_text(agreement: AgreementDates) -> tuple[str, str, str]:
    assert agreement.expires_on is not None
    return (_agreement_subject(agreement),
            f"Expires {agreement.expires_on.isoformat()}.{_renews(agreement)}",
            "Renew, replace or stop using the data")


def _notice_text(agreement: AgreementDates) -> tuple[str, str, str]:
    assert agreement.expires_on is not None
    return (_agreement_subject(agreement),
            f"{agreement.notice_period_days} days' notice before expiry on "
            f"{agreement.expires_on.isoformat()}.{_renews(agreement)}",
            "Decide whether to renew or give notice")


def _agreement_reminders(c: _Collector) -> None:
    live, days, names = c.live, c.days, c.names
    expiry, notice = ReminderKind.AGREEMENT_EXPIRY, ReminderKind.AGREEMENT_NOTICE
    for agreement in c.data.agreements:
        expires_on, pid = agreement.expires_on, agreement.provider_id
        if expires_on is None or pid not in live:
            continue
        aid, name = agreement.id, names.get(pid, "")
        status, put = days[expires_on]
        put(_new(DerivedReminder, (f"agreement-{aid}-expiry", expiry, expires_on, pid, name,
                                   _expiry_text, agreement, status, None, None, "agreement",
                                   aid)))
        if agreement.notice_period_days:
            notice_by = shift_days(expires_on, -agreement.notice_period_days)
            status, put = days[notice_by]
            put(_new(DerivedReminder, (f"agreement-{aid}-notice", notice, notice_by, pid, name,
                                       _notice_text, agreement, status, None, None,
                                       "agreement", aid)))


def _questionnaire_text(q: QuestionnaireDates) -> tuple[str, str, str]:
    return (f"Questionnaire {q.id} sent {q.sent_on.isoformat()}",
            f"The supplier's answers are due on {q.due_on.isoformat()}",
            "Chase the supplier for the answers, then receive the returned workbook "
            "(tracker questionnaire receive FILE)")


def _questionnaire_reminders(c: _Collector) -> None:
    """A questionnaire sent and not answered: chase the supplier by its due date (overdue
    once it passes). Its answers open the review (GDPR Art 28(1): sufficient guarantees)."""
    live, days, names = c.live, c.days, c.names
    kind = ReminderKind.QUESTIONNAIRE_OVERDUE
    for q in c.data.questionnaires:
        if q.provider_id not in live:
            continue
        status, put = days[q.due_on]
        put(_new(DerivedReminder, (f"questionnaire-{q.id}-answers", kind, q.due_on,
                                   q.provider_id, names.get(q.provider_id, ""),
                                   _questionnaire_text, q, status, None, None, "questionnaire",
                                   q.id)))


def _evidence_text(item: EvidenceDates) -> tuple[str, str, str]:
    assert item.valid_until is not None
    return (f"{item.kind.replace('_', ' ')}: {item.location}",
            f"Valid until {item.valid_until.isoformat()}",
            "Obtain the renewed certificate or report")


def _evidence_reminders(c: _Collector) -> None:
    live, days, names, kind = c.live, c.days, c.names, ReminderKind.EVIDENCE_EXPIRY
    for item in c.data.evidence:
        valid_until, pid = item.valid_until, item.provider_id
        if valid_until is None or pid not in live:
            continue
        status, put = days[valid_until]
        put(_new(DerivedReminder, (f"evidence-{item.id}-valid", kind, valid_until, pid,
                                   names.get(pid, ""), _evidence_text, item, status, None, None,
                                   "evidence", item.id)))


def _route(transfer: TransferDates) -> str:
    return f"Transfer {transfer.origin_country}→{transfer.destination_country}"


def _filing_text(transfer: TransferDates) -> tuple[str, str, str]:
    expiry = transfer.filing_expires_on
    assert expiry is not None
    closes = (" The extension window closes then."
              if transfer.mechanism == TransferMechanism.CAC_SECURITY_ASSESSMENT else "")
    return (_route(transfer),
            f"Filing / approval {transfer.filing_number or ''} expires "
            f"{expiry.isoformat()}.{closes}".replace("  ", " "),
            "Renew the filing or stop the transfer")


def _sc_filing_text(transfer: TransferDates) -> tuple[str, str, str]:
    assert transfer.effective_on is not None
    return (_route(transfer),
            f"Took effect {transfer.effective_on.isoformat()}: file with the provincial "
            "CAC within 10 working days, with the PIPIA report",
            "File the standard contract and record the filing")


def _transfer_reminders(c: _Collector, *, duties_only: bool = False) -> None:
    """``duties_only``: the standard contract's filing alone (what the gap rules read)."""
    live, days, names = c.live, c.days, c.names
    filing, cac = ReminderKind.FILING_EXPIRY, TransferMechanism.CAC_SECURITY_ASSESSMENT
    window, sc_filing = ReminderKind.CAC_EXTENSION_WINDOW, ReminderKind.STANDARD_CONTRACT_FILING
    standard_contract = TransferMechanism.CN_STANDARD_CONTRACT
    # Working days counted once per date: a register's transfers share a few thousand dates.
    windows: dict[date, tuple[date, str | None]] = {}
    filings: dict[date, tuple[date, str | None]] = {}
    for transfer in c.data.transfers:
        pid = transfer.provider_id
        if pid not in live:
            continue
        tid, expiry, name = transfer.id, transfer.filing_expires_on, names.get(pid, "")
        if expiry is not None and not duties_only:
            if transfer.mechanism == cac:
                opens = windows.get(expiry)
                if opens is None:
                    opens = windows[expiry] = _extension_opens(expiry)
                status, put = days[opens[0]]
                put(_new(DerivedReminder, (f"transfer-{tid}-cac-extension", window, opens[0],
                                           pid, name, _cac_extension_text, transfer, status,
                                           None, opens[1], "transfer", tid)))
            status, put = days[expiry]
            put(_new(DerivedReminder, (f"transfer-{tid}-filing", filing, expiry, pid, name,
                                       _filing_text, transfer, status, None, None, "transfer",
                                       tid)))
        effective_on = transfer.effective_on
        if (transfer.mechanism == standard_contract and transfer.origin_country == "CN"
                and effective_on and transfer.filed_on is None):
            due = filings.get(effective_on)
            if due is None:
                due = filings[effective_on] = _filing_due(effective_on)
            status, put = days[due[0]]
            put(_new(DerivedReminder, (f"transfer-{tid}-sc-filing", sc_filing, due[0], pid,
                                       name, _sc_filing_text, transfer, status, None, due[1],
                                       "transfer", tid)))


def _filing_due(effective_on: date) -> tuple[date, str | None]:
    """The standard contract's filing deadline and, beyond China's known calendar, why it
    is counted in calendar days instead."""
    try:
        return add_working_days(effective_on, STANDARD_CONTRACT_FILING_WORKING_DAYS, "CN"), None
    except CalendarUnknown as err:
        return (shift_days(effective_on, STANDARD_CONTRACT_FILING_WORKING_DAYS),
                f"{err}; reminding 10 calendar days after it took effect instead")


def _cac_extension_text(transfer: TransferDates) -> tuple[str, str, str]:
    assert transfer.filing_expires_on is not None
    return (_route(transfer),
            f"The security-assessment result expires {transfer.filing_expires_on.isoformat()};"
            " an extension (3 more years) is requested within the 60 working days before, if "
            "purpose, scope and parties are unchanged and people grow by at most 20%",
            "Apply to the CAC for an extension")


def _extension_opens(expiry: date) -> tuple[date, str | None]:
    """When the security assessment's extension window opens and, beyond China's known
    calendar, why it is counted in calendar days instead."""
    try:
        return add_working_days(expiry, -CAC_EXTENSION_WINDOW_WORKING_DAYS, "CN"), None
    except CalendarUnknown as err:
        return (shift_days(expiry, -UNKNOWN_CALENDAR_FALLBACK_DAYS),
                f"{err}; reminding {UNKNOWN_CALENDAR_FALLBACK_DAYS} calendar days ahead "
                "instead of 60 working days")


def _retention_text(assessment: AssessmentDates) -> tuple[str, str, str]:
    assert assessment.retain_until is not None
    return (f"{assessment.kind.label} of {show_date(assessment.assessed_on)}",
            f"Kept until {assessment.retain_until.isoformat()}; nothing may be purged before",
            "Decide: keep longer or purge")


def _retention_reminders(c: _Collector) -> None:
    providers, days, names = c.data.providers, c.days, c.names
    kind = ReminderKind.RETENTION_END
    for a in c.data.assessments:
        retain_until, pid = a.retain_until, a.provider_id
        if retain_until is None or pid not in providers:
            continue
        status, put = days[retain_until]
        put(_new(DerivedReminder, (f"assessment-{a.id}-retention", kind, retain_until, pid,
                                   names.get(pid, ""), _retention_text, a, status, None, None,
                                   "assessment", a.id)))


class _Volume(NamedTuple):
    """What a volume reminder says, kept until it is shown."""

    non_sensitive: int
    sensitive: int
    provider: ProviderDates
    required: ExportClass
    recorded: tuple[TransferMechanism | None, ...]
    year: int


def _volume_why(v: _Volume) -> str:
    recorded = ", ".join(sorted({m.label for m in v.recorded if m})) or "none"
    return (f"{v.non_sensitive:,} people (non-sensitive PI) and {v.sensitive:,} (sensitive PI) "
            f"since 1 January {v.year}"
            + (", important data" if v.provider.important_data else "")
            + (", CIIO" if v.provider.is_ciio else "")
            + f": requires {v.required.label}; recorded: {recorded}")


def _volume_text(v: _Volume) -> tuple[str, str, str]:
    return (f"Outbound PI from China in {v.year}", _volume_why(v),
            f"Review the provider and put a {v.required.label} in place")


def _volume_reminders(c: _Collector) -> dict[int, _Volume]:
    """Per exporter (the provider whose export the transfers record), this year's people
    counted on transfers out of China, against the class the volume requires."""
    live, year = c.live, c.today.year
    # per exporter: [non-sensitive, sensitive, the mechanisms recorded], in first-seen order
    totals: dict[int, list[Any]] = {}
    for transfer in c.data.transfers:
        if transfer.origin_country != "CN" or transfer.provider_id not in live:
            continue
        non_sensitive, sensitive = volume_counts(
            transfer.count_year, transfer.people_non_sensitive, transfer.people_sensitive,
            year, exemption=transfer.exemption,
            on_negative_list=transfer.on_negative_list, sensitive_data=transfer.sensitive_data)
        held = totals.get(transfer.provider_id)
        if held is None:
            totals[transfer.provider_id] = [non_sensitive, sensitive, [transfer.mechanism]]
        else:
            held[0] += non_sensitive
            held[1] += sensitive
            held[2].append(transfer.mechanism)
    gaps: dict[int, _Volume] = {}
    providers, covering, today = c.data.providers, _covering(), c.today
    kind, (status, put) = ReminderKind.VOLUME_CLASS, c.days[today]
    for provider_id, (non_sensitive, sensitive, mechanisms) in totals.items():
        provider = providers[provider_id]
        required = classify_export(ExportCount(non_sensitive, sensitive, provider.is_ciio,
                                               provider.important_data))
        if not covering[required].isdisjoint(mechanisms):
            continue
        volume = _Volume(non_sensitive, sensitive, provider, required, tuple(mechanisms), year)
        gaps[provider_id] = volume
        put(_new(DerivedReminder, (f"volume-{provider_id}-{year}-{required.value}", kind,
                                   today, provider_id, provider.name, _volume_text, volume,
                                   status, None, None, "provider", provider_id)))
    return gaps


@cache
def _covering() -> dict[ExportClass, frozenset[TransferMechanism | None]]:
    """Per class a volume requires, the recorded mechanisms that are enough for it
    (``mechanism_covers``, asked once per pair instead of once per transfer)."""
    mechanisms: list[TransferMechanism | None] = [None, *TransferMechanism]
    return {required: frozenset(m for m in mechanisms if mechanism_covers(m, required))
            for required in ExportClass}


DOJ_REPORTED_EVENTS = frozenset({ReviewTriggerKind.DOJ_ONWARD_BREACH,
                                 ReviewTriggerKind.DOJ_REJECTED_OFFER})


def _doj_text(trigger: TriggerDates) -> tuple[str, str, str]:
    return (f"Report to the DOJ: {trigger.kind.label.lower()}",
            f"{trigger.kind.label} on {trigger.occurred_on.isoformat()}: report within "
            f"{doj.REPORT_DAYS} days", "Report to the DOJ and record the date reported")


def _doj_report_reminders(c: _Collector) -> None:
    """28 CFR 202.302: a known or suspected onward-brokerage breach, or a rejected
    prohibited offer, is reported within 14 days."""
    for trigger in c.data.triggers:
        if (trigger.kind not in DOJ_REPORTED_EVENTS or trigger.reported_on is not None
                or trigger.provider_id not in c.live):
            continue
        due = shift_days(trigger.occurred_on, doj.REPORT_DAYS)
        c.add(f"trigger-{trigger.id}-doj-report", ReminderKind.DOJ_REPORT, due,
              trigger.provider_id, _doj_text, trigger, None, "provider", trigger.provider_id)


NOW_SUFFIX = "-now"  # a duty with no known start date: due at once (tracker.checks.rules)


def _organisation_reminders(c: _Collector) -> None:
    """PI Protection Compliance Audit Measures: above 10 million people, an audit at least
    every 2 years; from 1 million people, the PI protection officer reported within 30
    working days (China's calendar). Two reminders at most: their texts are written now."""
    org = c.data.organisation
    if org is None:
        return
    audit = ("PI protection compliance audit", "",
             "Carry out the compliance audit and record its date")
    if org.people > china.COMPLIANCE_AUDIT_ABOVE_PEOPLE:
        if org.audit_last_on is None:
            c.add(f"pi-audit{NOW_SUFFIX}", ReminderKind.PI_COMPLIANCE_AUDIT, c.today, None,
                  _given, (audit[0], f"PI of {org.people:,} people (more than 10 million) and "
                           "no audit recorded", audit[2]), None, None, None)
        else:
            due = plus_months(org.audit_last_on, 12 * china.COMPLIANCE_AUDIT_EVERY_YEARS)
            c.add("pi-audit", ReminderKind.PI_COMPLIANCE_AUDIT, due, None, _given,
                  (audit[0], f"last audit {org.audit_last_on.isoformat()}; PI of "
                   f"{org.people:,} people (more than 10 million): at least every 2 years",
                   audit[2]), None, None, None)
    if org.people >= china.OFFICER_REPORT_FROM_PEOPLE and org.officer_reported_on is None:
        officer, report = "PI protection officer report", "Report the PI protection officer"
        if org.million_reached_on is None:
            c.add(f"pi-officer{NOW_SUFFIX}", ReminderKind.PI_OFFICER_REPORT, c.today, None,
                  _given, (officer, f"PI of {org.people:,} people (1 million or more); the "
                           "day it was reached is not recorded and no report is", report),
                  None, None, None)
            return
        note = None
        try:
            due = add_working_days(org.million_reached_on, china.OFFICER_REPORT_WORKING_DAYS,
                                   "CN")
        except CalendarUnknown as err:
            due = shift_days(org.million_reached_on, china.OFFICER_REPORT_WORKING_DAYS)
            note = f"{err}; reminding 30 calendar days after instead"
        c.add("pi-officer", ReminderKind.PI_OFFICER_REPORT, due, None, _given,
              (officer, f"1 million people reached on {org.million_reached_on.isoformat()}: "
               "report the PI protection officer within 30 working days", report), note,
              None, None)


def due_moves_with_today(reminder: DerivedReminder) -> bool:
    """Whether the reminder is due "today" whatever the day (never reviewed, a volume over
    its threshold, a review whose set date is still ahead): its due date moves with the
    day, so it never becomes overdue by the day passing (tracker.app.gaps.valid_until)."""
    return reminder.render in _MOVES_WITH_TODAY


_MOVES_WITH_TODAY = frozenset({_review_never, _review_undecided, _review_volume, _review_pending,
                               _volume_text})


def show_date(value: date | None) -> str:
    return value.isoformat() if value else "undated"


def visible(reminders: Iterable[DerivedReminder], today: date, within_days: int, *,
            include_closed: bool = False) -> list[DerivedReminder]:
    """What a list shows: everything due by ``today + within_days``, overdue first; snoozed
    and done only when asked."""
    horizon = shift_days(today, within_days)
    if include_closed:
        return [r for r in reminders if r.due_on <= horizon or r.status in _CLOSED]
    return [r for r in reminders if r.due_on <= horizon and r.status not in _CLOSED]


_CLOSED = frozenset({ReminderStatus.DONE, ReminderStatus.SNOOZED})


def overdue_count(reminders: Iterable[DerivedReminder]) -> int:
    """How many are overdue, counted in C (~340,000 shown at 100,000 providers)."""
    return countOf(map(attrgetter("status"), reminders), ReminderStatus.OVERDUE)


__all__ = ["derive_reminders", "derive_stage", "STAGES", "visible", "overdue_count", "status_of",
           "ReminderPolicy", "RegisterDates", "DerivedReminder", "ExportClass", "STRICTNESS"]

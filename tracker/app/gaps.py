"""Run the gap rules over the register: one query per table, grouped per provider.

The whole register is read as SQLAlchemy Core rows (typed values, no ORM objects: building
~400,000 of those was half the time) under a paused cyclic GC, and the rules get from the
reminders only what they read: each provider's review and its dated legal duties
(``derive_duties``), not every reminder. ``GapCache`` keeps each provider's gaps with the
date they stay true until, and follows the audit trail to recompute only the providers its
new events name.
"""

from __future__ import annotations

import json
from collections import namedtuple
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from functools import cache
from itertools import repeat
from operator import attrgetter, itemgetter
from typing import Any

from sqlalchemy import Date, DateTime, Table, bindparam, func, text
from sqlalchemy import select as core_select
from sqlmodel import Session, col, select

from tracker.app.queries import ProviderFile, audit_head, provider_file, settings_marker
from tracker.app.reminders import organisation_dates, reminder_policy
from tracker.checks.rules import (
    OVERDUE_DUTY_SEVERITY,
    Gap,
    ProviderRecords,
    organisation_gaps,
    provider_gaps,
)
from tracker.domain import china, doj
from tracker.domain.enums import AssessmentKind, AssessmentOutcome, ReminderKind, ReminderStatus
from tracker.domain.regimes import Organisation
from tracker.gcpause import gc_paused, keep_until_exit
from tracker.reminders.derive import (
    AssessmentDates,
    DerivedReminder,
    ProviderDates,
    RegisterDates,
    ReminderPolicy,
    TransferDates,
    TriggerDates,
    derive_duties,
    derive_reminders,
    due_moves_with_today,
    plus_months,
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
from tracker.store.rows import typed_rows
from tracker.store.settings import get_setting


def organisation(session: Session) -> Organisation:
    """The company's side of which laws apply (settings ``organisation_*``)."""
    return Organisation(str(get_setting(session, "organisation_name") or ""),
                        frozenset(get_setting(session, "organisation_established_in") or ()),
                        frozenset(get_setting(session, "organisation_markets") or ()))


def register_dates(records: Iterable[ProviderRecords]) -> RegisterDates:
    """The duties' inputs from the records the rules read, so both see one register: what
    ``derive_duties`` reads (providers, reviews, transfers, triggers). Agreements and
    evidence are left out (~150,000 tuples at 100,000 providers, read by no duty), as are
    snoozes and completions: snoozing a legal duty does not discharge it.

    The reviews' and triggers' fields are picked from the loaded rows by an ``itemgetter``
    and made into their tuples in C (``_picked``): ~150,000 of them at 100,000 providers."""
    dates = RegisterDates()
    providers, transfers = dates.providers, dates.transfers
    assessments: list[Any] = []
    triggers: list[Any] = []
    for r in records:
        p = r.provider
        providers[p.id] = _new(ProviderDates, (p.id, p.legal_name, p.risk_tier, p.status,
                                               p.archived_at is not None, p.is_ciio,
                                               p.handles_important_data))
        assessments += r.assessments
        if r.transfers:
            sensitive = {s.id for s in r.supplies
                         if s.contains_sensitive_pi or s.contains_minors_data}
            transfers += [_new(TransferDates, (
                t.id, t.provider_id, t.origin_country, t.destination_country, t.mechanism,
                t.count_year, t.people_non_sensitive, t.people_sensitive, t.effective_on,
                t.filed_on, t.filing_number, t.filing_expires_on, t.exemption,
                t.on_negative_list, t.supply_id in sensitive)) for t in r.transfers]
        if r.triggers:
            triggers += r.triggers
    dates.assessments = _picked(assessments, AssessmentDates)
    dates.triggers = _picked(triggers, TriggerDates)
    return dates


def _picked(rows: list[Any], kind: type[tuple[Any, ...]]) -> list[Any]:
    """``kind``'s fields of each loaded row (all of one row type), as ``kind`` tuples."""
    if not rows:
        return []
    types = set(map(type, rows))
    row_type = types.pop() if len(types) == 1 else object
    pick = _picker(row_type, kind._fields)  # type: ignore[attr-defined]
    return list(map(_new, repeat(kind), map(pick, rows)))


@cache
def _picker(row_type: Any, names: tuple[str, ...]) -> Callable[[Any], tuple[Any, ...]]:
    """The positions of ``names`` in a loaded row type (their columns' names); rows of any
    other kind (ORM rows, the tests' stand-ins, a mix) are read by attribute."""
    fields: tuple[str, ...] | None = getattr(row_type, "_fields", None)
    if fields is None or not set(names) <= set(fields):
        return attrgetter(*names)
    return itemgetter(*(fields.index(name) for name in names))


_new = tuple.__new__  # a named tuple from its fields in order, without its Python __new__


def attach_reminders(records: dict[int, ProviderRecords], policy: ReminderPolicy,
                     today: date) -> list[DerivedReminder]:
    """Give each provider its overdue review date and its overdue dated legal duties (the
    only reminders a rule reads: ``overdue-duty``). Returns the duties derived, whose dates
    ``valid_until`` needs."""
    duties = derive_duties(register_dates(records.values()), policy, today)
    for reminder in duties:
        if reminder.provider_id not in records or reminder.status != ReminderStatus.OVERDUE:
            continue
        held = records[reminder.provider_id]
        if reminder.kind == ReminderKind.PROVIDER_REVIEW:
            held.review_overdue_since = reminder.due_on
        if reminder.kind in OVERDUE_DUTY_SEVERITY:
            held.overdue_reminders.append(reminder)
    return duties


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


def register_gaps(session: Session, today: date, provider_id: int | None = None, *,
                  one_off: bool = False, id_range: ProviderSpan | None = None,
                  with_organisation: bool = True) -> list[Gap]:
    """``one_off``: the caller exits after using the gaps (``tracker check``), so the loaded
    records are left to the process's end (freeing ~1 M objects took ~0.3 s at 100k).
    ``id_range``: only the providers whose IDs are in it, and ``with_organisation``
    whether the company's own gaps come first: the parts of ``provider_halves`` give, one
    after the other, the whole register's gaps in its order."""
    if provider_id is not None:
        found = provider_file(session, provider_id)
        return [] if found is None or found.provider.archived_at else \
            file_gaps(session, found, today)
    company = organisation(session)
    with gc_paused():
        records = load_records(session, company, id_range=id_range)
        attach_reminders(records, reminder_policy(session), today)
        gaps = organisation_gaps(company, organisation_reminders(session, today),
                                 today) if with_organisation else []
        gaps += [gap for r in records.values() for gap in provider_gaps(r, today)]
        if one_off:
            keep_until_exit(records)
        return gaps


def provider_halves(session: Session, *, at_least: int = 2
                    ) -> tuple[ProviderSpan, ProviderSpan] | None:
    """Two ranges of provider IDs holding half the providers each (for computing the whole
    register's gaps in two processes), or None below ``at_least`` providers."""
    table = _table(Provider)
    count = session.execute(core_select(func.count()).select_from(table)).scalar_one()
    if count < max(2, at_least):
        return None
    middle = session.execute(core_select(table.c.id).order_by(table.c.id)
                             .offset(count // 2).limit(1)).scalar_one()
    return (None, middle), (middle, None)


# --- loading on Core rows ------------------------------------------------------------------

# Bookkeeping no rule reads; SQLite's datetimes are the slowest values to convert.
BOOKKEEPING = frozenset({"created_at", "updated_at", "version"})


def _table(model: Any) -> Table:
    table: Table = model.__table__
    return table


@cache
def _row_type(model: Any) -> tuple[type[tuple[Any, ...]], tuple[Any, ...]]:
    """A named tuple per table (what the rules read: attribute access in C, several times
    faster than a Core row's), and the columns it holds. The positions of its date columns
    are kept for ``valid_until``."""
    columns = tuple(c for c in _table(model).c if c.name not in BOOKKEEPING)
    kind = namedtuple(f"{_table(model).name}_row", [c.name for c in columns])  # type: ignore[misc]
    fields = DATE_FIELDS[kind] = tuple(i for i, c in enumerate(columns)
                                       if isinstance(c.type, Date | DateTime))
    # the date columns' values as one tuple, read in C ((i, i): itemgetter of one index
    # gives the value, not a tuple); a row with no date column gives none
    DATE_VALUES[kind] = itemgetter(*fields) if len(fields) > 1 else \
        itemgetter(*fields, *fields) if fields else _NO_DATES
    return kind, columns


def _NO_DATES(row: Any) -> tuple[()]:
    return ()


DATE_FIELDS: dict[type, tuple[int, ...]] = {}
DATE_VALUES: dict[type, Callable[[Any], tuple[Any, ...]]] = {}


def _core_rows(session: Session, model: Any, *where: Any, live: bool = True) -> list[Any]:
    """Rows of ``model`` with SQLAlchemy's typed values (enums, dates, booleans), held as
    named tuples (attribute access in C), in id order; ``live``: archived rows left out."""
    table = _table(model)
    kind, columns = _row_type(model)
    statement = core_select(*columns)
    if live and "archived_at" in table.c:
        statement = statement.where(table.c.archived_at.is_(None))
    return typed_rows(session, statement.where(*where).order_by(table.c.id), kind)


# provider IDs from the first (or the lowest) up to, not including, the second (or to the end)
ProviderSpan = tuple[int | None, int | None]


def load_records(session: Session, company: Organisation,
                 provider_ids: Collection[int] | None = None, *,
                 id_range: ProviderSpan | None = None) -> dict[int, ProviderRecords]:
    """The records the rules read, per live provider: the whole register, the providers in
    ``provider_ids``, or those whose IDs are in ``id_range`` (the same queries, filtered,
    so a provider's gaps are the same whether it is computed alone or with the register)."""
    def owned(column: Any) -> list[Any]:
        if provider_ids is not None:
            return [column.in_(sorted(provider_ids))]
        if id_range is not None:
            low, high = id_range
            return ([] if low is None else [column >= low]) + \
                ([] if high is None else [column < high])
        return []

    def of_owned(child: Any, parent: Any, owner: dict[int, int]) -> list[Any]:
        """A child table's rows (legal bases, clauses) of the owned parents' rows."""
        if provider_ids is not None:
            return [child.in_(sorted(owner))]
        if id_range is not None:
            return [child.in_(core_select(_table(parent).c.id).where(
                *owned(_table(parent).c.provider_id)))]
        return []

    t = _table(Provider)
    records = {p.id: ProviderRecords(provider=p, organisation=company)
               for p in _core_rows(session, Provider, *owned(t.c.id))}
    supply_owner: dict[int, int] = {}
    for s in _core_rows(session, Supply, *owned(_table(Supply).c.provider_id)):
        if s.provider_id in records:
            records[s.provider_id].supplies.append(s)
            supply_owner[s.id] = s.provider_id
    bases = _table(LegalBasis).c.supply_id
    for b in _core_rows(session, LegalBasis, *of_owned(bases, Supply, supply_owner)):
        owner = supply_owner.get(b.supply_id)
        if owner is not None:
            records[owner].legal_bases.setdefault(b.supply_id, []).append(b)
    agreement_owner: dict[int, int] = {}
    for a in _core_rows(session, Agreement, *owned(_table(Agreement).c.provider_id)):
        if a.provider_id in records:
            records[a.provider_id].agreements.append(a)
            agreement_owner[a.id] = a.provider_id
    clause_of = _table(AgreementClause).c.agreement_id
    clauses: dict[int, list[Any]] = {}
    for c in _core_rows(session, AgreementClause,
                        *of_owned(clause_of, Agreement, agreement_owner), live=False):
        clauses.setdefault(c.agreement_id, []).append(c)
    for agreement_id, owner in agreement_owner.items():
        records[owner].clauses[agreement_id] = clauses.get(agreement_id, [])
    for model, attribute in ((Transfer, "transfers"), (Assessment, "assessments"),
                             (Evidence, "evidence")):
        for row in _core_rows(session, model, *owned(_table(model).c.provider_id)):
            if row.provider_id in records:
                getattr(records[row.provider_id], attribute).append(row)
    answered = select(ChecklistAnswer.assessment_id).where(
        col(ChecklistAnswer.assessment_id) == col(Assessment.id)).exists()
    unrecorded = select(Assessment.id).where(
        col(Assessment.kind) == AssessmentKind.DUE_DILIGENCE,
        col(Assessment.outcome) != AssessmentOutcome.PENDING,
        col(Assessment.archived_at).is_(None), ~answered, *owned(col(Assessment.provider_id)))
    review_owner = {a.id: a.provider_id for r in records.values() for a in r.assessments}
    for assessment_id in session.exec(unrecorded).all():
        owner = review_owner.get(assessment_id)
        if owner is not None and assessment_id is not None:
            records[owner].unrecorded_checklists.add(int(assessment_id or 0))
    for trigger in _core_rows(session, ReviewTrigger,
                              *owned(_table(ReviewTrigger).c.provider_id), live=False):
        if trigger.provider_id in records:
            records[trigger.provider_id].triggers.append(trigger)
    return records


# --- how long a provider's gaps stay true ----------------------------------------------------

ONE_DAY = timedelta(days=1)
# A supply's covered dealing counts while it is within the last LOOKBACK_MONTHS (28 CFR
# 202): it drops out about that many months after its date. Month arithmetic clamps (31
# August + 12 months, 29 February), so every day within LOOKBACK_MARGIN of that end is a
# recheck: each one is a candidate, so a recheck that falls before the true end still
# leaves the later ones (a single early date would be passed and never looked at again).
LOOKBACK_MARGIN = 4
LOOKBACK_SPAN = timedelta(days=LOOKBACK_MARGIN)
FIXED_DATES = (china.CERTIFICATION_IN_FORCE,)


def _dates_in(row: Any) -> Iterable[date]:
    """The dates a row holds: its date columns' (a loaded row), or every value that is one."""
    fields = DATE_FIELDS.get(type(row))
    values = (row[i] for i in fields) if fields is not None else iter(row)
    for value in values:
        if isinstance(value, datetime):
            yield value.date()
        elif isinstance(value, date):
            yield value


def valid_until(r: ProviderRecords, duties: Iterable[DerivedReminder], today: date) -> date:
    """The first day after ``today`` on which one of the comparisons the rules make could
    come out otherwise: every date the provider's records and derived duties hold, and the
    day after it (``<`` against ``<=``), the end of a covered dealing's look-back, a new
    year (volumes count per calendar year) and the law's fixed dates. The gaps computed
    ``today`` hold on every day before it. Early is safe (a recomputation); late is not.

    Each date is compared as it is read, with no set of candidates: a date after today
    may be the answer, a date equal to today makes it tomorrow (the earliest there can
    be), an earlier date and the day after it are both past (~1.4 s of a cold 100,000-
    provider fill went to gathering the sets)."""
    tomorrow = today + ONE_DAY
    best = date(today.year + 1, 1, 1)
    for day in FIXED_DATES:
        if day == today:
            return tomorrow
        if today < day < best:
            best = day
    rows: list[Any] = [r.provider, *r.agreements, *r.transfers, *r.assessments, *r.evidence,
                       *r.triggers]
    rows += [b for bases in r.legal_bases.values() for b in bases]
    rows += [c for clauses in r.clauses.values() for c in clauses]
    for row in rows:
        values = DATE_VALUES.get(type(row))
        for day in (values(row) if values is not None else _dates_in(row)):
            if day is None:
                continue
            if isinstance(day, datetime):
                day = day.date()
            if day >= today:
                if day == today:
                    return tomorrow
                if day < best:
                    best = day
    for s in r.supplies:
        for day in _dates_in(s):  # a few per provider: the generator's cost is small here
            if day == today:
                return tomorrow
            if today < day < best:
                best = day
            end = plus_months(day, doj.LOOKBACK_MONTHS)
            # end-MARGIN .. end+MARGIN and the day after each: one run of days
            first, last = end - LOOKBACK_SPAN, end + LOOKBACK_SPAN + ONE_DAY
            if first > today:
                best = min(best, first)
            elif last > today:
                return tomorrow
    for duty in duties:
        day = duty.due_on
        if day >= today and not due_moves_with_today(duty):
            if day == today:
                return tomorrow
            if day < best:
                best = day
    return best


# --- the cache --------------------------------------------------------------------------

@dataclass(slots=True)
class _Held:
    gaps: list[Gap]
    valid_from: date
    valid_until: date


# Entities whose records the rules read, and how an event about one names its provider.
OWNED_BY_PROVIDER = frozenset({"supply", "agreement", "transfer", "assessment", "evidence",
                               "review_trigger"})
OWNED_BY_PARENT = {"legal_basis": ("supply_id", "supply"),
                   "agreement_clause": ("agreement_id", "agreement"),
                   "checklist_answer": ("assessment_id", "assessment")}
# Entities no rule reads: their events change no gap (user reminders, snoozes, the
# questionnaires themselves: their answers reach the register as audited record changes).
NO_GAPS = frozenset({"reminder", "reminder_action", "questionnaire", "questionnaire_response",
                     "ai_model"})
# More new events than this (an import, a restore): recompute the register instead.
INCREMENTAL_LIMIT = 2_000


@dataclass
class GapCache:
    """Each live provider's gaps with the days they hold (``valid_from`` to the day before
    ``valid_until``), kept against the audit trail's head. Every write through the
    application layer moves the head in its own transaction, so the events after the head
    this cache last saw are exactly the changes since; each names its record, and so its
    provider, whose gaps alone are recomputed. Settings (the organisation, the review
    cadence) are compared as stored, audited or not; anything the cache cannot place (a
    setting, an unknown entity, a trail that no longer continues the one it saw, hundreds
    of events) recomputes the whole register, as a first call does."""

    head: tuple[int, str] | None = None
    settings: tuple[Any, ...] | None = None
    providers: dict[int, _Held] = field(default_factory=dict)
    organisation: tuple[Any, list[Gap]] | None = None
    earliest_until: date = date.max
    latest_from: date = date.min
    listed: tuple[Any, list[Gap]] | None = None
    total: int = 0  # gaps held over every provider
    recomputed: int = 0  # providers recomputed by the last refresh (tests, benchmarks)

    def gaps(self, session: Session, today: date) -> list[Gap]:
        """The whole register's gaps, as ``register_gaps`` lists them (the same list while
        nothing changed)."""
        self.refresh(session, today)
        marker = (self.head, self.settings, today)
        if self.listed is None or self.listed[0] != marker:
            self.listed = (marker, self._organisation(session, today) + [
                gap for pid in sorted(self.providers) for gap in self.providers[pid].gaps])
        return self.listed[1]

    def count(self, session: Session, today: date) -> int:
        """How many gaps the register has: a sum over the cache."""
        self.refresh(session, today)
        return len(self._organisation(session, today)) + self.total

    def refresh(self, session: Session, today: date) -> None:
        head, settings = audit_head(session), settings_marker(session)
        if self.head is None or settings != self.settings or not _continues(
                session, self.head, head):
            self._cold(session, today, head, settings)
            return
        changed: set[int] = set()
        if head != self.head:
            named = changed_providers(session, self.head[0], head[0])
            if named is None:
                self._cold(session, today, head, settings)
                return
            changed = named
        if not self.latest_from <= today < self.earliest_until:
            changed |= {pid for pid, held in self.providers.items()
                        if not held.valid_from <= today < held.valid_until}
        self.recomputed = len(changed)
        if changed:
            self._recompute(session, today, changed)
        self.head = head

    def _cold(self, session: Session, today: date, head: tuple[int, str],
              settings: tuple[Any, ...]) -> None:
        self.providers, self.earliest_until, self.latest_from = {}, date.max, date.min
        self.listed = self.organisation = None
        self.head, self.settings, self.total = head, settings, 0
        # What the cache will hold (~400,000 gaps and their strings at 100,000 providers)
        # forms no cycles; left to the cyclic GC, each full collection would walk it all
        # again, during whichever later refresh it happens to fall in (~1 s here): frozen
        # out of collections once made (gc_paused collects what is garbage first).
        with gc_paused(freeze=True):
            self._recompute(session, today, None)
        self.recomputed = len(self.providers)

    def _recompute(self, session: Session, today: date, ids: Collection[int] | None) -> None:
        with gc_paused():
            records = load_records(session, organisation(session), ids)
            duties = attach_reminders(records, reminder_policy(session), today)
            by_provider: dict[int, list[DerivedReminder]] = {}
            for duty in duties:
                by_provider.setdefault(duty.provider_id or 0, []).append(duty)
            for pid in ids or ():
                gone = self.providers.pop(pid, None)  # archived or deleted: no gaps
                self.total -= len(gone.gaps) if gone is not None else 0
            for pid, r in records.items():
                until = valid_until(r, by_provider.get(pid, ()), today)
                held = self.providers[pid] = _Held(provider_gaps(r, today), today, until)
                self.total += len(held.gaps)
                self.earliest_until = min(self.earliest_until, until)
                self.latest_from = max(self.latest_from, today)
        self.listed = None

    def _organisation(self, session: Session, today: date) -> list[Gap]:
        """The company's own duties: cheap, kept per head and day (the people they count
        are summed over every supply, so any change may move them)."""
        marker = (self.head, self.settings, today)
        if self.organisation is None or self.organisation[0] != marker:
            self.organisation = (marker, organisation_gaps(
                organisation(session), organisation_reminders(session, today), today))
        return self.organisation[1]


def _continues(session: Session, seen: tuple[int, str], head: tuple[int, str]) -> bool:
    """Whether the trail still holds the event this cache last saw, as it saw it (a restored
    copy or another register behind the same URL does not)."""
    if head == seen:
        return True
    if head[0] < seen[0]:
        return False
    if seen[0] == 0:
        return True
    stored = session.execute(text("SELECT hash FROM audit_event WHERE id = :id"),
                             {"id": seen[0]}).scalar()
    return stored == seen[1]


def changed_providers(session: Session, after_id: int, up_to: int) -> set[int] | None:
    """The providers named by the audit events after ``after_id`` up to ``up_to``, or None
    when one of them cannot be placed (the whole register is then recomputed). A record's
    provider is read from the event (an insert or a delete holds the whole row, an update
    the fields it changed: a move names both providers) and from the record as it is now."""
    events = session.execute(text(
        "SELECT entity, entity_id, before, after FROM audit_event"
        " WHERE id > :after AND id <= :upto ORDER BY id"),
        {"after": after_id, "upto": up_to}).all()
    if len(events) > INCREMENTAL_LIMIT:
        return None
    providers: set[int] = set()
    for entity, entity_id, before, after in events:
        if entity in NO_GAPS:
            continue
        try:
            record_id = int(entity_id)
        except ValueError:
            return None
        if entity == "provider":
            providers.add(record_id)
            continue
        values = [v for v in (json.loads(t) for t in (before, after) if t)
                  if isinstance(v, dict)]
        if entity in OWNED_BY_PROVIDER:
            named = _named(values, "provider_id") | _column_of(session, entity, "provider_id",
                                                             {record_id})
        elif entity in OWNED_BY_PARENT:
            parent_column, parent = OWNED_BY_PARENT[entity]
            parents = _named(values, parent_column) | _column_of(session, entity,
                                                                 parent_column, {record_id})
            named = _column_of(session, parent, "provider_id", parents) if parents else set()
        else:
            return None  # a setting, or an entity this cache does not know
        if not named:
            return None  # gone, and its event does not say whose it was
        providers |= named
    return providers


def _named(values: list[dict[str, Any]], column: str) -> set[int]:
    return {int(v[column]) for v in values if v.get(column) is not None}


def _column_of(session: Session, table: str, column: str, ids: set[int]) -> set[int]:
    """``column`` of the rows of ``table`` with these ids (table and column come from the
    fixed maps above, never from input)."""
    rows = session.execute(text(f"SELECT {column} FROM {table} WHERE id IN :ids")
                           .bindparams(bindparam("ids", expanding=True)),
                           {"ids": sorted(ids)}).all()
    return {int(value) for value, in rows if value is not None}

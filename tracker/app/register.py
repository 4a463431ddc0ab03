"""The register as the screens and the command line see it: one object over an engine whose
methods are the use cases, each in its own short transaction, so no screen ever holds a
session (or a SQLite lock) open. What comes back is plain views (``tracker.app.views``,
dataclasses), never ORM rows."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, func, select
from sqlmodel import col

from tracker.app.queries import (
    ProviderFile,
    ProviderFilter,
    ProviderPage,
    audit_head,
    provider_file,
    provider_page,
    recent_events,
    register_counts,
    resolve_provider,
    settings_marker,
)
from tracker.domain.enums import AssessmentOutcome, ReviewTriggerKind
from tracker.domain.settings import SETTINGS, SettingError, parse_setting
from tracker.errors import TrackerError
from tracker.store import sqlite
from tracker.store.audit import current_actor
from tracker.store.engine import ensure_writable, read_only_reason, session_scope, where
from tracker.store.migrate import create_register, current_revision, open_register
from tracker.store.models import AuditEvent, Provider, Supply, Transfer
from tracker.store.settings import all_settings, get_setting, set_setting

if TYPE_CHECKING:  # the heavier use cases are imported by the methods that run them, so a
    # command such as `tracker check` loads only what it uses, and the terminal UI paints
    # its first page before the gaps, reminders (their holiday calendars) and index load
    from tracker.app.audit import TrailVerdict
    from tracker.app.dashboard import ProviderStanding
    from tracker.app.evidence import EvidenceAdded, EvidenceCheck
    from tracker.app.exports import ExportResult
    from tracker.app.gaps import GapCache, ProviderSpan
    from tracker.app.imports import ImportReport
    from tracker.app.provider_index import ProviderIndex
    from tracker.app.questionnaires import (
        CorrectionView,
        QuestionnaireView,
        ReceiveReport,
        ResponseLine,
        SentQuestionnaire,
    )
    from tracker.app.views import RecordView
    from tracker.checks.rules import Gap
    from tracker.reminders.derive import DerivedReminder, ReminderPolicy
    from tracker.sheets.values import DayOrder
    from tracker.store.anchors import Anchor
    from tracker.store.team import Access


@dataclass(frozen=True, slots=True)
class EventView:
    """One audit event as it is listed."""

    id: int
    at: Any
    actor: str
    action: str
    entity: str
    entity_id: str
    before: str | None
    after: str | None


def _event_view(event: AuditEvent) -> EventView:
    return EventView(int(event.id or 0), event.at, event.actor, str(event.action.value),
                     event.entity, event.entity_id, event.before, event.after)


@dataclass(frozen=True, slots=True)
class RegisterInfo:
    url: str
    kind: Any
    schema: str | None
    counts: dict[str, int]
    read_only: str | None = None


@dataclass(frozen=True, slots=True)
class SettingView:
    key: str
    value: Any
    help: str


@dataclass(frozen=True, slots=True)
class RegisterSummary:
    """The counts the dashboard shows."""

    providers_by_tier: dict[str, int]
    providers_by_status: dict[str, int]
    supplies_total: int
    supplies_with_pi: int
    supplies_with_sensitive_pi: int
    transfers_by_mechanism: dict[str, int]
    recent_changes: list[EventView]
    # issue 15 questionnaires: sent and not answered yet, and of those past their due date
    questionnaires_outstanding: int = 0
    questionnaires_overdue: int = 0


@dataclass(frozen=True, slots=True)
class WrittenReport:
    path: Path
    missing: int  # items the AI Act summary still lacks (0 for other reports)


class Register:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._access: Access | None = None  # issue 16 team
        self._reminder_cache: tuple[Any, list[DerivedReminder]] | None = None
        self._cache_lock = threading.Lock()

    @classmethod
    def open(cls, url: str, on_upgrade: Callable[[str], None] | None = None, *,
             read_only: bool = False) -> Register:
        """The register at ``url``, upgraded to the newest schema first; refused when there
        is none (``create``). Read-only when asked, or when it cannot be written."""
        return cls(open_register(url, on_upgrade=on_upgrade, read_only=read_only))

    @classmethod
    def new(cls, url: str) -> Register:
        """A new, empty register at ``url``; refused where anything already is."""
        return cls(create_register(url))

    def close(self) -> None:
        self.engine.dispose()

    @property
    def url(self) -> str:
        return self.engine.url.render_as_string(hide_password=True)

    @property
    def is_postgres(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    @property
    def location(self) -> str:
        """Where it is, as a person names it: its file, or its URL without the password."""
        return where(self.engine)

    @property
    def name(self) -> str:
        """What the title bar calls it: the file's name, or the PostgreSQL database's."""
        path = sqlite.database_path(str(self.engine.url))
        return path.name if path is not None else str(self.engine.url.database or self.url)

    @property
    def read_only(self) -> str | None:
        """Why this register may not be written (every write is then refused), or None."""
        return read_only_reason(self.engine)

    # issue 16 team
    def access(self) -> Access | None:
        """What this database login may do, as the PostgreSQL server says (None on SQLite:
        the file's permissions decide); asked once, the screens hide what it may not do."""
        from tracker.app.team import access_of

        if self._access is None and self.is_postgres:
            self._access = access_of(self.engine)
        return self._access

    @property
    def may_edit(self) -> bool:
        """Whether the screens offer changes: not read-only, and the login may write."""
        found = self.access()
        return self.read_only is None and (found is None or found.edit)

    @property
    def access_note(self) -> str | None:
        """Why the screens offer no changes to this login (None when they do)."""
        found = self.access()
        if self.read_only is not None or found is None or found.edit:
            return None
        return (f"read-only access: the database login {found.login} is a {found.role} "
                "of this register; PostgreSQL refuses its changes")

    def kind(self) -> str:
        """``demo`` for a demo register (its setting ``register_kind``), else ``live``."""
        return str(self.setting("register_kind"))

    # -- reads -----------------------------------------------------------------------
    @cached_property
    def provider_index(self) -> ProviderIndex:
        """The providers filter's in-memory index (tracker.app.provider_index), one per
        register, built on its first refresh."""
        from tracker.app.provider_index import ProviderIndex

        return ProviderIndex(self.engine)

    @cached_property
    def _gap_cache(self) -> GapCache:
        """Kept against the audit trail's head (tracker.app.gaps.GapCache); screens ask from
        worker threads, hence ``_cache_lock`` around every use."""
        from tracker.app.gaps import GapCache

        return GapCache()

    def provider_page(self, flt: ProviderFilter, *, offset: int = 0,
                      limit: int = 100) -> ProviderPage:
        with session_scope(self.engine, write=False) as session:
            return provider_page(session, flt, offset=offset, limit=limit)

    def provider_file(self, provider_id: int) -> ProviderFile | None:
        from tracker.app.views import file_view

        with session_scope(self.engine, write=False) as session:
            found = provider_file(session, provider_id)
            return None if found is None else file_view(found)

    def get(self, entity: str, record_id: int) -> RecordView:
        from tracker.app import pipeline
        from tracker.app.views import view_of

        with session_scope(self.engine, write=False) as session:
            return view_of(pipeline.SERVICES[entity].get(session=session,
                                                         record_id=record_id))

    def resolve_provider(self, text: str) -> RecordView:
        """A provider by id, or by a part of its name that matches exactly one."""
        from tracker.app.views import view_of

        with session_scope(self.engine, write=False) as session:
            return view_of(resolve_provider(session, text))

    def info(self) -> RegisterInfo:
        with session_scope(self.engine, write=False) as session:
            counts = register_counts(session)
            kind = get_setting(session, "register_kind")
        return RegisterInfo(self.url, kind, current_revision(self.engine), counts,
                            self.read_only)

    def audit_log(self, *, limit: int, entity: str | None = None,
                  entity_id: str | None = None) -> list[EventView]:
        with session_scope(self.engine, write=False) as session:
            return [_event_view(e) for e in recent_events(session, limit=limit, entity=entity,
                                                          entity_id=entity_id)]

    def verify_audit(self, anchor_file: Path | None = None, *,
                     backups: Path | None = None) -> TrailVerdict:
        """Check the chain and its head, replay the trail against the records, and check
        the anchors: the one in ``anchor_file`` if given, else those of this register in
        ``backups`` (default: the backups directory; see tracker.app.audit for why)."""
        from tracker.app.audit import anchors_for, backup_anchors, verify_trail
        from tracker.locations import backups_dir
        from tracker.store.settings import register_id

        with session_scope(self.engine, write=False) as session:
            here = register_id(session)
            if anchor_file is not None:
                anchors = anchors_for(here, anchor_file)
            elif (path := sqlite.database_path(str(self.engine.url))) is not None:
                anchors = backup_anchors(here, backups or backups_dir(), itself=path)
            else:  # PostgreSQL: its copies are pg_dump's, not in the backups directory
                anchors = []
            return verify_trail(session, anchors)

    def write_anchor(self, target: Path, *, force: bool = False) -> Anchor:
        """The trail's anchor (register, event count, newest hash, time) as a JSON file to
        keep somewhere the register's writers cannot reach."""
        from tracker.app.audit import write_anchor_file

        with session_scope(self.engine, write=False) as session:
            return write_anchor_file(session, target, force=force)

    def settings(self) -> list[SettingView]:
        with session_scope(self.engine, write=False) as session:
            return [SettingView(key, value, SETTINGS[key].help if key in SETTINGS
                                else "audit-trail name")
                    for key, value in all_settings(session).items()]

    def setting(self, key: str) -> Any:
        with session_scope(self.engine, write=False) as session:
            try:
                return get_setting(session, key)
            except SettingError as err:
                raise TrackerError(str(err)) from None

    def change_setting(self, key: str, text: str) -> Any:
        """Set a setting from its typed text (JSON or plain); audited."""
        try:
            value = parse_setting(key, text)
            with session_scope(self.engine) as session:
                return set_setting(session, key, value, actor=current_actor(session))
        except SettingError as err:
            raise TrackerError(str(err)) from None

    def reminder_policy(self) -> ReminderPolicy:
        from tracker.app.reminders import reminder_policy

        with session_scope(self.engine, write=False) as session:
            return reminder_policy(session)

    def backup(self, target: Path | None, *, force: bool = False) -> Path:
        """A consistent copy of a SQLite register (default: the backups directory), written
        atomically; an existing ``target`` is replaced only with ``force``."""
        from tracker.locations import default_backup_path
        from tracker.store.anchors import mark_copy

        path = sqlite.database_path(str(self.engine.url))
        if path is None:
            raise TrackerError("backup copies a SQLite register; for PostgreSQL use pg_dump")
        chosen = target or default_backup_path(path)
        # the copy gets its own identity and keeps this register's audit anchor, naming
        # this file (tracker.app.audit: what a backup found in the backups directory proves)
        sqlite.backup(self.engine, chosen, force=force,
                      prepare=lambda copy: mark_copy(copy, origin=path))
        return chosen

    def verify_evidence(self) -> list[EvidenceCheck]:
        from tracker.app.evidence import verify_evidence

        with session_scope(self.engine, write=False) as session:
            return verify_evidence(session, self.evidence_base())

    def evidence_base(self) -> Path | None:
        """The folder evidence locations are relative to: the register file's."""
        path = sqlite.database_path(str(self.engine.url))
        return path.parent if path else None

    def add_evidence(self, provider: str, path: Path, texts: Mapping[str, str], *,
                     links: Mapping[str, int | None], accept_change: bool = False
                     ) -> EvidenceAdded:
        """Hash ``path`` and record it as evidence of ``provider`` (id or name), or re-hash
        the evidence already recorded for that file (tracker.app.evidence.add_evidence).
        ``texts`` are typed values (kind, supports, valid_until) read as on every door."""

        from tracker.app.evidence import add_evidence
        from tracker.app.values import parse_field_values

        values: dict[str, Any] = parse_field_values(
            "evidence", {k: v for k, v in texts.items() if v is not None})
        values.update({k: v for k, v in links.items() if v is not None})
        with session_scope(self.engine) as session:
            found = resolve_provider(session, provider)
            return add_evidence(session, provider=found, path=path.expanduser(),
                                base=self.evidence_base(), values=values,
                                accept_change=accept_change, actor=current_actor(session))

    def import_file(self, path: Path, *, profile: str | None, order: DayOrder,
                    dry_run: bool, save_as: str | None = None,
                    columns: dict[str, str | None] | None = None) -> ImportReport:
        """``columns``: header text -> field (or None to leave it out), as the person chose
        it in the import screen, over the profile's or the automatic mapping."""
        from tracker.app.imports import run_import, with_columns
        from tracker.sheets.mapping import load_profile, refuse_to_replace

        ensure_writable(self.engine)
        if save_as:
            refuse_to_replace(save_as, profile)  # now, not after reading the whole file (even a dry
        # run checks its rows by writing them in a transaction it rolls back)
        chosen = load_profile(profile) if profile else None
        if columns:
            chosen = with_columns(chosen, columns)
        return run_import(self.engine, path, profile=chosen, order=order, dry_run=dry_run,
                          save_as=save_as)

    @staticmethod
    def import_choices() -> list[tuple[str, str]]:
        """The fields a column can be mapped to, as (label, field), for a select."""
        from tracker.app.imports import mapping_choices

        return mapping_choices()

    def export(self, path: Path, *, provider_id: int | None = None, as_csv: bool = False,
               today: date | None = None, force: bool = False) -> ExportResult:
        """Written atomically; an existing ``path`` is replaced only with ``force``."""
        from tracker.app.exports import run_export

        return run_export(self.engine, path, provider_id=provider_id, as_csv=as_csv,
                          today=today, force=force)

    def summary(self, *, recent: int = 8, today: date | None = None) -> RegisterSummary:
        from tracker.app.questionnaires import outstanding_counts

        with session_scope(self.engine, write=False) as session:
            outstanding, overdue = outstanding_counts(session, today or date.today())
            live = col(Provider.archived_at).is_(None)
            tiers = Counter({str(t.value) if t else "unset": int(n) for t, n in session.execute(
                select(col(Provider.risk_tier), func.count()).where(live)
                .group_by(col(Provider.risk_tier))).all()})
            statuses = Counter({str(s.value): int(n) for s, n in session.execute(
                select(col(Provider.status), func.count()).where(live)
                .group_by(col(Provider.status))).all()})
            supply_live = col(Supply.archived_at).is_(None)
            total = session.scalar(select(func.count()).select_from(Supply)
                                   .where(supply_live)) or 0
            with_pi = session.scalar(select(func.count()).select_from(Supply)
                                     .where(supply_live, col(Supply.contains_pi))) or 0
            sensitive = session.scalar(select(func.count()).select_from(Supply).where(
                supply_live, col(Supply.contains_sensitive_pi))) or 0
            mechanisms = Counter({
                str(m.value) if m else (str(e.value) if e else "none"): int(n)
                for m, e, n in session.execute(
                    select(col(Transfer.mechanism), col(Transfer.exemption), func.count())
                    .where(col(Transfer.archived_at).is_(None))
                    .group_by(col(Transfer.mechanism), col(Transfer.exemption))).all()})
            events = [_event_view(e) for e in session.scalars(
                select(AuditEvent).order_by(col(AuditEvent.id).desc()).limit(recent)).all()]
        return RegisterSummary(dict(tiers), dict(statuses), int(total), int(with_pi),
                               int(sensitive), dict(mechanisms), events, outstanding, overdue)

    def reminders(self, today: date) -> list[DerivedReminder]:
        """Every reminder, kept until the audit trail's head, a stored setting or the day
        moves: every write through the application layer (records, snoozes, completions,
        settings, imports, restores) moves the head, so a repeat with nothing changed costs
        two small reads. A new list each time: callers may sort or filter it."""
        from tracker.app.reminders import current_reminders

        with self._cache_lock, session_scope(self.engine, write=False) as session:
            marker = (audit_head(session), settings_marker(session), today)
            if self._reminder_cache is None or self._reminder_cache[0] != marker:
                self._reminder_cache = None  # the old list goes before the new one is built
                self._reminder_cache = (marker, current_reminders(session, today))
            return list(self._reminder_cache[1])

    def reminder_stages(self, today: date,
                        stages: tuple[str, ...]) -> list[list[DerivedReminder]]:
        """Each of ``stages``' reminders (``tracker.reminders.derive.STAGES``), derived
        afresh from only the records they read: joined day by day in the stages' order they
        are ``reminders(today)``, so two processes can each derive a part."""
        from tracker.app.reminders import stage_reminders

        with session_scope(self.engine, write=False) as session:
            return stage_reminders(session, today, stages)

    def gaps(self, today: date, provider_id: int | None = None, *, keep: bool = True,
             part: ProviderSpan | None = None, with_organisation: bool = True) -> list[Gap]:
        """Gaps of one provider, or of the whole register. The whole register's come from
        a per-provider cache that follows the audit trail (tracker.app.gaps.GapCache):
        after one change only that change's provider is recomputed. ``keep=False``: a
        one-off answer (a command that exits after it), computed without the cache's
        bookkeeping, its records left to the process's end (``gcpause.keep_until_exit``);
        the same gaps. ``part`` (one of ``provider_halves``, with ``keep=False``): only its
        providers' gaps, and the company's own only ``with_organisation``."""
        from tracker.app.gaps import register_gaps

        with session_scope(self.engine, write=False) as session:
            if provider_id is not None or not keep:
                return register_gaps(session, today, provider_id, one_off=not keep,
                                     id_range=part, with_organisation=with_organisation)
            with self._cache_lock:
                return self._gap_cache.gaps(session, today)

    def provider_halves(self, *, at_least: int = 2
                        ) -> tuple[ProviderSpan, ProviderSpan] | None:
        """Two parts of the register holding half its providers each, in ID order: their
        ``gaps(part=...)``, one after the other, are the whole register's. None below
        ``at_least`` providers."""
        from tracker.app.gaps import provider_halves

        with session_scope(self.engine, write=False) as session:
            return provider_halves(session, at_least=at_least)

    def forked(self) -> None:
        """In a forked child: the parent's pooled connections are left to it (SQLAlchemy's
        ``dispose(close=False)``); the child's queries open connections of its own."""
        self.engine.dispose(close=False)

    def gap_count(self, today: date) -> int:
        """How many gaps the whole register has: a sum over the cache."""
        with self._cache_lock, session_scope(self.engine, write=False) as session:
            return self._gap_cache.count(session, today)

    def standings(self, today: date) -> dict[int, ProviderStanding]:
        """Each provider's open gaps by severity and next review (tracker.app.dashboard),
        for the providers table's Gaps and Next review columns."""
        from tracker.app.dashboard import standings

        return standings(self.gaps(today), self.reminders(today))

    def write_report(self, kind: str, out: Path, today: date,
                     provider_id: int | None = None, *, force: bool = False,
                     model: str | None = None, format: str | None = None) -> Path:
        """Write one report (ropa, ai-act-summary, cac-explanation, dossier) to ``out``,
        atomically; an existing ``out`` is replaced only with ``force``. ``model`` chooses
        the AI model an ai-act-summary covers (default: every model recorded); ``format``
        (md, html, xlsx, json) overrides ``out``'s extension. A report names the register
        by its name, never by where it lies on this machine."""
        return self.report(kind, out, today, provider_id, force=force, model=model,
                           format=format).path

    def report(self, kind: str, out: Path, today: date, provider_id: int | None = None, *,
               force: bool = False, model: str | None = None,
               format: str | None = None) -> WrittenReport:
        from tracker.app import reports as builders
        from tracker.reports.ai_act import missing_count
        from tracker.reports.document import write

        with session_scope(self.engine, write=False) as session:
            if kind == "dossier":
                assert provider_id is not None
                doc = builders.dossier(session, register=self.name, today=today,
                                       provider_id=provider_id)
            elif kind == "ai-act-summary":
                doc = builders.ai_act_summary(session, register=self.name, today=today,
                                              model=model, base=self.evidence_base())
            else:
                build = {"ropa": builders.ropa,
                         "cac-explanation": builders.cac_explanation}[kind]
                doc = build(session, register=self.name, today=today)
        write(doc, out, force=force, format=format)
        return WrittenReport(out, missing_count(doc) if kind == "ai-act-summary" else 0)

    def write_calendar(self, target: Path, today: date, *, include_snoozed: bool = False,
                       force: bool = False) -> int:
        """Write the reminders as an iCalendar file, atomically; an existing ``target`` is
        replaced only with ``force``. Returns how many reminders it holds."""
        from tracker.domain.enums import ReminderStatus
        from tracker.files import write_bytes
        from tracker.reminders.ics import reminders_calendar

        chosen = [r for r in self.reminders(today)
                  if include_snoozed or r.status != ReminderStatus.SNOOZED]
        calendar = reminders_calendar(chosen, lead_days=self.reminder_policy().lead_days,
                                      register_name=self.name)  # a name, never a path
        write_bytes(target, calendar, force=force)
        return len(chosen)

    def actor(self) -> str:
        with session_scope(self.engine, write=False) as session:
            return current_actor(session)

    # -- writes ----------------------------------------------------------------------
    def snooze(self, ident: str, *, until: date, reason: str, today: date) -> DerivedReminder:
        from tracker.app.reminders import snooze_reminder

        with session_scope(self.engine) as session:
            return snooze_reminder(session, ident=ident, until=until, reason=reason,
                                   today=today, actor=current_actor(session))

    def complete(self, ident: str, *, today: date, note: str | None = None,
                 outcome: AssessmentOutcome | None = None, override: str | None = None) -> str:
        from tracker.app.reminders import complete_reminder

        with session_scope(self.engine) as session:
            return complete_reminder(session, ident=ident, today=today,
                                     actor=current_actor(session), note=note, outcome=outcome,
                                     override=override)

    def record_trigger(self, provider: str, kind: ReviewTriggerKind, *, occurred_on: date,
                       note: str | None) -> RecordView:
        """Record an event that makes the provider's review due at once."""
        from tracker.app import pipeline
        from tracker.app.views import view_of

        with session_scope(self.engine) as session:
            found = resolve_provider(session, provider)
            row = pipeline.review_triggers.create(session=session, data={
                "provider_id": found.id, "kind": kind, "occurred_on": occurred_on,
                "note": note}, actor=current_actor(session))
            return view_of(row)

    def create(self, entity: str, values: Mapping[str, Any]) -> RecordView:
        """Through the pipeline; an evidence whose location is a local file gets its SHA-256
        and size from the file, computed here (never typed: tracker.app.evidence)."""
        from tracker.app import pipeline
        from tracker.app.evidence import hashed_from_form
        from tracker.app.views import view_of

        with session_scope(self.engine) as session:
            if entity == "evidence":
                hashed, at = hashed_from_form(values, self.evidence_base())
                return view_of(pipeline.evidence.create(
                    session=session, data=hashed, actor=current_actor(session),
                    hashed_on=at))
            return view_of(pipeline.SERVICES[entity].create(
                session=session, data=values, actor=current_actor(session)))

    def create_from_text(self, entity: str, texts: Mapping[str, str]) -> RecordView:
        """Create a record from typed text (the command line): each value is read as its
        field's kind is read from a spreadsheet cell (dates, yes/no, countries, enum labels),
        then goes through the same pipeline as the form."""
        from tracker.app.values import parse_field_values

        return self.create(entity, parse_field_values(entity, texts))

    def update_from_text(self, entity: str, record_id: int,
                         texts: Mapping[str, str]) -> RecordView:
        from tracker.app.values import parse_field_values

        current = self.get(entity, record_id)
        return self.update(entity, record_id, parse_field_values(entity, texts),
                           expected_version=int(current.version))

    def update(self, entity: str, record_id: int, changes: Mapping[str, Any], *,
               expected_version: int) -> RecordView:
        from tracker.app import pipeline
        from tracker.app.evidence import hashed_from_form
        from tracker.app.views import view_of

        with session_scope(self.engine) as session:
            if entity == "evidence":  # a new location is hashed from its file
                stored = pipeline.evidence.get(session=session, record_id=record_id)
                hashed, at = hashed_from_form(changes, self.evidence_base(), {
                    "location": stored.location, "sha256": stored.sha256})
                return view_of(pipeline.evidence.update(
                    session=session, record_id=record_id, changes=hashed,
                    expected_version=expected_version, actor=current_actor(session),
                    hashed_on=at))
            return view_of(pipeline.SERVICES[entity].update(
                session=session, record_id=record_id, changes=changes,
                expected_version=expected_version, actor=current_actor(session)))

    def archive(self, entity: str, record_id: int, *, expected_version: int) -> RecordView:
        from tracker.app import pipeline
        from tracker.app.views import view_of

        with session_scope(self.engine) as session:
            return view_of(pipeline.SERVICES[entity].archive(
                session=session, record_id=record_id, expected_version=expected_version,
                actor=current_actor(session)))

    def restore(self, entity: str, record_id: int, *, expected_version: int) -> RecordView:
        from tracker.app import pipeline
        from tracker.app.views import view_of

        with session_scope(self.engine) as session:
            return view_of(pipeline.SERVICES[entity].restore(
                session=session, record_id=record_id, expected_version=expected_version,
                actor=current_actor(session)))

    # -- issue 15 questionnaires -------------------------------------------------------------
    def send_questionnaire(self, provider: str, out: Path, *, language: str = "both",
                           due_on: date | None = None, today: date | None = None,
                           force: bool = False) -> SentQuestionnaire:
        """Record a questionnaire for the provider, sent ``today`` (the clock's by default),
        and write its workbook (atomically)."""
        from tracker.app.questionnaires import send_questionnaire

        return send_questionnaire(self.engine, provider, out, language=language,
                                  due_on=due_on, today=today, force=force)

    def receive_questionnaire(self, path: Path, *, dry_run: bool,
                              today: date | None = None) -> ReceiveReport:
        """Check a returned questionnaire and, unless a dry run or it has problems, apply
        its answers to the provider's pending review (tracker.app.questionnaires)."""
        from tracker.app.questionnaires import receive_questionnaire

        return receive_questionnaire(self.engine, path, dry_run=dry_run, today=today)

    def questionnaires(self, today: date,
                       provider: str | None = None) -> list[QuestionnaireView]:
        from tracker.app.questionnaires import list_questionnaires

        return list_questionnaires(self.engine, today, provider)

    def provider_questionnaires(self, provider_id: int,
                                today: date) -> list[QuestionnaireView]:
        from tracker.app.questionnaires import questionnaire_views

        with session_scope(self.engine, write=False) as session:
            return questionnaire_views(session, today, provider_id)

    def questionnaire_answers(self, provider_id: int) -> list[ResponseLine]:
        from tracker.app.questionnaires import response_lines

        with session_scope(self.engine, write=False) as session:
            return response_lines(session, provider_id)

    def corrections(self, provider: str | None = None, *,
                    include_decided: bool = False) -> list[CorrectionView]:
        from tracker.app.questionnaires import list_corrections

        return list_corrections(self.engine, provider=provider,
                                include_decided=include_decided)

    def decide_correction(self, response_id: int, *, accept: bool,
                          today: date | None = None) -> CorrectionView:
        from tracker.app.questionnaires import decide_correction

        return decide_correction(self.engine, response_id, accept=accept, today=today)

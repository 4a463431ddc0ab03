"""The register as the UI sees it: one object over an engine whose methods each run in
their own short transaction, so no screen ever holds a session (or a SQLite lock) open."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, select
from sqlmodel import SQLModel, col

from tracker.app import pipeline
from tracker.app.gaps import register_gaps
from tracker.app.queries import (
    ProviderFile,
    ProviderFilter,
    ProviderPage,
    provider_file,
    provider_page,
)
from tracker.app.reminders import complete_reminder, current_reminders, snooze_reminder
from tracker.checks.rules import Gap
from tracker.reminders.derive import DerivedReminder
from tracker.store.audit import current_actor
from tracker.store.engine import session_scope
from tracker.store.models import AuditEvent, AuditHead, Provider, Supply, Transfer


@dataclass(frozen=True, slots=True)
class RegisterSummary:
    """The counts the dashboard shows."""

    providers_by_tier: dict[str, int]
    providers_by_status: dict[str, int]
    supplies_total: int
    supplies_with_pi: int
    supplies_with_sensitive_pi: int
    transfers_by_mechanism: dict[str, int]
    recent_changes: list[AuditEvent]


class Register:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._gap_cache: tuple[tuple[str, date], list[Gap]] | None = None

    # -- reads -----------------------------------------------------------------------
    def provider_page(self, flt: ProviderFilter, *, offset: int = 0,
                      limit: int = 100) -> ProviderPage:
        with session_scope(self.engine, write=False) as session:
            return provider_page(session, flt, offset=offset, limit=limit)

    def provider_file(self, provider_id: int) -> ProviderFile | None:
        with session_scope(self.engine, write=False) as session:
            return provider_file(session, provider_id)

    def get(self, entity: str, record_id: int) -> SQLModel:
        with session_scope(self.engine, write=False) as session:
            row: SQLModel = pipeline.SERVICES[entity].get(session=session, record_id=record_id)
        return row

    def summary(self, *, recent: int = 8) -> RegisterSummary:
        with session_scope(self.engine, write=False) as session:
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
            events = list(session.scalars(select(AuditEvent)
                                          .order_by(col(AuditEvent.id).desc())
                                          .limit(recent)).all())
        return RegisterSummary(dict(tiers), dict(statuses), int(total), int(with_pi),
                               int(sensitive), dict(mechanisms), events)

    def reminders(self, today: date) -> list[DerivedReminder]:
        with session_scope(self.engine, write=False) as session:
            return current_reminders(session, today)

    def gaps(self, today: date, provider_id: int | None = None) -> list[Gap]:
        """Gaps of one provider, or of the whole register. The whole register's are kept
        until the audit trail moves (every change moves it): the dashboard asks on every
        visit, and at 100,000 providers recomputing takes ~14 s."""
        with session_scope(self.engine, write=False) as session:
            if provider_id is not None:
                return register_gaps(session, today, provider_id)
            head = session.get(AuditHead, 1)
            marker = (head.last_hash if head else "", today)
            if self._gap_cache is None or self._gap_cache[0] != marker:
                self._gap_cache = (marker, register_gaps(session, today))
            return self._gap_cache[1]

    def write_report(self, kind: str, out: Path, today: date,
                     provider_id: int | None = None) -> Path:
        """Write one report (ropa, ai-act-summary, cac-explanation, dossier) to ``out``."""
        from tracker.app import reports as builders
        from tracker.reports.document import write

        register = self.engine.url.render_as_string(hide_password=True)
        with session_scope(self.engine, write=False) as session:
            if kind == "dossier":
                assert provider_id is not None
                doc = builders.dossier(session, register=register, today=today,
                                       provider_id=provider_id)
            else:
                build = {"ropa": builders.ropa, "ai-act-summary": builders.ai_act_summary,
                         "cac-explanation": builders.cac_explanation}[kind]
                doc = build(session, register=register, today=today)
        out.parent.mkdir(parents=True, exist_ok=True)
        write(doc, out)
        return out

    def actor(self) -> str:
        with session_scope(self.engine, write=False) as session:
            return current_actor(session)

    # -- writes ----------------------------------------------------------------------
    def snooze(self, ident: str, *, until: date, reason: str, today: date) -> DerivedReminder:
        with session_scope(self.engine) as session:
            return snooze_reminder(session, ident=ident, until=until, reason=reason,
                                   today=today, actor=current_actor(session))

    def complete(self, ident: str, *, today: date, note: str | None = None) -> str:
        with session_scope(self.engine) as session:
            return complete_reminder(session, ident=ident, today=today,
                                     actor=current_actor(session), note=note)

    def create(self, entity: str, values: Mapping[str, Any]) -> SQLModel:
        with session_scope(self.engine) as session:
            row: SQLModel = pipeline.SERVICES[entity].create(
                session=session, data=values, actor=current_actor(session))
        return row

    def update(self, entity: str, record_id: int, changes: Mapping[str, Any], *,
               expected_version: int) -> SQLModel:
        with session_scope(self.engine) as session:
            row: SQLModel = pipeline.SERVICES[entity].update(
                session=session, record_id=record_id, changes=changes,
                expected_version=expected_version, actor=current_actor(session))
        return row

    def archive(self, entity: str, record_id: int, *, expected_version: int) -> SQLModel:
        with session_scope(self.engine) as session:
            row: SQLModel = pipeline.SERVICES[entity].archive(
                session=session, record_id=record_id, expected_version=expected_version,
                actor=current_actor(session))
        return row

    def restore(self, entity: str, record_id: int, *, expected_version: int) -> SQLModel:
        with session_scope(self.engine) as session:
            row: SQLModel = pipeline.SERVICES[entity].restore(
                session=session, record_id=record_id, expected_version=expected_version,
                actor=current_actor(session))
        return row

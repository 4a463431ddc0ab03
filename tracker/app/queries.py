"""Read-side queries the UI and the command line share: pages of rows, counts, history.

They return plain dataclasses, not ORM rows, so a screen never holds a session open.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, case, func, or_, select, text
from sqlmodel import Session, col

from tracker.checks.rules import ProviderRecords
from tracker.domain.derived import is_decided, is_review
from tracker.domain.enums import ProviderRole, ProviderStatus, RiskTier
from tracker.domain.text import search_key
from tracker.store.models import (
    Agreement,
    Assessment,
    AuditEvent,
    Evidence,
    LegalBasis,
    Provider,
    Reminder,
    Supply,
    Transfer,
    row_values,
)

# Columns sorted by their enum's declared order: a risk tier by severity, a status by its
# life cycle.
ENUM_ORDER: dict[str, tuple[Any, ...]] = {"risk_tier": tuple(RiskTier),
                                          "status": tuple(ProviderStatus),
                                          "role": tuple(ProviderRole)}
SORTABLE = ("legal_name", "country", "role", "risk_tier", "status", "updated_at", "id")


@dataclass(frozen=True, slots=True)
class ProviderFilter:
    """What the providers table shows: free text over name, country, role, tier, status."""

    text: str = ""
    include_archived: bool = False
    sort: str = "legal_name"
    descending: bool = False


@dataclass(frozen=True, slots=True)
class ProviderRow:
    id: int
    legal_name: str
    country: str | None
    role: str | None
    risk_tier: str | None
    status: str
    archived: bool
    version: int
    updated_at: datetime

    def as_dict(self) -> dict[str, Any]:
        values = asdict(self)
        values["updated_at"] = self.updated_at.isoformat()
        return values


@dataclass(frozen=True, slots=True)
class ProviderPage:
    rows: list[ProviderRow]
    total: int
    offset: int


def _filter_clause(text: str) -> ColumnElement[bool] | None:
    """Each word must match somewhere: the folded name (substring) or a code exactly."""
    words = search_key(text).split()
    if not words:
        return None
    clauses = []
    for word in words:
        escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        options: list[ColumnElement[bool]] = [
            col(Provider.search_name).like(f"%{escaped}%", escape="\\"),
            col(Provider.search_extra).like(f"%{escaped}%", escape="\\"),
            func.lower(col(Provider.country)) == word,
        ]
        for column, enum_cls in ((Provider.role, ProviderRole), (Provider.risk_tier, RiskTier),
                                 (Provider.status, ProviderStatus)):
            members = [m for m in enum_cls if m.value.startswith(word)]
            if members:
                options.append(col(column).in_(members))
        clauses.append(or_(*options))
    combined = clauses[0]
    for clause in clauses[1:]:
        combined = combined & clause
    return combined


def _provider_where(flt: ProviderFilter) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if not flt.include_archived:
        conditions.append(col(Provider.archived_at).is_(None))
    clause = _filter_clause(flt.text)
    if clause is not None:
        conditions.append(clause)
    return conditions


FEW_MATCHES = 2_000
ROW_COLUMNS = (Provider.id, Provider.legal_name, Provider.country, Provider.role,
               Provider.risk_tier, Provider.status, Provider.archived_at, Provider.version,
               Provider.updated_at)


def provider_page(session: Session, flt: ProviderFilter, *, offset: int,
                  limit: int) -> ProviderPage:
    """One window of the filtered, sorted providers, and how many match in all. Only the
    columns the table shows are read: at 100,000 providers the page must come back in a few
    milliseconds."""
    sort_name = flt.sort if flt.sort in SORTABLE else "legal_name"
    sort_column: Any = col(Provider.search_name) if sort_name == "legal_name" else getattr(
        Provider, sort_name)
    if sort_name in ENUM_ORDER:
        # the enum's own order (Critical, High, Medium, Low), not the alphabet's; unset last
        members = ENUM_ORDER[sort_name]
        sort_column = case(*((col(getattr(Provider, sort_name)) == m, i)
                             for i, m in enumerate(members)), else_=len(members))
    order = sort_column.desc() if flt.descending else sort_column.asc()
    where = _provider_where(flt)
    total = session.scalar(select(func.count()).select_from(Provider).where(*where)) or 0
    if sort_name == "legal_name" and total < FEW_MATCHES:
        # Few matches: walking the whole name index to find them in order costs ~120 ms at
        # 100,000 providers; scanning and sorting the few is ~20 ms. An expression as the
        # sort key keeps the planner off the index.
        key = col(Provider.search_name).concat("")
        order = key.desc() if flt.descending else key.asc()
    rows = session.execute(select(*(col(c) for c in ROW_COLUMNS)).where(*where)
                           .order_by(order, col(Provider.id)).offset(offset).limit(limit)).all()
    return ProviderPage(rows=[ProviderRow(
        id=r[0], legal_name=r[1], country=r[2], role=r[3].value if r[3] else None,
        risk_tier=r[4].value if r[4] else None, status=r[5].value, archived=r[6] is not None,
        version=r[7], updated_at=r[8]) for r in rows], total=int(total), offset=offset)


def live_rows(session: Session, model: Any) -> list[Any]:
    """Every row of ``model`` that is not archived, in id order."""
    return list(session.scalars(select(model).where(col(model.archived_at).is_(None))
                                .order_by(col(model.id))).all())


def grouped(rows: Sequence[Any], key: str) -> dict[Any, list[Any]]:
    """Rows by the value of one of their attributes (e.g. legal bases by supply_id)."""
    groups: dict[Any, list[Any]] = {}
    for row in rows:
        groups.setdefault(getattr(row, key), []).append(row)
    return groups


def register_counts(session: Session) -> dict[str, int]:
    """How many live (not archived) records of each entity the register holds."""
    counts: dict[str, int] = {}
    for name, model in (("providers", Provider), ("supplies", Supply),
                        ("legal bases", LegalBasis), ("agreements", Agreement),
                        ("transfers", Transfer), ("assessments", Assessment),
                        ("evidence", Evidence)):
        counts[name] = int(session.scalar(select(func.count()).select_from(model)
                                          .where(col(model.archived_at).is_(None))) or 0)
    counts["reminders"] = int(session.scalar(select(func.count()).select_from(Reminder)) or 0)
    counts["audit events"] = int(session.scalar(select(func.count())
                                                .select_from(AuditEvent)) or 0)
    return counts


def recent_events(session: Session, *, limit: int = 50, entity: str | None = None,
                  entity_id: str | None = None) -> Sequence[AuditEvent]:
    statement = select(AuditEvent)
    if entity:
        statement = statement.where(col(AuditEvent.entity) == entity)
    if entity_id:
        statement = statement.where(col(AuditEvent.entity_id) == str(entity_id))
    return session.scalars(statement.order_by(col(AuditEvent.id).desc()).limit(limit)).all()


@dataclass
class ProviderFile(ProviderRecords):
    """Everything the register holds about one provider: what the gap rules read, plus the
    checklists, reminders and history the detail screen and the dossier show."""

    checklist: dict[int, list[Any]] = field(default_factory=dict)
    reminders: list[Reminder] = field(default_factory=list)
    history: list[AuditEvent] = field(default_factory=list)


def provider_file(session: Session, provider_id: int) -> ProviderFile | None:
    from tracker.store.models import AgreementClause, ChecklistAnswer

    provider = session.get(Provider, provider_id)
    if provider is None:
        return None
    live = {"include_archived": False}
    result = ProviderFile(provider=provider)

    def children(model: Any, column: Any, value: Any, archived: bool = True) -> list[Any]:
        statement = select(model).where(column == value)
        if archived and not live["include_archived"] and hasattr(model, "archived_at"):
            statement = statement.where(model.archived_at.is_(None))
        return list(session.scalars(statement.order_by(model.id)).all())

    result.supplies = children(Supply, Supply.provider_id, provider_id)
    for supply in result.supplies:
        assert supply.id is not None
        result.legal_bases[supply.id] = children(LegalBasis, LegalBasis.supply_id, supply.id)
    result.agreements = children(Agreement, Agreement.provider_id, provider_id)
    for agreement in result.agreements:
        assert agreement.id is not None
        result.clauses[agreement.id] = children(AgreementClause, AgreementClause.agreement_id,
                                                agreement.id, archived=False)
    result.transfers = children(Transfer, Transfer.provider_id, provider_id)
    result.assessments = children(Assessment, Assessment.provider_id, provider_id)
    for assessment in result.assessments:
        assert assessment.id is not None
        result.checklist[assessment.id] = children(ChecklistAnswer,
                                                   ChecklistAnswer.assessment_id,
                                                   assessment.id, archived=False)
        if not result.checklist[assessment.id] and is_review(row_values(assessment)) \
                and is_decided(row_values(assessment)):
            result.unrecorded_checklists.add(assessment.id)
    result.evidence = children(Evidence, Evidence.provider_id, provider_id)
    result.reminders = children(Reminder, Reminder.provider_id, provider_id, archived=False)
    result.history = provider_history(session, result)
    return result


def provider_history(session: Session, found: ProviderFile, limit: int = 500) -> list[AuditEvent]:
    """The audit events of the provider and of every record that belongs to it."""
    members: dict[str, list[str]] = {"provider": [str(found.provider.id)]}

    def add(entity: str, rows: Sequence[Any]) -> None:
        members.setdefault(entity, []).extend(str(r.id) for r in rows)

    add("supply", found.supplies)
    add("legal_basis", [b for bases in found.legal_bases.values() for b in bases])
    add("agreement", found.agreements)
    add("agreement_clause", [c for rows in found.clauses.values() for c in rows])
    add("transfer", found.transfers)
    add("assessment", found.assessments)
    add("checklist_answer", [a for rows in found.checklist.values() for a in rows])
    add("evidence", found.evidence)
    add("reminder", found.reminders)
    conditions = [(col(AuditEvent.entity) == entity) & col(AuditEvent.entity_id).in_(ids)
                  for entity, ids in members.items() if ids]
    statement = (select(AuditEvent).where(or_(*conditions))
                 .order_by(col(AuditEvent.id).desc()).limit(limit))
    return list(session.scalars(statement).all())


def resolve_provider(session: Session, text: str) -> Provider:
    """A provider by id, or by a part of its name that matches exactly one live provider."""
    from tracker.errors import TrackerError

    if text.strip().isdigit():
        found = session.get(Provider, int(text))
        if found is None:
            raise TrackerError(f"no provider with id {text}")
        return found
    page = provider_page(session, ProviderFilter(text=text), offset=0, limit=6)
    if page.total == 1:
        provider = session.get(Provider, page.rows[0].id)
        assert provider is not None
        return provider
    if page.total == 0:
        raise TrackerError(f"no provider matches {text!r}")
    names = "; ".join(f"{r.id}: {r.legal_name}" for r in page.rows[:5])
    raise TrackerError(f"{page.total} providers match {text!r} ({names}); give the id")


def audit_head(session: Session) -> tuple[int, str]:
    """The audit trail's head (the newest event's id and hash). Every write through the
    application layer moves it in the write's own transaction, so a result kept against
    it is current while it stays put."""
    found = session.execute(text("SELECT last_id, last_hash FROM audit_head WHERE id = 1")
                            ).one_or_none()
    return (0, "") if found is None else (int(found[0]), str(found[1]))


def settings_marker(session: Session) -> tuple[Any, ...]:
    """Every stored setting as stored: reminders and gaps read settings, and a setting may
    be stored without an audit event (the register's identity, an older version's write)."""
    return tuple(tuple(row) for row in session.execute(
        text("SELECT key, value FROM setting ORDER BY key")).all())

"""The write pipeline: the one way records are created, changed, archived and deleted.

Every door (form, command line, import, restore) comes through here: the per-record entry
(``EntityService``) and the batch entry (``tracker.app.batch``, ``tracker.app.restore``)
share ``validate_values`` (fields, cross-field rules, date bounds), the derived children of
``tracker.domain.derived`` and the approval gate, so the same record gives the same rows
whichever door it came in by. The caller owns the transaction (``session_scope``): a
failure anywhere rolls back the change and its audit event together.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Hashable, Mapping, Sequence
from datetime import date, datetime
from enum import Enum
from typing import Any, Generic, TypeVar

import pydantic
from sqlalchemy import UniqueConstraint, func, select
from sqlmodel import Session, SQLModel, col

from tracker.domain.dates import date_problem
from tracker.domain.derived import derived_children, is_history, is_review, open_items
from tracker.domain.enums import AssessmentKind, AuditAction, ChecklistStatus
from tracker.domain.registry import ENTITIES, PARENT_FIELD, field_kind
from tracker.domain.rules import APPROVING, FieldError, approval_blockers, check_record
from tracker.domain.text import ONE_LINE_FIELDS, clean_text, provider_search_extra, search_key
from tracker.errors import IntegrityRefused, NotFound, StaleVersion, ValidationFailed
from tracker.store.audit import record_event
from tracker.store.models import (
    ENTITY_MODELS,
    Agreement,
    AgreementBase,
    AgreementClause,
    AgreementClauseBase,
    AiModel,
    AiModelBase,
    Assessment,
    AssessmentBase,
    ChecklistAnswer,
    ChecklistAnswerBase,
    Evidence,
    EvidenceBase,
    LegalBasis,
    LegalBasisBase,
    Provider,
    ProviderBase,
    Questionnaire,
    QuestionnaireBase,
    QuestionnaireResponse,
    QuestionnaireResponseBase,
    Reminder,
    ReminderBase,
    ReviewTrigger,
    ReviewTriggerBase,
    Supply,
    SupplyBase,
    Transfer,
    TransferBase,
    entity_name,
    row_values,
    utcnow,
)

RowT = TypeVar("RowT", bound=SQLModel)

# Fields the service maintains itself; a caller's values for them are ignored.
BOOKKEEPING = frozenset({"id", "version", "created_at", "updated_at", "archived_at",
                         "search_name", "search_extra", "added_at"})


def _friendly(base: type[SQLModel], error: Mapping[str, Any]) -> FieldError:
    field = ".".join(str(part) for part in error["loc"]) or "record"
    kind = error["type"]
    info = base.model_fields.get(field)
    if kind == "missing" or (error.get("input") is None and info is not None
                             and info.is_required()):
        return FieldError(field, "is required")
    enum_cls = field_kind(info.annotation).enum if info else None
    if enum_cls is not None and kind in {"enum", "literal_error"}:
        allowed = ", ".join(str(m.value) for m in enum_cls)
        return FieldError(field, f"unknown value {error.get('input')!r}; allowed: {allowed}")
    message = str(error["msg"])
    if message.startswith("Value error, "):
        message = message.removeprefix("Value error, ")
    return FieldError(field, message)


@functools.cache
def _field_names(base: type[SQLModel]) -> frozenset[str]:
    # pydantic's model_fields is a slow descriptor on the class; imports call this per row
    return frozenset(base.model_fields)


def validate_values(entity: str, base: type[SQLModel], values: Mapping[str, Any], *,
                    today: date | None = None) -> dict[str, Any]:
    """Field, cross-field and date-bound validation; raises ValidationFailed with every
    problem at once. ``today`` is the real date of the write (the clock by default), so
    ``--today`` changes what is shown, never what may be stored."""
    names = _field_names(base)
    unknown = [name for name in values if name not in names and name not in BOOKKEEPING]
    errors = [FieldError(name, "is not a field of this record") for name in sorted(unknown)]
    values, text_errors = _clean_texts(_blank_is_default(base, values))
    errors += text_errors
    try:
        # pydantic's own validator: the same checks as model_validate without SQLModel's
        # table-model wrapper around it
        checked = base.__pydantic_validator__.validate_python(
            {k: v for k, v in values.items() if k in names})
    except pydantic.ValidationError as err:
        errors += [_friendly(base, e) for e in err.errors()]
        raise ValidationFailed(entity, errors) from None
    clean = {name: checked.__dict__[name] for name in names}
    errors += date_errors(clean, today or date.today())
    errors += check_record(entity, clean)
    if errors:
        raise ValidationFailed(entity, errors)
    return clean


@functools.cache
def _defaults_for_blank(base: type[SQLModel]) -> dict[str, Any]:
    """Fields that cannot be empty but have a default (a yes/no, a count, a status)."""
    return {name: info.get_default(call_default_factory=True)
            for name, info in base.model_fields.items()
            if not info.is_required() and not field_kind(info.annotation).optional}


def _blank_is_default(base: type[SQLModel], values: Mapping[str, Any]) -> Mapping[str, Any]:
    """A blank (None) for a field that cannot be empty means its default, on every door: an
    empty form input, an empty cell of an export, a cleared CLI value."""
    defaults = _defaults_for_blank(base)
    if not any(values.get(name, 0) is None for name in defaults):
        return values
    return {k: defaults[k] if v is None and k in defaults else v for k, v in values.items()}


def refuse_fixed_changes(entity: str, stored: Mapping[str, Any],
                         clean: Mapping[str, Any]) -> None:
    """A field the record's derived children depend on (an agreement's or a review's kind)
    cannot change: the record would keep the wrong checklist."""
    errors = [FieldError(name, f"cannot change from {jsonable(stored.get(name))!r} once the "
                               f"{entity.replace('_', ' ')} exists (its checklist depends on "
                               "it): archive it and record a new one")
              for name in ENTITIES[entity].fixed if stored.get(name) != clean.get(name)]
    if errors:
        raise ValidationFailed(entity, errors)


def date_errors(values: Mapping[str, Any], today: date) -> list[FieldError]:
    """Every date field inside the register's bounds, and what has happened not dated in
    the future (tracker.domain.dates)."""
    errors: list[FieldError] = []
    for name, value in values.items():
        if isinstance(value, date) and not isinstance(value, datetime):
            problem = date_problem(name, value, today)
            if problem:
                errors.append(FieldError(name, problem))
    return errors


def _clean_texts(values: Mapping[str, Any]) -> tuple[dict[str, Any], list[FieldError]]:
    cleaned: dict[str, Any] = {}
    errors: list[FieldError] = []
    for name, value in values.items():
        if isinstance(value, str):
            try:
                value = clean_text(value, one_line=name in ONE_LINE_FIELDS)
            except ValueError as err:
                errors.append(FieldError(name, str(err)))
        cleaned[name] = value
    return cleaned, errors


class EntityService(Generic[RowT]):
    """Create, update, archive, restore and delete one kind of record."""

    def __init__(self, model: type[RowT], base: type[SQLModel]) -> None:
        self.model = model
        self.base = base
        self.entity = entity_name(model)

    # -- reading ---------------------------------------------------------------------
    def get(self, *, session: Session, record_id: int, lock: bool = False) -> RowT:
        row = session.get(self.model, record_id, with_for_update=lock)
        if row is None:
            raise NotFound(self.entity, record_id)
        return row

    def list(self, *, session: Session, include_archived: bool = False,
             **equals: Any) -> Sequence[RowT]:
        statement = select(self.model)
        for name, value in equals.items():
            statement = statement.where(getattr(self.model, name) == value)
        if not include_archived and hasattr(self.model, "archived_at"):
            statement = statement.where(getattr(self.model, "archived_at").is_(None))
        return session.scalars(statement.order_by(getattr(self.model, "id"))).all()

    # -- writing ---------------------------------------------------------------------
    def create(self, *, session: Session, data: Mapping[str, Any] | SQLModel,
               actor: str) -> RowT:
        values = data.model_dump(exclude_unset=False) if isinstance(data, SQLModel) else data
        return self._create(session, values, actor, children=lambda row: [])

    def _create(self, session: Session, values: Mapping[str, Any], actor: str, *,
                children: Callable[[RowT], Sequence[tuple[str, dict[str, Any]]]]) -> RowT:
        """Validate, write the record and the children it arrives with, and audit them in
        one event (the children are part of the record's creation, as in the batch entry)."""
        clean = validate_values(self.entity, self.base, values)
        self._check_references(session, clean)
        self._check_unique(session, clean, record_id=None)
        row = self.model(**clean)
        self._derive(row)
        session.add(row)
        session.flush()
        after = row_values(row)
        derived = children(row)
        if derived:
            written = []
            for entity, child in derived:
                model = ENTITY_MODELS[entity]
                stored = model(**{**child, PARENT_FIELD[entity]: getattr(row, "id")})
                session.add(stored)
                written.append((entity, stored))
            session.flush()
            after["derived"] = derived_summary(
                [(entity, row_values(stored)) for entity, stored in written])
        record_event(session, actor=actor, action=AuditAction.INSERT, entity=self.entity,
                     entity_id=getattr(row, "id"), before=None, after=after)
        return row

    def update(self, *, session: Session, record_id: int, changes: Mapping[str, Any],
               expected_version: int, actor: str) -> RowT:
        """Apply ``changes`` to a record read at ``expected_version``; a no-op when nothing
        differs (no version bump, no audit event)."""
        row = self.get(session=session, record_id=record_id, lock=True)
        self._check_version(row, expected_version)
        current = {name: getattr(row, name) for name in self.base.model_fields}
        clean = validate_values(self.entity, self.base, {**current, **changes})
        refuse_fixed_changes(self.entity, current, clean)
        self._check_references(session, clean)
        self._check_unique(session, clean, record_id=record_id)
        before = row_values(row)
        changed = {name: value for name, value in clean.items() if current[name] != value}
        if not changed:
            return row
        for name, value in changed.items():
            setattr(row, name, value)
        self._derive(row)
        self._bump(row)
        after = row_values(row)
        keys = [k for k in after if before.get(k) != after.get(k)
                and k not in {"version", "updated_at"}]
        record_event(session, actor=actor, action=AuditAction.UPDATE, entity=self.entity,
                     entity_id=record_id, before={k: before.get(k) for k in keys},
                     after={k: after[k] for k in keys})
        return row

    def archive(self, *, session: Session, record_id: int, expected_version: int,
                actor: str) -> RowT:
        return self._set_archived(session, record_id, expected_version, actor, archive=True)

    def restore(self, *, session: Session, record_id: int, expected_version: int,
                actor: str) -> RowT:
        return self._set_archived(session, record_id, expected_version, actor, archive=False)

    def delete(self, *, session: Session, record_id: int, expected_version: int,
               actor: str) -> None:
        """Delete a record nothing refers to; otherwise refuse and say what refers to it."""
        row = self.get(session=session, record_id=record_id, lock=True)
        self._check_version(row, expected_version)
        dependents = referring_counts(session, self.entity, record_id)
        if dependents:
            listed = ", ".join(f"{count} {name.replace('_', ' ')}"
                               for name, count in dependents.items())
            raise IntegrityRefused(
                f"{self.entity.replace('_', ' ')} {record_id} cannot be deleted: {listed} "
                f"refer to it; archive it instead")
        before = row_values(row)
        session.delete(row)
        session.flush()
        record_event(session, actor=actor, action=AuditAction.DELETE, entity=self.entity,
                     entity_id=record_id, before=before, after=None)

    # -- helpers ---------------------------------------------------------------------
    def _set_archived(self, session: Session, record_id: int, expected_version: int,
                      actor: str, *, archive: bool) -> RowT:
        if not hasattr(self.model, "archived_at"):
            raise IntegrityRefused(f"{self.entity.replace('_', ' ')} records are not archived")
        row = self.get(session=session, record_id=record_id, lock=True)
        self._check_version(row, expected_version)
        was: datetime | None = getattr(row, "archived_at")
        if archive and was is not None:
            raise IntegrityRefused(f"{self.entity.replace('_', ' ')} {record_id} is archived "
                                   "already")
        if not archive and was is None:
            raise IntegrityRefused(f"{self.entity.replace('_', ' ')} {record_id} is not archived")
        before = {"archived_at": row_values(row)["archived_at"]}
        setattr(row, "archived_at", utcnow() if archive else None)
        self._bump(row)
        record_event(session, actor=actor,
                     action=AuditAction.ARCHIVE if archive else AuditAction.RESTORE,
                     entity=self.entity, entity_id=record_id, before=before,
                     after={"archived_at": row_values(row)["archived_at"]})
        return row

    def _check_version(self, row: RowT, expected: int) -> None:
        actual = int(getattr(row, "version"))
        if actual != expected:
            raise StaleVersion(self.entity, getattr(row, "id"), expected, actual)

    @staticmethod
    def _bump(row: SQLModel) -> None:
        setattr(row, "version", int(getattr(row, "version")) + 1)
        setattr(row, "updated_at", utcnow())

    def _derive(self, row: SQLModel) -> None:
        if isinstance(row, Provider):
            row.search_name = search_key(row.legal_name)
            row.search_extra = provider_search_extra(row_values(row))

    def _check_unique(self, session: Session, values: Mapping[str, Any],
                      record_id: int | None) -> None:
        """A second row with the same unique key (e.g. a clause twice on one agreement) is a
        field error naming the row it would duplicate."""
        table = getattr(self.model, "__table__")
        for constraint in table.constraints:
            if not isinstance(constraint, UniqueConstraint):
                continue
            names = [c.name for c in constraint.columns]
            statement = select(table.c.id).where(*(table.c[n] == values.get(n) for n in names))
            if record_id is not None:
                statement = statement.where(table.c.id != record_id)
            existing = session.scalar(statement)
            if existing is not None:
                raise ValidationFailed(self.entity, [FieldError(
                    names[-1], f"{self.entity.replace('_', ' ')} {existing} already has "
                               f"{', '.join(f'{n}={values.get(n)!r}' for n in names)}")])

    def _check_references(self, session: Session, values: Mapping[str, Any]) -> None:
        """Name a missing or mismatched related record as a field error, not a database
        IntegrityError."""
        errors: list[FieldError] = []
        table = getattr(self.model, "__table__")
        owners: dict[str, int] = {}
        for column in table.columns:
            value = values.get(column.name)
            if value is None or not column.foreign_keys:
                continue
            target_table = next(iter(column.foreign_keys)).column.table.name
            target = MODEL_BY_TABLE[target_table]
            found = session.get(target, value)
            if found is None:
                errors.append(FieldError(column.name,
                                         f"no {target_table.replace('_', ' ')} with id {value}"))
                continue
            owner = getattr(found, "provider_id", None)
            if target_table == "provider":
                owner = value
            if owner is not None and "provider_id" in values:
                owners[column.name] = owner
        provider = values.get("provider_id")
        for name, owner in owners.items():
            if provider is not None and owner != provider:
                errors.append(FieldError(name, f"belongs to provider {owner}, not to provider "
                                               f"{provider}"))
        if errors:
            raise ValidationFailed(self.entity, errors)


def referring_counts(session: Session, table_name: str, record_id: int) -> dict[str, int]:
    """How many rows of each table point at one record through a foreign key."""
    counts: dict[str, int] = {}
    for model in MODEL_BY_TABLE.values():
        table = getattr(model, "__table__")
        for column in table.columns:
            for foreign_key in column.foreign_keys:
                if foreign_key.column.table.name != table_name:
                    continue
                count = session.scalar(select(func.count()).select_from(table)
                                       .where(column == record_id)) or 0
                if count:
                    counts[table.name] = counts.get(table.name, 0) + int(count)
    return counts


def _as_date(value: Any) -> date | None:
    """A date as a caller may pass it (a date, or ISO text the validation will read)."""
    if value is None or isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        return None  # validation names it


DERIVED_BOOKKEEPING = frozenset({"version", "created_at", "updated_at"})
_JSON_TYPES = frozenset({str, int, float, bool, type(None)})  # jsonable() leaves these


def derived_summary(children: list[tuple[str, dict[str, Any]]]) -> dict[str, Any]:
    """A new record's derived children as its audit event records them, column-wise: ids
    and each value (one value when all children share it), so a DPA's 13 clauses or a
    review's 30 answers cost one short entry, not one event each."""
    summary: dict[str, Any] = {}
    by_entity: dict[str, list[dict[str, Any]]] = {}
    for entity, values in children:
        by_entity.setdefault(entity, []).append(values)
    for entity, rows in by_entity.items():
        parent = PARENT_FIELD[entity]
        names = [n for n in rows[0] if n not in DERIVED_BOOKKEEPING and n != parent]
        columns: dict[str, Any] = {}
        for name in names:
            column = [r.get(name) for r in rows]
            if not set(map(type, column)) <= _JSON_TYPES:
                column = [jsonable(v) for v in column]
            if name == "id" or len(set(map(repr, column))) > 1:
                columns[name] = column
            elif column[0] is not None:
                columns[name] = column[0]
        summary[entity] = columns
    return summary


def jsonable(value: Any) -> Any:
    """A value as an audit event stores it."""
    kind = type(value)
    if value is None or kind is str or kind is int or kind is bool or kind is float:
        return value  # most values of a record: nothing to do, and asked millions of times
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    return value


class AgreementService(EntityService[Agreement]):
    """An agreement arrives with its statutory clause checklist, every clause "missing"
    until someone checks it (GDPR Art 28(3) for a DPA, PIPL Art 21 for entrusted processing)."""

    def create(self, *, session: Session, data: Mapping[str, Any] | SQLModel,
               actor: str) -> Agreement:
        values = data.model_dump() if isinstance(data, SQLModel) else data
        return self._create(session, values, actor, children=lambda row: derived_children(
            self.entity, row_values(row)))


class AssessmentService(EntityService[Assessment]):
    """A due-diligence review arrives with the 30-item checklist (tracker.domain.derived:
    the previous review's answers carried forward, or every item open; none for a review
    already decided with nothing to carry); it cannot be approved while a critical item is
    open unless an override reason is recorded."""

    def create(self, *, session: Session, data: Mapping[str, Any] | SQLModel,
               actor: str) -> Assessment:
        values = data.model_dump() if isinstance(data, SQLModel) else dict(data)
        previous = previous_answers(session, values.get("provider_id"),
                                    _as_date(values.get("assessed_on"))) \
            if is_review(values) else {}
        children = derived_children(self.entity, values, previous)
        # before anything is written
        self._refuse_unapproved(values, open_items(children), critical_gaps(session, values))
        return self._create(session, values, actor, children=lambda row: children)

    def update(self, *, session: Session, record_id: int, changes: Mapping[str, Any],
               expected_version: int, actor: str) -> Assessment:
        current = self.get(session=session, record_id=record_id, lock=True)
        if current.kind == AssessmentKind.DUE_DILIGENCE:  # refuse before anything is written
            still_open = [a.item for a in checklist_answers.list(session=session,
                                                                 assessment_id=record_id)
                          if a.status == ChecklistStatus.OPEN]
            merged = {**row_values(current), **changes}
            gaps = critical_gaps(session, merged) if _approving_anew(current, changes) else []
            self._refuse_unapproved(merged, still_open, gaps)
        return super().update(session=session, record_id=record_id, changes=changes,
                              expected_version=expected_version, actor=actor)

    def _refuse_unapproved(self, values: Mapping[str, Any], still_open: list[int],
                           gaps: Sequence[str] = ()) -> None:
        errors = approval_blockers(values, still_open, gaps)
        if errors:
            raise ValidationFailed(self.entity, errors)


def _approving_anew(current: Assessment, changes: Mapping[str, Any]) -> bool:
    """The update decides the approval (its outcome or override changes): an edit of an
    approved review's findings is not an approval to gate again."""
    return any(name in changes and jsonable(changes[name]) != jsonable(getattr(current, name))
               for name in ("outcome", "approval_override"))


def critical_gaps(session: Session, values: Mapping[str, Any],
                  today: date | None = None) -> list[str]:
    """The provider's open critical gaps, as the approval gate lists them, for a live
    review being approved (history entered after the fact is not gated on today's
    register). The register as stored: a provider an import creates has none yet."""
    from tracker.app.gaps import register_gaps
    from tracker.checks.rules import Severity

    outcome = values.get("outcome")
    provider_id = values.get("provider_id")
    today = today or date.today()
    if (provider_id is None or not is_review(values) or is_history(values, today)
            or str(getattr(outcome, "value", outcome)) not in APPROVING):
        return []
    try:
        pid = int(provider_id)
    except (TypeError, ValueError):
        return []
    return [f"{gap.subject}: {gap.why} [{gap.article}]"
            for gap in register_gaps(session, today, pid) if gap.severity == Severity.CRITICAL]


class ChecklistAnswerService(EntityService[ChecklistAnswer]):
    """Every answer records who answered and when: a change of status or note is stamped
    with the acting user and today, unless the caller names them (a supplier's
    questionnaire names the supplier)."""

    def create(self, *, session: Session, data: Mapping[str, Any] | SQLModel,
               actor: str) -> ChecklistAnswer:
        values = dict(data.model_dump() if isinstance(data, SQLModel) else data)
        status = str(getattr(values.get("status"), "value", values.get("status")) or "open")
        if status != ChecklistStatus.OPEN.value or values.get("note"):
            values = stamp_answer(values, actor)
        return super().create(session=session, data=values, actor=actor)

    def update(self, *, session: Session, record_id: int, changes: Mapping[str, Any],
               expected_version: int, actor: str) -> ChecklistAnswer:
        current = self.get(session=session, record_id=record_id, lock=True)
        answered = any(name in changes and jsonable(changes[name]) != jsonable(
            getattr(current, name)) for name in ("status", "note"))
        if answered:
            changes = stamp_answer(changes, actor)
        return super().update(session=session, record_id=record_id, changes=changes,
                              expected_version=expected_version, actor=actor)


def stamp_answer(values: Mapping[str, Any], actor: str) -> dict[str, Any]:
    """Who answered and when, unless given explicitly."""
    stamped = dict(values)
    if not stamped.get("answered_by"):
        stamped["answered_by"] = actor
    if not stamped.get("answered_on"):
        stamped["answered_on"] = date.today()
    return stamped


Rank = tuple[int, int]
LATEST = date.max.toordinal() + 1  # an undated new review comes after every dated one


def arrival_day(assessed_on: date | None) -> int:
    """Where a new review stands in time: its date, or after every dated one if undated."""
    return assessed_on.toordinal() if assessed_on else LATEST


def review_rank(assessed_on: date | None, order: int) -> Rank:
    """Where a review stands in a provider's history: by date (an undated stored review
    counts as the oldest), then by ``order`` (its id; a new review's arrival)."""
    return (assessed_on.toordinal() if assessed_on else 0, order)


class PreviousReviews:
    """Which earlier review a new review carries its answers from: the latest live
    due-diligence review dated on or before it (any, for an undated one). Decided by date,
    not by the order records arrive in, so a form, an import and a restore of the same
    reviews give the same checklists."""

    def __init__(self, session: Session, provider_ids: Sequence[int]) -> None:
        self.session = session
        # keyed by provider id, or by the import's provider key for a provider the same
        # batch creates
        self.history: dict[Hashable, list[tuple[Rank, int | None,
                                                dict[int, dict[str, Any]]]]] = {}
        self._answers: dict[int, dict[int, dict[str, Any]]] = {}
        self._arrivals = 0
        wanted = set(provider_ids)
        if not wanted:
            return
        reviews = select(col(Assessment.id), col(Assessment.provider_id),
                         col(Assessment.assessed_on)).where(
            col(Assessment.kind) == AssessmentKind.DUE_DILIGENCE,
            col(Assessment.archived_at).is_(None))
        if len(wanted) == 1:
            reviews = reviews.where(col(Assessment.provider_id) == next(iter(wanted)))
        for review_id, provider_id, assessed_on in session.execute(reviews):
            if provider_id in wanted:
                self.history.setdefault(provider_id, []).append(
                    (review_rank(assessed_on, int(review_id)), int(review_id), {}))

    def answers_for(self, provider_id: Hashable | None, assessed_on: date | None
                    ) -> dict[int, dict[str, Any]]:
        if provider_id is None:
            return {}
        limit = (arrival_day(assessed_on), 1 << 62)
        earlier = [entry for entry in self.history.get(provider_id, []) if entry[0] <= limit]
        if not earlier:
            return {}
        _, review_id, answers = max(earlier, key=lambda entry: entry[0])
        return self._stored(review_id) if review_id is not None else answers

    def add(self, provider_id: Hashable, assessed_on: date | None,
            answers: dict[int, dict[str, Any]]) -> None:
        """A review derived in this batch, which later-dated reviews of the batch carry."""
        self._arrivals += 1
        rank = (arrival_day(assessed_on), (1 << 61) + self._arrivals)
        self.history.setdefault(provider_id, []).append((rank, None, answers))

    def _stored(self, review_id: int) -> dict[int, dict[str, Any]]:
        if review_id not in self._answers:
            names = ("item", "status", "note", "evidence_id", "answered_by", "answered_on")
            table = getattr(ChecklistAnswer, "__table__")
            self._answers[review_id] = {
                row[0]: dict(zip(names, row, strict=True)) for row in self.session.execute(
                    select(*(table.c[n] for n in names))
                    .where(table.c.assessment_id == review_id))}
        return self._answers[review_id]


def previous_answers(session: Session, provider_id: Any,
                     assessed_on: date | None) -> dict[int, dict[str, Any]]:
    """The answers a new review of this provider dated ``assessed_on`` carries."""
    if provider_id is None:
        return {}
    return PreviousReviews(session, [int(provider_id)]).answers_for(int(provider_id),
                                                                     assessed_on)


# --- issue 14 reports: a hash counts as verified only when the program computed it -----

HASH_FIELDS = ("sha256", "size_bytes")


def typed_evidence(stored: Mapping[str, Any] | None, values: Mapping[str, Any], *,
                   hashed_on: date | None = None) -> dict[str, Any]:
    """An evidence's values as a door that typed them may store them: ``hashed_on`` (the
    program computed SHA-256 and size from the file, tracker.app.evidence) is never taken
    from the caller, and a hash or size typed over a computed one makes it unverified
    again. ``hashed_on`` is given only by the use case that hashed the file."""
    clean = dict(values)
    clean.pop("hashed_on", None)
    if hashed_on is not None:
        clean["hashed_on"] = hashed_on
    elif stored is None:
        clean["hashed_on"] = None
    elif any(name in clean and clean[name] != stored.get(name) for name in HASH_FIELDS):
        clean["hashed_on"] = None
    return clean


class EvidenceService(EntityService[Evidence]):
    """Evidence whose ``hashed_on`` only the hashing use case sets (``typed_evidence``)."""

    def create(self, *, session: Session, data: Mapping[str, Any] | SQLModel, actor: str,
               hashed_on: date | None = None) -> Evidence:
        values = data.model_dump() if isinstance(data, SQLModel) else data
        if hashed_on is None and values.get("hashed_on") is not None:
            raise ValidationFailed(self.entity, [FieldError(
                "hashed_on", "is set by the program when it hashes the file itself "
                             "(tracker evidence add PROVIDER FILE)")])
        return self._create(session, typed_evidence(None, values, hashed_on=hashed_on),
                            actor, children=lambda row: [])

    def update(self, *, session: Session, record_id: int, changes: Mapping[str, Any],
               expected_version: int, actor: str,
               hashed_on: date | None = None) -> Evidence:
        row = self.get(session=session, record_id=record_id)
        stored = {name: getattr(row, name) for name in (*HASH_FIELDS, "hashed_on")}
        if hashed_on is None and "hashed_on" in changes \
                and changes["hashed_on"] != stored["hashed_on"]:
            raise ValidationFailed(self.entity, [FieldError(
                "hashed_on", "is set by the program when it hashes the file itself "
                             "(tracker evidence add PROVIDER FILE)")])
        return super().update(session=session, record_id=record_id,
                              changes=typed_evidence(stored, changes, hashed_on=hashed_on),
                              expected_version=expected_version, actor=actor)


providers = EntityService(Provider, ProviderBase)
supplies = EntityService(Supply, SupplyBase)
legal_bases = EntityService(LegalBasis, LegalBasisBase)
agreements = AgreementService(Agreement, AgreementBase)
agreement_clauses = EntityService(AgreementClause, AgreementClauseBase)
transfers = EntityService(Transfer, TransferBase)
assessments = AssessmentService(Assessment, AssessmentBase)
checklist_answers = ChecklistAnswerService(ChecklistAnswer, ChecklistAnswerBase)
evidence = EvidenceService(Evidence, EvidenceBase)
reminders = EntityService(Reminder, ReminderBase)
review_triggers = EntityService(ReviewTrigger, ReviewTriggerBase)
ai_models = EntityService(AiModel, AiModelBase)  # issue 14 reports
# issue 15 questionnaires
questionnaires = EntityService(Questionnaire, QuestionnaireBase)
questionnaire_responses = EntityService(QuestionnaireResponse, QuestionnaireResponseBase)

SERVICES: dict[str, EntityService[Any]] = {
    service.entity: service
    for service in (providers, supplies, legal_bases, agreements, agreement_clauses, transfers,
                    assessments, checklist_answers, evidence, reminders, review_triggers,
                    ai_models, questionnaires, questionnaire_responses)
}
MODEL_BY_TABLE: dict[str, type[SQLModel]] = {name: s.model for name, s in SERVICES.items()}

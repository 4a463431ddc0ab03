"""Errors a person can act on. The command line prints them as one sentence; the TUI shows
them beside the field or in a dialog. Anything else is a bug and keeps its traceback."""

from __future__ import annotations

from collections.abc import Sequence

from tracker.domain.rules import FieldError


class TrackerError(Exception):
    """A user-facing error with a clear, complete message."""


class ValidationFailed(TrackerError):
    """A record broke one or more field rules; nothing was written."""

    def __init__(self, entity: str, errors: Sequence[FieldError]) -> None:
        self.entity = entity
        self.errors = list(errors)
        listed = "; ".join(str(e) for e in self.errors)
        super().__init__(f"{entity.replace('_', ' ')} not saved: {listed}")


class NotFound(TrackerError):
    def __init__(self, entity: str, record_id: object) -> None:
        super().__init__(f"no {entity.replace('_', ' ')} with id {record_id}")


class StaleVersion(TrackerError):
    """Someone else saved this record since it was read: refuse rather than overwrite."""

    def __init__(self, entity: str, record_id: object, expected: int, actual: int) -> None:
        self.expected, self.actual = expected, actual
        super().__init__(
            f"{entity.replace('_', ' ')} {record_id} was changed by someone else "
            f"(you edited version {expected}, it is now version {actual}); "
            "reload it and apply your change again")


class IntegrityRefused(TrackerError):
    """A delete or change that would orphan or silently cascade related records."""


class SchemaError(TrackerError):
    """The database's schema cannot be used by this program (too new, or not a register)."""


class NoRegister(TrackerError):
    """The path (or database) holds no register. Refused rather than created: a typo in
    ``--db`` must not answer "0 gaps" about a new empty file, nor start a second register."""

    def __init__(self, where: str, hint: str = "create one with `tracker init`") -> None:
        self.where = where
        super().__init__(f"no register at {where}; {hint}")


class ReadOnlyRegister(TrackerError):
    """A write was asked of a register opened read-only (a read-only file, folder or medium,
    or an auditor's copy opened so); it was refused before anything was written."""

    def __init__(self, where: str, why: str) -> None:
        self.where, self.why = where, why
        super().__init__(f"the register at {where} is read-only ({why}); nothing was changed")


# issue 15 questionnaires
class QuestionnaireRefused(TrackerError):
    """A returned questionnaire that is not an answer to one this register sent, as sent
    (another register, provider or questionnaire, a wrong token, a changed structure)."""

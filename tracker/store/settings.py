"""Reading and changing the register's shared settings, each change audited."""

from __future__ import annotations

import json
from typing import Any

from sqlmodel import Session, select

from tracker.domain.enums import AuditAction
from tracker.domain.settings import SETTINGS, spec_for
from tracker.store.audit import record_event
from tracker.store.models import Setting, utcnow


def stored_value(text: str) -> Any:
    """A setting's value from its stored JSON, the one place settings are decoded.

    The door refuses control characters, but a register written by an older version, or
    edited with raw SQL, may hold one raw inside a JSON string, which strict JSON refuses:
    it is read as the character it is (every output path shows it escaped). A value that is
    not JSON at all (raw SQL without quotes) is read as its text, so listing the settings
    still works and ``tracker settings set`` can put it right."""
    try:
        return json.loads(text, strict=False)
    except json.JSONDecodeError:
        return text


def get_setting(session: Session, key: str) -> Any:
    spec = spec_for(key)
    stored = session.get(Setting, key)
    return stored_value(stored.value) if stored is not None else spec.default


# Written once by migration 0005; not a setting anyone changes, so not listed with them.
REGISTER_ID_KEY = "register_id"


def register_id(session: Session) -> str:
    """The register's identity, which its exports carry (see schema/versions/0005)."""
    stored = session.get(Setting, REGISTER_ID_KEY)
    return "" if stored is None else str(stored_value(stored.value))


# Set on a backup copy (tracker.store.anchors.mark_copy): the anchor of the register it was
# copied from at the moment of copying. Like the identity, nobody sets it by hand.
COPIED_FROM_KEY = "copied_from"
IDENTITY_KEYS = frozenset({REGISTER_ID_KEY, COPIED_FROM_KEY})


def copied_from(session: Session) -> dict[str, Any] | None:
    """The origin's anchor when this register is a backup copy (None otherwise)."""
    stored = session.get(Setting, COPIED_FROM_KEY)
    value = stored_value(stored.value) if stored is not None else None
    return value if isinstance(value, dict) else None


def set_identity(session: Session, key: str, value: Any, *, actor: str) -> None:
    """Store one of the register's identity settings, audited like every setting (the
    replay of the trail compares them), with no spec: they are not a person's settings."""
    assert key in IDENTITY_KEYS, key
    stored = session.get(Setting, key, with_for_update=True)
    before = stored_value(stored.value) if stored is not None else None
    _write(session, key, stored, before, value, actor=actor)


def _write(session: Session, key: str, stored: Setting | None, before: Any, value: Any, *,
           actor: str) -> None:
    """Store ``value`` over ``stored`` (None: a first value), its version moved on, and the
    change in the audit trail beside it."""
    text = json.dumps(value, ensure_ascii=False)
    if stored is None:
        session.add(Setting(key=key, value=text))
    else:
        stored.value, stored.version, stored.updated_at = text, stored.version + 1, utcnow()
    session.flush()
    record_event(session, actor=actor, action=AuditAction.UPDATE, entity="setting",
                 entity_id=key, before={"value": before}, after={"value": value})


def all_settings(session: Session) -> dict[str, Any]:
    """Every known setting with its value (stored or default), plus stored display names."""
    values = {key: spec.default for key, spec in SETTINGS.items()}
    for stored in session.exec(select(Setting)).all():
        if stored.key in IDENTITY_KEYS:
            continue
        values[stored.key] = stored_value(stored.value)
    return dict(sorted(values.items()))


def set_setting(session: Session, key: str, value: Any, *, actor: str) -> Any:
    """Store a checked value; audited with its previous value. Returns the stored value."""
    spec = spec_for(key)
    checked = spec.check(value)
    stored = session.get(Setting, key, with_for_update=True)
    before = stored_value(stored.value) if stored is not None else spec.default
    if stored is not None and before == checked:
        return checked
    _write(session, key, stored, before, checked, actor=actor)
    return checked

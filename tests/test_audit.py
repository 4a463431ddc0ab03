"""The tamper-evident audit trail: intact chains verify, every kind of tampering shows."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, text

from tracker.app import pipeline as svc
from tracker.cli import main
from tracker.store.audit import current_actor, verify_chain
from tracker.store.engine import session_scope
from tracker.store.settings import set_setting


def _fill(engine: Engine, count: int = 5) -> None:
    with session_scope(engine) as session:
        for n in range(count):
            provider = svc.providers.create(session=session,
                                            data={"legal_name": f"Provider {n}"}, actor="a")
            assert provider.id
            svc.providers.update(session=session, record_id=provider.id,
                                 changes={"risk_tier": "low"}, expected_version=1, actor="b")


def _verify(engine: Engine) -> list[str]:
    with session_scope(engine) as session:
        _, problems = verify_chain(session)
    return [str(p) for p in problems]


def test_intact_chain_verifies(engine: Engine) -> None:
    _fill(engine)
    with session_scope(engine) as session:
        checked, problems = verify_chain(session)
    assert (checked, problems) == (10, [])


def test_edited_event_is_reported(engine: Engine, db_path: Path,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    _fill(engine)
    with engine.begin() as connection:
        connection.execute(text("UPDATE audit_event SET actor = 'mallory' WHERE id = 4"))
    assert any(p.startswith("event 4:") and "edited" in p for p in _verify(engine))
    assert main(["--db", str(db_path), "audit", "verify"]) == 1
    assert "event 4" in capsys.readouterr().out


def test_deleted_event_in_the_middle_is_reported(engine: Engine) -> None:
    _fill(engine)
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM audit_event WHERE id = 3"))
    problems = _verify(engine)
    assert any(p.startswith("event 4:") and "does not follow" in p for p in problems)
    assert any("should hold 10 events but holds 9" in p for p in problems)


def test_deleted_newest_events_are_reported(engine: Engine) -> None:
    _fill(engine)
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM audit_event WHERE id >= 9"))
    assert any("newest event is not the one last written" in p for p in _verify(engine))


def test_inserted_event_is_reported(engine: Engine) -> None:
    _fill(engine, 2)
    with engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO audit_event (id, at, actor, action, entity, entity_id, before, after,"
            " prev_hash, hash) SELECT 100, at, 'mallory', 'update', entity, entity_id, before,"
            " after, hash, hash FROM audit_event WHERE id = 4"))
    assert any(p.startswith("event 100:") for p in _verify(engine))


def test_verify_command_passes_on_an_intact_register(engine: Engine, db_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    _fill(engine, 1)
    assert main(["--db", str(db_path), "audit", "verify"]) == 0
    assert "intact: 2 events" in capsys.readouterr().out


def test_actor_is_the_os_user_or_the_configured_name(engine: Engine) -> None:
    with session_scope(engine) as session:
        assert current_actor(session) == "tester"
        set_setting(session, "display_name.tester", "Li Wei", actor="tester")
        assert current_actor(session) == "Li Wei (tester)"


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(names=st.lists(st.text(st.characters(blacklist_categories=("Cc", "Cs")), min_size=1,
                              max_size=40).filter(str.strip), min_size=1, max_size=6))
def test_any_sequence_of_writes_leaves_a_verifiable_chain(engine: Engine,
                                                          names: list[str]) -> None:
    with session_scope(engine) as session:
        for name in names:
            row = svc.providers.create(session=session, data={"legal_name": name},
                                       actor="h\u00e9")
            assert row.id
            svc.providers.update(session=session, record_id=row.id,
                                 changes={"notes": name[::-1]}, expected_version=1, actor="x")
    assert _verify(engine) == []


@given(st.text(), st.sampled_from(["insert", "update"]), st.text(min_size=1), st.text(),
       st.none() | st.text(), st.none() | st.text())
def test_event_hash_covers_the_json_list_of_its_parts(actor: str, action: str, entity: str,
                                                      entity_id: str, before: str | None,
                                                      after: str | None) -> None:
    """The hash is of json.dumps' text of the eight parts, whoever writes that text (orjson,
    or json for what orjson refuses, such as a lone surrogate): a trail written before, or
    by PostgreSQL's trigger, verifies."""
    import hashlib
    import json

    from tracker.store.audit import _hash_text

    at = "2026-12-02T10:00:00.000000+00:00"
    parts = ["0" * 64, at, actor, action, entity, entity_id, before, after]
    text = json.dumps(parts, ensure_ascii=False, separators=(",", ":"))
    try:
        expected = hashlib.sha256(text.encode("utf-8")).hexdigest()
    except UnicodeEncodeError:  # a lone surrogate: no UTF-8 text, refused either way
        with pytest.raises(UnicodeEncodeError):
            _hash_text("0" * 64, at, actor, action, entity, entity_id, before, after)
        return
    assert _hash_text("0" * 64, at, actor, action, entity, entity_id, before, after) == expected

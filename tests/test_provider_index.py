"""The providers filter's in-memory index: the same matches, in the same order, as the SQL
search it replaces on the screen, and it sees a write made after it was built, by another
connection (another program on the same register)."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from tracker.app.provider_index import CHUNK, ProviderIndex
from tracker.app.queries import SORTABLE, ProviderFilter, provider_page
from tracker.app.register import Register
from tracker.store.engine import session_scope
from tracker.store.migrate import open_register

from .helpers import make_provider

NAMES = ["Acme Data Ltd", "ＡＣＭＥ Müller GmbH", "杭州标注科技有限公司", "Beta Speech Lab",
         "Gamma 数据 Vision", "Delta_Lab 100%", "Epsilon Nord", "Zeta Société Data"]
TEXTS = ["", "data", "DATA", "acme", "ａｃｍｅ", "müller", "MÜLLER", "科技", "de", "gb", "cn",
         "pro", "hi", "act", "sus", "off", "a", "lab 100%", "_", "%", "data lab", "hangzhou",
         "91330100", "example.com", "nomatch", "ind", "l"]


def _fill(session: Session) -> None:
    tiers = ["critical", "high", "medium", "low", None]
    roles = ["processor", "independent_controller", "licensor", None]
    countries = ["DE", "GB", "CN", None, "US"]
    statuses = ["active", "prospective", "suspended", "offboarded"]
    for i, (name, n) in enumerate(itertools.product(NAMES, range(3))):
        values: dict[str, Any] = {"legal_name": f"{name} {n}" if n else name,
                                  "country": countries[i % 5], "risk_tier": tiers[i % 5],
                                  "role": roles[i % 4], "status": statuses[i % 4]}
        if name.startswith("杭州"):
            values.update(aliases="Hangzhou Annotation Technology",
                          registration_number=f"91330100MA{n}XYZ",
                          website="https://annotate.example.com")
        make_provider(session, **values)


def _sql_and_index(engine: Engine, index: ProviderIndex,
                   flt: ProviderFilter) -> tuple[Any, Any]:
    with session_scope(engine, write=False) as session:
        page = provider_page(session, flt, offset=0, limit=1000)
    matches = index.search(flt)
    return (page.total, page.rows), (matches.total(), matches.rows(0, 1000))


def test_the_index_matches_and_orders_as_the_sql_search(engine: Engine) -> None:
    with session_scope(engine) as session:
        _fill(session)
        archived = make_provider(session, legal_name="Archived Data Co", country="DE")
        assert archived.id is not None
    Register(engine).archive("provider", archived.id, expected_version=1)
    index = ProviderIndex(engine)
    assert index.refresh()
    compared = 0
    for text, sort, descending, include_archived in itertools.product(
            TEXTS, SORTABLE, (False, True), (False, True)):
        flt = ProviderFilter(text=text, sort=sort, descending=descending,
                             include_archived=include_archived)
        sql, found = _sql_and_index(engine, index, flt)
        assert found == sql, flt
        compared += sql[0]
    assert compared > 1000  # the filters above match something, not only nothing


def test_a_write_by_another_connection_is_seen_after_a_refresh(engine: Engine,
                                                               db_path: Path) -> None:
    with session_scope(engine) as session:
        _fill(session)
    index = ProviderIndex(engine)
    index.refresh()
    assert index.search(ProviderFilter(text="omega")).total() == 0
    assert not index.refresh()  # nothing moved: nothing read
    other = Register(open_register(f"sqlite:///{db_path}"))  # another program's engine
    try:
        created = other.create("provider", {"legal_name": "Omega Data GmbH", "country": "DE"})
        renamed = index.search(ProviderFilter(text="beta speech lab")).rows(0, 1)[0]
        other.update("provider", renamed.id, {"legal_name": "Omicron Speech"},
                     expected_version=renamed.version)
        assert index.search(ProviderFilter(text="omega")).total() == 0  # not refreshed yet
        assert index.refresh()
        sql, found = _sql_and_index(engine, index, ProviderFilter(text="om", sort="updated_at",
                                                                  descending=True))
        assert found == sql
        assert [r.legal_name for r in found[1][:2]] == ["Omicron Speech", "Omega Data GmbH"]
        assert index.search(ProviderFilter(text="beta speech lab")).total() == 2  # of 3
        other.archive("provider", int(created.id), expected_version=1)
        index.refresh()
        assert index.search(ProviderFilter(text="omega")).total() == 0
        assert index.search(ProviderFilter(text="omega", include_archived=True)).total() == 1
        for flt in (ProviderFilter(), ProviderFilter(sort="country", descending=True),
                    ProviderFilter(text="data", include_archived=True)):
            sql, found = _sql_and_index(engine, index, flt)
            assert found == sql
    finally:
        other.close()


def test_many_changes_read_the_whole_register_again(engine: Engine, db_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """Past the delta limit the index reloads whole, and still agrees with the SQL."""
    import tracker.app.provider_index as provider_index

    index = ProviderIndex(engine)
    index.refresh()
    monkeypatch.setattr(provider_index, "DELTA_LIMIT", 3)
    with session_scope(engine) as session:
        _fill(session)
    assert index.refresh()
    sql, found = _sql_and_index(engine, index, ProviderFilter(text="a", sort="risk_tier"))
    assert found == sql and sql[0] > 3


def test_the_first_page_comes_before_the_whole_scan(engine: Engine) -> None:
    """A common word fills a page from the first chunk; the count scans the rest."""
    from tracker.app.provider_index import ProviderMatches

    with session_scope(engine) as session:
        _fill(session)
    index = ProviderIndex(engine)
    index.refresh()
    matches = index.search(ProviderFilter(text="a"))
    order = matches._order
    # many copies of the register's entries: more than one chunk to scan
    copies = (CHUNK * 3) // len(order.entries) + 1
    big = type(order)(order.entries * copies, order.texts * copies, order.codes * copies,
                      descending=False)
    scan = ProviderMatches(big, matches._words)
    assert len(scan.rows(0, 10)) == 10 and scan.known_total is None
    assert scan.total() == matches.total() * copies and scan.known_total == scan.total()


@pytest.mark.parametrize("sort,descending", [("legal_name", False), ("status", True)])
def test_typing_on_narrows_the_last_matches_and_still_agrees(engine: Engine, sort: str,
                                                             descending: bool) -> None:
    """Each keystroke scans only the last matches when it can; "d" then "de" must still
    find a provider in DE whose name holds no "d" (a country code matches only whole)."""
    with session_scope(engine) as session:
        _fill(session)
    index = ProviderIndex(engine)
    index.refresh()
    for term in ("de", "data lab", "müller gmbh", "pro", "hangzhou", "ａｃｍｅ d"):
        for n in range(len(term) + 1):
            flt = ProviderFilter(text=term[:n], sort=sort, descending=descending)
            sql, found = _sql_and_index(engine, index, flt)
            assert found == sql, flt
            with session_scope(engine, write=False) as session:
                page = provider_page(session, flt, offset=3, limit=4)
            assert index.search(flt).rows(3, 4) == page.rows, flt
    de = index.search(ProviderFilter(text="de")).rows(0, 100)
    assert any(r.country == "DE" and "d" not in r.legal_name.lower() for r in de)

"""Provider identity (issue 17): aliases, registration number and website are stored,
searched by the providers filter, kept by the export/import round trip and reproduced by
the audit replay."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine

from tracker.app.queries import ProviderFilter
from tracker.app.register import Register
from tracker.domain.text import provider_search_extra

from .helpers import copy_register


def _names(register: Register, text: str) -> list[str]:
    return [r.legal_name for r in register.provider_page(ProviderFilter(text=text),
                                                         limit=10).rows]


def test_the_filter_searches_aliases_registration_number_and_website(engine: Engine) -> None:
    register = Register(engine)
    created = register.create("provider", {
        "legal_name": "杭州标注科技有限公司", "country": "CN",
        "aliases": "Hangzhou Annotation Technology; HZ Label",
        "registration_number": "91330100MA2H3K4X5Y", "website": "https://hz-label.example.cn"})
    register.create("provider", {"legal_name": "Acme Data Ltd", "country": "GB"})
    assert _names(register, "hangzhou") == ["杭州标注科技有限公司"]
    assert _names(register, "annotation hz") == ["杭州标注科技有限公司"]
    assert _names(register, "91330100ma2h3k4x5y") == ["杭州标注科技有限公司"]
    assert _names(register, "hz-label.example") == ["杭州标注科技有限公司"]
    assert _names(register, "acme") == ["Acme Data Ltd"]
    # an alias changed on its own is searched at once
    register.update("provider", int(created.id), {"aliases": "Zhejiang Tagging"},
                    expected_version=1)
    assert _names(register, "hangzhou") == []
    assert _names(register, "zhejiang") == ["杭州标注科技有限公司"]
    # folded as the legal name is (NFKC, case, spaces)
    assert provider_search_extra({"aliases": "Ａ  B", "website": "x.cn"}) == "a b | x.cn"


def test_aliases_survive_the_round_trip_and_the_replay(engine: Engine, tmp_path: Path,
                                                       empty_template: Path) -> None:
    register = Register(engine)
    register.create("provider", {"legal_name": "杭州标注科技有限公司", "country": "CN",
                                 "aliases": "Hangzhou Annotation Technology"})
    out = tmp_path / "register.xlsx"
    register.export(out)
    assert register.verify_audit().problems == []
    copy = Register.open(f"sqlite:///{copy_register(empty_template, tmp_path / 'copy.sqlite')}")
    try:
        report = copy.import_file(out, profile=None, order=None, dry_run=False)
        assert report.written and not report.problems
        assert _names(copy, "hangzhou") == ["杭州标注科技有限公司"]
        assert copy.verify_audit().problems == []
    finally:
        copy.close()

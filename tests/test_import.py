"""Importing registers: the sample register, idempotence, updates, all-or-nothing, values."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine, func
from sqlmodel import col, select

from tracker.app.imports import run_import
from tracker.cli import main
from tracker.errors import TrackerError
from tracker.sheets.mapping import load_profile
from tracker.store.engine import session_scope
from tracker.store.models import Agreement, Assessment, AuditEvent, Provider

from .sheets_helpers import write_xlsx

SAMPLE = Path(__file__).resolve().parent.parent / "imports" / "sample-register.xlsx"
HEADER = ["Supplier name", "Country", "Risk tier", "Agreement type", "Expiry date",
          "Last review"]


def counts(engine: Engine) -> dict[str, int]:
    with session_scope(engine, write=False) as session:
        return {model.__name__: int(session.scalar(select(func.count()).select_from(model))
                                    or 0)
                for model in (Provider, Agreement, Assessment, AuditEvent)}


def test_sample_register_imports_every_record(engine: Engine) -> None:
    report = run_import(engine, SAMPLE, profile=None, order=None, dry_run=False)
    assert report.problems == [] and report.written
    assert (report.counts["provider"].new, report.counts["agreement"].new,
            report.counts["assessment"].new) == (6, 5, 5)
    assert report.left_out_sheets == ["Lookups (hidden)"]
    assert [c.header for m in report.mappings for c in m.columns if not c.target] == ["内部备注"]
    with session_scope(engine, write=False) as session:
        news = session.exec(select(Provider).where(col(Provider.country) == "CN")).one()
        assert (news.legal_name, news.risk_tier, news.role) == (
            "北京新闻档案数据有限公司", "high", "licensor")
        aleph = session.exec(select(Provider).where(
            col(Provider.legal_name).like("Aleph%"))).one()
        joint = session.exec(select(Agreement).where(
            col(Agreement.provider_id) == aleph.id)).one()
        assert (joint.kind, joint.signed_on, joint.expires_on) == (
            "joint_modelling", date(2026, 6, 25), date(2029, 6, 25))  # serials 46198, 47294
        nordic = session.exec(select(Agreement).where(col(Agreement.kind) == "dpa")).one()
        assert nordic.expires_on == date(2027, 5, 25)  # "25 May 2027"
        tokyo = session.exec(select(Provider).where(col(Provider.country) == "JP")).one()
        assert tokyo.risk_tier is None  # missing values are gaps, not errors


def test_importing_the_same_file_again_changes_nothing(engine: Engine) -> None:
    run_import(engine, SAMPLE, profile=None, order=None, dry_run=False)
    before = counts(engine)
    report = run_import(engine, SAMPLE, profile=None, order=None, dry_run=False)
    assert not report.written
    assert {e: (c.new, c.changed) for e, c in report.counts.items()
            if c.new or c.changed} == {}
    assert counts(engine) == before


def test_a_changed_row_updates_its_record_with_an_audited_diff(engine: Engine,
                                                               tmp_path: Path) -> None:
    first = write_xlsx(tmp_path / "r.xlsx", [HEADER, ["Acme Data", "DE", "low", "DPA",
                                                       "2027-01-31", "2026-01-10"]])
    run_import(engine, first, profile=None, order=None, dry_run=False)
    second = write_xlsx(tmp_path / "r2.xlsx", [HEADER, ["ACME  data", "Germany", "high",
                                                         "dpa", "2028-01-31", "2026-01-10"]])
    report = run_import(engine, second, profile=None, order=None, dry_run=False)
    assert (report.counts["provider"].changed, report.counts["agreement"].changed,
            report.counts["assessment"].unchanged) == (1, 1, 1)
    with session_scope(engine, write=False) as session:
        provider = session.exec(select(Provider)).one()
        assert (provider.risk_tier, provider.version) == ("high", 2)
        event = session.exec(select(AuditEvent).where(col(AuditEvent.entity) == "provider",
                                                      col(AuditEvent.action) == "update")).one()
        # same natural key (case and spacing folded), so the name's spelling updates too
        assert json.loads(event.before or "") == {"legal_name": "Acme Data", "risk_tier": "low"}
        assert json.loads(event.after or "") == {"legal_name": "ACME data", "risk_tier": "high"}
    assert main(["--db", str(engine.url.database), "audit", "verify"]) == 0


def test_one_bad_row_means_nothing_is_written(engine: Engine, tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "bad.xlsx", [
        ["Title of the register"], [], HEADER,
        ["Good Co", "FR", "low", "NDA", "2027-01-01", None],
        ["Bad Co", "Narnia", "extreme", "NDA", "31/02/2027", None]])
    before = counts(engine)
    report = run_import(engine, path, profile=None, order="day-first", dry_run=False)
    assert not report.written and counts(engine) == before
    problems = {(p.row, p.column): p for p in report.problems}
    assert set(problems) == {(5, "B"), (5, "C"), (5, "E")}
    assert problems[(5, "C")].reason.endswith("is not one of: critical, high, medium, low")
    assert problems[(5, "E")].value == "31/02/2027" and "not a real date" in \
        problems[(5, "E")].reason
    assert problems[(5, "B")].header == "Country" and problems[(5, "B")].sheet == "Register"


def test_dry_run_counts_and_writes_nothing(engine: Engine) -> None:
    before = counts(engine)
    report = run_import(engine, SAMPLE, profile=None, order=None, dry_run=True)
    assert report.counts["provider"].new == 6 and not report.written
    assert counts(engine) == before


@pytest.mark.parametrize(("order", "expected"), [("day-first", date(2027, 3, 1)),
                                                 ("month-first", date(2027, 1, 3))])
def test_ambiguous_dates_need_the_stated_order(engine: Engine, tmp_path: Path, order: str,
                                               expected: date) -> None:
    path = write_xlsx(tmp_path / "d.xlsx", [HEADER, ["Acme", "DE", "", "NDA", "01/03/2027",
                                                     ""]])
    report = run_import(engine, path, profile=None, order=None, dry_run=True)
    [problem] = report.problems
    assert "ambiguous" in problem.reason and problem.column == "E"
    report = run_import(engine, path, profile=None, order=order,  # type: ignore[arg-type]
                        dry_run=False)
    assert report.written
    with session_scope(engine, write=False) as session:
        assert session.exec(select(Agreement)).one().expires_on == expected


def test_1904_date_system_serials(engine: Engine, tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "mac.xlsx", [HEADER, ["Acme", "DE", "", "NDA", 45000, ""]],
                      epoch1904=True)
    run_import(engine, path, profile=None, order=None, dry_run=False)
    with session_scope(engine, write=False) as session:
        assert session.exec(select(Agreement)).one().expires_on == date(2027, 3, 16)


def test_ambiguous_columns_stop_the_import_and_say_how_to_fix_it(engine: Engine,
                                                                 tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "a.xlsx", [["Supplier", "Vendor", "Country"],
                                            ["Acme", "Acme Ltd", "DE"]])
    report = run_import(engine, path, profile=None, order=None, dry_run=False)
    assert not report.written
    assert "mapping profile" in report.problems[0].reason


def test_no_provider_column_is_a_clear_error(engine: Engine, tmp_path: Path) -> None:
    """Headers that match nothing: the first row's columns are offered to map (the import
    screen shows them), and the one problem says which field every row needs; an empty
    sheet is still refused."""
    path = write_xlsx(tmp_path / "n.xlsx", [["Colour", "Size"], ["red", "L"]])
    report = run_import(engine, path, profile=None, order=None, dry_run=True)
    [problem] = report.problems
    assert "no column is the provider's legal name" in problem.reason
    assert "import screen" in (problem.accepted or "")
    assert [(c.letter, c.header, c.target, c.samples) for c in report.mappings[0].columns] == [
        ("A", "Colour", None, ("red",)), ("B", "Size", None, ("L",))]
    assert not report.written
    empty = write_xlsx(tmp_path / "e.xlsx", [[None, None]])
    with pytest.raises(TrackerError, match="no sheet has a column .* legal name"):
        run_import(engine, empty, profile=None, order=None, dry_run=True)


@pytest.mark.parametrize("name", ["../../escaped", ".hidden", "a/b"])
def test_a_profile_name_is_a_file_name_never_a_path(
        engine: Engine, tmp_path: Path, name: str,
        capsys: pytest.CaptureFixture[str]) -> None:
    from tracker.sheets.mapping import user_profiles_dir

    code = main(["--db", str(engine.url.database), "import", str(SAMPLE), "--dry-run",
                 "--save-profile", name])
    assert code == 2 and "cannot name a profile" in capsys.readouterr().err
    assert not (user_profiles_dir().parent.parent / "escaped.json").exists()
    assert not list(tmp_path.rglob("escaped.json"))


def test_profile_saved_and_reused(engine: Engine, tmp_path: Path,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    db = str(engine.url.database)
    assert main(["--db", db, "import", str(SAMPLE), "--dry-run", "--save-profile",
                 "monthly"]) == 0
    profile = load_profile("monthly")
    assert profile.columns["到期日"] == "agreement.expires_on"
    assert main(["--db", db, "import", str(SAMPLE), "--profile", "monthly"]) == 0
    capsys.readouterr()
    assert main(["--db", db, "import", str(SAMPLE), "--profile", "example-register",
                 "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["counts"]["provider"]["changed"] == 4  # four rows have notes, now mapped
    with session_scope(engine, write=False) as session:
        news = session.exec(select(Provider).where(col(Provider.country) == "CN")).one()
        assert news.notes == "国有媒体集团控股"  # the example profile maps the notes column


def test_json_report(engine: Engine, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert main(["--db", str(engine.url.database), "import", str(SAMPLE), "--dry-run",
                 "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["counts"]["provider"] == {"new": 6, "changed": 0, "unchanged": 0}
    assert report["sheets"][0]["header_row"] == 4 and report["written"] is False


def test_a_profile_is_replaced_only_by_an_import_that_started_from_it(
        engine: Engine, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Saving another file's mapping under an existing profile's name would silently change
    every later import that uses it: refused before the file is read (nothing written);
    starting from the profile and saving again replaces it (next month's edit)."""
    db = str(engine.url.database)
    assert main(["--db", db, "import", str(SAMPLE), "--dry-run", "--save-profile",
                 "monthly"]) == 0
    kept = load_profile("monthly").columns
    other = write_xlsx(tmp_path / "other.xlsx", [["Firm name", "Land"], ["Acme", "DE"]])
    capsys.readouterr()
    code = main(["--db", db, "import", str(other), "--save-profile", "monthly"])
    assert code == 2 and "a mapping profile named 'monthly' exists" in capsys.readouterr().err
    assert load_profile("monthly").columns == kept
    with session_scope(engine, write=False) as session:
        assert session.exec(select(Provider)).all() == []  # refused before the import
    assert main(["--db", db, "import", str(SAMPLE), "--dry-run", "--profile", "monthly",
                 "--save-profile", "monthly"]) == 0
    assert load_profile("monthly").columns == kept


def test_a_profile_from_a_workbook_applies_to_a_one_sheet_file(engine: Engine,
                                                               tmp_path: Path) -> None:
    """A profile remembers its workbook's sheet; next month's file as CSV (one sheet, named
    after the file) is the sheet it means, not 'not the profile's sheet'."""
    from tracker.sheets.mapping import Profile, save_profile

    save_profile(Profile(name="lieferanten", columns={"Firma X": "provider.legal_name"},
                         sheet="台账"))
    path = tmp_path / "november.csv"
    path.write_text("Firma X;Land\nAcme GmbH;Deutschland\n", encoding="utf-8")
    report = run_import(engine, path, profile=load_profile("lieferanten"), order=None,
                        dry_run=False)
    assert report.problems == [] and report.written, (report.problems, report.left_out_sheets)
    two = write_xlsx(tmp_path / "two.xlsx", [["Firma X"], ["Beta AG"]], title="Other")
    from openpyxl import load_workbook

    book = load_workbook(two)
    book.create_sheet("台账").append(["Firma X"])
    book["台账"].append(["Gamma SA"])
    book.save(two)
    report = run_import(engine, two, profile=load_profile("lieferanten"), order=None,
                        dry_run=True)
    assert [m.sheet for m in report.mappings] == ["台账"]  # among several, the profile's
    # one visible sheet beside a hidden list sheet: the visible one is the profile's
    hidden = write_xlsx(tmp_path / "hidden.xlsx", [["Firma X"], ["Delta AG"]], title="Nov")
    book = load_workbook(hidden)
    book.create_sheet("Lists").append(["Firma X"])
    book["Lists"].sheet_state = "hidden"
    book.save(hidden)
    report = run_import(engine, hidden, profile=load_profile("lieferanten"), order=None,
                        dry_run=True)
    assert [m.sheet for m in report.mappings] == ["Nov"], report.left_out_sheets
    assert report.problems == []

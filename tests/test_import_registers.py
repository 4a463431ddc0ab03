"""Importing the workbooks officers really keep (issue 18): a bilingual register with title
lines above its header and a hidden list sheet, a German Excel CSV, a 1904 workbook, a
Chinese-only register, and the files that are ambiguous in themselves, each refused by its
cell. Every fixture is made here, in code, and small."""

from __future__ import annotations

import zipfile
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import Engine
from sqlmodel import col, select

from tracker.app.imports import run_import
from tracker.app.register import Register
from tracker.domain.enums import AgreementKind, SccModule
from tracker.errors import TrackerError
from tracker.sheets.mapping import match_header
from tracker.sheets.readers import PieceReader
from tracker.sheets.values import parse_country, parse_enum
from tracker.store.engine import session_scope
from tracker.store.models import Agreement, Assessment, Provider, Supply, Transfer

from .sheets_helpers import rewrite_member, write_xlsx

TODAY = date(2026, 1, 15)
BILINGUAL_HEADER = ["Supplier / 供应商名称", "Country 国家", "Personal info? 个人信息",
                    "Agreement type 合同类型", "SCC module", "Signed 签署日期", "Expiry 到期日",
                    "Last review 上次审查", "Next review 下次审查", "Risk 风险等级",
                    "Internal remarks 内部备注"]


def bilingual_register(path: Path) -> Path:
    """Title and owner lines above the header, a blank line, a hidden list sheet, dates in
    five formats, countries written four ways."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "供应商台账 Register"
    sheet.append(["供应商台账 Supplier register 2025"])
    sheet.append(["Owner: Data Protection Office / 负责人: 张伟", None, "Updated 2025-12-01"])
    sheet.append([])
    sheet.append(BILINGUAL_HEADER)
    sheet.append(["北京数据科技有限公司", "中国", "是", "Entrusted processing contract", None,
                  datetime(2024, 3, 1), "2027-02-28", "2024-02-14", "2025-02-14", "高",
                  "renewal under discussion"])
    sheet.append(["Shanghai Vision Ltd", "PRC", "否", "DPA", None, "14.03.2024",
                  "31/12/2026", date(2025, 3, 1), "2026-03-01", "Medium", None])
    sheet.append(["Shenzhen Speech Co", "China", "yes", "数据许可", None,
                  "2024年5月6日", "6 May 2027", "2025年5月6日", "2026-05-06", "low", None])
    sheet.append(["Canton Text Co", "CN", "✓", "NDA", None, "6 May 2024", "2027年6月30日",
                  "06/05/2025", "06.05.2026", "critical", None])
    sheet.append(["Müller Daten GmbH", "Deutschland", "Ja", "EU SCCs", 1.0, 45000,
                  "30/11/2027", "2025-11-30", "2026-11-30", "hoch", None])
    lists = book.create_sheet("Lists")
    lists.append(["Risk", "Agreement"])
    lists.append(["高", "DPA"])
    lists.sheet_state = "hidden"
    book.save(path)
    return path


def test_bilingual_register_imports_with_no_flags_and_no_profile(engine: Engine,
                                                                 tmp_path: Path) -> None:
    path = bilingual_register(tmp_path / "register.xlsx")
    report = run_import(engine, path, profile=None, order=None, dry_run=False)
    assert report.problems == [] and report.written, report.problems
    [mapping] = report.mappings
    assert mapping.header_row == 4
    assert report.left_out_sheets == ["Lists (hidden)"]
    assert {c.header: c.target for c in mapping.columns} == {
        "Supplier / 供应商名称": "provider.legal_name", "Country 国家": "provider.country",
        "Personal info? 个人信息": "provider.holds_personal_info",
        "Agreement type 合同类型": "agreement.kind", "SCC module": "agreement.scc_module",
        "Signed 签署日期": "agreement.signed_on", "Expiry 到期日": "agreement.expires_on",
        "Last review 上次审查": "assessment.assessed_on",
        "Next review 下次审查": "assessment.next_review_on",
        "Risk 风险等级": "provider.risk_tier", "Internal remarks 内部备注": None}
    # a header that matches nothing is left out and the closest field suggested, not applied
    [left] = report.unmatched
    assert (left.column, left.accepted) == ("K", "provider.notes")
    with session_scope(engine, write=False) as session:
        providers = {p.legal_name: p for p in session.exec(select(Provider))}
        assert {n: p.country for n, p in providers.items()} == {
            "北京数据科技有限公司": "CN", "Shanghai Vision Ltd": "CN", "Shenzhen Speech Co": "CN",
            "Canton Text Co": "CN", "Müller Daten GmbH": "DE"}
        assert [providers[n].holds_personal_info for n in sorted(providers)] == [
            True, True, False, True, True]  # Canton, Müller, Shanghai, Shenzhen, 北京
        assert providers["Müller Daten GmbH"].risk_tier == "high"
        agreements: dict[int | None, Agreement] = {
            a.provider_id: a for a in session.exec(select(Agreement))}
        beijing = agreements[providers["北京数据科技有限公司"].id]
        assert (beijing.kind, beijing.signed_on, beijing.expires_on) == (
            "entrusted_processing", date(2024, 3, 1), date(2027, 2, 28))
        shanghai = agreements[providers["Shanghai Vision Ltd"].id]
        assert (shanghai.signed_on, shanghai.expires_on) == (date(2024, 3, 14),
                                                             date(2026, 12, 31))
        canton = agreements[providers["Canton Text Co"].id]
        assert (canton.signed_on, canton.expires_on) == (date(2024, 5, 6), date(2027, 6, 30))
        muller = agreements[providers["Müller Daten GmbH"].id]
        assert (muller.kind, muller.scc_module, muller.signed_on) == (
            "eu_scc", "module_1", date(2023, 3, 15))
        reviews: dict[int | None, Assessment] = {
            a.provider_id: a for a in session.exec(select(Assessment))}
        # "06/05/2025" (Last review) decides nothing by itself; the sheet's other date
        # columns are day-first (Expiry's 31/12/2026), so it is 6 May, as its author meant
        assert reviews[providers["Canton Text Co"].id].assessed_on == date(2025, 5, 6)
        assert reviews[providers["Canton Text Co"].id].next_review_on == date(2026, 5, 6)
        assert reviews[providers["北京数据科技有限公司"].id].next_review_on == date(2025, 2, 14)
    # the review overdue since 2025-02-14 in the workbook stays overdue after import
    gaps = [g for g in Register(engine).gaps(TODAY)
            if g.provider == "北京数据科技有限公司" and g.rule == "review-overdue"]
    assert [g.why for g in gaps] == ["review overdue since 2025-02-14"]
    again = run_import(engine, path, profile=None, order=None, dry_run=False)
    assert not again.written and again.problems == []
    assert {e: (c.new, c.changed) for e, c in again.counts.items() if c.new or c.changed} == {}


def test_german_excel_csv(engine: Engine, tmp_path: Path) -> None:
    text = ("Lieferant;Land;Vertragsart;Gültig bis;Personenbezogene Daten;Zielland;"
            "Übermittlungsgrundlage;Betroffene Personen;Anteil rechtswidriger Inhalte (%)\r\n"
            "Müller Daten GmbH;Deutschland;AVV;30.11.2024;Ja;Schweiz;Angemessenheitsbeschluss;"
            "75.000;0,5\r\n"
            "Größe & Söhne AG;Österreich;Auftragsverarbeitungsvertrag;01.03.2025;Nein;"
            "Vereinigte Staaten;Standardvertragsklauseln;1.250;1,5\r\n")
    path = tmp_path / "lieferanten.csv"
    path.write_bytes(text.encode("cp1252"))
    report = run_import(engine, path, profile=None, order=None, dry_run=False)
    assert report.problems == [] and report.written, report.problems
    with session_scope(engine, write=False) as session:
        providers = session.exec(select(Provider).order_by(col(Provider.id))).all()
        assert [(p.legal_name, p.country, p.holds_personal_info) for p in providers] == [
            ("Müller Daten GmbH", "DE", True), ("Größe & Söhne AG", "AT", False)]
        agreements = session.exec(select(Agreement).order_by(col(Agreement.id))).all()
        assert [(a.provider_id, a.kind, a.expires_on) for a in agreements] == [
            (providers[0].id, "dpa", date(2024, 11, 30)),
            (providers[1].id, "dpa", date(2025, 3, 1))]
        transfers = session.exec(select(Transfer.destination_country, Transfer.mechanism)
                                 .order_by(col(Transfer.id))).all()
        assert [tuple(t) for t in transfers] == [("CH", "eu_adequacy"), ("US", "eu_scc")]
        supplies = session.exec(select(Supply.name, Supply.people_concerned,
                                       Supply.sampling_illegal_pct)
                                .order_by(col(Supply.id))).all()
        assert [tuple(s) for s in supplies] == [
            ("Data supplied by Müller Daten GmbH", 75000, 0.5),
            ("Data supplied by Größe & Söhne AG", 1250, 1.5)]


def test_1904_workbook_dates_read_as_its_author_saw_them(engine: Engine,
                                                         tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "mac.xlsx", [
        ["Supplier", "Expiry date", "Signed", "Agreement type"],
        ["Acme", date(2027, 3, 16), 43000, "NDA"]], epoch1904=True)
    report = run_import(engine, path, profile=None, order=None, dry_run=False)
    assert report.problems == [], report.problems
    with session_scope(engine, write=False) as session:
        agreement = session.exec(select(Agreement)).one()
        # serial 43000 counts from 1 January 1904 (it would be 2017-09-22 in the 1900 system)
        assert (agreement.expires_on, agreement.signed_on) == (date(2027, 3, 16),
                                                               date(2021, 9, 23))


def test_chinese_only_register(engine: Engine, tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "台账.xlsx", [
        ["供应商台账"],
        ["供应商名称", "国家", "风险等级", "合同类型", "到期日", "是否涉及个人信息", "上次审查日期",
         "审查结论", "涉及人数（万人）", "出境目的地", "出境机制"],
        ["北京某某科技有限公司", "中国", "高", "委托处理合同", "2026年12月31日", "是",
         "2025年3月1日", "通过", 3.5, "新加坡", "个人信息出境标准合同"]], title="供应商")
    report = run_import(engine, path, profile=None, order=None, dry_run=False)
    assert report.problems == [] and report.written, report.problems
    with session_scope(engine, write=False) as session:
        provider = session.exec(select(Provider)).one()
        assert (provider.country, provider.risk_tier, provider.holds_personal_info) == (
            "CN", "high", True)
        agreement = session.exec(select(Agreement)).one()
        assert (agreement.kind, agreement.expires_on) == ("entrusted_processing",
                                                          date(2026, 12, 31))
        review = session.exec(select(Assessment)).one()
        assert (review.assessed_on, review.outcome) == (date(2025, 3, 1), "approved")
        transfer = session.exec(select(Transfer)).one()
        assert (transfer.origin_country, transfer.destination_country,
                transfer.mechanism) == ("CN", "SG", "cn_standard_contract")
        # 涉及人数（万人）: 3.5 in ten-thousands of people
        supply = session.exec(select(Supply)).one()
        assert supply.people_concerned == 35_000


def test_dates_of_one_column_decide_its_order_and_ask_once(engine: Engine,
                                                           tmp_path: Path) -> None:
    header = ["Supplier", "Expiry date", "Last review", "Agreement type"]
    decided = write_xlsx(tmp_path / "d.xlsx", [header, ["A", "03/04/2027", "01/02/2024", "NDA"],
                                               ["B", "25/12/2027", "02/03/2024", "NDA"]])
    report = run_import(engine, decided, profile=None, order=None, dry_run=True)
    # Expiry: 25/12 can only be day-first, so 03/04 is 3 April; Last review decides
    # nothing and takes the sheet's order (its other date column's)
    assert report.problems == [] and any("day-first" in n for n in report.notes)
    undecided = write_xlsx(tmp_path / "u.xlsx", [header, ["A", "2027-04-03", "01/02/2024", "NDA"],
                                                 ["B", "2027-12-25", "02/03/2024", "NDA"]])
    report = run_import(engine, undecided, profile=None, order=None, dry_run=True)
    # one problem for the column, not one per cell
    assert [(p.column, p.row) for p in report.problems] == [("C", 2)]
    assert "ambiguous" in report.problems[0].reason and report.problems[0].accepted
    mixed = write_xlsx(tmp_path / "m.xlsx", [header, ["A", "25/12/2027", "", "NDA"],
                                             ["B", "12/25/2027", "", "NDA"]])
    [problem] = run_import(engine, mixed, profile=None, order=None, dry_run=True).problems
    assert problem.column == "B" and "mixes day-first" in problem.reason


def test_one_pass_lists_every_problem_with_where_and_what_is_accepted(
        engine: Engine, tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "bad.xlsx", [
        ["Supplier", "Country", "Risk tier", "Expiry date", "Renewal notic"],
        ["Acme", "Atlantis", "extreme", "2027-02-30", 30],
        ["Beta", "DE", "high", "2027-01-01", 30, "stray"]])
    report = run_import(engine, path, profile=None, order=None, dry_run=True)
    found = {(p.row, p.column): p for p in report.problems}
    assert set(found) == {(2, "B"), (2, "C"), (2, "D"), (3, "F")}
    assert all(p.sheet == "Register" and p.accepted for p in report.problems)
    assert found[(2, "B")].header == "Country" and found[(2, "B")].value == "Atlantis"
    assert "beyond the header's last column (E)" in found[(3, "F")].reason
    [left] = report.unmatched
    assert (left.column, left.accepted) == ("E", "agreement.notice_period_days")


@pytest.mark.parametrize(("header", "target"), [
    ("Supplier / 供应商名称", "provider.legal_name"), ("Lieferant", "provider.legal_name"),
    ("Nom du fournisseur", "provider.legal_name"), ("Vendors", "provider.legal_name"),
    ("Pays", "provider.country"), ("Contract exp. dt", "agreement.expires_on"),
    ("Notice (days)", "agreement.notice_period_days"),
    ("Nächste Prüfung", "assessment.next_review_on"),
    ("涉及人数（万人）", "supply.people_concerned")])
def test_headers_read_like_a_person(header: str, target: str) -> None:
    assert match_header(header, None).target == target


def test_header_parts_that_disagree_are_not_guessed() -> None:
    found = match_header("国家 / Role", None)
    assert found.target is None and found.disagree == ("provider.country", "provider.role")


@pytest.mark.parametrize(("value", "member"), [
    ("1", SccModule.C2C), (1.0, SccModule.C2C), ("1.0", SccModule.C2C),
    ("Module 2", SccModule.C2P), ("C2C", SccModule.C2C), ("p2p", SccModule.P2P)])
def test_scc_module_as_people_write_it(value: object, member: SccModule) -> None:
    assert parse_enum(value, SccModule) is member


@pytest.mark.parametrize("value", ["Entrusted processing contract", "ENTRUSTED-PROCESSING",
                                   "entrusted_processing", "Ｅｎｔｒｕｓｔｅｄ processing"])
def test_enum_near_label(value: str) -> None:
    assert parse_enum(value, AgreementKind) is AgreementKind.ENTRUSTED_PROCESSING


@pytest.mark.parametrize(("name", "code"), [
    ("Deutschland", "DE"), ("Allemagne", "DE"), ("Alemania", "DE"), ("ドイツ", "DE"),
    ("中国", "CN"), ("PRC", "CN"), ("UK", "GB"), ("USA", "US"), ("Holland", "NL"),
    ("Schweiz", "CH")])
def test_countries_in_any_language(name: str, code: str) -> None:
    assert parse_country(name) == code


# --- what is ambiguous in the file itself: refused, located ---------------------------

def refusal(engine: Engine, path: Path) -> str:
    with pytest.raises(TrackerError) as caught:
        run_import(engine, path, profile=None, order=None, dry_run=True)
    return str(caught.value)


def test_duplicate_zip_members(engine: Engine, tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "z.xlsx", [["Supplier"], ["Acme"]])
    with zipfile.ZipFile(path, "a") as archive, pytest.warns(UserWarning):
        archive.writestr("xl/worksheets/sheet1.xml", archive.read("xl/worksheets/sheet1.xml"))
    message = refusal(engine, path)
    assert "two parts named xl/worksheets/sheet1.xml" in message


def test_a_repeated_row_number(engine: Engine, tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "r.xlsx", [["Supplier"], ["Acme"], ["Beta"]])
    rewrite_member(path, "xl/worksheets/sheet1.xml",
                   lambda data: data.replace(b'<row r="3"', b'<row r="2"').replace(
                       b'r="A3"', b'r="A2"'))
    assert "sheet 'Register' holds row 2 twice" in refusal(engine, path)


def test_invalid_utf8_in_a_utf8_csv(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes("Supplier,Country\nMüller GmbH,DE\n".encode() + b"Caf\xe9 Ltd,FR\n")
    assert "line 3 holds bytes that are not UTF-8" in refusal(engine, path)


def test_csv_cell_over_the_limit_is_located(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "long.csv"
    path.write_text("Supplier,Notes\nAcme," + "x" * 200_000 + "\n", encoding="utf-8")
    [problem] = run_import(engine, path, profile=None, order=None, dry_run=True).problems
    assert (problem.row, problem.column) == (2, "B") and "200,000 characters" in problem.reason


def test_broken_shared_strings_name_the_cell(engine: Engine, tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Register"
    sheet.append(["Supplier"])
    sheet.append(["Acme"])
    book.save(tmp_path / "s.xlsx")
    path = tmp_path / "s.xlsx"
    # openpyxl writes inline strings; point A2 at a shared string that does not exist
    rewrite_member(path, "xl/worksheets/sheet1.xml", lambda data: data.replace(
        b'<c r="A2" t="inlineStr"><is><t>Acme</t></is></c>', b'<c r="A2" t="s"><v>7</v></c>'))
    message = refusal(engine, path)
    assert "cell A2, refers to text entry 7" in message and "shared" in message
    assert "index not found" not in message


def test_the_synonyms_file_names_only_real_fields_and_members() -> None:
    import json

    from tracker.domain import enums
    from tracker.resources import synonyms_file
    from tracker.sheets.mapping import all_targets

    data = json.loads(synonyms_file().read_text(encoding="utf-8"))
    targets = set(all_targets())
    assert sorted(k for k in data if not k.startswith("_") and k not in targets) == []
    for enum_name, aliases in data["_values"].items():
        if enum_name.startswith("_"):
            continue
        members = {m.value for m in getattr(enums, enum_name)}
        assert sorted(v for v in aliases.values() if v not in members) == [], enum_name


def test_a_date_text_far_down_still_decides_its_whole_column(
        engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The rows are planned in one pass until the first d/m text of a date column; the
    column's order is then read from there on (rows in pieces of three here, so the text is
    pieces below the header) and decides the texts that follow, with the column's problems
    listed before the rows', as when the whole column is read first."""
    monkeypatch.setattr(PieceReader, "PIECE_ROWS", 3)
    monkeypatch.setattr(PieceReader, "PIECE_BYTES", 400)
    header = ["Supplier", "Expiry date", "Agreement type", "Risk tier"]
    rows: list[list[object]] = [[f"P{i}", f"2027-01-0{1 + i % 9}", "NDA", "low"]
                                for i in range(8)]
    rows[1][3] = "extreme"  # a row's problem above the texts that decide the order
    mixed = write_xlsx(tmp_path / "m.xlsx", [header, *rows, ["Late", "12/25/2027", "NDA", "low"],
                                             ["Later", "25/12/2027", "NDA", "low"]])
    report = run_import(engine, mixed, profile=None, order=None, dry_run=True)
    assert [(p.column, p.row) for p in report.problems] == [("B", None), ("D", 3)]
    assert "mixes day-first" in report.problems[0].reason
    rows[1][3] = "low"
    decided = write_xlsx(tmp_path / "d.xlsx", [header, *rows, ["Late", "03/04/2027", "NDA", "low"],
                                               ["Later", "25/12/2027", "NDA", "low"]])
    report = run_import(engine, decided, profile=None, order=None, dry_run=False)
    assert report.written and report.problems == []
    assert any("'25/12/2027' on row 11" in note for note in report.notes)
    with session_scope(engine, write=False) as session:
        late = session.exec(select(Agreement).join(Provider).where(
            Provider.legal_name == "Late")).one()
        assert late.expires_on == date(2027, 4, 3)


def test_a_contact_column_of_email_addresses_is_the_contacts_email(engine: Engine,
                                                                   tmp_path: Path) -> None:
    """"Contact" names the contact's name, but a column holding only e-mail addresses is
    their e-mail: read as a person reads it, and said why; a column holding names stays."""
    path = tmp_path / "r.csv"
    path.write_text("Supplier,Contact,Domiciled in\nAcme GmbH,legal@acme.example,Deutschland\n"
                    "Beta Ltd,privacy@beta.example,UK\n", encoding="utf-8")
    report = run_import(engine, path, profile=None, order=None, dry_run=False)
    assert report.problems == [] and report.written, report.problems
    columns = {c.header: c for c in report.mappings[0].columns}
    assert columns["Contact"].target == "provider.contact_email"
    assert "e-mail addresses" in (columns["Contact"].reason or "")
    assert columns["Domiciled in"].target == "provider.country"
    with session_scope(engine, write=False) as session:
        assert [(p.contact_email, p.contact_name, p.country) for p in session.exec(
            select(Provider).order_by(col(Provider.id))).all()] == [
            ("legal@acme.example", None, "DE"), ("privacy@beta.example", None, "GB")]
    named = tmp_path / "n.csv"
    named.write_text("Supplier,Contact\nGamma SA,Jean Dupont\nDelta AG,info@delta.example\n",
                     encoding="utf-8")
    report = run_import(engine, named, profile=None, order=None, dry_run=True)
    assert {c.header: c.target for c in report.mappings[0].columns}["Contact"] == \
        "provider.contact_name"

"""Registers shaped as compliance officers really keep them (wave 2): placeholders such as
"n/a" and "TBD" in date columns, ISO timestamps, totals rows and footers under the data,
one sheet per entity linked by the provider's name, and the spellings of one provider's
name across rows. Every fixture is made here, in code, and small."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import select

from tracker.app.imports import run_import
from tracker.sheets.values import parse_date
from tracker.store.engine import session_scope
from tracker.store.models import Agreement

from .sheets_helpers import write_xlsx


@pytest.mark.parametrize("text", ["2026-11-30T00:00:00", "2026-11-30T10:30:00Z",
                                  "2026-11-30T10:30:00+08:00", "2026-11-30 10:30"])
def test_an_iso_timestamp_reads_as_its_date(text: str) -> None:
    assert parse_date(text) == date(2026, 11, 30)


def test_placeholders_in_date_columns_read_as_not_known(engine: Engine,
                                                        tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "dates.xlsx", [
        ["Provider", "Country", "Agreement type", "Signed", "Expiry"],
        ["Alpha Ltd", "CN", "DPA", "n/a", "TBD"],
        ["Beta Ltd", "CN", "DPA", "2024-01-01", "ongoing"],
        ["Gamma Ltd", "CN", "DPA", "2024-01-01", "-"],
        ["Delta Ltd", "CN", "DPA", "2024-01-01", "长期有效"],
    ])
    report = run_import(engine, path, profile=None, order=None, dry_run=False)
    assert report.problems == [] and report.written, report.problems
    with session_scope(engine) as session:
        agreements = session.exec(select(Agreement)).all()
        assert len(agreements) == 4
        assert all(a.expires_on is None for a in agreements)
    again = run_import(engine, path, profile=None, order=None, dry_run=False)
    assert again.problems == []
    assert all(c.new == 0 and c.changed == 0 for c in again.counts.values()), again.counts


def test_a_placeholder_is_still_refused_where_it_is_not_a_value(engine: Engine,
                                                                tmp_path: Path) -> None:
    """"Q4 2025" names no day: refused by its cell, as before."""
    path = write_xlsx(tmp_path / "quarter.xlsx", [
        ["Provider", "Country", "Agreement type", "Expiry"],
        ["Alpha Ltd", "CN", "DPA", "Q4 2025"],
    ])
    report = run_import(engine, path, profile=None, order=None, dry_run=True)
    [problem] = report.problems
    assert (problem.row, problem.column, problem.value) == (2, "D", "Q4 2025")
    assert "names a period, not a day" in problem.reason and "2025-12-31" in problem.reason


@pytest.mark.parametrize(("text", "last_day"), [
    ("Q4 2025", "2025-12-31"), ("2025 Q1", "2025-03-31"), ("2025年第二季度", "2025-06-30"),
    ("Nov 2025", "2025-11-30"), ("2024-02", "2024-02-29"), ("2025年11月", "2025-11-30"),
])
def test_a_period_is_refused_naming_its_last_day(text: str, last_day: str) -> None:
    with pytest.raises(ValueError, match=f"names a period.*{last_day}"):
        parse_date(text)


def table_register(path: Path) -> Path:
    """An Excel Table with autofilter, frozen panes, a blank separator row, a totals row
    (its SUBTOTAL formula saved without a result, as openpyxl saves it) and a notes
    paragraph under the data."""
    from openpyxl import Workbook
    from openpyxl.worksheet.table import Table

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Suppliers"
    sheet.append(["Provider", "Country", "People concerned", "Agreement type", "Expiry"])
    sheet.append(["Acme Data Ltd", "UK", 1000, "DPA", date(2026, 1, 1)])
    sheet.append([])
    sheet.append(["Beta Daten GmbH", "DE", 2000, "NDA", date(2026, 2, 1)])
    sheet.append(["Total", None, "=SUBTOTAL(109,C2:C4)", None, None])
    table = Table(displayName="Suppliers", ref="A1:E5")
    table.totalsRowCount = 1
    sheet.add_table(table)
    sheet.freeze_panes = "A2"
    sheet.append([])
    sheet.append(["Notes: people concerned as of December 2025, kept by the DPO."])
    sheet.append(["Figures from procurement, not audited."])
    sheet.append(["合计：2"])
    book.save(path)
    return path


def test_totals_row_and_notes_under_the_data_are_no_providers(engine: Engine,
                                                              tmp_path: Path) -> None:
    from tracker.store.models import Provider

    path = table_register(tmp_path / "table.xlsx")
    report = run_import(engine, path, profile=None, order=None, dry_run=False)
    assert report.problems == [] and report.written, report.problems
    with session_scope(engine) as session:
        names = sorted(p.legal_name for p in session.exec(select(Provider)).all())
    assert names == ["Acme Data Ltd", "Beta Daten GmbH"]
    assert report.counts["provider"].new == 2
    left_out = [n for n in report.notes if "left out" in n]
    assert [n.split(":")[0] for n in left_out] == [
        "Suppliers, row 5", "Suppliers, row 7", "Suppliers, row 8", "Suppliers, row 9"]
    assert "'Total' is a totals row, not a provider" in left_out[0]
    again = run_import(engine, path, profile=None, order=None, dry_run=False)
    assert again.problems == []
    assert all(c.new == 0 and c.changed == 0 for c in again.counts.values()), again.counts


def test_a_provider_whose_name_starts_like_a_label_is_kept() -> None:
    from tracker.sheets.mapping import row_label

    assert [row_label(t) for t in ["Total", "合计：", "Notes: x", "Source: y", "* required",
                                   "Total Data Ltd", "Notes", "Sum Data GmbH"]] == [
        "totals", "totals", "notes", "notes", "notes", None, None, None]


def per_entity_register(path: Path, *, agreement_type: str = "Agreement type",
                        sheets: tuple[str, str, str] = ("Providers", "Agreements",
                                                        "Transfers")) -> Path:
    """One sheet per entity, linked by the provider's name alone: only the providers'
    sheet says the country."""
    from openpyxl import Workbook

    book = Workbook()
    providers = book.active
    assert providers is not None
    providers.title = sheets[0]
    for row in (["Provider", "Country"], ["Acme Data Ltd", "UK"],
                ["Beta Daten GmbH", "Germany"]):
        providers.append(row)
    agreements = book.create_sheet(sheets[1])
    for row in (["Provider", agreement_type, "Expires"], ["Acme Data Ltd", "DPA", "2027-01-31"],
                ["beta daten gmbh", "NDA", "2027-02-28"]):
        agreements.append(row)
    transfers = book.create_sheet(sheets[2])
    for row in (["Provider", "Destination", "Mechanism"],
                ["Acme Data Ltd", "Singapore", "China standard contract"]):
        transfers.append(row)
    book.save(path)
    return path


@pytest.mark.parametrize(("agreement_type", "sheets"), [
    ("Agreement type", ("Providers", "Agreements", "Transfers")),
    # on the entity's own sheet a header need not say whose field it is
    ("Type", ("Vendors", "Contracts", "Data transfers")),
    ("类型", ("供应商", "合同", "跨境传输")),
])
def test_sheets_per_entity_link_by_the_providers_name(
        engine: Engine, tmp_path: Path, agreement_type: str,
        sheets: tuple[str, str, str]) -> None:
    from tracker.store.models import Provider, Transfer

    path = per_entity_register(tmp_path / "per-entity.xlsx", agreement_type=agreement_type,
                               sheets=sheets)
    report = run_import(engine, path, profile=None, order=None, dry_run=False)
    assert report.problems == [] and report.written, report.problems
    assert (report.counts["provider"].new, report.counts["agreement"].new,
            report.counts["transfer"].new) == (2, 2, 1)
    with session_scope(engine) as session:
        providers = {p.id: (p.legal_name, p.country)
                     for p in session.exec(select(Provider)).all()}
        assert sorted(providers.values()) == [("Acme Data Ltd", "GB"),
                                              ("Beta Daten GmbH", "DE")]
        linked = sorted((providers[a.provider_id][0], a.kind.value)
                        for a in session.exec(select(Agreement)).all())
        assert linked == [("Acme Data Ltd", "dpa"), ("Beta Daten GmbH", "nda")]
        [transfer] = session.exec(select(Transfer)).all()
        assert (transfer.origin_country, transfer.destination_country) == ("GB", "SG")
    again = run_import(engine, path, profile=None, order=None, dry_run=False)
    assert again.problems == []
    assert all(c.new == 0 and c.changed == 0 for c in again.counts.values()), again.counts


def test_one_providers_name_spelled_differently_on_its_rows(engine: Engine,
                                                             tmp_path: Path) -> None:
    """Case, a trailing or non-breaking space, full-width brackets: the same provider (its
    key folds them), so no conflict; the first row's spelling is kept."""
    from tracker.store.models import Provider

    path = write_xlsx(tmp_path / "names.xlsx", [
        ["Provider", "Country", "Agreement type"],
        ["Acme Data Ltd", "UK", "DPA"],
        ["ACME DATA LTD ", "UK", "NDA"],
        ["Acme\u00a0Data Ltd", "UK", "Data licence"],
        ["北京数据科技有限公司（北京）", "CN", "DPA"],
        ["北京数据科技有限公司(北京)", "CN", "NDA"],
    ])
    report = run_import(engine, path, profile=None, order=None, dry_run=False)
    assert report.problems == [] and report.written, report.problems
    assert (report.counts["provider"].new, report.counts["agreement"].new) == (2, 5)
    with session_scope(engine) as session:
        names = sorted(p.legal_name for p in session.exec(select(Provider)).all())
    assert names == ["Acme Data Ltd", "北京数据科技有限公司（北京）"]
    again = run_import(engine, path, profile=None, order=None, dry_run=False)
    assert again.problems == []
    assert all(c.new == 0 and c.changed == 0 for c in again.counts.values()), again.counts


@pytest.mark.parametrize(("header", "sheet", "target"), [
    ("Type", "Agreements", "agreement.kind"), ("Title", "Contracts", "agreement.title"),
    ("目的地", "跨境传输", "transfer.destination_country"),
    ("Destination", "数据出境", "transfer.destination_country"),
])
def test_a_header_on_its_entitys_sheet(header: str, sheet: str, target: str) -> None:
    from tracker.sheets.mapping import match_header, sheet_entity

    assert match_header(header, sheet_entity(sheet)).target == target


@pytest.mark.parametrize(("name", "code"), [
    ("Hong Kong SAR", "HK"), ("Hong Kong, China", "HK"), ("Taiwan, China", "TW"),
    ("Macau SAR", "MO"), ("Macao, China", "MO"), ("中国澳门", "MO"),
    ("Korea, Republic of", "KR"), ("Republic of Korea", "KR"),
    ("Islamic Republic of Iran", "IR"), ("UAE", "AE"), ("EU", "EU"),
    # a note or a second name beside the country
    ("Korea (South)", "KR"), ("Korea (North)", "KP"), ("PRC (Beijing)", "CN"),
    ("USA (California)", "US"), ("Congo (Kinshasa)", "CD"), ("China / 中国", "CN"),
    ("Germany (EU)", "DE"), ("Beijing (CN)", "CN"),
])
def test_countries_as_registers_write_them(name: str, code: str) -> None:
    from tracker.sheets.values import parse_country

    assert parse_country(name) == code


@pytest.mark.parametrize(("text", "number"), [
    ("1.5万", 15_000), ("0.07万", 700), ("3亿", 300_000_000), ("1,200人", 1_200),
    ("300条", 300), ("12k", 12_000), ("2 million", 2_000_000), ("１２３", 123),
    ("1 000", 1_000),
])
def test_a_count_written_with_its_unit(text: str, number: int) -> None:
    from tracker.sheets.values import parse_number

    assert parse_number(text) == number


def test_a_cell_unit_is_not_scaled_again_by_the_headers(engine: Engine,
                                                         tmp_path: Path) -> None:
    from tracker.store.models import Supply

    path = write_xlsx(tmp_path / "units.xlsx", [
        ["Provider", "Country", "Data set", "涉及人数（万人）"],
        ["Alpha Ltd", "CN", "voices", 3.5],
        ["Beta Ltd", "CN", "faces", "1.2万人"],
    ])
    report = run_import(engine, path, profile=None, order=None, dry_run=False)
    assert report.problems == [] and report.written, report.problems
    with session_scope(engine) as session:
        people = sorted(s.people_concerned or 0 for s in session.exec(select(Supply)).all())
    assert people == [12_000, 35_000]


def test_group_row_merged_over_every_column_is_not_the_header(engine: Engine,
                                                              tmp_path: Path) -> None:
    """"Provider" merged over Name | Country | Personal info, "Agreement" over Type |
    Signed | Expires, "Review" over Last | Next: the header is the row below, and the
    group label completes it either way round (Agreement Type, Last review)."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Supplier register 2025"])
    sheet.append(["Provider", None, None, "Agreement", None, None, "Review", None])
    sheet.append(["Name *", "Country\n国家", "Personal info? (Y/N)", "Type", "Signed",
                  "Expires", "Last", "Next"])
    for cells in ("A2:C2", "D2:F2", "G2:H2"):
        sheet.merge_cells(cells)
    sheet.append(["Acme Data Ltd", "UK", "Y", "DPA", "2024-01-01", "2026-01-01",
                  "2025-01-15", "2026-01-15"])
    book.save(tmp_path / "groups.xlsx")
    report = run_import(engine, tmp_path / "groups.xlsx", profile=None, order=None,
                        dry_run=False)
    assert report.problems == [] and report.written, report.problems
    [mapping] = report.mappings
    assert mapping.header_row == 3
    assert [c.target for c in mapping.columns] == [
        "provider.legal_name", "provider.country", "provider.holds_personal_info",
        "agreement.kind", "agreement.signed_on", "agreement.expires_on",
        "assessment.assessed_on", "assessment.next_review_on"]


def test_a_transfers_sheet_naming_a_registered_provider_starts_from_its_country(
        engine: Engine, tmp_path: Path) -> None:
    from tracker.store.models import Transfer

    first = write_xlsx(tmp_path / "providers.xlsx", [["Provider", "Country"],
                                                     ["Acme Data Ltd", "UK"]],
                       title="Providers")
    assert run_import(engine, first, profile=None, order=None, dry_run=False).written
    path = write_xlsx(tmp_path / "transfers.xlsx", [
        ["Provider", "Destination", "Mechanism"],
        ["acme data ltd", "Singapore", "China standard contract"],
    ], title="Transfers")
    report = run_import(engine, path, profile=None, order=None, dry_run=False)
    assert report.problems == [] and report.written, report.problems
    with session_scope(engine) as session:
        [transfer] = session.exec(select(Transfer)).all()
        assert (transfer.origin_country, transfer.destination_country) == ("GB", "SG")
    again = run_import(engine, path, profile=None, order=None, dry_run=False)
    assert again.problems == []
    assert all(c.new == 0 and c.changed == 0 for c in again.counts.values()), again.counts


def test_a_date_format_in_the_header_decides_its_columns_order(engine: Engine,
                                                                tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "format.xlsx", [
        ["Provider", "Country", "Agreement type", "Signed (dd/mm/yyyy)", "Expiry (MM/DD/YYYY)"],
        ["Alpha Ltd", "CN", "DPA", "03/04/2024", "05/06/2026"],
    ])
    report = run_import(engine, path, profile=None, order=None, dry_run=False)
    assert report.problems == [] and report.written, report.problems
    with session_scope(engine) as session:
        [agreement] = session.exec(select(Agreement)).all()
        assert (agreement.signed_on, agreement.expires_on) == (date(2024, 4, 3),
                                                               date(2026, 5, 6))


def test_a_date_contradicting_its_headers_format_is_refused_by_its_cell(
        engine: Engine, tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "format.xlsx", [
        ["Provider", "Country", "Agreement type", "Signed (dd/mm/yyyy)"],
        ["Alpha Ltd", "CN", "DPA", "03/04/2024"],
        ["Beta Ltd", "CN", "DPA", "01/31/2024"],
    ])
    report = run_import(engine, path, profile=None, order=None, dry_run=True)
    [problem] = report.problems
    assert (problem.row, problem.column, problem.value) == (3, "D", "01/31/2024")
    assert "says its dates are day-first" in problem.reason


def test_a_country_whose_parts_name_two_is_refused() -> None:
    from tracker.sheets.values import parse_country

    with pytest.raises(ValueError, match="names two countries"):
        parse_country("Korea (DPRK)")


@pytest.mark.parametrize(("entity", "name", "text", "value"), [
    ("provider", "holds_personal_info", "Yes*", True),
    ("agreement", "expires_on", "2026-01-31 *", date(2026, 1, 31)),
    ("provider", "country", "Germany†", "DE"),
])
def test_a_value_with_a_footnote_mark(entity: str, name: str, text: str,
                                      value: object) -> None:
    from tracker.sheets.plan import parser_for

    assert parser_for(entity, name, None, False)(text) == value


def test_a_number_styled_as_a_percentage_reads_as_its_author_saw_it(
        engine: Engine, tmp_path: Path) -> None:
    """0.005 in a cell formatted 0.0% shows 0.5%: the register's percentage is 0.5, not
    0.005; the same percentage typed as the text "0.5%" reads the same."""
    from openpyxl import Workbook

    from tracker.store.models import Supply

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Provider", "Country", "Data set", "Illegal content %"])
    sheet.append(["Alpha Ltd", "CN", "voices", 0.005])
    sheet.append(["Beta Ltd", "CN", "faces", "0.5%"])
    sheet.append(["Gamma Ltd", "CN", "texts", 2])
    sheet["D2"].number_format = "0.0%"
    book.save(tmp_path / "percent.xlsx")
    report = run_import(engine, tmp_path / "percent.xlsx", profile=None, order=None,
                        dry_run=False)
    assert report.problems == [] and report.written, report.problems
    with session_scope(engine) as session:
        found = {s.name: s.sampling_illegal_pct for s in session.exec(select(Supply)).all()}
    assert found == {"voices": 0.5, "faces": 0.5, "texts": 2}
    again = run_import(engine, tmp_path / "percent.xlsx", profile=None, order=None,
                       dry_run=False)
    assert all(c.new == 0 and c.changed == 0 for c in again.counts.values()), again.counts


@pytest.mark.parametrize(("number", "text"), [(0.005, "0.5%"), (0.25, "25%"), (1, "100%"),
                                              (0.123456, "12.3456%")])
def test_percent_text(number: float, text: str) -> None:
    from tracker.sheets.plan import percent_text

    assert percent_text(number) == text


def test_a_name_two_providers_of_the_file_share_is_not_guessed(engine: Engine,
                                                                tmp_path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    providers = book.active
    assert providers is not None
    providers.title = "Providers"
    for row in (["Provider", "Country"], ["Acme Ltd", "UK"], ["Acme Ltd", "US"]):
        providers.append(row)
    agreements = book.create_sheet("Agreements")
    for row in (["Provider", "Type"], ["Acme Ltd", "DPA"]):
        agreements.append(row)
    book.save(tmp_path / "two.xlsx")
    report = run_import(engine, tmp_path / "two.xlsx", profile=None, order=None,
                        dry_run=True)
    [problem] = report.problems
    assert (problem.sheet, problem.row, problem.value) == ("Agreements", 2, "Acme Ltd")
    assert "2 providers of the file have this name (GB, US)" in problem.reason


def test_names_differing_only_in_punctuation_are_one_provider_and_said_so(
        engine: Engine, tmp_path: Path) -> None:
    """"Acme Data Ltd" on the Providers sheet, "Acme Data Ltd." on the Agreements sheet: one
    provider (not a second one, with no country, holding the agreement), and the import's
    notes name the spelling it took for the other."""
    from openpyxl import Workbook

    from tracker.store.models import Provider

    book = Workbook()
    providers = book.active
    assert providers is not None
    providers.title = "Providers"
    for row in (["Provider", "Country"], ["Acme Data Ltd", "UK"],
                ["Shenzhen Vision Co., Ltd.", "CN"]):
        providers.append(row)
    agreements = book.create_sheet("Agreements")
    for row in (["Provider", "Type"], ["Acme Data Ltd.", "DPA"],
                ["Shenzhen Vision Co.,Ltd", "DPA"]):
        agreements.append(row)
    book.save(tmp_path / "spelled.xlsx")
    report = run_import(engine, tmp_path / "spelled.xlsx", profile=None, order=None,
                        dry_run=False)
    assert report.problems == [] and report.written, report.problems
    assert (report.counts["provider"].new, report.counts["agreement"].new) == (2, 2)
    assert ("Agreements, row 2: provider 'Acme Data Ltd.' is read as 'Acme Data Ltd' of "
            "Providers row 2 (the names differ only in punctuation or spaces)") in report.notes
    assert any("'Shenzhen Vision Co.,Ltd'" in note for note in report.notes), report.notes
    with session_scope(engine) as session:
        names = sorted(p.legal_name for p in session.exec(select(Provider)).all())
    assert names == ["Acme Data Ltd", "Shenzhen Vision Co., Ltd."]


def test_a_name_spelled_otherwise_finds_the_registers_provider(engine: Engine,
                                                               tmp_path: Path) -> None:
    from tracker.app.queries import ProviderFilter
    from tracker.app.register import Register

    register = Register(engine)
    stored = register.create("provider", {"legal_name": "Acme Data Ltd", "country": "GB"})
    path = write_xlsx(tmp_path / "again.xlsx", [["Provider", "Country", "Agreement type"],
                                                ["Acme Data Ltd.", "UK", "DPA"]])
    report = run_import(engine, path, profile=None, order=None, dry_run=False)
    assert report.problems == [] and report.written, report.problems
    assert (report.counts["provider"].new, report.counts["provider"].changed) == (0, 1)
    assert report.counts["agreement"].new == 1
    assert any(f"the register's 'Acme Data Ltd' (ID {stored.id})" in note
               for note in report.notes), report.notes
    rows = register.provider_page(ProviderFilter(), limit=5).rows
    assert [p.legal_name for p in rows] == ["Acme Data Ltd."]


def test_two_registered_providers_one_name_key_refuse_the_row(engine: Engine,
                                                              tmp_path: Path) -> None:
    """Forms may have written "Acme Data Ltd" and "ACME Data Ltd." both: the file's row
    is not given to either of them."""
    from tracker.app.register import Register

    register = Register(engine)
    ids = [register.create("provider", {"legal_name": name, "country": "GB"}).id
           for name in ("Acme Data Ltd", "ACME Data Ltd.")]
    path = write_xlsx(tmp_path / "which.xlsx", [["Provider", "Country", "Agreement type"],
                                                ["Acme Data Ltd", "GB", "DPA"]])
    report = run_import(engine, path, profile=None, order=None, dry_run=False)
    assert not report.written
    [problem] = report.problems
    assert (problem.row, problem.value) == (2, "Acme Data Ltd")
    assert f"2 providers in the register have this name (IDs {ids[0]}, {ids[1]})" in (
        problem.reason)


@pytest.mark.parametrize(("one", "other", "same"), [
    ("Acme Data Ltd.", "ACME  Data Ltd", True),
    ("Co., Ltd.", "Co.,Ltd", True),
    ("（北京）数据", "(北京)数据", True),
    ("A&B Data", "AB Data", True),
    ("Data+ Ltd", "Data Ltd", False),  # a symbol is part of the name
    ("कम डेटा", "काम डेटा", False),  # a vowel sign makes another word
    ("Müller GmbH", "Muller GmbH", False),
])
def test_provider_name_key(one: str, other: str, same: bool) -> None:
    from tracker.domain.text import provider_name_key

    assert (provider_name_key(one) == provider_name_key(other)) is same

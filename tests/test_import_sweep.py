"""Files found in the hostile-input sweep of the import: each was read wrongly without a
word (a stray quote, a DOS code page, an invisible character), and now is read as a person
reads it or refused by its place in the file."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import col, select

from tracker.app.imports import run_import
from tracker.errors import TrackerError
from tracker.store.engine import session_scope
from tracker.store.models import Provider


def refusal(engine: Engine, path: Path) -> str:
    with pytest.raises(TrackerError) as caught:
        run_import(engine, path, profile=None, order=None, dry_run=True)
    return str(caught.value)


def providers(engine: Engine) -> list[tuple[str, str | None]]:
    with session_scope(engine, write=False) as session:
        return [(p.legal_name, p.country) for p in
                session.exec(select(Provider).order_by(col(Provider.id))).all()]


@pytest.mark.parametrize(("text", "line"), [
    ('Supplier,Country\nAcme,DE\n"Beta"Co",FR\n', 3),  # a quote inside a quoted cell
    ('Supplier,Country\nAcme,DE\n"Beta Co,FR\n', 3),  # a quote never closed
])
def test_a_csv_quote_out_of_place_is_refused_by_its_line(engine: Engine, tmp_path: Path,
                                                         text: str, line: int) -> None:
    path = tmp_path / "q.csv"
    path.write_text(text, encoding="utf-8")
    message = refusal(engine, path)
    assert f"q.csv: line {line}" in message and "quote" in message, message
    assert "expected" not in message  # the csv module's words stay out
    assert providers(engine) == []


# A short file in the ANSI code page Excel on Windows saves "CSV" in, with few accented
# letters: the detector alone guessed DOS cp775 ('G³ltig bis'), Big5 ('Pa疄') or the
# Central European page ('Espańa') for these. Each is read as written, and said so.
@pytest.mark.parametrize(("encoding", "header", "name", "country"), [
    ("cp1252", "Lieferant;Land;Gültig bis", "Müller GmbH", "Deutschland"),
    ("cp1252", "Fournisseur;Pays;Échéance", "Société Générale Données", "Allemagne"),
    ("cp1252", "Supplier;Country;Notes", "Datos Añil España S.A.", "España"),
    ("cp1252", "Supplier;Country;Notes", "Dados São Paulo Ltda", "Brasil"),
    ("cp1250", "Supplier;Country;Notes", "Łódź Dane Sp. z o.o.", "Polska"),
    ("cp1251", "Supplier;Country;Notes", "ООО Ромашка", "Россия"),
    ("gb18030", "供应商;国家;到期日", "北京数据科技有限公司", "中国"),
    ("cp1254", "Supplier;Country;Notes", "Doğan Veri Şirketi A.Ş.", "Türkiye"),
])
def test_a_short_legacy_csv_is_read_in_its_spreadsheet_code_page(
        engine: Engine, tmp_path: Path, encoding: str, header: str, name: str,
        country: str) -> None:
    path = tmp_path / "register.csv"
    path.write_bytes(f"{header}\n{name};{country};\n".encode(encoding))
    report = run_import(engine, path, profile=None, order=None, dry_run=False)
    assert report.problems == [] and report.written, report.problems
    assert [c.header for c in report.mappings[0].columns] == header.split(";")
    [(stored_name, code)] = providers(engine)
    assert stored_name == name and code is not None  # the country's name read as written
    assert any("register.csv: read as" in note and "not UTF-8" in note
               for note in report.notes), report.notes


def test_a_utf8_csv_gets_no_encoding_note(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "register.csv"
    path.write_text("Supplier;Country\nMüller GmbH;Deutschland\n", encoding="utf-8")
    report = run_import(engine, path, profile=None, order=None, dry_run=False)
    assert report.written and not any("read as" in note for note in report.notes)


def test_a_required_field_with_no_column_names_the_columns_that_made_the_record(
        engine: Engine, tmp_path: Path) -> None:
    """No cell holds a missing agreement kind: the problem names the column that made the
    row an agreement, and says leaving it out is the other way forward."""
    path = tmp_path / "r.csv"
    path.write_text("Lieferant;Land;Gültig bis\nMüller GmbH;Deutschland;30.11.2024\n",
                    encoding="utf-8")
    report = run_import(engine, path, profile=None, order=None, dry_run=True)
    [problem] = report.problems
    assert problem.row == 2 and problem.header == "agreement.kind"
    assert "comes from column C (Gültig bis)" in problem.reason
    assert (problem.accepted or "").endswith("or leave column C out")


def test_a_long_legacy_csv_is_guessed_on_whole_lines(monkeypatch: pytest.MonkeyPatch) -> None:
    """The guess reads a sample of a long file; cut inside a two-byte GBK character, the
    sample read as no page at all and the file was refused (a 4.8 MB register, found in
    review). The sample ends at a line break."""
    from tracker.sheets import text_encoding

    raw = ("供应商,国家\n" + "北京数据科技有限公司,中国\n" * 40).encode("gbk")
    cut = 12 + 26 * 2 + 3  # the header, two lines, then inside the second character
    monkeypatch.setattr(text_encoding, "SAMPLE_BYTES", cut)
    assert raw[:cut].decode("gbk", errors="replace").endswith("\ufffd")  # the cut splits one
    assert text_encoding.guess_code_page(raw) == "gb18030"

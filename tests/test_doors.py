"""One door for every write: the same DPA, PIPL Art 21 contract, due-diligence reviews and
transfer entered through the form, the command line, a spreadsheet import and a restore of
an export give the same stored rows (clause and checklist children included) and the same
gaps."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook

from tracker.app.register import Register
from tracker.app.values import parse_field_values
from tracker.cli import main
from tracker.domain.checklists import clauses_for
from tracker.domain.enums import AgreementKind
from tracker.errors import ValidationFailed
from tracker.ui.app import TrackerApp
from tracker.ui.screens.record_form import RecordForm

from .conftest import TODAY

PROVIDER = {"legal_name": "Acme Annotation 数据 Ltd", "country": "CN", "role": "processor",
            "risk_tier": "high", "status": "active"}
# (entity, field texts): what an officer types, as the CLI and a spreadsheet cell hold it.
RECORDS: list[tuple[str, dict[str, str]]] = [
    ("agreement", {"kind": "dpa", "title": "DPA 2026", "signed_on": "2026-01-15",
                   "effective_on": "2026-02-01", "expires_on": "2027-01-31",
                   "notice_period_days": "60"}),
    ("agreement", {"kind": "entrusted_processing", "title": "委托处理合同",
                   "signed_on": "2025-06-01", "expires_on": "2026-12-20"}),
    # Entered newest first on purpose: which review carries which answers is decided by
    # date, not by the order the records arrive in.
    ("assessment", {"kind": "due_diligence", "assessed_on": "2026-10-01",
                    "reviewer": "Li Wei", "outcome": "pending",
                    "next_review_on": "2027-10-01"}),
    ("assessment", {"kind": "due_diligence", "assessed_on": "2025-03-01",
                    "reviewer": "Li Wei", "outcome": "approved"}),
    ("transfer", {"origin_country": "CN", "destination_country": "DE",
                  "mechanism": "cn_standard_contract", "effective_on": "2026-11-01"}),
]
BOOKKEEPING = {"id", "version", "created_at", "updated_at", "search_name", "added_at"}
# Headers an officer's workbook uses (the import's synonyms), one sheet per kind of record.
IMPORT_HEADERS = {
    "provider": {"legal_name": "Legal name", "country": "Country", "role": "Role",
                 "risk_tier": "Risk tier", "status": "Status"},
    "agreement": {"kind": "Agreement type", "title": "Agreement title",
                  "signed_on": "Signed on", "effective_on": "Effective date",
                  "expires_on": "Expiry date", "notice_period_days": "Notice period"},
    "assessment": {"kind": "Assessment kind", "assessed_on": "Last review date",
                   "reviewer": "Reviewer", "outcome": "Review outcome",
                   "next_review_on": "Next review date"},
    "transfer": {"origin_country": "Origin country",
                 "destination_country": "Destination country",
                 "mechanism": "Transfer mechanism", "effective_on": "Took effect on"},
}


def _register(path: Path) -> Register:
    return Register.new(f"sqlite:///{path}")


def snapshot(register: Register) -> tuple[list[tuple[Any, ...]], list[tuple[str, ...]]]:
    """The register's rows without bookkeeping, each reference replaced by what it refers
    to, and its gaps: what must not depend on the door."""
    from tracker.store.engine import session_scope
    from tracker.store.models import table_of

    def described(entity: str, row: dict[str, Any]) -> tuple[Any, ...]:
        return tuple(sorted((k, str(v)) for k, v in row.items()
                            if k not in BOOKKEEPING and not k.endswith("_id")))

    rows: list[tuple[Any, ...]] = []
    with session_scope(register.engine, write=False) as session:
        parents: dict[tuple[str, int], tuple[Any, ...]] = {}
        for entity in ("provider", "agreement", "assessment", "transfer", "agreement_clause",
                       "checklist_answer"):
            for found in session.execute(table_of(entity).select()).mappings():
                row = dict(found)
                key = described(entity, row)
                parents[(entity, int(row["id"]))] = key
                parent = next((parents[(p, row[f"{p}_id"])] for p in ("agreement", "assessment")
                               if row.get(f"{p}_id") is not None), None)
                rows.append((entity, key, parent))
    gaps = [(g.rule, g.severity.value, g.subject) for g in register.gaps(TODAY)]
    return sorted(rows, key=repr), sorted(gaps)


def through_register(path: Path) -> Register:
    """What the form sends (the reference door): typed values into Register.create."""
    register = _register(path)
    provider = register.create("provider", parse_field_values("provider", PROVIDER))
    for entity, texts in RECORDS:
        register.create(entity, {**parse_field_values(entity, texts),
                                 "provider_id": provider.id})
    return register


def through_cli(path: Path) -> Register:
    def run(*args: str) -> None:
        assert main(["--db", str(path), *args]) == 0
    run("init")
    run("add", "provider", *(f"{k}={v}" for k, v in PROVIDER.items()))
    for entity, texts in RECORDS:
        run("add", entity, "--provider", "Acme", *(f"{k}={v}" for k, v in texts.items()))
    return Register.open(f"sqlite:///{path}")


def spreadsheet(path: Path) -> Path:
    book = Workbook()
    book.remove(book.active)
    provider_sheet = book.create_sheet("Providers")
    provider_sheet.append(list(IMPORT_HEADERS["provider"].values()))
    provider_sheet.append([PROVIDER[k] for k in IMPORT_HEADERS["provider"]])
    for entity in ("agreement", "assessment", "transfer"):
        sheet = book.create_sheet(f"{entity.capitalize()}s")
        headers = IMPORT_HEADERS[entity]
        sheet.append(["Legal name", "Country", *headers.values()])
        for kind, texts in RECORDS:
            if kind == entity:
                sheet.append([PROVIDER["legal_name"], PROVIDER["country"],
                              *(_cell(texts.get(k)) for k in headers)])
    book.save(path)
    return path


def _cell(text: str | None) -> Any:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)  # a real date cell, as Excel stores it
    except ValueError:
        return int(text) if text.isdigit() else text


def through_import(path: Path) -> Register:
    register = _register(path)
    report = register.import_file(spreadsheet(path.with_suffix(".xlsx")), profile=None,
                                  order=None, dry_run=False)
    assert report.problems == [] and report.written
    return register


def through_restore(path: Path) -> Register:
    """An export of the reference register, imported into an empty one."""
    source = through_register(path.with_name("source.sqlite"))
    exported = source.export(path.with_name("export.xlsx")).path
    register = _register(path)
    report = register.import_file(exported, profile=None, order=None, dry_run=False)
    assert report.problems == [] and report.written
    return register


def through_rows_added_to_an_export(path: Path) -> Register:
    """The provider exported alone, the records typed as new rows (blank ID) into the
    exported workbook, imported back into the register it came from."""
    register = _register(path)
    provider = register.create("provider", parse_field_values("provider", PROVIDER))
    exported = register.export(path.with_name("export.xlsx")).path
    book = load_workbook(exported)
    for entity, texts in RECORDS:
        sheet = book[{"agreement": "Agreements", "assessment": "Assessments",
                      "transfer": "Transfers"}[entity]]
        headers = [c.value for c in sheet[1]]
        fields = {f"{k}": v for k, v in parse_field_values(entity, texts).items()}
        columns = _export_columns(entity)
        row = [None] * len(headers)
        row[headers.index("Provider ID")] = provider.id
        for name, value in fields.items():
            row[headers.index(columns[name])] = getattr(value, "value", value)
        sheet.append(row)
    book.save(exported)
    report = register.import_file(exported, profile=None, order=None, dry_run=False)
    assert report.problems == [] and report.written
    return register


def _export_columns(entity: str) -> dict[str, str]:
    from tracker.sheets.layout import entity_sheet

    return {c.field: c.header for c in entity_sheet(entity).columns if c.field}


DOORS: dict[str, Callable[[Path], Register]] = {
    "cli": through_cli, "import": through_import, "restore": through_restore,
    "rows added to an export": through_rows_added_to_an_export,
}


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, Any]:
    register = through_register(tmp_path_factory.mktemp("reference") / "form.sqlite")
    try:
        return snapshot(register)
    finally:
        register.close()


def test_the_reference_holds_what_every_door_must_give(reference: tuple[Any, Any]) -> None:
    rows, gaps = reference
    kinds = [entity for entity, _, _ in rows]
    assert kinds.count("agreement_clause") == len(clauses_for(AgreementKind.DPA)) + len(
        clauses_for(AgreementKind.ENTRUSTED_PROCESSING)) == 13 + 10  # GDPR 28(3), PIPL 21
    # the pending 2026 review has its 30 items, open (nothing recorded to carry); the 2025
    # review, decided when it came in, is history without a checklist
    assert kinds.count("checklist_answer") == 30
    assert {dict(key)["status"] for entity, key, _ in rows
            if entity == "checklist_answer"} == {"open"}
    # every clause starts missing; the last decided review (2025-03-01) has no checklist
    # and is more than 12 months old for a high-risk provider; the 2026 one is pending; the
    # transfer names a standard contract not on file, unfiled 10 working days after it took
    # effect (issue 14)
    assert sorted(rule for rule, _, _ in gaps) == [
        "contract-missing-clauses", "contract-missing-clauses",
        "review-checklist-not-recorded", "review-overdue", "standard-contract-not-filed",
        "transfer-document-missing"]


@pytest.mark.parametrize("door", list(DOORS))
def test_every_door_gives_the_same_rows_and_gaps(door: str, tmp_path: Path,
                                                 reference: tuple[Any, Any]) -> None:
    register = DOORS[door](tmp_path / "door.sqlite")
    try:
        rows, gaps = snapshot(register)
    finally:
        register.close()
    expected_rows, expected_gaps = reference
    assert rows == expected_rows
    assert gaps == expected_gaps


async def test_the_form_gives_the_same_rows_and_gaps(tmp_path: Path,
                                                     reference: tuple[Any, Any]) -> None:
    """The real form, filled in and saved with ctrl+s, for every record."""
    from textual.widgets import Checkbox, Input, Select, Static

    register = _register(tmp_path / "form.sqlite")
    app = TrackerApp(engine=register.engine, today=TODAY)
    saved: list[Any] = []
    async with app.run_test(size=(120, 36)) as pilot:
        for count, (entity, texts) in enumerate([("provider", PROVIDER), *RECORDS], 1):
            preset = {} if entity == "provider" else {"provider_id": saved[0].id}
            form = RecordForm(app.register, entity, preset=preset)
            await app.push_screen(form, saved.append)
            await pilot.pause()
            for name, text in texts.items():
                widget = form.query_one(f"#input-{name}")
                if isinstance(widget, Select):
                    widget.value = text
                elif isinstance(widget, Checkbox):
                    widget.value = text == "yes"
                else:
                    assert isinstance(widget, Input)
                    widget.value = text
            await pilot.press("ctrl+s")
            await pilot.pause()
            if len(saved) != count:
                banner = form.query_one("#form-banner", Static).render()
                errors = [str(e.render()) for e in form.query(".field-error").results(Static)]
                pytest.fail(f"{entity} was not saved: {banner} {[e for e in errors if e]}")
    rows, gaps = snapshot(register)
    register.close()
    expected_rows, expected_gaps = reference
    assert sorted(set(map(repr, rows)) ^ set(map(repr, expected_rows))) == []
    assert (rows, gaps) == reference


def _book(path: Path, rows: list[list[Any]], title: str = "Register") -> Path:
    book = Workbook()
    book.active.title = title
    for row in rows:
        book.active.append(row)
    book.save(path)
    return path


def test_an_import_that_adds_the_provider_meets_the_gate_as_the_form_does(
        tmp_path: Path) -> None:
    """Reviews of a provider the same import creates carry the earlier one's open items, so
    approving the later one is refused, as it is in the form."""
    headers = ["Legal name", "Country", "Last review date", "Review outcome"]
    path = _book(tmp_path / "reviews.xlsx", [headers, ["Acme Ltd", "DE", date(2025, 1, 1),
                                                       "pending"],
                                             ["Acme Ltd", "DE", date(2026, 1, 1),
                                              "approved"]])
    register = _register(tmp_path / "import.sqlite")
    # one provider, two reviews: the file names the provider on both rows
    report = register.import_file(path, profile=None, order=None, dry_run=False)
    assert not report.written
    assert any("cannot approve while critical checklist items are open" in p.reason
               for p in report.problems)
    form = _register(tmp_path / "form.sqlite")
    provider = form.create("provider", {"legal_name": "Acme Ltd", "country": "DE"})
    form.create("assessment", {"provider_id": provider.id, "assessed_on": date(2025, 1, 1)})
    with pytest.raises(ValidationFailed, match="cannot approve"):
        form.create("assessment", {"provider_id": provider.id,
                                   "assessed_on": date(2026, 1, 1), "outcome": "approved"})
    register.close()
    form.close()


def test_an_import_checks_the_record_as_it_would_be_stored(tmp_path: Path) -> None:
    register = _register(tmp_path / "merged.sqlite")
    provider = register.create("provider", {"legal_name": "Merge GmbH", "country": "DE"})
    register.create("supply", {"provider_id": provider.id, "name": "Faces",
                               "contains_pi": True, "contains_sensitive_pi": True})
    register.create("transfer", {"provider_id": provider.id, "origin_country": "DE",
                                 "destination_country": "US", "mechanism": "eu_scc"})
    path = _book(tmp_path / "edit.xlsx", [
        ["Legal name", "Country", "Data set", "Personal information"],
        ["Merge GmbH", "DE", "Faces", "no"]])
    report = register.import_file(path, profile=None, order=None, dry_run=False)
    assert not report.written  # the stored row is sensitive PI: it cannot stop being PI
    assert [(p.row, p.reason.split(":")[0]) for p in report.problems] == [
        (2, "supply contains_pi")]
    # a row that changes only the date keeps the stored mechanism: not refused
    path = _book(tmp_path / "date.xlsx", [
        ["Legal name", "Country", "Origin country", "Destination country", "Took effect on"],
        ["Merge GmbH", "DE", "DE", "US", date(2026, 5, 1)]], title="Transfers")
    report = register.import_file(path, profile=None, order=None, dry_run=False)
    assert report.problems == [] and report.counts["transfer"].changed == 1
    register.close()


def test_a_kind_its_checklist_depends_on_cannot_change_on_any_door(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "kind.sqlite"
    register = through_cli(db)
    dpa = next(a for a in register.provider_file(1).agreements  # type: ignore[union-attr]
               if a.kind == "dpa")
    with pytest.raises(ValidationFailed, match="cannot change from 'dpa'"):
        register.update("agreement", int(dpa.id), {"kind": "entrusted_processing"},
                        expected_version=int(dpa.version))
    assert main(["--db", str(db), "edit", "agreement", str(dpa.id),
                 "kind=entrusted_processing"]) == 2
    assert "cannot change" in capsys.readouterr().err
    register.close()


def test_a_review_done_today_is_not_history(tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    """Completing the first review of a provider records a live review: its 30 items are
    open, so approving it needs the override, as in the form."""
    db = tmp_path / "first.sqlite"
    assert main(["--db", str(db), "init"]) == 0
    assert main(["--db", str(db), "add", "provider", "legal_name=First Review Ltd",
                 "country=DE", "status=active"]) == 0
    assert main(["--db", str(db), "reminders", "done", "review-1",
                 "--outcome", "approved"]) == 2
    assert "critical checklist items are open" in capsys.readouterr().err
    assert main(["--db", str(db), "reminders", "done", "review-1", "--outcome", "approved",
                 "--override", "onboarding call held; answers to follow"]) == 0
    register = Register.open(f"sqlite:///{db}")
    found = register.provider_file(1)
    assert found is not None
    [review] = found.assessments
    assert len(found.checklist[review.id]) == 30
    register.close()


def test_a_review_added_to_an_export_meets_the_gate(tmp_path: Path) -> None:
    register = _register(tmp_path / "gate.sqlite")
    provider = register.create("provider", {"legal_name": "Gate SA", "country": "FR"})
    register.create("assessment", {"provider_id": provider.id,
                                   "assessed_on": date(2026, 1, 10)})  # 30 items open
    exported = register.export(tmp_path / "export.xlsx").path
    book = load_workbook(exported)
    sheet = book["Assessments"]
    headers = [c.value for c in sheet[1]]
    columns = _export_columns("assessment")
    row: list[Any] = [None] * len(headers)
    row[headers.index("Provider ID")] = provider.id
    row[headers.index(columns["assessed_on"])] = date(2026, 6, 1)
    row[headers.index(columns["outcome"])] = "approved"
    sheet.append(row)
    book.save(exported)
    report = register.import_file(exported, profile=None, order=None, dry_run=False)
    assert not report.written
    assert [(p.sheet, p.row) for p in report.problems] == [("Assessments", 3)]
    assert "cannot approve while critical checklist items are open" in \
        report.problems[0].reason
    register.close()


def test_an_import_names_two_stored_records_it_cannot_tell_apart(tmp_path: Path) -> None:
    register = _register(tmp_path / "twins.sqlite")
    provider = register.create("provider", {"legal_name": "Twin Reviews BV", "country": "NL"})
    for reviewer in ("first", "second"):  # the form allows two reviews on one date
        register.create("assessment", {"provider_id": provider.id,
                                       "assessed_on": date(2026, 3, 1), "reviewer": reviewer})
    path = _book(tmp_path / "twins.xlsx", [
        ["Legal name", "Country", "Last review date", "Review findings"],
        ["Twin Reviews BV", "NL", date(2026, 3, 1), "all fine"]])
    report = register.import_file(path, profile=None, order=None, dry_run=False)
    assert not report.written
    assert [(p.row, p.reason[:40]) for p in report.problems] == [
        (2, "2 assessment records of this provider in")]
    assert "IDs 1, 2" in report.problems[0].reason
    register.close()

"""Data is never markup: a register whose every text is hostile Rich/Textual markup, walked
screen by screen. Each text must show literally, nothing may crash, and a name that holds an
``@click`` action must not run it when clicked or hovered."""

from __future__ import annotations

import pathlib
import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from rich.style import Style
from rich.text import Text
from sqlalchemy import Engine
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Select, Static, TabbedContent
from textual.widgets._data_table import default_cell_formatter
from textual.widgets._toast import Toast

from tracker.app.register import Register
from tracker.domain.enums import ReviewTriggerKind
from tracker.ui.app import TrackerApp
from tracker.ui.screens.complete import CompleteForm
from tracker.ui.screens.confirm import ConfirmScreen
from tracker.ui.screens.exporting import ExportForm
from tracker.ui.screens.help import HelpScreen
from tracker.ui.screens.importing import ImportScreen
from tracker.ui.screens.provider_detail import TABS, ProviderDetailScreen
from tracker.ui.screens.providers import ProvidersScreen
from tracker.ui.screens.record_form import RecordForm
from tracker.ui.screens.reminders import RemindersScreen
from tracker.ui.screens.snooze import SnoozeForm

from ..conftest import TODAY
from ..sheets_helpers import rewrite_member, write_xlsx
from .conftest import SIZE
from .helpers import filter_shown, paste_into, settle, type_into

CLOSING = "[/x]"  # a closing tag that closes nothing: a MarkupError
BOLD = "[b]bold"
UK = "ACME [UK] Ltd"  # [UK] is no style: markup drops it
CLICK = "[@click=app.screenshot()]click[/]"  # an action, run on click
DRIVE = "shared drive [/contracts/2026] folder"
LINK = "[link=file:///etc/passwd]x[/link]"
OFFICER = f"{CLOSING} Officer"


def screen_text(app: TrackerApp) -> str:
    """What the current screen shows, as the compositor renders it to the terminal."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


def cells(table: DataTable[Any]) -> list[str]:
    """Every cell as the table renders it (a ``str`` cell is read as markup there), after
    checking that no cell carries a click action."""
    shown = []
    for index in range(table.row_count):
        for cell in table.get_row_at(index):
            rendered = default_cell_formatter(cell)
            assert isinstance(rendered, Text)
            assert not any(isinstance(span.style, Style) and span.style.meta
                           for span in rendered.spans), f"{cell!r} carries an action"
            shown.append(rendered.plain)
    return shown


def toasts(app: TrackerApp) -> str:
    """The notifications on screen, each as one text (a toast wraps its lines)."""
    return " | ".join(str(toast.render()) for toast in app.screen.query(Toast))


def current(app: TrackerApp) -> object:
    """The screen on top, unnarrowed (mypy keeps an earlier isinstance of app.screen)."""
    return app.screen


def rendered(app: TrackerApp, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


@pytest.fixture
def hostile(engine: Engine) -> dict[str, int]:
    """Every kind of record, the settings, the display name and the marks, written through
    the application layer, each holding hostile markup."""
    register = Register(engine)
    register.change_setting("organisation_name", BOLD)
    register.change_setting("organisation_dpo", LINK)
    register.change_setting("display_name.tester", OFFICER)
    acme = register.create("provider", {
        "legal_name": UK, "country": "GB", "role": "processor", "risk_tier": "high",
        "status": "active", "contact_name": BOLD, "ownership": LINK,
        "notes": "\n".join([CLOSING, BOLD, CLICK, DRIVE, LINK])})
    click = register.create("provider", {"legal_name": CLICK, "country": "DE"})
    register.create("provider", {"legal_name": DRIVE, "country": "FR"})
    register.create("provider", {"legal_name": f"{CLOSING} Data", "country": "CN"})
    supply = register.create("supply", {
        "provider_id": acme.id, "name": CLOSING, "description": DRIVE, "contains_pi": True,
        "modality": "text", "source_category": "licensed_private"})
    evidence = register.create("evidence", {
        "provider_id": acme.id, "location": DRIVE, "kind": "signed_contract",
        "supports": UK, "valid_until": date(2027, 1, 1)})
    register.create("legal_basis", {
        "supply_id": supply.id, "regime": "gdpr", "gdpr_art6": "a_consent",
        "verified_by": BOLD, "evidence_id": evidence.id, "evidence_note": CLICK})
    agreement = register.create("agreement", {
        "provider_id": acme.id, "supply_id": supply.id, "kind": "dpa", "title": LINK,
        "governing_law": UK, "signed_copy_location": DRIVE, "expires_on": date(2027, 6, 30)})
    found = register.provider_file(int(acme.id))
    assert found is not None
    clause = found.clauses[int(agreement.id)][0]
    register.update("agreement_clause", int(clause.id), {"note": DRIVE},
                    expected_version=int(clause.version))
    review = register.create("assessment", {
        "provider_id": acme.id, "kind": "tia", "assessed_on": date(2026, 2, 1),
        "reviewer": BOLD, "outcome": "approved", "findings": DRIVE})
    register.create("checklist_answer", {
        "assessment_id": review.id, "item": 13, "status": "satisfied", "answered_by": LINK,
        "note": CLOSING})
    register.create("transfer", {
        "provider_id": acme.id, "origin_country": "FR", "destination_country": "CN",
        "mechanism": "eu_scc", "filing_number": CLOSING})
    register.create("reminder", {"provider_id": acme.id, "title": CLICK,
                                 "due_on": date(2026, 11, 30), "notes": BOLD})
    register.create("reminder", {"provider_id": acme.id, "title": LINK,
                                 "due_on": date(2026, 12, 2), "notes": UK})
    register.create("reminder", {"provider_id": acme.id, "title": "to snooze",
                                 "due_on": date(2026, 12, 3)})
    register.record_trigger(str(acme.id), ReviewTriggerKind.BREACH,
                            occurred_on=date(2026, 3, 1), note=DRIVE)
    snoozed = next(r for r in register.reminders(TODAY) if r.subject == "to snooze")
    register.snooze(snoozed.uid, until=max(TODAY, date.today()) + timedelta(days=30),
                    reason=f"{DRIVE} {BOLD}", today=TODAY)
    return {"acme": int(acme.id), "click": int(click.id)}


@pytest.fixture
def app(engine: Engine, hostile: dict[str, int], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> TrackerApp:
    """The app on the hostile register; a screenshot (what the hostile @click runs) would
    land in tmp_path/downloads."""
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    monkeypatch.setattr("textual.app.user_downloads_path", lambda: pathlib.Path(downloads))
    monkeypatch.chdir(tmp_path)
    return TrackerApp(engine=engine, today=TODAY)


def assert_no_screenshot(tmp_path: Path) -> None:
    assert list((tmp_path / "downloads").iterdir()) == []
    assert list(tmp_path.rglob("*.svg")) == []


async def click_and_hover(pilot: Pilot[Any], app: TrackerApp, text: str) -> None:
    """Click and hover every place the screen shows ``text``."""
    lines = screen_text(app).splitlines()
    spots = [(line.index(text) + 2, y) for y, line in enumerate(lines) if text in line]
    assert spots, f"{text!r} is not on the screen"
    for x, y in spots:
        await pilot.hover(offset=(x, y))
        await pilot.click(offset=(x, y))
        await pilot.pause()
    await settle(pilot)


async def test_dashboard_and_providers_show_hostile_names_literally(
        app: TrackerApp, engine: Engine, tmp_path: Path) -> None:
    escaped = Register(engine).create("provider", {"legal_name": "Escaped", "country": "DE"})
    with engine.begin() as connection:  # as a register written before the door refused it
        connection.exec_driver_sql("UPDATE provider SET legal_name = ? WHERE id = ?",
                                   ("Esc\x1b]52;c;eA==\x07 Ltd\u202e", escaped.id))
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        changes = cells(app.screen.query_one("#recent-changes", DataTable))
        assert f"{OFFICER} (tester)" in changes
        assert any(DRIVE[:24] in c for c in changes)  # the Change column cuts it, literally
        due = cells(app.screen.query_one("#dashboard-reminders", DataTable))
        assert any(UK in c for c in due) and any(CLICK in c for c in due)
        await click_and_hover(pilot, app, CLICK)
        assert_no_screenshot(tmp_path)

        await pilot.press("d", "p")
        await settle(pilot)
        assert isinstance(app.screen, ProvidersScreen)
        names = cells(app.screen.query_one("#providers-table", DataTable))
        assert {UK, CLICK, DRIVE, f"{CLOSING} Data"} <= set(names)
        assert UK in screen_text(app) and DRIVE in screen_text(app)
        assert "Esc\\x1b]52;c;eA==\\x07 Ltd\\u202e" in names  # shown, never obeyed
        assert not re.search("[\x1b\x07\u202e]", screen_text(app))
        await click_and_hover(pilot, app, CLICK)
        assert_no_screenshot(tmp_path)

        if not isinstance(app.screen, ProvidersScreen):  # the click opened the provider
            await pilot.press("escape")
            await settle(pilot)
        await pilot.press("slash", *CLOSING)  # the filter itself is markup
        await filter_shown(pilot)
        assert app.screen.query_one("#filter", Input).value == CLOSING
        table = app.screen.query_one("#providers-table", DataTable)
        assert cells(table)[0] == f"{CLOSING} Data" and table.row_count == 1

        await type_into(pilot, "#filter", "click")
        await filter_shown(pilot)
        app.screen.query_one("#providers-table", DataTable).focus()
        await pilot.press("a")  # archive asks first, naming the provider
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        assert f"Archive provider “{CLICK}”?" in screen_text(app)
        await click_and_hover(pilot, app, CLICK)
        assert_no_screenshot(tmp_path)
        await pilot.press("n")
        await pilot.pause()


async def test_every_tab_and_form_of_a_provider_shows_hostile_texts_literally(
        app: TrackerApp, hostile: dict[str, int], tmp_path: Path) -> None:
    expected: dict[str, dict[str, list[str]]] = {
        "supplies": {"supply": [CLOSING], "legal_basis": [BOLD]},
        "agreements": {"agreement": [LINK, UK], "agreement_clause": [DRIVE]},
        "transfers": {"transfer": [CLOSING]},
        "assessments": {"assessment": [BOLD], "checklist_answer": [LINK]},
        "evidence": {"evidence": [DRIVE, UK]},
        "reminders": {"reminder": [CLICK, LINK, BOLD, UK]},
        "gaps": {"gap": []},
        "history": {"audit_event": [f"{OFFICER} (tester)"]},
    }
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        app.open_provider(hostile["acme"])
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ProviderDetailScreen)
        overview = rendered(app, "#overview")
        for text in (UK, BOLD, LINK, CLOSING, CLICK, DRIVE):
            assert text in overview
        assert UK in screen_text(app)  # the title bar
        await click_and_hover(pilot, app, CLICK)
        assert_no_screenshot(tmp_path)
        for tab in TABS:
            screen.query_one(TabbedContent).active = f"tab-{tab}"
            await pilot.pause()
            for entity, texts in expected.get(tab, {}).items():
                shown = " | ".join(cells(screen.query_one(f"#table-{entity}", DataTable)))
                for text in texts:
                    assert text in shown, f"{text!r} not in the {entity} table"
        history = " ".join(cells(screen.query_one("#table-audit_event", DataTable)))
        assert DRIVE in history and LINK in history

        # an edit form whose choice is a hostile supply name, and its open list
        screen.query_one(TabbedContent).active = "tab-agreements"
        await pilot.pause()
        screen.query_one("#table-agreement", DataTable).focus()
        await pilot.press("e")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, RecordForm)
        assert form.query_one("#input-title", Input).value == LINK
        assert form.query_one("#input-supply_id", Select).value is not None
        assert CLOSING in screen_text(app)  # the chosen supply's name
        form.query_one("#input-supply_id", Select).focus()
        await pilot.press("enter")
        await pilot.pause()
        assert CLOSING in screen_text(app)  # the open list of supplies
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()

        # a validation error that quotes what was typed
        screen.query_one(TabbedContent).active = "tab-transfers"
        await pilot.pause()
        screen.query_one("#table-transfer", DataTable).focus()
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, RecordForm)
        await paste_into(pilot, "#input-origin_country", CLOSING)
        await paste_into(pilot, "#input-filed_on", BOLD)
        assert f"'{BOLD}' is not a date" in rendered(app, "#hint-filed_on")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, RecordForm)
        assert f"“{CLOSING}” is not a country we know" in rendered(app,
                                                                  "#error-origin_country")
        assert "Not saved" in rendered(app, "#form-banner")
        await pilot.press("escape")  # the form was typed in: it asks first
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()

        # a new record, from the tab the cursor is on
        screen.query_one(TabbedContent).active = "tab-supplies"
        await pilot.pause()
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, RecordForm)
        await paste_into(pilot, "#input-name", DRIVE)
        await paste_into(pilot, "#input-people_concerned", CLICK)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, RecordForm)
        assert f"“{CLICK}” is not a number" in rendered(app, "#error-people_concerned")
        await paste_into(pilot, "#input-people_concerned", "")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert current(app) is screen
        assert f"Added the supply {DRIVE}" in toasts(app)  # the notification

        # the provider's own file, exported from here
        await pilot.press("f")
        await pilot.pause()
        assert isinstance(app.screen, ExportForm)
        assert f"Export {UK}'s due-diligence file" in screen_text(app)
        target = tmp_path / "[b]out" / "acme.xlsx"
        target.parent.mkdir()
        await paste_into(pilot, "#input-path", str(target))
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert target.exists()
        assert str(target) in rendered(app, "#export-result")
        await pilot.press("escape")
        await pilot.pause()
        assert_no_screenshot(tmp_path)


async def test_reminders_snooze_and_confirm_show_hostile_texts_literally(
        app: TrackerApp, tmp_path: Path) -> None:
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, RemindersScreen)
        reminders: RemindersScreen = screen
        table = screen.query_one("#reminders-table", DataTable)
        shown = cells(table)
        assert UK in shown and f"Reminder: {CLICK}" in shown
        assert any(DRIVE in c for c in shown)  # the breach's note
        await click_and_hover(pilot, app, CLICK)
        assert_no_screenshot(tmp_path)
        if current(app) is not screen:  # the click opened the provider
            await pilot.press("escape")
            await settle(pilot)
        uid = next(r.uid for r in reminders.by_key.values() if r.subject == CLICK)
        table.move_cursor(row=table.get_row_index(uid))
        await pilot.pause()
        detail = rendered(app, "#reminder-detail")
        assert CLICK in detail and UK in detail and BOLD in detail

        await pilot.press("s")
        await pilot.pause()
        assert isinstance(app.screen, SnoozeForm)
        assert CLICK in screen_text(app)
        await paste_into(pilot, "#input-until", LINK)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert f"'{LINK}' is not a date" in rendered(app, "#error-until")
        await paste_into(pilot, "#input-until",
                         (max(TODAY, date.today()) + timedelta(days=20)).isoformat())
        await paste_into(pilot, "#input-reason", DRIVE)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert current(app) is screen
        assert f"Snoozed: {CLICK}" in toasts(app)

        uid = next(r.uid for r in reminders.by_key.values() if r.subject == LINK)
        table.move_cursor(row=table.get_row_index(uid))
        await pilot.pause()
        await pilot.press("c")
        await pilot.pause()
        assert isinstance(app.screen, CompleteForm)  # asks for a note of what was done
        assert f"— {LINK}" in screen_text(app)
        await pilot.press("enter")
        await settle(pilot)
        assert f"marked done: Reminder — {LINK}" in toasts(app)

        await pilot.press("x")  # snoozed and done, with their reasons
        await settle(pilot)
        closed = " | ".join(cells(table))
        assert "to snooze" in closed and CLICK in closed
        assert_no_screenshot(tmp_path)


def hostile_workbook(path: Path) -> Path:
    """A sheet named ``[/x]`` (Excel forbids the name, a hand-made file need not: it is
    renamed in the zip), markup in headers and cells, and a country that is markup."""
    write_xlsx(path, [["Supplier name", "Country", LINK],
                      [CLICK, "DE", CLOSING],
                      [UK, CLOSING, BOLD]], title="RENAMED")
    return rewrite_member(path, "xl/workbook.xml",
                          lambda data: data.replace(b'name="RENAMED"', b'name="[/x]"'))


async def test_import_export_help_and_errors_show_hostile_texts_literally(
        app: TrackerApp, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    workbook = hostile_workbook(tmp_path / "[b]register.xlsx")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("i")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ImportScreen)
        await paste_into(pilot, "#import-file", str(workbook))
        await pilot.click("#preview")
        await settle(pilot)
        mapping = [str(label.render()) for label in screen.query("#import-mapping Label")]
        # the sheet's name and a header, literally, on the column's line
        assert any(m.startswith(f"{CLOSING} C") and m.endswith(LINK) for m in mapping), mapping
        problems = cells(screen.query_one("#import-problems", DataTable))
        assert CLOSING in problems
        assert any(p.startswith(f"'{CLOSING}' is not a country") for p in problems)
        assert "rows read from [b]register.xlsx" in rendered(app, "#import-summary")
        await paste_into(pilot, "#import-file", str(tmp_path / "[/x]missing.xlsx"))
        await pilot.click("#preview")
        await settle(pilot)
        summary = rendered(app, "#import-summary")
        assert summary.startswith("Cannot import:") and "[/x]missing.xlsx" in summary
        await pilot.press("escape")
        await settle(pilot)

        await pilot.press("E")
        await pilot.pause()
        assert isinstance(app.screen, ExportForm)
        (tmp_path / "[b]file").write_text("a file, not a folder")
        await paste_into(pilot, "#input-path", str(tmp_path / "[b]file" / "register.xlsx"))
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "[b]file" in rendered(app, "#error-path")
        target = tmp_path / "[@click=app.screenshot()]" / "register.xlsx"
        await paste_into(pilot, "#input-path", str(target))
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert f"no folder {target.parent}; create it first" in rendered(app, "#error-path")
        target.parent.mkdir()
        await paste_into(pilot, "#input-path", str(target))
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert target.exists() and str(target) in rendered(app, "#export-result")
        await pilot.press("escape")
        await pilot.pause()

        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        keys = cells(app.screen.query_one("#help-table", DataTable))
        assert "Dashboard" in keys
        await pilot.press("escape")
        await pilot.pause()

        def failing(today: date) -> Any:
            raise RuntimeError(f"{DRIVE} {CLOSING}")

        monkeypatch.setattr(app.register, "reminders", failing)
        await pilot.press("r")
        await settle(pilot)
        await pilot.pause()
        assert f"RuntimeError: {DRIVE} {CLOSING}" in toasts(app)
    assert_no_screenshot(tmp_path)

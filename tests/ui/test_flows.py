"""The officer's main flows, driven from the keyboard with Textual's Pilot."""

from __future__ import annotations

from typing import Any

from sqlmodel import select
from textual.widgets import DataTable, Input, Select, Static

from tracker.app.register import Register
from tracker.store.engine import session_scope
from tracker.store.models import Agreement, AuditEvent, Provider
from tracker.ui.app import TrackerApp
from tracker.ui.screens.dashboard import DashboardScreen
from tracker.ui.screens.provider_detail import ProviderDetailScreen
from tracker.ui.screens.providers import ProvidersScreen
from tracker.ui.screens.record_form import RecordForm

from .conftest import SIZE
from .helpers import filter_shown, paste_into, settle, table_names, type_into, until


async def test_starts_on_an_empty_register(empty_app: TrackerApp) -> None:
    async with empty_app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(empty_app.screen, DashboardScreen)
        text = str(empty_app.screen.query_one("#providers-summary", Static).render())
        assert "0 providers" in text
        await pilot.press("p")
        await settle(pilot)
        assert table_names(empty_app) == []


async def test_starts_on_the_demo_and_filters_as_you_type(demo_app: TrackerApp) -> None:
    async with demo_app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "19 providers" in str(demo_app.screen.query_one("#providers-summary",
                                                               Static).render())
        await pilot.press("p")
        await settle(pilot)
        assert isinstance(demo_app.screen, ProvidersScreen)
        assert len(table_names(demo_app)) == 19  # 14, and 5 cases of issue 14
        await pilot.press("slash", *"harvest")
        await filter_shown(pilot)
        assert table_names(demo_app) == ["WebHarvest Analytics Ltd"]
        count = str(demo_app.screen.query_one("#match-count", Static).render())
        assert count.startswith("1 match ")
        await type_into(pilot, "#filter", "深圳")
        await filter_shown(pilot)
        assert [n[:4] for n in table_names(demo_app)] == ["深圳视觉"]


async def test_add_an_agreement_and_see_it_in_detail_and_history(demo_app: TrackerApp,
                                                                 demo_engine: Any) -> None:
    async with demo_app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("p", "slash", *"aleph", "enter")  # one match: enter opens it
        await until(pilot, lambda: isinstance(demo_app.screen, ProviderDetailScreen),
                    "the single match to open")
        assert isinstance(demo_app.screen, ProviderDetailScreen)
        await pilot.press("right_square_bracket", "right_square_bracket")
        await pilot.pause()
        await pilot.press("n")
        await pilot.pause()
        form = demo_app.screen
        assert isinstance(form, RecordForm)
        form.query_one("#input-kind", Select).value = "data_licence"
        await paste_into(pilot, "#input-title", "Fine-tuning data licence")
        await type_into(pilot, "#input-effective_on", "2027-01-01")
        await type_into(pilot, "#input-expires_on", "2026-12-31")
        hint = form.query_one("#hint-expires_on", Static)
        assert str(hint.render()) == "→ Thu 31 Dec 2026" and hint.display
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert demo_app.screen is form, "an invalid agreement must not close the form"
        error = form.query_one("#error-expires_on", Static)
        assert "before the effective date" in str(error.render()) and error.display
        assert not form.query_one("#error-title", Static).display
        await type_into(pilot, "#input-expires_on", "2027-12-31")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(demo_app.screen, ProviderDetailScreen)
        table = demo_app.screen.query_one("#table-agreement", DataTable)
        rows = [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]
        assert any(r[1] == "Fine-tuning data licence" and r[3] == "2027-12-31" for r in rows)
        await pilot.press("right_square_bracket", "right_square_bracket",
                          "right_square_bracket", "right_square_bracket",
                          "right_square_bracket")
        await pilot.pause()
        history = demo_app.screen.query_one("#table-audit_event", DataTable)
        latest = history.get_row_at(0)
        assert str(latest[3]).startswith("agreement ") and "2027-12-31" in str(latest[4])
    with session_scope(demo_engine, write=False) as session:
        saved = session.exec(select(Agreement).where(
            Agreement.title == "Fine-tuning data licence")).one()
        assert str(saved.expires_on) == "2027-12-31"


async def test_invalid_date_is_named_beside_the_field(demo_app: TrackerApp) -> None:
    async with demo_app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        demo_app.edit_record("agreement", None, preset={"provider_id": 1})
        await pilot.pause()
        form = demo_app.screen
        assert isinstance(form, RecordForm)
        await type_into(pilot, "#input-expires_on", "31/12/2026")
        assert "write it as YYYY-MM-DD" in str(form.query_one("#hint-expires_on",
                                                              Static).render())
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert str(form.query_one("#error-kind", Static).render()) == "Required: choose one"
        assert "date" in str(form.query_one("#error-expires_on", Static).render())


async def test_edit_a_provider(demo_app: TrackerApp, demo_engine: Any) -> None:
    async with demo_app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("p", "slash", *"nordic", "escape")  # to the list, not opened
        await filter_shown(pilot)
        await pilot.press("e")
        await pilot.pause()
        form = demo_app.screen
        assert isinstance(form, RecordForm)
        form.query_one("#input-risk_tier", Select).value = "critical"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(demo_app.screen, ProvidersScreen)
        table = demo_app.screen.query_one("#providers-table", DataTable)
        assert str(table.get_row_at(0)[3]) == "Critical"
    with session_scope(demo_engine, write=False) as session:
        nordic = session.exec(select(Provider).where(Provider.legal_name == "Nordic Speech AS")
                              ).one()
        assert (nordic.risk_tier, nordic.version) == ("critical", 2)


async def test_archive_a_provider_after_confirming(demo_app: TrackerApp,
                                                   demo_engine: Any) -> None:
    async with demo_app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("p", "slash", *"synthcorpus", "escape")
        await filter_shown(pilot)
        await pilot.press("a")
        await pilot.pause()
        await pilot.press("n")  # first answer no: nothing happens
        await pilot.pause()
        assert table_names(demo_app) == ["SynthCorpus Inc."]
        await pilot.press("a")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause(0.2)
        await settle(pilot)
        assert table_names(demo_app) == []
        await pilot.press("x")
        await pilot.pause(0.2)
        await settle(pilot)
        assert table_names(demo_app) == ["SynthCorpus Inc. (archived)"]
    with session_scope(demo_engine, write=False) as session:
        events = session.exec(select(AuditEvent).where(AuditEvent.action == "archive")).all()
        assert any(e.entity == "provider" and e.actor == "tester" for e in events)


async def test_a_version_conflict_keeps_what_was_typed(demo_app: TrackerApp,
                                                       demo_engine: Any) -> None:
    other_program = Register(demo_engine)
    async with demo_app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        demo_app.edit_record("provider", 5)
        await pilot.pause()
        form = demo_app.screen
        assert isinstance(form, RecordForm)
        await type_into(pilot, "#input-notes", "mine")
        other_program.update("provider", 5, {"contact_name": "Theirs"}, expected_version=1)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert demo_app.screen is form
        banner = str(form.query_one("#form-banner", Static).render())
        assert "changed by someone else" in banner and "Contact name" in banner
        assert form.query_one("#input-notes", Input).value == "mine"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert demo_app.screen is not form
    stored = other_program.get("provider", 5)
    assert (getattr(stored, "notes"), getattr(stored, "contact_name")) == ("mine", "Theirs")


async def test_help_lists_the_bindings(demo_app: TrackerApp) -> None:
    async with demo_app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("p")
        await settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        table = demo_app.screen.query_one("#help-table", DataTable)
        keys = {str(table.get_row_at(i)[0]) for i in range(table.row_count)}
        assert {"/", "n", "e", "a", "d", "p", "?", "q"} <= keys
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(demo_app.screen, ProvidersScreen)


async def test_dossier_and_reports_from_the_tui(demo_app: TrackerApp, tmp_path: Any) -> None:
    from tracker.locations import reports_dir

    async with demo_app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        demo_app.open_provider(6)
        await pilot.pause()
        await pilot.press("o")
        await settle(pilot)
        demo_app.action_write_reports()
        await settle(pilot)
    written = sorted(p.name for p in reports_dir().iterdir())
    assert written == ["ai-act-summary-2026-11-25.html", "cac-explanation-2026-11-25.html",
                       "dossier-6-2026-11-25.html", "ropa-2026-11-25.xlsx"]
    assert "Hangzhou Lumen" in (reports_dir() / "dossier-6-2026-11-25.html").read_text()


async def test_the_palette_offers_the_screens_own_actions(demo_app: TrackerApp) -> None:
    from tracker.ui.commands import TrackerCommands

    async with demo_app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("p")
        await settle(pilot)
        provider = TrackerCommands(demo_app.screen)
        names = [name for name, _, _ in provider._commands()]
        assert {"Providers: Archive", "Providers: Edit", "Providers: Filter",
                "Go to reminders", "Write reports"} <= set(names)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"providers: archived")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await settle(pilot)
        screen = demo_app.screen
        assert isinstance(screen, ProvidersScreen) and screen.filter.include_archived


async def test_export_the_register_and_a_provider_file_from_the_keyboard(
        demo_app: TrackerApp, tmp_path: Any) -> None:
    import openpyxl

    from tracker.ui.screens.exporting import ExportForm

    async with demo_app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("E")
        await pilot.pause()
        assert isinstance(demo_app.screen, ExportForm)
        default = demo_app.screen.query_one("#input-path", Input).value
        assert default.endswith("register-2026-11-25.xlsx")
        await paste_into(pilot, "#input-path", "/proc/no-such-place/register.xlsx")
        await pilot.press("ctrl+s")
        await settle(pilot)
        error = demo_app.screen.query_one("#error-path", Static)
        assert error.display and "/proc/no-such-place" in str(error.render())
        await paste_into(pilot, "#input-path", str(tmp_path / "all.xlsx"))
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not demo_app.screen.query_one("#error-path", Static).display
        shown = str(demo_app.screen.query_one("#export-result", Static).render())
        assert "Written" in shown and "all.xlsx" in shown
        (tmp_path / "all.ods").mkdir()
        await paste_into(pilot, "#input-path", str(tmp_path / "all.ods" / "x.xlsx.bak"))
        await pilot.press("enter")  # not .xlsx: a CSV directory, which is fine
        await settle(pilot)
        assert (tmp_path / "all.ods" / "x.xlsx.bak" / "providers.csv").is_file()
        await pilot.press("escape")
        await pilot.pause()
        demo_app.open_provider(6)
        await pilot.pause()
        await pilot.press("f")
        await pilot.pause()
        assert "Hangzhou Lumen" in str(demo_app.screen.query_one("#form-title").render())
        await paste_into(pilot, "#input-path", str(tmp_path / "six.xlsx"))
        await pilot.press("ctrl+s")
        await settle(pilot)
    book = openpyxl.load_workbook(tmp_path / "all.xlsx", read_only=True)
    assert len(list(book["Providers"].iter_rows(values_only=True))) == 21  # header + 20 (issue 14)
    six = openpyxl.load_workbook(tmp_path / "six.xlsx", read_only=True)
    rows = list(six["Providers"].iter_rows(min_row=2, values_only=True))
    assert [r[0] for r in rows] == [6]


async def test_the_evidence_form_hashes_the_file_it_names(demo_app: TrackerApp,
                                                          demo_path: Any) -> None:
    """Issue 14: choosing a file computes its SHA-256 and size; nothing is typed by hand."""
    from tracker.store.models import Evidence

    (demo_path.parent / "demo-evidence" / "aleph-soc2.pdf").write_bytes(b"SOC 2 type II")
    async with demo_app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("p", "slash", *"aleph", "enter")
        await until(pilot, lambda: isinstance(demo_app.screen, ProviderDetailScreen),
                    "the single match to open")
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press(*["right_square_bracket"] * 5)
        await pilot.pause()
        await pilot.press("n")
        await pilot.pause()
        form = demo_app.screen
        assert isinstance(form, RecordForm) and form.entity == "evidence"
        assert not form.query("#input-sha256") and not form.query("#input-size_bytes")
        await paste_into(pilot, "#input-location", "demo-evidence/aleph-soc2.pdf")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(demo_app.screen, ProviderDetailScreen)
        table = demo_app.screen.query_one("#table-evidence", DataTable)
        rows = [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]
        assert any("aleph-soc2.pdf" in r[1] and r[-1].startswith("verified by the program")
                   for r in rows)
    with session_scope(demo_app.register.engine, write=False) as session:
        saved = session.exec(select(Evidence).where(
            Evidence.location == "demo-evidence/aleph-soc2.pdf")).one()
        assert saved.size_bytes == 13 and saved.hashed_on is not None
        assert saved.sha256 == "ba820d41f824d7e88f50d52cf4c8c8a7905b4636e71268f03f0b53b53b5ab0b1"

"""The import screen: preview with every problem, then import, then find the records."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine
from textual.widgets import Button, DataTable, Input, Select, Static

from tracker.sheets.mapping import load_profile
from tracker.ui.app import TrackerApp
from tracker.ui.screens.importing import LEAVE_OUT, ColumnChoice, ImportScreen
from tracker.ui.screens.providers import ProvidersScreen

from ..conftest import TODAY
from ..sheets_helpers import write_xlsx
from .conftest import SIZE
from .helpers import paste_into, settle, table_names


def top(app: TrackerApp) -> object:
    """The screen shown (a call: mypy keeps the narrowed type of the screen compared)."""
    return app.screen


SAMPLE = Path(__file__).resolve().parents[2] / "imports" / "sample-register.xlsx"


async def test_preview_then_import_then_find(empty_app: TrackerApp) -> None:
    async with empty_app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("i")
        await pilot.pause()
        screen = empty_app.screen
        assert isinstance(screen, ImportScreen)
        await paste_into(pilot, "#import-file", str(SAMPLE))
        assert screen.query_one("#import", Button).disabled
        await pilot.click("#preview")
        await settle(pilot)
        fields = {str(choice.query_one(Select).value) for choice in screen.query(ColumnChoice)}
        assert {"provider.legal_name", "agreement.expires_on"} <= fields
        assert any("(sheet left out)" in str(label.render())
                   for label in screen.query(".import-left-out"))
        summary = str(screen.query_one("#import-summary", Static).render())
        assert "provider: 6 new" in summary and "No problems" in summary
        assert not screen.query_one("#import", Button).disabled
        await pilot.click("#import")
        await settle(pilot)
        assert "Imported" in str(screen.query_one("#import-summary", Static).render())
        await pilot.press("escape", "p")
        await settle(pilot)
        assert isinstance(empty_app.screen, ProvidersScreen)
        assert len(table_names(empty_app)) == 6


async def test_problems_are_listed_and_import_stays_off(empty_app: TrackerApp,
                                                        tmp_path: Path) -> None:
    bad = write_xlsx(tmp_path / "bad.xlsx", [["Supplier", "Country"], ["Acme", "Narnia"]])
    async with empty_app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("i")
        await pilot.pause()
        screen = empty_app.screen
        await paste_into(pilot, "#import-file", str(bad))
        await pilot.click("#preview")
        await settle(pilot)
        problems = screen.query_one("#import-problems", DataTable)
        assert problems.row_count == 1
        assert str(problems.get_row_at(0)[2]) == "B" and "Narnia" in str(problems.get_row_at(0)[3])
        assert screen.query_one("#import", Button).disabled
        await paste_into(pilot, "#import-file", str(tmp_path / "missing.xlsx"))
        await pilot.click("#preview")
        await settle(pilot)
        assert "Cannot import" in str(screen.query_one("#import-summary", Static).render())


async def test_the_trackers_own_export_restores_from_the_import_screen(
        empty_app: TrackerApp, demo_engine: Engine, tmp_path: Path) -> None:
    from tracker.app.exports import run_export

    from ..conftest import TODAY

    run_export(demo_engine, tmp_path / "demo.xlsx", today=TODAY)
    async with empty_app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("i")
        await pilot.pause()
        screen = empty_app.screen
        await paste_into(pilot, "#import-file", str(tmp_path / "demo.xlsx"))
        await pilot.click("#preview")
        await settle(pilot)
        summary = str(screen.query_one("#import-summary", Static).render())
        assert "the tracker's own export" in summary and "empty register" in summary
        assert "provider: 20 new" in summary and "No problems" in summary
        await pilot.click("#import")
        await settle(pilot)
        await pilot.press("escape", "p")
        await settle(pilot)
        assert len(table_names(empty_app)) == 19  # the archived one stays hidden


async def test_the_preview_lists_a_conflict_and_the_import_keeps_the_register_value(
        engine: Engine) -> None:
    from tracker.app.register import Register

    register = Register(engine)
    assert register.import_file(SAMPLE, profile=None, order=None, dry_run=False).written
    pid = int(register.resolve_provider("WebHarvest").id)
    current = register.get("provider", pid)
    register.update("provider", pid, {"risk_tier": "high"},
                    expected_version=int(current.version))
    app = TrackerApp(engine=engine, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("i")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ImportScreen)
        await paste_into(pilot, "#import-file", str(SAMPLE))
        await pilot.press("enter")  # Enter in the path field previews
        await settle(pilot)
        table = screen.query_one("#import-problems", DataTable)
        reasons = [str(table.get_row_at(i)[4]) for i in range(table.row_count)
                   if not str(table.get_row_at(i)[4]).startswith("left out")]
        assert len(reasons) == 1 and reasons[0].startswith("conflict: provider")
        assert "'high'" in reasons[0]
        assert "1 conflict(s)" in str(screen.query_one("#import-summary", Static).render())
        detail = str(screen.query_one("#import-problem-detail", Static).render())
        assert detail.startswith("conflict: ") and "kept" in detail  # the whole sentence
    assert register.get("provider", pid).risk_tier == "high"


async def test_a_column_is_mapped_in_the_screen_and_kept_as_a_profile(
        empty_app: TrackerApp, tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "r.xlsx", [
        ["Supplier register, owner: DPO"], [],
        ["Firm", "Land", "Kontrakt Ende", "Agreement type"],
        ["Acme GmbH", "Deutschland", "2027-03-31", "DPA"]])
    async with empty_app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("i")
        await pilot.pause()
        screen = empty_app.screen
        assert isinstance(screen, ImportScreen)
        await paste_into(pilot, "#import-file", str(path))
        await pilot.click("#preview")
        await settle(pilot)
        # no column is the provider's name by itself: the columns are shown to choose
        # from, and the problem says which header is closest
        problems = screen.query_one("#import-problems", DataTable)
        assert "closest is column A ('Firm')" in str(problems.get_row_at(0)[4])
        choices = {c.header: c for c in screen.query(ColumnChoice)}
        firm_note = choices["Firm"].query_one(".import-column-note")
        assert "closest: provider.legal_name?" in str(firm_note.render())
        assert firm_note.display  # its own line: the values stay in sight beside it
        assert "Acme GmbH" in str(choices["Firm"].query_one(".import-column-samples").render())
        choices["Firm"].query_one(Select).value = "provider.legal_name"
        await pilot.pause()
        await settle(pilot)
        choices = {c.header: c for c in screen.query(ColumnChoice)}
        assert str(choices["Firm"].query_one(Select).value) == "provider.legal_name"
        assert not choices["Firm"].query_one(".import-column-note").display  # chosen
        assert str(choices["Land"].query_one(Select).value) == "provider.country"
        ende = choices["Kontrakt Ende"]
        assert str(ende.query_one(Select).value) == LEAVE_OUT
        assert "closest: agreement.expires_on?" in str(
            ende.query_one(".import-column-note").render())
        assert "2027-03-31" in str(ende.query_one(".import-column-samples").render())
        # the person picks the field in the column's select: the preview runs again
        ende.query_one(Select).value = "agreement.expires_on"
        await pilot.pause()
        await settle(pilot)
        assert screen.chosen["Kontrakt Ende"] == "agreement.expires_on"
        summary = str(screen.query_one("#import-summary", Static).render())
        assert "agreement: 1 new" in summary and "No problems" in summary
        await paste_into(pilot, "#import-save-name", "vertraege")
        await pilot.click("#save-profile")
        await settle(pilot)
        profile = load_profile("vertraege")
        assert profile.columns["Kontrakt Ende"] == "agreement.expires_on"
        assert profile.columns["Firm"] == "provider.legal_name"
        await pilot.click("#import")
        await settle(pilot)
        assert "Imported" in str(screen.query_one("#import-summary", Static).render())
        assert isinstance(screen.query_one("#import-save-name"), Input)


async def test_the_mapping_is_in_sight_at_80x24(empty_app: TrackerApp, tmp_path: Path) -> None:
    """An 80x24 terminal shows several columns' choices with their values readable: the
    controls take a line each and a column two or three (compact selects)."""
    path = write_xlsx(tmp_path / "r.xlsx", [
        ["Supplier / 供应商名称", "Country 国家", "Expiry 到期日", "Agreement type"],
        ["北京星云数据科技有限公司", "中国", "2027-03-31", "DPA"]])
    async with empty_app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("i")
        await pilot.pause()
        screen = empty_app.screen
        await paste_into(pilot, "#import-file", str(path))
        await pilot.click("#preview")
        await settle(pilot)
        box = screen.query_one("#import-mapping")
        shown = [c for c in screen.query(ColumnChoice)
                 if c.region.height and box.region.contains_region(c.region)]
        assert len(shown) >= 2, [c.region for c in screen.query(ColumnChoice)]
        first = shown[0]
        samples = first.query_one(".import-column-samples")
        assert samples.region.width >= 40
        assert "北京星云数据科技有限公司" in str(samples.render())
        assert first.query_one(Select).region.width >= 28
        assert screen.query_one("#import-problems").region.height >= 4


async def test_a_stray_letter_does_not_throw_the_choices_away(empty_app: TrackerApp,
                                                              tmp_path: Path) -> None:
    """With a column chosen and nothing kept, the app's one-letter moves wait (focus on a
    button, a letter typed for the profile name) and Esc asks before leaving."""
    from tracker.ui.screens.confirm import ConfirmScreen

    path = write_xlsx(tmp_path / "r.xlsx", [["Firm", "Land"], ["Acme GmbH", "Deutschland"]])
    async with empty_app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("i")
        await pilot.pause()
        screen = empty_app.screen
        assert isinstance(screen, ImportScreen)
        await paste_into(pilot, "#import-file", str(path))
        await pilot.click("#preview")
        await settle(pilot)
        screen.query_one("#preview", Button).focus()
        await pilot.press("r")  # previewed, nothing chosen yet: the preview stays too
        await pilot.pause()
        assert top(empty_app) is screen and not screen.holds_work
        choices = {c.header: c for c in screen.query(ColumnChoice)}
        choices["Firm"].query_one(Select).value = "provider.legal_name"
        await pilot.pause()
        await settle(pilot)
        assert screen.holds_work and screen.holds_keys
        screen.query_one("#preview", Button).focus()
        await pilot.press("r", "p", "d", "i", "q")
        await pilot.pause()
        assert top(empty_app) is screen and empty_app.current_mode == "dashboard"
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(empty_app.screen, ConfirmScreen)
        await pilot.press("n")
        await pilot.pause()
        assert top(empty_app) is screen and screen.chosen == {"Firm": "provider.legal_name"}
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        assert not isinstance(empty_app.screen, ImportScreen | ConfirmScreen)
        await pilot.press("r")  # away from the import screen, the letters move again
        await pilot.pause()
        assert empty_app.current_mode == "reminders"


async def test_ctrl_q_quits_even_with_choices_held(empty_app: TrackerApp,
                                                   tmp_path: Path) -> None:
    """Only the one-letter keys wait: Textual's ctrl+q quits whatever the screen holds."""
    path = write_xlsx(tmp_path / "r.xlsx", [["Firm", "Land"], ["Acme GmbH", "Deutschland"]])
    async with empty_app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("i")
        await pilot.pause()
        screen = empty_app.screen
        assert isinstance(screen, ImportScreen)
        await paste_into(pilot, "#import-file", str(path))
        await pilot.click("#preview")
        await settle(pilot)
        {c.header: c for c in screen.query(ColumnChoice)}["Firm"].query_one(
            Select).value = "provider.legal_name"
        await pilot.pause()
        await settle(pilot)
        assert screen.holds_work and empty_app.return_code is None
        await pilot.press("q")  # the letter waits
        await pilot.pause()
        assert empty_app.return_code is None and top(empty_app) is screen
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert empty_app.return_code == 0  # exited


async def test_choosing_the_date_order_previews_again(empty_app: TrackerApp,
                                                      tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "d.xlsx", [["Supplier", "Agreement type", "Expiry"],
                                            ["Acme GmbH", "DPA", "03/04/2027"]])
    async with empty_app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("i")
        await pilot.pause()
        screen = empty_app.screen
        await paste_into(pilot, "#import-file", str(path))
        await pilot.press("enter")
        await settle(pilot)
        problems = screen.query_one("#import-problems", DataTable)
        assert problems.row_count == 1 and "03/04/2027" in str(problems.get_row_at(0)[3])
        screen.query_one("#import-order", Select).value = "day-first"
        await pilot.pause()
        await settle(pilot)
        assert problems.row_count == 0
        assert "No problems" in str(screen.query_one("#import-summary", Static).render())

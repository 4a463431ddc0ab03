"""The questionnaire round trip in the TUI: "Send questionnaire" from a provider's file, the
supplier's answers filled in with openpyxl, "Receive answers" previewed and applied, and a
correction accepted from the provider's Questionnaires tab."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Button, DataTable, Static, TabbedContent

from tracker.domain.enums import CorrectionDecision
from tracker.ui.app import TrackerApp
from tracker.ui.screens.provider_detail import ProviderDetailScreen
from tracker.ui.screens.questionnaire import ReceiveAnswersScreen, SendQuestionnaireForm

from ..helpers import fill_as_supplier
from .conftest import SIZE
from .helpers import paste_into, settle


async def test_send_receive_and_accept_a_correction(demo_app: TrackerApp,
                                                    tmp_path: Path) -> None:
    provider = demo_app.register.resolve_provider("Medilex")
    sent, filled = tmp_path / "sent.xlsx", tmp_path / "filled.xlsx"
    async with demo_app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        demo_app.open_provider(int(provider.id))
        await settle(pilot)
        detail = demo_app.screen
        assert isinstance(detail, ProviderDetailScreen)
        await pilot.press("s")
        await settle(pilot)
        assert isinstance(demo_app.screen, SendQuestionnaireForm)
        await paste_into(pilot, "#input-path", str(sent))
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "Written" in str(demo_app.screen.query_one("#questionnaire-result",
                                                          Static).render())
        await pilot.press("escape")
        await settle(pilot)
        assert sent.exists()
        fill_as_supplier(sent, filled)

        await pilot.press("R")
        await settle(pilot)
        screen = demo_app.screen
        assert isinstance(screen, ReceiveAnswersScreen)
        await paste_into(pilot, "#receive-file", str(filled))
        await pilot.click("#preview")
        await settle(pilot)
        answers = screen.query_one("#receive-answers", DataTable)
        rows = [answers.get_row_at(i) for i in range(answers.row_count)]
        assert any(str(r[0]) == "dd01" and "我们没有外国股东" in str(r[4]) for r in rows)
        other = screen.query_one("#receive-other", DataTable)
        kinds = [str(other.get_row_at(i)[0]) for i in range(other.row_count)]
        assert "Correction" in kinds and "Evidence" in kinds and "Problem" not in kinds
        assert not screen.query_one("#apply", Button).disabled
        await pilot.click("#apply")
        await settle(pilot)
        assert "Recorded in pending review" in str(screen.query_one("#import-summary",
                                                                    Static).render())
        await pilot.press("escape")
        await settle(pilot)

        assert demo_app.screen is detail
        detail.query_one(TabbedContent).active = "tab-questionnaires"
        await settle(pilot)
        table = detail.query_one("#table-questionnaire", DataTable)
        assert table.row_count == 1 and str(table.get_row_at(0)[1]) == "Answered"
        responses = detail.query_one("#table-questionnaire_response", DataTable)
        row = next(i for i in range(responses.row_count)
                   if str(responses.get_row_at(i)[0]).endswith(":people_concerned"))
        responses.focus()
        responses.move_cursor(row=row)
        await pilot.press("y")
        await settle(pilot)
    [decided] = demo_app.register.corrections(include_decided=True)
    assert decided.decision == CorrectionDecision.ACCEPTED
    supply_id = int(decided.code.split(":")[1])
    assert demo_app.register.get("supply", supply_id).people_concerned == 4500

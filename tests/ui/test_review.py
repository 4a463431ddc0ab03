"""A review in one screen (issue 17): the 30 items with their full question and critical
mark, statuses cycled with space and set in bulk, comments inline, who and when from the
login, approval from the same screen with the blockers in full; a 30-item review completed
in under 60 keys, counted."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine
from textual.widgets import DataTable, Static

from tracker.app.register import Register
from tracker.app.review import blockers, load_review
from tracker.domain.checklists import DUE_DILIGENCE_CHECKLIST
from tracker.ui.app import TrackerApp
from tracker.ui.screens.review import ReviewScreen

from ..conftest import TODAY
from .helpers import settle


class Keys:
    """Presses keys and counts them, as the officer would type them."""

    def __init__(self, pilot: Any) -> None:
        self.pilot, self.count = pilot, 0

    async def __call__(self, *keys: str) -> None:
        for key in keys:
            self.count += 1
            await self.pilot.press(key)
            await self.pilot.pause()


def _new_review(engine: Engine) -> tuple[int, int]:
    register = Register(engine)
    provider = register.create("provider", {"legal_name": "杭州标注科技有限公司", "country": "CN"})
    review = register.create("assessment", {"provider_id": provider.id,
                                            "kind": "due_diligence", "assessed_on": TODAY,
                                            "reviewer": "tester"})
    return int(provider.id), int(review.id)


async def test_a_30_item_review_in_under_60_keys(empty_app: TrackerApp, engine: Engine) -> None:
    provider_id, review_id = _new_review(engine)
    async with empty_app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        empty_app.open_provider(provider_id)
        await settle(pilot)
        press = Keys(pilot)
        await press("right_square_bracket", "right_square_bracket", "right_square_bracket",
                    "right_square_bracket", "enter")  # the Assessments tab, its review
        screen = empty_app.screen
        assert isinstance(screen, ReviewScreen)
        table = screen.query_one("#review-table", DataTable)
        assert table.row_count == 30
        first = [str(c) for c in table.get_row_at(0)]
        assert first[2] == "!" and first[3] == DUE_DILIGENCE_CHECKLIST[0].text
        # space cycles the first item: open -> satisfied -> not applicable -> open
        await press("space")
        assert str(table.get_row_at(0)[4]) == "Satisfied"
        # everything satisfied at once, then items 12 and 29-30 do not apply
        await press("asterisk", "s")
        await press("g", *["j"] * 11, "n")
        await press("G", "k", "m", "m", "n")
        # a comment, typed inline
        await press("g", "c", *"ok", "enter")
        await press("A")
        assert press.count < 60, f"{press.count} keys"
        review = load_review(empty_app.register, "assessment", review_id)
        statuses = {int(r.number): r.status.value for r in review.rows}
        assert [n for n, s in statuses.items() if s == "not_applicable"] == [12, 29, 30]
        assert sum(s == "satisfied" for s in statuses.values()) == 27
        assert review.rows[0].note == "ok"
        assert {(r.answered_by, r.answered_on) for r in review.rows} == {("tester", TODAY)}
        assert review.outcome is not None and review.outcome.value == "approved"


async def test_approval_lists_the_blockers_in_full(empty_app: TrackerApp,
                                                  engine: Engine) -> None:
    provider_id, review_id = _new_review(engine)
    async with empty_app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        empty_app.push_screen(ReviewScreen("assessment", review_id))
        await settle(pilot)
        await pilot.press("A")
        await pilot.pause()
        panel = str(empty_app.screen.query_one("#review-blockers", Static).render())
        review = load_review(empty_app.register, "assessment", review_id)
        expected = blockers(review)
        assert expected and all(line in panel for line in expected)
        longest = max((i for i in DUE_DILIGENCE_CHECKLIST if i.critical),
                      key=lambda i: len(i.text))
        assert f"“{longest.text}”" in panel, "item names are never cut"
        assert "approval_override" not in panel
        assert review.outcome is not None and review.outcome.value == "pending"
        # approved with a reason, from the same screen
        await pilot.press("O", *"urgent launch, the DPO signed it off", "enter")
        await settle(pilot)
        review = load_review(empty_app.register, "assessment", review_id)
        assert review.outcome is not None and review.outcome.value == "approved"


async def test_a_review_without_a_checklist_says_why(empty_app: TrackerApp,
                                                    engine: Engine) -> None:
    register = Register(engine)
    provider = register.create("provider", {"legal_name": "Old Ltd", "country": "GB"})
    history = register.create("assessment", {"provider_id": provider.id, "outcome": "rejected",
                                             "assessed_on": "2020-01-01"})
    async with empty_app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        empty_app.push_screen(ReviewScreen("assessment", int(history.id)))
        await settle(pilot)
        summary = str(empty_app.screen.query_one("#review-summary", Static).render())
        assert "saved as Pending gets the 30 items" in summary

"""Forms that fit and speak the officer's language (issue 17): the body scrolls with Save
and Cancel pinned at 80x24, the first invalid field is scrolled to and focused, typed
numbers and countries are read as the import reads them, fields of another regime are
hidden, the domain's hints show, and a filled form asks before it is discarded."""

from __future__ import annotations

from typing import Any

import pytest
from textual import events
from textual.widgets import Button, Checkbox, Input, Select, Static

from tracker.app.forms import officer_message, read_typed
from tracker.app.register import Register
from tracker.domain.rules import FieldError
from tracker.ui.app import TrackerApp
from tracker.ui.screens.confirm import ConfirmScreen
from tracker.ui.screens.record_form import RecordForm

from .helpers import settle, type_into

SMALL = (80, 24)


async def _form(pilot: Any, app: TrackerApp, entity: str, **kwargs: Any) -> RecordForm:
    await settle(pilot)
    app.edit_record(entity, None, **kwargs)
    await pilot.pause()
    await pilot.pause()
    form = app.screen
    assert isinstance(form, RecordForm)
    return form


def _on_screen(app: TrackerApp, widget: Any) -> bool:
    region = widget.region
    return region.height > 0 and app.screen.region.contains_region(region)


@pytest.mark.parametrize("entity", ["provider", "supply", "transfer"])
async def test_the_last_field_and_the_buttons_are_reachable_at_80x24(
        demo_app: TrackerApp, entity: str) -> None:
    async with demo_app.run_test(size=SMALL) as pilot:
        preset = None if entity == "provider" else {"provider_id": 1}
        form = await _form(pilot, demo_app, entity, preset=preset)
        for button in form.query(Button):
            assert _on_screen(demo_app, button), f"{button.id} is off screen"
        # Tab walks the screen's focus chain: every field is in it, in the form's order,
        # and the buttons come after the last one. Walking it key by key costs ~0.1 s a
        # key on a 60-field form, so the test checks the chain and presses the last steps.
        inputs = [f"input-{spec.name}" for spec in form.specs]
        chain = [widget.id for widget in form.focus_chain]
        assert [name for name in chain if name in inputs] == inputs
        assert isinstance(form.focus_chain[chain.index(inputs[-1]) + 1], Button)
        last = form.specs[-1].name
        form.query_one(f"#{inputs[-2]}").focus()
        await pilot.press("tab")
        await pilot.pause()
        assert form.focused is not None and form.focused.id == f"input-{last}"
        assert _on_screen(demo_app, form.query_one(f"#input-{last}"))
        await pilot.press("tab")
        assert isinstance(form.focused, Button)
        # the mouse wheel scrolls the body too
        body = form.query_one("#form-fields")
        body.scroll_home(animate=False)
        await pilot.pause()
        for _ in range(5):
            body.post_message(events.MouseScrollDown(body, 2, 2, 0, 1, 0, False, False,
                                                     False))
        await pilot.pause(0.3)
        assert body.scroll_y > 0 or body.max_scroll_y == 0


async def test_a_failed_save_focuses_the_first_invalid_field_in_words(
        demo_app: TrackerApp) -> None:
    async with demo_app.run_test(size=SMALL) as pilot:
        form = await _form(pilot, demo_app, "provider")
        await type_into(pilot, "#input-legal_name", "杭州标注科技有限公司")
        await type_into(pilot, "#input-contact_email", "not-an-address")
        form.query_one("#field-legal_name").scroll_visible(animate=False)
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.pause()
        assert demo_app.screen is form
        assert form.focused is form.query_one("#input-contact_email")
        assert _on_screen(demo_app, form.query_one("#input-contact_email"))
        error = str(form.query_one("#error-contact_email", Static).render())
        assert "is not an e-mail address" in error
        banner = str(form.query_one("#form-banner", Static).render())
        assert banner.startswith("Not saved: 1 field to fix")


async def test_numbers_with_separators_and_countries_by_name(demo_app: TrackerApp,
                                                             demo_engine: Any) -> None:
    async with demo_app.run_test(size=(120, 36)) as pilot:
        form = await _form(pilot, demo_app, "provider")
        await type_into(pilot, "#input-legal_name", "杭州标注科技有限公司")
        await type_into(pilot, "#input-country", "中国")
        assert str(form.query_one("#hint-country", Static).render()) == "→ China (CN)"
        await type_into(pilot, "#input-country", "Germ")
        assert form.query_one("#input-country", Input)._suggestion == "Germany"
        await type_into(pilot, "#input-country", "PRC")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert demo_app.screen is not form
        form = await _form(pilot, demo_app, "supply", preset={"provider_id": 1})
        await type_into(pilot, "#input-name", "Street scenes")
        await type_into(pilot, "#input-people_concerned", "4,5OO")
        await pilot.press("ctrl+s")
        await pilot.pause()
        error = str(form.query_one("#error-people_concerned", Static).render())
        assert error == "“4,5OO” is not a number: type digits, such as 4500 or 4,500"
        await type_into(pilot, "#input-people_concerned", "4,500")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert demo_app.screen is not form
    register = Register(demo_engine)
    found = list(register.provider_page(_filter("杭州标注"), limit=5).rows)
    assert [(p.legal_name, p.country) for p in found] == [("杭州标注科技有限公司", "CN")]
    supplies = register.provider_file(1)
    assert supplies is not None
    assert [s.people_concerned for s in supplies.supplies if s.name == "Street scenes"] == [4500]


def _filter(text: str) -> Any:
    from tracker.app.queries import ProviderFilter

    return ProviderFilter(text=text)


async def test_a_status_with_a_default_has_no_blank(demo_app: TrackerApp) -> None:
    async with demo_app.run_test(size=SMALL) as pilot:
        form = await _form(pilot, demo_app, "provider")
        status = form.query_one("#input-status", Select)
        assert status.value == "prospective" and not status._allow_blank


async def test_a_pipl_basis_hides_the_gdpr_letters(demo_app: TrackerApp) -> None:
    async with demo_app.run_test(size=SMALL) as pilot:
        form = await _form(pilot, demo_app, "legal_basis", preset={"supply_id": 1})
        form.query_one("#input-regime", Select).value = "pipl"
        await pilot.pause()
        assert not form.query_one("#field-gdpr_art6").display
        assert not form.query_one("#field-gdpr_art9").display
        assert form.query_one("#field-pipl_art13").display
        form.query_one("#input-regime", Select).value = "gdpr"
        await pilot.pause()
        assert form.query_one("#field-gdpr_art6").display
        assert not form.query_one("#field-pipl_art13").display
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert str(form.query_one("#error-gdpr_art6", Static).render()) == \
            "A GDPR basis needs its Art 6(1) letter"


async def test_minors_without_sensitive_hint_at_pipl_28(demo_app: TrackerApp) -> None:
    async with demo_app.run_test(size=SMALL) as pilot:
        form = await _form(pilot, demo_app, "supply", preset={"provider_id": 1})
        form.query_one("#input-contains_minors_data", Checkbox).value = True
        await pilot.pause()
        hint = form.query_one("#hint-contains_sensitive_pi", Static)
        assert hint.display and "PIPL Art 28" in str(hint.render())
        form.query_one("#input-contains_sensitive_pi", Checkbox).value = True
        await pilot.pause()
        assert not hint.display


def _current(app: TrackerApp) -> object:
    return app.screen


async def test_escape_asks_before_discarding_a_filled_form(demo_app: TrackerApp) -> None:
    async with demo_app.run_test(size=SMALL) as pilot:
        form = await _form(pilot, demo_app, "provider")
        await pilot.press("escape")
        await pilot.pause()
        assert _current(demo_app) is not form, "an untouched form closes at once"
        form = await _form(pilot, demo_app, "provider")
        await type_into(pilot, "#input-legal_name", "Half typed")
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(demo_app.screen, ConfirmScreen)
        await pilot.press("n")
        await pilot.pause()
        assert _current(demo_app) is form
        assert form.query_one("#input-legal_name", Input).value == "Half typed"
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        assert _current(demo_app) is not form


def test_messages_are_sentences_not_pydantic() -> None:
    assert officer_message("provider", FieldError("status", "unknown value None; allowed: "
                                                            "prospective, active")) == \
        "Required: choose one"
    assert officer_message("provider", FieldError(
        "country", "String should have at most 2 characters")) == \
        "Too long: at most 2 characters"
    assert officer_message("supply", FieldError(
        "contains_pi", "data of minors is personal information: mark contains_pi too")) == \
        "Data of minors is personal information: mark “Holds personal information” too"
    assert "approval_override" not in officer_message("assessment", FieldError(
        "outcome", "record why in approval_override"))
    values, errors = read_typed("transfer", {"people_sensitive": "12 000",
                                             "origin_country": "Deutschland"})
    assert (values, errors) == ({"people_sensitive": 12000, "origin_country": "DE"}, [])

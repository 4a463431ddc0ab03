"""Create or edit any record in a form: enums as selects, dates and countries that say what
they understood, numbers typed with separators, fields that do not apply to a choice hidden,
the service's field errors in an officer's words beside the field (the first scrolled into
view), "discard changes?" before a filled form is dropped, and a version conflict that keeps
what was typed. The body scrolls; the buttons stay pinned below it at any terminal size."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.suggester import SuggestFromList
from textual.widget import Widget
from textual.widgets import Button, Checkbox, Input, Label, Select, Static

from tracker.app.fields import FieldSpec, field_specs, form_value
from tracker.app.forms import (
    country_completions,
    country_understood,
    failure_summary,
    hidden_fields,
    hints,
    is_read_as_typed,
    officer_message,
    read_typed,
)
from tracker.app.register import Register
from tracker.app.views import RecordView
from tracker.domain.dates import parse_iso_date
from tracker.domain.registry import COUNTRY_FIELDS
from tracker.errors import StaleVersion, TrackerError, ValidationFailed
from tracker.formatting import long_date
from tracker.ui.screens.confirm import ConfirmScreen
from tracker.ui.text import plain

MAYBE = [("yes", True), ("no", False)]


class RecordForm(ModalScreen[RecordView | None]):
    """Dismisses with the saved row, or None when cancelled."""

    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="form.save"),
        Binding("escape", "cancel", "Cancel", id="form.cancel"),
    ]

    def __init__(self, register: Register, entity: str, *, record: RecordView | None = None,
                 preset: Mapping[str, Any] | None = None,
                 choices: dict[str, list[tuple[str, int]]] | None = None,
                 initial: Mapping[str, Any] | None = None,
                 title: str | None = None) -> None:
        super().__init__()
        self.initial = dict(initial or {})
        self.register = register
        self.entity = entity
        self.record = record
        self.version = int(getattr(record, "version", 0)) if record is not None else 0
        self.preset = dict(preset or {})
        self.specs = field_specs(entity, hidden=set(self.preset),
                                 choices=choices or {})
        noun = entity.replace("_", " ")
        self.hidden: frozenset[str] = frozenset()
        self.heading = title or (f"Edit {noun} {getattr(record, 'id', '')}" if record
                                 else f"New {noun}")

    # -- layout ----------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        with Vertical(id="form-dialog", classes="dialog"):
            yield Label(plain(self.heading), id="form-title")
            yield Static("", id="form-banner")
            with VerticalScroll(id="form-fields"):
                for spec in self.specs:
                    with Vertical(classes="form-field", id=f"field-{spec.name}"):
                        star = " *" if spec.required else ""
                        with Horizontal(classes="field-row"):
                            yield Label(plain(f"{spec.label}{star}"), classes="field-label")
                            yield self._input_for(spec)
                        yield Static("", id=f"hint-{spec.name}", classes="field-hint")
                        yield Static("", id=f"error-{spec.name}", classes="field-error")
            with Horizontal(classes="buttons"):
                if any(spec.required for spec in self.specs):
                    yield Static("* required", id="form-legend")
                yield Button("Save (ctrl+s)", variant="primary", id="save", compact=True)
                yield Button("Cancel (esc)", id="cancel", compact=True)

    def _input_for(self, spec: FieldSpec) -> Widget:
        current = form_value(getattr(self.record, spec.name, None)) if self.record \
            else form_value(self.initial.get(spec.name, spec.default))
        widget_id = f"input-{spec.name}"
        if spec.kind == "bool":
            return Checkbox("yes", value=bool(current), id=widget_id, compact=True)
        if spec.kind in {"enum", "choice", "maybe_bool"}:
            # a choice's label is a record's name (a supply, an agreement's title, an
            # evidence path): shown as it is, never as markup
            options = [(plain(label), value) for label, value in
                       (MAYBE if spec.kind == "maybe_bool" else spec.options)]
            # A required choice starts blank: the user picks, the form says so if not. A
            # choice with a default (a provider's status) has no blank to pick.
            blank = spec.optional or current is None
            return Select(options, allow_blank=blank, id=widget_id,
                          prompt="(choose one)" if spec.required or not spec.optional
                          else "(not set)", compact=True,
                          value=Select.NULL if current is None else current)
        placeholder = "YYYY-MM-DD" if spec.kind == "date" else ""
        suggester = None
        if spec.name in COUNTRY_FIELDS:
            placeholder = "a name or code: Germany, 中国, PRC, DE"
            suggester = SuggestFromList(country_completions(), case_sensitive=False)
        elif spec.kind == "number":
            placeholder = "a number: 4500 or 4,500"
        return Input(value="" if current is None else str(current), placeholder=placeholder,
                     id=widget_id, compact=True, suggester=suggester)

    def on_mount(self) -> None:
        # What the form showed when it opened: a save sends only what differs from it, so
        # fields this user never touched cannot overwrite someone else's change.
        self.original = self.values()
        self._opened_with = dict(self.original)
        for spec in self.specs:
            if spec.kind == "date":
                self._show_date_hint(spec.name)
            elif spec.name in COUNTRY_FIELDS:
                self._show_country_hint(spec.name)
        self._follow_choices()
        if self.specs:
            self.query_one(f"#input-{self.specs[0].name}").focus()
        self.call_after_refresh(self._fit)

    def on_resize(self) -> None:
        self.call_after_refresh(self._fit)

    def _fit(self) -> None:
        """The fields take what the terminal leaves after the title, the banner and the
        buttons, and scroll within it: Save and Cancel are always on screen (at 80x24 too),
        and a short form stays short."""
        dialog = self.query_one("#form-dialog")
        body = self.query_one("#form-fields", VerticalScroll)
        chrome = dialog.styles.gutter.height + sum(
            child.outer_size.height for child in dialog.children
            if child is not body and child.display)
        room = max(self.size.height * 9 // 10 - chrome, 3)  # the dialog's max-height: 90%
        if body.styles.max_height is None or body.styles.max_height.value != room:
            body.styles.max_height = room

    # -- live feedback -----------------------------------------------------------------
    def on_input_changed(self, event: Input.Changed) -> None:
        name = (event.input.id or "").removeprefix("input-")
        if any(s.name == name and s.kind == "date" for s in self.specs):
            self._show_date_hint(name)
        elif name in COUNTRY_FIELDS:
            self._show_country_hint(name)

    def on_select_changed(self, event: Select.Changed) -> None:
        self._follow_choices()

    def on_checkbox_changed(self, event: Checkbox.Changed) -> None:
        self._follow_choices()

    def _follow_choices(self) -> None:
        """Hide the fields the choices made do not apply to (a PIPL basis has no GDPR
        letters), and show the domain's hints for what is ticked (PIPL Art 28)."""
        values = self._raw_values()
        self.hidden = hidden_fields(self.entity, values)
        for spec in self.specs:
            self.query_one(f"#field-{spec.name}").display = spec.name not in self.hidden
        advice = hints(self.entity, values)
        for spec in self.specs:
            if spec.kind == "date" or spec.name in COUNTRY_FIELDS:
                continue
            hint = self.query_one(f"#hint-{spec.name}", Static)
            show_message(hint, advice.get(spec.name, ""))
            hint.set_class(spec.name in advice, "bad")

    def _show_date_hint(self, name: str) -> None:
        text = self.query_one(f"#input-{name}", Input).value
        hint = self.query_one(f"#hint-{name}", Static)
        try:
            understood = parse_iso_date(text)
        except ValueError as err:
            show_message(hint, f"? {err}")
            hint.set_class(True, "bad")
            return
        hint.set_class(False, "bad")
        show_message(hint, f"→ {long_date(understood)}" if understood else "")

    def _show_country_hint(self, name: str) -> None:
        text = self.query_one(f"#input-{name}", Input).value
        hint = self.query_one(f"#hint-{name}", Static)
        code, said = country_understood(text)
        show_message(hint, said)
        hint.set_class(bool(text.strip()) and code is None, "bad")

    # -- values --------------------------------------------------------------------
    def _raw_values(self) -> dict[str, Any]:
        """What the widgets hold, text as typed (blank means not set)."""
        values: dict[str, Any] = dict(self.preset)
        for spec in self.specs:
            widget = self.query_one(f"#input-{spec.name}")
            if isinstance(widget, Checkbox):
                values[spec.name] = widget.value
            elif isinstance(widget, Select):
                values[spec.name] = None if widget.value == Select.NULL else widget.value
            elif isinstance(widget, Input):
                text = widget.value.strip()
                values[spec.name] = text or None
        return values

    def values(self) -> dict[str, Any]:
        """What the form holds, as the service expects it; a hidden field is not set."""
        values = self._raw_values()
        for name in getattr(self, "hidden", frozenset()):
            if name in values:
                values[name] = None if not isinstance(values[name], bool) else False
        return values

    def is_dirty(self) -> bool:
        return self.values() != self._opened_with

    # -- actions -------------------------------------------------------------------
    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "save":
            self.action_save()
        else:
            self.action_cancel()

    def action_cancel(self) -> None:
        if not self.is_dirty():
            self.dismiss(None)
            return

        def answered(discard: bool | None) -> None:
            if discard:
                self.dismiss(None)

        self.app.push_screen(ConfirmScreen("Discard changes? What you typed in this form "
                                           "is not saved.", confirm_label="Discard"),
                             answered)

    def action_save(self) -> None:
        self._clear_errors()
        values = self.values()
        typed = {s.name: values.get(s.name) for s in self.specs
                 if is_read_as_typed(s) and s.name not in self.hidden}
        read, problems = read_typed(self.entity, typed)
        if problems:
            self._show_errors(ValidationFailed(self.entity, problems))
            return
        values.update(read)
        try:
            if self.record is None:
                saved = self.register.create(self.entity, values)
            else:
                record_id = int(getattr(self.record, "id"))
                original = dict(self.original)
                original.update(read_typed(self.entity, {k: original.get(k) for k in typed})[0])
                changes = {k: v for k, v in values.items() if original.get(k) != v}
                saved = self.register.update(self.entity, record_id, changes,
                                             expected_version=self.version)
        except ValidationFailed as failure:
            self._show_errors(failure)
            return
        except StaleVersion as conflict:
            self._reload_after_conflict(conflict)
            return
        except TrackerError as err:
            self._banner(str(err), bad=True)
            return
        self.dismiss(saved)

    def _clear_errors(self) -> None:
        for static in self.query(".field-error").results(Static):
            show_message(static, "")
        self._banner("")

    def _show_errors(self, failure: ValidationFailed) -> None:
        """Each problem beside its field in an officer's words; the first one scrolled into
        view and focused; the banner says how many, and in full those of fields not shown."""
        shown = {s.name for s in self.specs if s.name not in self.hidden}
        for error in failure.errors:
            if error.field in shown:
                show_message(self.query_one(f"#error-{error.field}", Static),
                             officer_message(self.entity, error))
        order = [s.name for s in self.specs]
        first = min((e.field for e in failure.errors if e.field in shown),
                    key=order.index, default=None)
        self._banner(failure_summary(self.entity, failure, shown), bad=True)
        if first:
            self.query_one(f"#input-{first}").focus(scroll_visible=False)
            self.call_after_refresh(self.query_one(f"#field-{first}").scroll_visible,
                                    animate=False)

    def _reload_after_conflict(self, conflict: StaleVersion) -> None:
        """Take the newer version as the base: fields this user did not touch now show the
        other person's values, fields they typed keep what they typed. Saving again applies
        only their own changes."""
        assert self.record is not None
        fresh = self.register.get(self.entity, int(getattr(self.record, "id")))
        mine = self.values()
        touched = {name for name, value in mine.items() if self.original.get(name) != value}
        theirs = [s.label for s in self.specs
                  if form_value(getattr(self.record, s.name, None))
                  != form_value(getattr(fresh, s.name, None))]
        for spec in self.specs:
            if spec.name not in touched:
                self._show_value(spec, form_value(getattr(fresh, spec.name, None)))
        self.record, self.version = fresh, int(getattr(fresh, "version"))
        self.original = {**self.values(), **{k: self.original.get(k) for k in touched}}
        clash = sorted(s.label for s in self.specs if s.name in touched and s.label in theirs)
        self._banner(f"{conflict} Reloaded version {self.version}; the other change touched: "
                     f"{', '.join(theirs) or 'nothing shown here'}."
                     + (f" Both of you changed: {', '.join(clash)}." if clash else "")
                     + " Your typed values are kept: save again to apply them, or escape "
                       "to discard them.", bad=True)
        self.notify(str(conflict), severity="warning", timeout=8)

    def _show_value(self, spec: FieldSpec, value: Any) -> None:
        widget = self.query_one(f"#input-{spec.name}")
        if isinstance(widget, Checkbox):
            widget.value = bool(value)
        elif isinstance(widget, Select):
            widget.value = Select.NULL if value is None else value
        elif isinstance(widget, Input):
            widget.value = "" if value is None else str(value)

    def _banner(self, text: str, *, bad: bool = False) -> None:
        banner = self.query_one("#form-banner", Static)
        banner.update(plain(text))
        banner.set_class(bad and bool(text), "bad")
        banner.display = bool(text)
        self.call_after_refresh(self._fit)


def show_message(static: Static, text: str) -> None:
    """Hints and errors take no room until they have something to say. They quote what was
    typed or stored, so they are shown as plain text, never as markup."""
    static.update(plain(text))
    static.set_class(bool(text), "shown")


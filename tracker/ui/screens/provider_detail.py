"""Everything about one provider, tab by tab, each record one key from its form."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import DataTable, Header, Input, Label, Static, TabbedContent, TabPane

from tracker.app.evidence import provenance
from tracker.app.fields import field_label, short_label
from tracker.app.queries import ProviderFile
from tracker.domain.checklists import ALL_CLAUSES, CHECKLIST_BY_NUMBER
from tracker.domain.questionnaire import corrections_count
from tracker.domain.text import search_key
from tracker.errors import TrackerError
from tracker.formatting import audit_diff, show
from tracker.ui.footer import FittedFooter
from tracker.ui.screens.base import TrackerScreen
from tracker.ui.screens.questionnaire import (
    ReceiveAnswersScreen,
    SendQuestionnaireForm,
    response_rows,
)
from tracker.ui.table import RegisterTable
from tracker.ui.text import Part, plain, shown, styled

# The tables of each tab, master first, and the entity each table lists.
TABS: dict[str, tuple[str, ...]] = {
    "overview": (),
    "supplies": ("supply", "legal_basis"),
    "agreements": ("agreement", "agreement_clause"),
    "transfers": ("transfer",),
    "assessments": ("assessment", "checklist_answer"),
    "evidence": ("evidence",),
    "questionnaires": ("questionnaire", "questionnaire_response"),  # issue 15
    "reminders": ("reminder",),
    "gaps": ("gap",),
    "history": ("audit_event",),
}
# Records that arrive with their parent and are edited, never added or archived by hand.
CHECKLIST_ENTITIES = {"agreement_clause", "checklist_answer"}
READ_ONLY = {"audit_event", "gap", "questionnaire_response"}
PROVIDER_FIELDS = ("legal_name", "aliases", "registration_number", "website", "country",
                   "role", "risk_tier", "status", "ownership", "state_owned",
                   "foreign_state_access", "is_ciio", "handles_important_data",
                   "holds_personal_info", "services", "internal_owner", "contact_name",
                   "contact_email", "dpo_contact", "notes")
Columns = Sequence[tuple[str, Callable[[Any], Any]]]


def _cols(entity: str, *names: str) -> Columns:
    """Columns headed by each field's description, the same words the forms use."""
    columns: list[tuple[str, Callable[[Any], Any]]] = []
    for name in names:
        columns.append((field_label(entity, name), _getter(name)))
    return columns


def _getter(name: str) -> Callable[[Any], Any]:
    return lambda row: getattr(row, name, None)


COLUMNS: dict[str, Columns] = {
    "supply": _cols("supply", "name", "modality", "source_category", "contains_pi",
                    "contains_sensitive_pi", "people_concerned", "intended_use"),
    "legal_basis": _cols("legal_basis", "regime", "gdpr_art6", "gdpr_art9", "pipl_art13",
                         "ccpa_disclosure", "separate_consent", "verified_by", "verified_on"),
    "agreement": _cols("agreement", "kind", "title", "effective_on", "expires_on",
                       "notice_period_days", "auto_renewal", "governing_law"),
    "agreement_clause": [("Clause", lambda r: ALL_CLAUSES[r.clause].text
                          if r.clause in ALL_CLAUSES else r.clause),
                         ("Article", lambda r: ALL_CLAUSES[r.clause].article
                          if r.clause in ALL_CLAUSES else ""),
                         ("Status", _getter("status")), ("Note", _getter("note"))],
    "transfer": [*_cols("transfer", "origin_country", "destination_country", "mechanism",
                        "exemption"),
                 ("Year counted", lambda t: str(t.count_year) if t.count_year else None),
                 *_cols("transfer", "people_non_sensitive", "people_sensitive",
                        "filing_number", "filing_expires_on")],
    "assessment": _cols("assessment", "kind", "assessed_on", "reviewer", "outcome",
                        "next_review_on", "retain_until", "approval_override"),
    "checklist_answer": [("#", _getter("item")),
                         ("Item", lambda r: CHECKLIST_BY_NUMBER[r.item].text),
                         ("Sources", lambda r: CHECKLIST_BY_NUMBER[r.item].sources),
                         ("Status", _getter("status")), ("By", _getter("answered_by")),
                         ("On", _getter("answered_on"))],
    "evidence": [*_cols("evidence", "kind", "location", "supports", "valid_until", "sha256"),
                 ("Hash", lambda e: provenance(e.sha256, e.hashed_on))],  # issue 14
    "reminder": _cols("reminder", "title", "due_on", "notes"),
    # issue 15 questionnaires: views (tracker.app.questionnaires), the status derived
    "questionnaire": [("#", _getter("id")), ("Status", _getter("status")),
                      ("Sent", _getter("sent_on")), ("Due", _getter("due_on")),
                      ("Answered by", _getter("answered_by")),
                      ("Answered on", _getter("answered_on")),
                      ("Review", _getter("assessment_id")),
                      ("Corrections pending", _getter("pending_corrections"))],
    "questionnaire_response": [("Ref", _getter("code")), ("Section", _getter("section")),
                               ("Question", _getter("question")),
                               ("Answer", _getter("answer")), ("Detail", _getter("detail")),
                               ("Comment", _getter("comment")),
                               ("Correction", _getter("decision"))],
    "gap": [("Severity", lambda g: g.severity.value), ("About", _getter("subject")),
            ("Why", _getter("why")), ("Fix", _getter("fix")), ("Source", _getter("article"))],
    "audit_event": [("When", _getter("at")), ("Who", _getter("actor")),
                    ("Action", lambda r: r.action.value), ("Record",
                                                           lambda r: f"{r.entity} {r.entity_id}"),
                    ("Change", lambda r: audit_diff(r.before, r.after))],
}


class _Keyed:
    """A gap with a row key, so the gaps table fills like the record tables."""

    def __init__(self, index: int, gap: Any) -> None:
        self.id = index
        self._gap = gap

    def __getattr__(self, name: str) -> Any:
        return getattr(self._gap, name)


class ProviderDetailScreen(TrackerScreen):
    HELP_NAME = "provider file"
    BINDINGS = [
        Binding("escape", "back", "Back", id="detail.back"),
        Binding("n", "new", "New", id="detail.new"),
        Binding("e", "edit", "Edit", id="detail.edit"),
        Binding("a", "archive", "Archive", id="detail.archive"),
        Binding("o", "dossier", "Dossier", id="detail.dossier"),
        Binding("v", "review", "Review", id="detail.review"),
        Binding("slash", "filter", "Filter", key_display="/", id="detail.filter"),
        Binding("f", "export_file", "Export file", id="detail.export"),
        Binding("s", "send_questionnaire", "Send questionnaire", id="detail.questionnaire"),
        Binding("R", "receive_answers", "Receive answers", key_display="R",
                id="detail.receive"),
        Binding("y", "decide(True)", "Accept correction", show=False, id="detail.accept"),
        Binding("x", "decide(False)", "Reject correction", show=False, id="detail.reject"),
        Binding("left_square_bracket", "tab(-1)", "Prev tab", show=False, id="detail.prev"),
        Binding("right_square_bracket", "tab(1)", "Next tab", show=False, id="detail.next"),
    ]

    def __init__(self, provider_id: int) -> None:
        super().__init__()
        self.provider_id = provider_id
        self.file: ProviderFile | None = None
        self.answers: dict[int, list[Any]] = {}
        # "/" filters the focused table (gaps, history, any tab): its text, per entity
        self.filters: dict[str, str] = {}
        self._all_rows: dict[str, list[Any]] = {}
        self._filtering: str | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with TabbedContent(id="tabs"):
            for tab, entities in TABS.items():
                with TabPane(tab.capitalize(), id=f"tab-{tab}"):
                    if tab == "overview":
                        with VerticalScroll():
                            yield Static("", id="overview")
                    for index, entity in enumerate(entities):
                        if index:
                            yield Label("", id=f"caption-{entity}", classes="caption")
                        yield RegisterTable(id=f"table-{entity}", cursor_type="row",
                                            zebra_stripes=True, classes=f"depth-{index}")
        yield Input(placeholder="/ filter this table (enter opens a single match, escape "
                                "clears)", id="detail-filter", compact=True)
        yield FittedFooter()

    def on_mount(self) -> None:
        for entities in TABS.values():
            for entity in entities:
                table = self.query_one(f"#table-{entity}", DataTable)
                for label, _ in COLUMNS[entity]:
                    table.add_column(label)
        self.query_one("#detail-filter", Input).display = False
        self.refresh_file()

    # -- data ------------------------------------------------------------------------
    def refresh_file(self) -> None:
        found = self.register.provider_file(self.provider_id)
        if found is None:
            self.notify(f"provider {self.provider_id} no longer exists", severity="error")
            self.dismiss()
            return
        self.file = found
        provider = found.provider
        self.title = shown(provider.legal_name)
        archived = " · ARCHIVED" if provider.archived_at else ""
        self.sub_title = shown(f"{show(provider.status)} · {show(provider.risk_tier)} risk"
                               f"{archived}")
        lines: list[Part] = [(provider.legal_name, "bold"),
                             f"   (id {provider.id}, version {provider.version})\n"]
        labels = {name: short_label("provider", name) for name in PROVIDER_FIELDS[1:]}
        width = max(map(len, labels.values()))
        for name, label in labels.items():
            lines.append(f"\n{label:<{width}}  {show(getattr(provider, name))}")
        counts = (f"{len(found.supplies)} supplies · {len(found.agreements)} agreements · "
                  f"{len(found.transfers)} transfers · {len(found.assessments)} assessments · "
                  f"{len(found.evidence)} evidence")
        lines.append(f"\n\n{counts}")
        questionnaires = self.register.provider_questionnaires(self.provider_id, self.today)
        if questionnaires:  # issue 15: the latest questionnaire's status, on the first tab
            q = questionnaires[0]
            lines.append(f"\nSupplier questionnaire {q.id}: {q.status.label.lower()} "
                         f"(sent {show(q.sent_on)}, due {show(q.due_on)})"
                         + (f", {corrections_count(q.pending_corrections)} to decide"
                            if q.pending_corrections else ""))
        self.query_one("#overview", Static).update(styled(*lines))
        self._fill("supply", found.supplies)
        self._fill("agreement", found.agreements)
        self._fill("transfer", found.transfers)
        self._fill("assessment", found.assessments)
        self._fill("evidence", found.evidence)
        self._fill("questionnaire", questionnaires)
        self.answers = response_rows(self.register.questionnaire_answers(self.provider_id))
        self._fill("reminder", found.reminders)
        self._fill("audit_event", found.history)
        gaps = self.register.gaps(self.today, self.provider_id)
        self._fill("gap", [_Keyed(i, g) for i, g in enumerate(gaps)])
        self.query_one(TabbedContent).get_tab("tab-gaps").label = f"Gaps ({len(gaps)})"
        self._fill_details()

    def _fill(self, entity: str, rows: Iterable[Any]) -> None:
        table = self.query_one(f"#table-{entity}", DataTable)
        cursor = table.cursor_row
        table.clear()
        self._all_rows[entity] = rows = list(rows)
        words = search_key(self.filters.get(entity, "")).split()
        if words:
            rows = [r for r in rows if all(w in search_key(" ".join(
                show(get(r)) for _, get in COLUMNS[entity])) for w in words)]
        for row in rows:
            table.add_row(*(plain(show(get(row))) for _, get in COLUMNS[entity]),
                          key=str(row.id))
        if table.row_count:
            table.move_cursor(row=min(cursor, table.row_count - 1))

    def _fill_details(self) -> None:
        """The child tables follow the highlighted master row."""
        assert self.file is not None
        for master, child, rows_by_id in (
                ("supply", "legal_basis", self.file.legal_bases),
                ("agreement", "agreement_clause", self.file.clauses),
                ("assessment", "checklist_answer", self.file.checklist),
                ("questionnaire", "questionnaire_response", self.answers)):
            master_id = self._selected(master)
            self._fill(child, rows_by_id.get(master_id, []) if master_id else [])
            caption = self.query_one(f"#caption-{child}", Label)
            noun = {"legal_basis": "Legal bases", "agreement_clause": "Clause checklist",
                    "checklist_answer": "Due-diligence checklist",
                    "questionnaire_response": "Supplier's answers (y accept / x reject a "
                                              "correction)"}[child]
            caption.update(plain(f"{noun} of {master.replace('_', ' ')} {master_id}"
                                 if master_id
                                 else f"{noun}: select a {master.replace('_', ' ')} above"))

    @on(DataTable.RowHighlighted)
    def _follow(self, event: DataTable.RowHighlighted) -> None:
        if event.data_table.id in {"table-supply", "table-agreement", "table-assessment",
                                   "table-questionnaire"}:
            self._fill_details()

    def _selected(self, entity: str) -> int | None:
        table = self.query_one(f"#table-{entity}", DataTable)
        if table.row_count == 0:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return int(key) if key is not None else None

    # -- where the user is -------------------------------------------------------------
    def current_tab(self) -> str:
        active = self.query_one(TabbedContent).active or "tab-overview"
        return active.removeprefix("tab-")

    def current_entity(self) -> str | None:
        """The entity of the focused table, or the tab's master table."""
        focused = self.focused
        if isinstance(focused, DataTable) and focused.id and focused.id.startswith("table-"):
            return focused.id.removeprefix("table-")
        entities = TABS[self.current_tab()]
        return entities[0] if entities else None

    def action_tab(self, step: int) -> None:
        tabs = list(TABS)
        index = (tabs.index(self.current_tab()) + step) % len(tabs)
        self.query_one(TabbedContent).active = f"tab-{tabs[index]}"

    @on(TabbedContent.TabActivated)
    def _focus_table(self) -> None:
        entities = TABS[self.current_tab()]
        if entities:
            self.query_one(f"#table-{entities[0]}", DataTable).focus()

    # -- actions -----------------------------------------------------------------------
    def action_back(self) -> None:
        field = self.query_one("#detail-filter", Input)
        entity = self._filtering
        if field.display and entity is not None:
            if self.focused is field or not self.filters.get(entity):
                self.filters.pop(entity, None)
                field.value = ""
                field.display = False
                self._fill(entity, self._all_rows.get(entity, []))
                self.query_one(f"#table-{entity}", DataTable).focus()
                return
        self.dismiss()

    def action_export_file(self) -> None:
        """This provider's due-diligence file alone, as a workbook for an auditor."""
        provider = self.register.get("provider", self.provider_id)
        self.tracker.export(self.provider_id, str(getattr(provider, "legal_name")))

    # -- issue 15 questionnaires -------------------------------------------------------------
    def action_send_questionnaire(self) -> None:
        assert self.file is not None

        def sent(done: bool | None) -> None:
            if done:
                self.refresh_file()

        self.app.push_screen(SendQuestionnaireForm(self.register, self.today, self.provider_id,
                                                   str(self.file.provider.legal_name)), sent)

    def action_receive_answers(self) -> None:
        self.app.push_screen(ReceiveAnswersScreen(), lambda _: self.refresh_file())

    def action_decide(self, accept: bool) -> None:
        response_id = self._selected("questionnaire_response") \
            if self.current_entity() == "questionnaire_response" else None
        if response_id is None:
            self.notify("Select a correction in the Questionnaires tab's answers",
                        severity="warning")
            return
        try:
            decided = self.register.decide_correction(response_id, accept=accept,
                                                      today=self.today)
        except TrackerError as err:
            self.notify(str(err), severity="error")
            return
        self.notify(f"Correction {decided.decision.label.lower()}: {decided.record}: "
                    f"{decided.field}")
        self.refresh_file()

    def action_dossier(self) -> None:
        self.tracker.write_reports(["dossier"], self.provider_id)

    def _choices(self) -> dict[str, list[tuple[str, int]]]:
        assert self.file is not None
        f = self.file
        return {
            "supply_id": [(s.name, int(s.id or 0)) for s in f.supplies],
            "agreement_id": [(f"{show(a.kind)} {a.title or ''}".strip(), int(a.id or 0))
                             for a in f.agreements],
            "assessment_id": [(f"{show(a.kind)} {show(a.assessed_on)}", int(a.id or 0))
                              for a in f.assessments],
            "transfer_id": [(f"{t.origin_country}→{t.destination_country}", int(t.id or 0))
                            for t in f.transfers],
            "evidence_id": [(e.location, int(e.id or 0)) for e in f.evidence],
        }

    def _preset(self, entity: str, record: Any | None = None) -> dict[str, Any] | None:
        if entity in {"supply", "agreement", "transfer", "assessment", "evidence", "reminder"}:
            return {"provider_id": self.provider_id}
        if entity == "legal_basis":
            supply_id = record.supply_id if record else self._selected("supply")
            return {"supply_id": supply_id} if supply_id else None
        if entity == "agreement_clause" and record is not None:
            return {"agreement_id": record.agreement_id, "clause": record.clause}
        if entity == "checklist_answer" and record is not None:
            return {"assessment_id": record.assessment_id, "item": record.item}
        return None

    def action_new(self) -> None:
        entity = self.current_entity()
        if entity is None:
            entity = "supply"
        if entity in {"questionnaire", "questionnaire_response"}:
            self.action_send_questionnaire()
            return
        if entity in CHECKLIST_ENTITIES or entity in READ_ONLY:
            self.notify("Checklist items come with their agreement or review; edit them with e",
                        severity="warning")
            return
        preset = self._preset(entity)
        if preset is None:
            self.notify("Add a supply first: a legal basis belongs to a supply",
                        severity="warning")
            return
        self.tracker.edit_record(entity, None, preset=preset, choices=self._choices(),
                                 on_saved=lambda _row: self.refresh_file())

    def action_edit(self) -> None:
        entity = self.current_entity()
        if entity is None:
            self.tracker.edit_record("provider", self.provider_id,
                                     on_saved=lambda _row: self.refresh_file())
            return
        if entity in {"questionnaire", "questionnaire_response"}:
            self.notify("A questionnaire holds the supplier's answers as they gave them: "
                        "R receives a new reply, y / x accept or reject a correction",
                        severity="warning")
            return
        record_id = self._selected(entity) if entity not in READ_ONLY else None
        if record_id is None:
            self.notify("Nothing selected to edit", severity="warning")
            return
        record = self.register.get(entity, record_id)
        self.tracker.edit_record(entity, record_id, preset=self._preset(entity, record),
                                 choices=self._choices(),
                                 on_saved=lambda _row: self.refresh_file())

    @on(DataTable.RowSelected)
    def _open_row(self, event: DataTable.RowSelected) -> None:
        if event.data_table.id in {"table-assessment", "table-agreement"}:
            self.action_review()
        elif event.data_table.id == "table-gap":
            self.fix_gap()
        elif event.data_table.id != "table-audit_event":
            self.action_edit()

    def fix_gap(self) -> None:
        """Enter on a gap opens the record to fix: its form, or the review screen for a
        checklist, or the provider's own form."""
        gap_index = self._selected("gap")
        rows = self._all_rows.get("gap", [])
        gap = next((g for g in rows if g.id == gap_index), None)
        if gap is None:
            return
        from tracker.ui.screens.review import ReviewScreen

        entity, record_id = gap.entity, gap.entity_id
        if entity in {"assessment", "agreement"} and record_id is not None:
            self.app.push_screen(ReviewScreen(entity, int(record_id)),
                                 lambda _: self.refresh_file())
            return
        if entity in {"checklist_answer", "agreement_clause"} and record_id is not None:
            record = self.register.get(entity, int(record_id))
            parent = "assessment" if entity == "checklist_answer" else "agreement"
            self.app.push_screen(ReviewScreen(parent, int(getattr(record, f"{parent}_id"))),
                                 lambda _: self.refresh_file())
            return
        if entity == "provider" or record_id is None:
            self.tracker.edit_record("provider", self.provider_id,
                                     on_saved=lambda _row: self.refresh_file())
            return
        record = self.register.get(entity, int(record_id))
        self.tracker.edit_record(entity, int(record_id), preset=self._preset(entity, record),
                                 choices=self._choices(),
                                 on_saved=lambda _row: self.refresh_file())

    # -- "/" on any table ----------------------------------------------------------------
    def _filtered_entity(self) -> str | None:
        focused = self.focused
        if isinstance(focused, DataTable) and focused.id and focused.id.startswith("table-"):
            return focused.id.removeprefix("table-")
        entities = TABS[self.current_tab()]
        return entities[0] if entities else None

    def action_filter(self) -> None:
        entity = self._filtered_entity()
        if entity is None:
            return
        self._filtering = entity
        field = self.query_one("#detail-filter", Input)
        field.value = self.filters.get(entity, "")
        field.display = True
        field.focus()

    @on(Input.Changed, "#detail-filter")
    def _detail_filter_changed(self, event: Input.Changed) -> None:
        entity = self._filtering
        if entity is None:
            return
        self.filters[entity] = event.value
        self._fill(entity, self._all_rows.get(entity, []))

    @on(Input.Submitted, "#detail-filter")
    def _detail_filter_done(self) -> None:
        entity = self._filtering
        if entity is None:
            return
        table = self.query_one(f"#table-{entity}", DataTable)
        table.focus()
        if table.row_count == 1 and self.filters.get(entity, "").strip():
            table.move_cursor(row=0)
            table.action_select_cursor()

    def action_review(self) -> None:
        """The checklist of the highlighted review, or the clauses of the highlighted
        agreement, on one screen (tracker.ui.screens.review)."""
        from tracker.ui.screens.review import ReviewScreen

        entity = {"assessments": "assessment", "agreements": "agreement"}.get(
            self.current_tab())
        record_id = self._selected(entity) if entity else None
        if entity is None or record_id is None:
            self.notify("Select a review (Assessments tab) or an agreement to review",
                        severity="warning")
            return
        self.app.push_screen(ReviewScreen(entity, record_id), lambda _: self.refresh_file())

    def action_archive(self) -> None:
        entity = self.current_entity()
        if entity is None:
            self.tracker.archive_record("provider", self.provider_id,
                                        on_done=self.refresh_file)
            return
        if entity in CHECKLIST_ENTITIES or entity in READ_ONLY or entity == "reminder":
            self.notify(f"{entity.replace('_', ' ')} records are not archived",
                        severity="warning")
            return
        record_id = self._selected(entity)
        if record_id is not None:
            self.tracker.archive_record(entity, record_id, on_done=self.refresh_file)

"""The public summary of the content used to train a general-purpose AI model (AI Act
Art 53(1)(d)), section by section as the Commission's template of 2025-07-24 asks
(tracker.domain.ai_act), with the list of what the register still lacks to complete it.

Pure: a function of ``RegisterData``. Each section is built once as data (``SummarySection``)
and comes out both as the document (Markdown, HTML, workbook) and as JSON."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from tracker.domain.ai_act import (
    AUTHORISED_REPRESENTATIVE_ARTICLE,
    BAND_RANK,
    EU_MEMBER_STATES,
    MODALITY_ORDER,
    SECTION_TITLES,
    SIZE_BANDS,
    TEMPLATE_DATE,
    TEMPLATE_MODALITY,
    TEMPLATE_SECTIONS,
)
from tracker.domain.countries import country_name
from tracker.domain.enums import IntendedUse, ProviderRole, SourceCategory
from tracker.errors import TrackerError
from tracker.reports.document import Document, Table, document_location
from tracker.reports.register_data import RegisterData
from tracker.store.models import AiModel, Supply

TRAINING_USES = frozenset({IntendedUse.PRE_TRAINING, IntendedUse.FINE_TUNING})
# Not training content: a foundation model is a dependency (1.2), not data.
NOT_CONTENT = frozenset({SourceCategory.FOUNDATION_MODEL})


@dataclass(frozen=True, slots=True)
class Missing:
    """One thing the register lacks for the summary: in which section, what, where to fill
    it in."""

    section: str
    item: str
    where: str


@dataclass
class SummarySection:
    number: str
    answers: list[tuple[str, Any]] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)

    @property
    def title(self) -> str:
        return SECTION_TITLES[self.number]


@dataclass
class ModelSummary:
    model: AiModel | None
    sections: list[SummarySection]
    missing: list[Missing]
    supplies: list[Supply]


def _names(text: str | None) -> set[str]:
    return {n.strip().casefold() for n in (text or "").split(",") if n.strip()}


def training_supplies(data: RegisterData, model: AiModel | None) -> list[Supply]:
    """The supplies that trained ``model``: used for pre-training or fine-tuning, not a
    foundation model, and naming the model (or no model, meaning every model)."""
    chosen = []
    for supply in data.supplies:
        if supply.provider_id not in data.providers or supply.intended_use not in TRAINING_USES:
            continue
        if supply.source_category in NOT_CONTENT:
            continue
        named = _names(supply.model_names)
        if model is not None and named and model.name.casefold() not in named:
            continue
        chosen.append(supply)
    return chosen


def _yes_no(value: bool | None) -> str:
    return "Not recorded" if value is None else "Yes" if value else "No"


def _month(value: date | None) -> str | None:
    return value.strftime("%m/%Y") if value else None


def _modality(supply: Supply) -> str:
    return TEMPLATE_MODALITY[supply.modality] if supply.modality else "Other"


def _where(supply: Supply, field_name: str) -> str:
    return f"supply {supply.id} \u201c{supply.name}\u201d: {field_name}"


def _where_model(model: AiModel | None, field_name: str) -> str:
    if model is None:
        return "no AI model recorded: tracker add ai_model name=..."
    return f"AI model {model.id} \u201c{model.name}\u201d: {field_name}"


def build_summary(data: RegisterData, model: AiModel | None) -> ModelSummary:
    supplies = training_supplies(data, model)
    missing: list[Missing] = []
    sections = {s.number: SummarySection(s.number) for s in TEMPLATE_SECTIONS}

    def need(section: str, item: str, where: str) -> None:
        missing.append(Missing(section, item, where))

    _provider(data, sections["1.1"], need)
    _model(data, model, sections["1.2"], need)
    _characteristics(supplies, model, sections["1.3"], need)
    by_category: dict[SourceCategory | None, list[Supply]] = {}
    for supply in supplies:
        by_category.setdefault(supply.source_category, []).append(supply)
    _public(by_category.get(SourceCategory.PUBLIC_DATASET, []), sections["2.1"], need)
    licensed = by_category.get(SourceCategory.LICENSED_PRIVATE, [])
    rightsholders = [s for s in licensed
                     if data.providers[s.provider_id].role == ProviderRole.LICENSOR]
    third_parties = [s for s in licensed if s not in rightsholders] + by_category.get(
        SourceCategory.ANNOTATION_SERVICE, [])
    _private(rightsholders, sections["2.2.1"],
             "Datasets licensed under transactional agreements with rightsholders")
    _private(third_parties, sections["2.2.2"],
             "Private datasets obtained from third parties other than rightsholders (data "
             "intermediaries, annotation vendors)")
    _scraped(by_category.get(SourceCategory.SCRAPED, []), data.top_domains, sections["2.3"],
             need)
    _user(by_category.get(SourceCategory.USER_DATA, []), sections["2.4"], need)
    _synthetic(by_category.get(SourceCategory.SYNTHETIC, []), sections["2.5"], need)
    _other(model, by_category.get(None, []), sections["2.6"], need)
    _tdm(model, supplies, sections["3.1"], need)
    _illegal(model, supplies, sections["3.2"], need)
    sections["3.3"].answers.append((
        "Other information on data processing",
        (model.other_processing if model else None) or "None."))
    return ModelSummary(model, [sections[s.number] for s in TEMPLATE_SECTIONS], missing,
                        supplies)


Need = Any  # the section builders' callback: need(section, item, where)


def _provider(data: RegisterData, section: SummarySection, need: Need) -> None:
    org = data.organisation
    section.answers.append(("Provider name and contact details",
                            ", ".join(x for x in (org.name, org.contact) if x) or None))
    if not org.name:
        need("1.1", "the provider's name", "tracker settings set organisation_name ...")
    if not org.contact:
        need("1.1", "the provider's contact details",
             "tracker settings set organisation_contact ...")
    countries = org.established_in
    section.answers.append(("Established in", ", ".join(country_name(c) or c for c in countries)
                            or None))
    if not countries:
        need("1.1", "where the provider is established (for the authorised representative)",
             "tracker settings set organisation_established_in XX")
    outside = bool(countries) and not any(c in EU_MEMBER_STATES for c in countries)
    if outside:
        section.answers.append((f"Authorised representative in the Union "
                                f"({AUTHORISED_REPRESENTATIVE_ARTICLE})",
                                org.representative or None))
        if not org.representative:
            need("1.1", "the authorised representative in the Union (provider established "
                        "outside it)", "tracker settings set eu_representative ...")
    elif countries:
        section.answers.append(("Authorised representative",
                                "Not required: the provider is established in the Union."))


def _model(data: RegisterData, model: AiModel | None, section: SummarySection,
           need: Need) -> None:
    if model is None:
        section.answers.append(("Model name", None))
        need("1.2", "the model the summary covers", _where_model(None, "name"))
        return
    section.answers += [("Model name", model.name),
                        ("Version(s)", model.model_version)]
    if not model.model_version:
        need("1.2", "the model's version(s)", _where_model(model, "model_version"))
    if model.modifies_model:
        supplier = data.providers.get(model.provider_id) if model.provider_id else None
        dependency = model.modifies_model + (f" ({supplier.legal_name})" if supplier else "")
        section.answers += [("Model dependencies: the model it modifies", dependency),
                            ("Summary of that model", model.modifies_model_summary)]
        if not model.modifies_model_summary:
            need("1.2", "a link to the public summary of the model it modifies",
                 _where_model(model, "modifies_model_summary"))
    else:
        section.answers.append(("Model dependencies", "None: not a modification of another "
                                                      "general-purpose AI model."))
    section.answers.append(("Date of placement on the Union market",
                            model.placed_on_market_on))
    if model.placed_on_market_on is None:
        need("1.2", "the date of placing on the market",
             _where_model(model, "placed_on_market_on"))


def _characteristics(supplies: list[Supply], model: AiModel | None, section: SummarySection,
                     need: Need) -> None:
    by_modality: dict[str, list[Supply]] = {}
    for supply in supplies:
        by_modality.setdefault(_modality(supply), []).append(supply)
    rows = []
    for modality in MODALITY_ORDER:
        items = by_modality.get(modality, [])
        if not items:
            continue
        banded = [s for s in items if s.size_band is not None]
        top = max((s.size_band for s in banded if s.size_band), key=BAND_RANK.__getitem__,
                  default=None)
        band = SIZE_BANDS[modality][top] if top else None
        for supply in items:
            if supply.size_band is None:
                need("1.3", f"the size band of {modality.lower()} data",
                     _where(supply, "size_band"))
            if not supply.content_types:
                need("1.3", "the types of content", _where(supply, "content_types"))
        types = sorted({t.strip() for s in items for t in (s.content_types or "").split(",")
                        if t.strip()})
        rows.append([modality, band, ", ".join(types) or None, len(items)])
    section.tables.append(Table(["Modality", "Training data size", "Types of content",
                                 "Data sets"], rows))
    if not supplies:
        need("1.3", "the training data (no supply for pre-training or fine-tuning names this "
                    "model)", "tracker edit supply ID model_names=...")
    ends = [s.collection_end for s in supplies]
    latest = max((d for d in ends if d), default=None)
    section.answers.append(("Latest date of data collection", _month(latest)))
    for supply in supplies:
        if supply.collection_end is None:
            need("1.3", "the latest date data was collected", _where(supply, "collection_end"))
    continues = model.training_continues if model else None
    section.answers.append(("Training continues on new data after placing on the market",
                            _yes_no(continues)))
    if continues is None:
        need("1.3", "whether training continues on new data",
             _where_model(model, "training_continues"))


def _public(items: list[Supply], section: SummarySection, need: Need) -> None:
    section.answers.append(("Publicly available datasets used", "Yes" if items else "No"))
    if items:
        section.tables.append(Table(["Dataset", "Link", "Modality", "Size band"], [
            [s.name, s.dataset_link, _modality(s),
             SIZE_BANDS[_modality(s)][s.size_band] if s.size_band else None] for s in items]))
    for supply in items:
        if not supply.dataset_link:
            need("2.1", "a link to the public data set", _where(supply, "dataset_link"))


def _private(items: list[Supply], section: SummarySection, label: str) -> None:
    section.answers.append((label, "Yes" if items else "No"))
    if items:  # described by modality and content, not by supplier (trade secrets)
        section.tables.append(Table(["Modality", "Types of content", "Data sets"], [
            [modality, ", ".join(sorted({t.strip() for s in items if _modality(s) == modality
                                         for t in (s.content_types or "").split(",")
                                         if t.strip()})) or None,
             sum(_modality(s) == modality for s in items)]
            for modality in MODALITY_ORDER if any(_modality(s) == modality for s in items)]))


def _scraped(items: list[Supply], top_domains: dict[int, list[str] | None],
             section: SummarySection, need: Need) -> None:
    section.answers.append(("Data crawled or scraped by or on behalf of the provider",
                            "Yes" if items else "No"))
    if not items:
        return
    section.tables.append(Table(
        ["Data set", "Crawler names", "Purposes", "Behaviour (robots.txt, captchas, paywalls)",
         "Collection period"],
        [[s.name, s.crawler_names, s.crawler_purposes, s.crawler_behaviour,
          _period(s.collection_start, s.collection_end)] for s in items]))
    domain_rows = []
    for supply in items:
        # the file as the application read it; no entry: not read here (the list stands)
        listed = top_domains.get(supply.id or 0) if supply.top_domains_file else None
        unread = bool(supply.top_domains_file) and listed is None \
            and (supply.id or 0) in top_domains
        shown = ", ".join(listed) if listed else supply.top_domains
        source = None if unread else document_location(supply.top_domains_file)
        domain_rows.append([supply.name, shown, source])
        if unread:
            shown_file = document_location(supply.top_domains_file)
            need("2.3", f"a readable top-domains file ({shown_file} was not found or not "
                        "read)", _where(supply, "top_domains_file"))
    section.tables.append(Table(["Data set", "Top domains by volume", "From the file"],
                                domain_rows))
    for supply in items:
        for name, what in (("crawler_names", "the crawlers' names"),
                           ("crawler_purposes", "what the crawlers collect for"),
                           ("crawler_behaviour", "the crawlers' behaviour (robots.txt, "
                                                 "captchas, paywalls)"),
                           ("collection_start", "when collection began"),
                           ("collection_end", "when collection ended")):
            if getattr(supply, name) in (None, ""):
                need("2.3", what, _where(supply, name))
        if not supply.top_domains_file and not supply.top_domains:
            need("2.3", "the top domains by volume (a top-domains file)",
                 _where(supply, "top_domains_file"))


def _period(start: date | None, end: date | None) -> str | None:
    if start is None and end is None:
        return None
    return f"{_month(start) or '?'} to {_month(end) or '?'}"


def _user(items: list[Supply], section: SummarySection, need: Need) -> None:
    section.answers.append(("User data used", "Yes" if items else "No"))
    if items:
        section.tables.append(Table(["Data set", "Modality", "Types of content", "Source"], [
            [s.name, _modality(s), s.content_types, s.description] for s in items]))
    for supply in items:
        if not supply.description:
            need("2.4", "where the user data comes from (the model's users, other services)",
                 _where(supply, "description"))


def _synthetic(items: list[Supply], section: SummarySection, need: Need) -> None:
    section.answers.append(("Synthetic data used", "Yes" if items else "No"))
    if items:
        section.tables.append(Table(
            ["Data set", "Generating model", "Its provider", "Implicit labels kept"],
            [[s.name, s.generating_model, s.generating_provider,
              _yes_no(s.implicit_labels_kept)] for s in items]))
    for supply in items:
        if not supply.generating_model:
            need("2.5", "the model that generated the data", _where(supply, "generating_model"))


def _other(model: AiModel | None, uncategorised: list[Supply], section: SummarySection,
           need: Need) -> None:
    section.answers.append(("Other sources", (model.other_sources if model else None)
                            or ("None." if not uncategorised else None)))
    for supply in uncategorised:
        need("2.6", "the source category of the data set", _where(supply, "source_category"))


def _tdm(model: AiModel | None, supplies: list[Supply], section: SummarySection,
         need: Need) -> None:
    signatory = model.code_of_practice_signatory if model else None
    section.answers += [
        ("Signatory of the General-Purpose AI Code of Practice", _yes_no(signatory)),
        ("Measures honouring reservations of rights (Art 4(3) Directive (EU) 2019/790), "
         "opt-out protocols", model.optout_protocols if model else None)]
    if signatory is None:
        need("3.1", "whether the provider signed the Code of Practice",
             _where_model(model, "code_of_practice_signatory"))
    if not (model and model.optout_protocols):
        need("3.1", "the opt-out protocols honoured", _where_model(model, "optout_protocols"))
    online = [s for s in supplies if s.source_category in {SourceCategory.SCRAPED,
                                                           SourceCategory.PUBLIC_DATASET}]
    if online:
        section.tables.append(Table(["Data set", "Opt-outs respected", "How"], [
            [s.name, _yes_no(s.optout_respected), s.tdm_optout_measures] for s in online]))
    for supply in online:
        if not supply.tdm_optout_measures:
            need("3.1", "how TDM opt-outs were honoured", _where(supply, "tdm_optout_measures"))


def _illegal(model: AiModel | None, supplies: list[Supply], section: SummarySection,
             need: Need) -> None:
    section.answers.append(("Measures to remove illegal content",
                            (model.illegal_content_measures if model else None)))
    described = [s for s in supplies if s.illegal_content_removal]
    if described:
        section.tables.append(Table(["Data set", "Measures"], [
            [s.name, s.illegal_content_removal] for s in described]))
    if not (model and model.illegal_content_measures) and not described:
        need("3.2", "the measures removing illegal content",
             _where_model(model, "illegal_content_measures"))


# --- the document ------------------------------------------------------------------------

def _model_label(model: AiModel | None) -> str:
    if model is None:
        return "(no model recorded)"
    return model.name + (f" {model.model_version}" if model.model_version else "")


def pick_models(data: RegisterData, name: str | None) -> list[AiModel | None]:
    """The models a summary covers: the one named (by name, or name and version), or every
    model recorded (none recorded: one summary with that missing)."""
    if name is None:
        return list(data.models) or [None]
    wanted = name.casefold()
    found = [m for m in data.models if wanted in {m.name.casefold(),
                                                  _model_label(m).casefold()}]
    if len(found) != 1:
        known = "; ".join(_model_label(m) for m in data.models) or "none recorded"
        raise TrackerError(f"{'no' if not found else 'more than one'} AI model named "
                           f"{name!r} (known: {known})")
    return [found[0]]


def ai_act_summary(data: RegisterData, model_name: str | None = None) -> Document:
    models = pick_models(data, model_name)
    summaries = [build_summary(data, m) for m in models]
    several = len(summaries) > 1
    title = "Public summary of training content (EU AI Act Art 53(1)(d))" + (
        "" if several else f": {_model_label(models[0])}")
    doc = Document(title, data.stamp() + [
        f"Follows the Commission's template for the public summary of training content "
        f"({TEMPLATE_DATE}), section by section."])
    large = doc.cite("ai_act_large_dataset")
    json_models = []
    for summary in summaries:
        prefix = f"{_model_label(summary.model)}: " if several else ""
        for part in summary.sections:
            section = doc.section(f"{prefix}{part.number} {part.title}")
            for question, answer in part.answers:
                section.paragraphs.append(f"{question}: {_shown(answer)}")
            if part.number in {"2.1", "2.3"}:
                section.paragraphs.append(
                    f"Every data set and top domain recorded is listed {large}.")
            section.tables += part.tables
        checklist = doc.section(f"{prefix}Still missing before publication "
                                f"({len(summary.missing)})")
        if summary.missing:
            checklist.tables.append(Table(["Section", "Missing", "Where to record it"], [
                [m.section, m.item, m.where] for m in summary.missing]))
        else:
            checklist.paragraphs.append("Nothing: every section of the template is answered "
                                        "from the register.")
        json_models.append(_json_summary(summary))
    doc.data = {"template": f"Commission template for the public summary of training "
                            f"content ({TEMPLATE_DATE})", "models": json_models}
    return doc


def _shown(answer: Any) -> str:
    if answer is None or answer == "":
        return "Not recorded"
    if isinstance(answer, date):
        return answer.isoformat()
    return str(answer)


def _json_summary(summary: ModelSummary) -> dict[str, Any]:
    model = summary.model
    return {
        "model": None if model is None else {
            "id": model.id, "name": model.name, "version": model.model_version,
            "placed_on_market_on": model.placed_on_market_on},
        "sections": [{"number": s.number, "title": s.title,
                      "answers": [{"question": q, "answer": a} for q, a in s.answers],
                      "tables": [{"headers": t.headers, "rows": t.rows} for t in s.tables]}
                     for s in summary.sections],
        "missing": [{"section": m.section, "item": m.item, "where": m.where}
                    for m in summary.missing],
        "complete": not summary.missing,
    }


def missing_count(doc: Document) -> int:
    """How many items the summary still lacks (over every model it covers)."""
    models: Iterable[dict[str, Any]] = (doc.data or {}).get("models", [])
    return sum(len(m["missing"]) for m in models)

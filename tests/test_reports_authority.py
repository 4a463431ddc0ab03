"""Issue 14, the reports half: documents an authority would accept (no machine path, no
working mark, the Commission's template section by section, the CAC explanation in both
languages, a RoPA answering each item of GDPR Art 30(1)), and evidence hashed by the program.

The report builders are pure functions of ``RegisterData``: most tests build one by hand."""

from __future__ import annotations

import io
import json
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from tracker.app.register import Register
from tracker.cli import main
from tracker.cli.records_json import write_reminders
from tracker.domain.ai_act import TEMPLATE_SECTIONS
from tracker.domain.enums import (
    EvidenceKind,
    IntendedUse,
    Modality,
    ProviderRole,
    Regime,
    SizeBand,
    SourceCategory,
    TransferMechanism,
)
from tracker.domain.footnotes import FOOTNOTES, marked_citations
from tracker.reports.ai_act import ai_act_summary, build_summary
from tracker.reports.document import Document, Table, to_html, to_json, to_markdown
from tracker.reports.records import cac_explanation, ropa
from tracker.reports.register_data import Organisation, RegisterData
from tracker.store.models import (
    AiModel,
    Evidence,
    LegalBasis,
    Provider,
    Supply,
    Transfer,
)

from .conftest import TODAY

ORG = Organisation(name="Acme AI Ltd", contact="1 Main St, Leeds; privacy@acme.example",
                   established_in=("GB",), representative="Acme EU B.V., Amsterdam", dpo="Dana DPO",
                   security_measures="Encryption at rest and in transit; MFA")


def data(*supplies: Supply, models: list[AiModel] | None = None,
         organisation: Organisation = ORG, **extra: Any) -> RegisterData:
    providers = {1: Provider(id=1, legal_name="Rights Holder Ltd", country="GB",
                             role=ProviderRole.LICENSOR),
                 2: Provider(id=2, legal_name="杭州标注有限公司 Hangzhou Labels", country="CN",
                             role=ProviderRole.PROCESSOR)}
    return RegisterData(organisation=organisation, register="acme.sqlite",
                        made="2026-12-01 09:00 UTC", today=TODAY, version="test",
                        providers=providers, supplies=list(supplies),
                        models=models if models is not None else [], **extra)


def complete_crawl(**changes: Any) -> Supply:
    values: dict[str, Any] = {
        "id": 7, "provider_id": 1, "name": "Web crawl", "modality": Modality.TEXT,
        "source_category": SourceCategory.SCRAPED,
        "intended_use": IntendedUse.PRE_TRAINING, "size_band": SizeBand.MEDIUM,
        "content_types": "forum posts", "crawler_names": "AcmeBot",
        "crawler_purposes": "training", "crawler_behaviour": "honours robots.txt; no captchas",
        "collection_start": date(2025, 1, 1), "collection_end": date(2025, 6, 30),
        "top_domains_file": "/home/officer/acme/top-domains.csv",
        "tdm_optout_measures": "robots.txt and TDMRep"}
    values.update(changes)
    return Supply(**values)


def model(**changes: Any) -> AiModel:
    values: dict[str, Any] = {
        "id": 1, "name": "Acme-LM", "model_version": "1.0",
        "placed_on_market_on": date(2026, 9, 1),
        "training_continues": False, "code_of_practice_signatory": True,
        "optout_protocols": "robots.txt, TDMRep", "illegal_content_measures": "filters"}
    values.update(changes)
    return AiModel(**values)


# --- AI Act summary: the template's sections, in order, and what is missing ------------------

def test_every_template_section_appears_in_order() -> None:
    text = to_markdown(ai_act_summary(data(complete_crawl(), models=[model()])))
    headings = [line[3:] for line in text.splitlines() if line.startswith("## ")]
    numbers = [h.split(" ", 1)[0] for h in headings if h[0].isdigit()]
    assert numbers == ["1.1", "1.2", "1.3", "2.1", "2.2.1", "2.2.2", "2.3", "2.4", "2.5",
                       "2.6", "3.1", "3.2", "3.3"]
    assert numbers == [s.number for s in TEMPLATE_SECTIONS]
    assert "Still missing before publication (0)" in text
    assert "Authorised representative in the Union (AI Act Art 54(1)): Acme EU B.V." in text
    assert "Text | 1 billion to 10 trillion tokens | forum posts | 1" in text
    assert "Latest date of data collection: 06/2025" in text


def test_missing_items_name_the_section_and_the_field() -> None:
    crawl = complete_crawl(crawler_names=None, size_band=None, collection_end=None)
    eu = Organisation(name="Acme AI SAS", contact="Paris", established_in=("FR",))
    summary = build_summary(data(crawl, models=[model(placed_on_market_on=None)],
                                 organisation=eu), model(placed_on_market_on=None))
    missing = {(m.section, m.where.rsplit(": ", 1)[-1]) for m in summary.missing}
    assert missing == {("1.2", "placed_on_market_on"), ("1.3", "size_band"),
                       ("1.3", "collection_end"), ("2.3", "crawler_names"),
                       ("2.3", "collection_end")}
    # established in the Union: no authorised representative asked for
    assert not any("representative" in m.item for m in summary.missing)


def test_outside_the_union_without_representative_is_missing() -> None:
    org = Organisation(name="Acme", contact="x", established_in=("CN",))
    summary = build_summary(data(complete_crawl(), organisation=org), model())
    assert [m.item for m in summary.missing if m.section == "1.1"] == [
        "the authorised representative in the Union (provider established outside it)"]


def test_supplies_are_split_by_model_and_category() -> None:
    licensed = Supply(id=1, provider_id=1, name="Licensed news", modality=Modality.TEXT,
                      source_category=SourceCategory.LICENSED_PRIVATE,
                      intended_use=IntendedUse.PRE_TRAINING, model_names="Acme-LM")
    labelled = Supply(id=2, provider_id=2, name="Labels", modality=Modality.IMAGE,
                      source_category=SourceCategory.LICENSED_PRIVATE,
                      intended_use=IntendedUse.FINE_TUNING, model_names="Other-Model")
    evaluation = complete_crawl(id=3, intended_use=IntendedUse.EVALUATION)
    register = data(licensed, labelled, evaluation,
                    models=[model(), model(id=2, name="Other-Model")])
    first = build_summary(register, register.models[0])
    assert [s.name for s in first.supplies] == ["Licensed news"]
    sections = {s.number: s for s in first.sections}
    assert sections["2.2.1"].answers[0][1] == "Yes"  # from a licensor: a rightsholder
    assert sections["2.2.2"].answers[0][1] == "No"
    assert sections["2.3"].answers[0][1] == "No"  # the crawl only evaluates
    second = build_summary(register, register.models[1])
    assert {s.number: s for s in second.sections}["2.2.2"].answers[0][1] == "Yes"


def test_summary_as_json_has_sections_and_missing() -> None:
    doc = ai_act_summary(data(complete_crawl(crawler_names=""), models=[model()]))
    body = json.loads(to_json(doc))
    [summary] = body["models"]
    assert [s["number"] for s in summary["sections"]] == [s.number for s in TEMPLATE_SECTIONS]
    assert summary["complete"] is False
    assert summary["missing"] == [{"section": "2.3", "item": "the crawlers' names",
                                   "where": "supply 7 “Web crawl”: crawler_names"}]
    assert body["notes"][0]["topic"] == "ai_act_large_dataset"


def test_demo_summary_is_complete_for_one_model_and_not_the_other(
        demo_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "summary.out"
    assert main(["--db", str(demo_path), "report", "ai-act-summary", "--out", str(out),
                 "--format", "json", "--today", TODAY.isoformat()]) == 0
    assert "items still missing before publication" in capsys.readouterr().err
    body = json.loads(out.read_text(encoding="utf-8"))
    by_name = {m["model"]["name"]: m for m in body["models"]}
    assert by_name["Lumina-Chat"]["complete"] is True
    vision = by_name["Lumina-Vision"]
    assert not vision["complete"]
    assert {m["section"] for m in vision["missing"]} == {"1.2", "1.3", "2.3", "3.1", "3.2"}
    assert main(["--db", str(demo_path), "report", "ai-act-summary", "--model", "nope",
                 "--out", str(tmp_path / "x.md")]) == 2
    assert "known: Lumina-Chat 2.1; Lumina-Vision 0.9" in capsys.readouterr().err


# --- CAC explanation: both languages, minors' PI is sensitive ----------------------------

def test_cac_explanation_is_bilingual_and_minors_data_is_sensitive() -> None:
    chats = Supply(id=3, provider_id=2, name="Chat logs", modality=Modality.TEXT,
                   source_category=SourceCategory.USER_DATA, contains_pi=True,
                   contains_sensitive_pi=False, contains_minors_data=True,
                   intended_use=IntendedUse.FINE_TUNING, people_concerned=1000)
    adults = Supply(id=4, provider_id=2, name="Adult chats", contains_pi=True,
                    intended_use=IntendedUse.FINE_TUNING)
    bases = {3: [LegalBasis(supply_id=3, regime=Regime.PIPL, separate_consent=True)]}
    doc = cac_explanation(data(chats, adults, legal_bases=bases))
    text = to_markdown(doc)
    for zh, en in (("数据来源", "Sources"), ("规模与类型", "Scale and types"),
                   ("个人信息", "Personal information"), ("标注规则", "Labelling rules")):
        assert re.search(f"## .*{zh} {en}", text), (zh, en)
    [personal] = [s for s in doc.sections if s.heading.startswith("四、个人信息")]
    table = personal.tables[0]
    rows = {row[0]: dict(zip(table.headers, row, strict=True)) for row in table.rows}
    assert rows["Chat logs"]["敏感个人信息 Sensitive PI"] == "是 yes (PIPL Art 28)"
    assert rows["Chat logs"]["单独同意 Separate consent"] == "是 yes"
    assert rows["Adult chats"]["敏感个人信息 Sensitive PI"] == "否 no"
    assert "不满十四周岁未成年人的个人信息属于敏感个人信息" in text


# --- RoPA: each item of Art 30(1) ----------------------------------------------------------

def test_ropa_answers_each_article_30_item() -> None:
    speech = Supply(id=5, provider_id=1, name="Speech", contains_pi=True,
                    intended_use=IntendedUse.FINE_TUNING,
                    data_subject_categories="adult speakers",
                    personal_data_categories="voice, age band", recipients="cloud host",
                    retention_period="deleted 36 months after collection")
    transfer = Transfer(provider_id=1, origin_country="FR", destination_country="CN",
                        mechanism=TransferMechanism.EU_SCC)
    certificate = Evidence(provider_id=1, kind=EvidenceKind.CERTIFICATE, location="c.pdf",
                           supports="ISO/IEC 27001")
    doc = ropa(data(speech, transfers={1: [transfer]}, evidence={1: [certificate]}))
    text = to_markdown(doc)
    assert "Name: Acme AI Ltd." in text and "Contact details: 1 Main St, Leeds" in text
    assert "Data protection officer: Dana DPO." in text
    assert "Encryption at rest and in transit; MFA" in text
    table = doc.sections[2].tables[0]
    row = dict(zip(table.headers, table.rows[0], strict=True))
    assert row["Purposes (b)"] == "AI model fine-tuning"
    assert row["Categories of data subjects (c)"] == "adult speakers"
    assert row["Categories of personal data (c)"] == "voice, age band"
    assert row["Recipients, incl. in third countries (d)"] == \
        "cloud host; in CN: Rights Holder Ltd"
    assert row["Transfers to third countries and safeguards (e)"] == \
        "FR→CN: Commission standard contractual clauses (GDPR Art 46(2)(c))"
    assert row["Time limits for erasure (f)"] == "deleted 36 months after collection"
    assert "ISO/IEC 27001" in row["Security measures (g)"]
    assert "Not yet recorded (0)" in text


def test_ropa_asks_for_a_representative_only_outside_the_union() -> None:
    speech = Supply(id=5, provider_id=1, name="Speech", contains_pi=True)
    inside = to_markdown(ropa(data(speech, organisation=Organisation(
        name="Acme", established_in=("DE",)))))
    assert "Representative in the Union (Art 27): not required (established in the Union)." \
        in inside
    outside = to_markdown(ropa(data(speech, organisation=Organisation(
        name="Acme", established_in=("GB",)))))
    assert "Representative in the Union (Art 27): none named." in outside


def test_ropa_lists_what_is_not_recorded() -> None:
    bare = Supply(id=6, provider_id=1, name="Bare", contains_pi=True,
                  intended_use=IntendedUse.PRE_TRAINING)
    doc = ropa(data(bare, organisation=Organisation(name="Acme")))
    listed = doc.sections[-1].tables[0].rows
    assert [row[0] for row in listed] == ["(a)", "(g)", "(c)", "(c)", "(d)", "(f)"]


# --- no machine path, no working mark, in any document ------------------------------------

def test_marks_become_footnotes_and_paths_file_names() -> None:
    doc = Document("Gaps", ["from /home/officer/registers/acme.sqlite"])
    doc.section("Open gaps").tables.append(Table(["Source"], [
        ["TC260-003-2024 [check]; AI Act Art 53(1)(c)"], ["GDPR 48; PIPL 41 [check]"],
        ["Some rule [check]"], ["moved from C:\\Users\\li\\evidence\\iso.pdf"]]))
    for text in (to_markdown(doc), to_html(doc), to_json(doc)):
        assert "[check]" not in text and "/home/officer" not in text and "Users" not in text
        assert "acme.sqlite" in text and "iso.pdf" in text
    assert doc.footnotes == ["tc260", "pipl_41", "secondary"]
    assert FOOTNOTES["tc260"].text in to_markdown(doc).replace("\\", "")
    assert [t for _, _, t in marked_citations("Interim Measures Art 19 [check]")] == [
        "interim_art8_19"]


KINDS = [("ropa", None), ("ai-act-summary", None), ("cac-explanation", None),
         ("dossier", "lumen"), ("dossier", "webharvest")]


def test_no_report_holds_a_path_or_a_mark(demo_path: Path, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere" / "signed.pdf"  # kept by its absolute path
    outside.parent.mkdir()
    outside.write_bytes(b"signed")
    register = Register.open(f"sqlite:///{demo_path}")
    register.add_evidence("lumen", outside, {}, links={})
    for kind, provider in KINDS:
        pid = int(register.resolve_provider(provider).id) if provider else None
        for suffix in (".md", ".html", ".json"):
            out = register.write_report(kind, tmp_path / f"{kind}-{provider}{suffix}", TODAY,
                                        pid)
            text = out.read_text(encoding="utf-8")
            assert "[check]" not in text, (kind, suffix)
            assert str(tmp_path) not in text and "/elsewhere/" not in text, (kind, suffix)
            assert "demo.sqlite" in text  # the register, by its name
    calendar = tmp_path / "reminders.ics"
    register.write_calendar(calendar, TODAY)
    assert str(tmp_path).encode() not in calendar.read_bytes()
    assert "Tracker reminders — demo.sqlite" in calendar.read_text(encoding="utf-8")
    assert b"[check]" not in calendar.read_bytes()
    # reminders as JSON carry the flag instead of the mark (the PI audit rests on one)
    written = io.StringIO()
    write_reminders(register.reminders(TODAY), written)
    assert "[check]" not in written.getvalue()
    shown = json.loads(written.getvalue())
    assert any(r["secondary_source"] for r in shown)
    # the dossier counts minors' data as sensitive, as PIPL Art 28 does, flag or not
    lumen = int(register.resolve_provider("lumen").id)
    dossier = register.write_report("dossier", tmp_path / "lumen.md", TODAY, lumen)
    row = next(line for line in dossier.read_text(encoding="utf-8").splitlines()
               if line.startswith("| Opt-in chat logs"))
    assert row.split("|")[4].strip() == "yes", row
    register.close()


# --- evidence hashed by the program ---------------------------------------------------------

def test_evidence_add_hashes_re_hashes_and_reports_a_change(
        demo_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    evidence = demo_path.parent / "demo-evidence" / "iso.pdf"
    evidence.write_bytes(b"certificate v1")
    db = ["--db", str(demo_path)]
    assert main([*db, "evidence", "add", "paris voice", str(evidence), "--kind", "certificate",
                 "--valid-until", "2027-06-30", "--supports", "ISO/IEC 27001", "--json"]) == 0
    added = json.loads(capsys.readouterr().out)
    assert added["location"] == "demo-evidence/iso.pdf" and added["size"] == 14
    assert added["outcome"] == "added"
    assert main([*db, "evidence", "add", "paris voice", str(evidence)]) == 0
    assert "re-hashed, unchanged: verified" in capsys.readouterr().out
    evidence.write_bytes(b"certificate v2!")
    assert main([*db, "evidence", "add", "paris voice", str(evidence)]) == 1
    assert "CHANGED since recorded, nothing written" in capsys.readouterr().out
    assert main([*db, "evidence", "add", "paris voice", str(evidence), "--accept-change"]) == 0
    capsys.readouterr()
    assert main([*db, "evidence", "add", "l", str(evidence)]) == 2  # several providers match
    assert "give the id" in capsys.readouterr().err
    assert main([*db, "evidence", "verify", "--json"]) == 1  # the demo's altered licence
    checks = {c["id"]: c for c in json.loads(capsys.readouterr().out)}
    assert checks[added["id"]]["status"] == "ok"
    assert checks[added["id"]]["hash"].startswith("verified by the program on ")
    typed = {c["location"]: c["status"] for c in checks.values()
             if c["hash"] == "typed, unverified"}
    assert typed["demo-evidence/contracts/lumen-cn-standard-contract.pdf"] == "typed"
    assert main([*db, "audit", "verify"]) == 0  # replay reproduces hashed_on


def test_a_typed_hash_is_never_verified(db_path: Path, tmp_path: Path) -> None:
    register = Register.new(f"sqlite:///{db_path}")
    provider = register.create("provider", {"legal_name": "Acme"})
    pid = int(provider.id)
    with pytest.raises(Exception, match="hashed_on: is set by the program"):
        register.create("evidence", {"provider_id": pid, "location": "x.pdf",
                                     "hashed_on": date(2026, 1, 1)})
    typed = register.create_from_text("evidence", {"provider_id": str(pid),
                                                   "location": "x.pdf", "sha256": "a" * 64})
    assert typed.hashed_on is None
    # the form's door: a local file's location is hashed by the program
    (tmp_path / "contract.pdf").write_bytes(b"signed contract")
    hashed = register.create("evidence", {"provider_id": pid, "location": "contract.pdf"})
    assert hashed.hashed_on is not None and hashed.size_bytes == 15
    # a hash typed over a computed one makes it unverified again
    edited = register.update("evidence", int(hashed.id), {"sha256": "b" * 64},
                             expected_version=int(hashed.version))
    assert edited.hashed_on is None
    assert not register.verify_audit().problems
    register.close()


def test_the_evidence_form_offers_no_hash_to_type() -> None:
    from tracker.app.fields import field_specs

    names = {spec.name for spec in field_specs("evidence", hidden=set(), choices={})}
    assert "location" in names and not names & {"sha256", "size_bytes", "hashed_on"}


def test_a_door_that_types_values_never_sets_hashed_on() -> None:
    from tracker.app.pipeline import typed_evidence

    hashed = date(2026, 11, 2)
    stored = {"sha256": "a" * 64, "size_bytes": 10, "hashed_on": hashed}
    # a workbook or a form that claims a hashing time: dropped
    assert typed_evidence(None, {"location": "x", "hashed_on": hashed})["hashed_on"] is None
    assert "hashed_on" not in typed_evidence(stored, {"supports": "ISO", "hashed_on": None})
    # the same hash typed again keeps the program's; another one clears it
    assert "hashed_on" not in typed_evidence(stored, {"sha256": "a" * 64})
    assert typed_evidence(stored, {"size_bytes": 11})["hashed_on"] is None
    # only the hashing use case passes it
    assert typed_evidence(stored, {}, hashed_on=hashed)["hashed_on"] == hashed


def test_top_domains_come_from_the_file_and_an_unreadable_one_is_missing(
        tmp_path: Path) -> None:
    from tracker.app.reports import read_top_domains

    listed = tmp_path / "top.csv"
    listed.write_text("domain,share\nexample.org,0.2\n\nexample.net,0.1\n", encoding="utf-8")
    assert read_top_domains(listed) == ["example.org", "example.net"]
    assert read_top_domains(tmp_path / "absent.csv") is None
    register = data(complete_crawl(), models=[model()], top_domains={7: None})
    summary = build_summary(register, model())
    assert [(m.section, m.item) for m in summary.missing] == [
        ("2.3", "a readable top-domains file (top-domains.csv was not found or not read)")]
    register.top_domains[7] = ["example.org", "example.net"]
    text = to_markdown(ai_act_summary(register))
    assert "| Web crawl | example.org, example.net | top-domains.csv |" in text

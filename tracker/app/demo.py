"""The demo register: a realistic book of data and model suppliers across China, the EU,
the UK and the US, with deliberate gaps, so a new user can see every screen with content.

Dates are relative to ``today`` so the demo always has agreements expiring within 90 days,
one expired agreement, overdue and upcoming reviews, whatever day it is built.
"""

from __future__ import annotations

import hashlib
import json
from contextlib import closing
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from dateutil.relativedelta import relativedelta
from sqlalchemy import Engine
from sqlmodel import Session

from tracker import files
from tracker.app import pipeline as svc
from tracker.domain.enums import AgreementKind
from tracker.errors import TrackerError
from tracker.store.settings import set_setting

OFFICER = "Li Wei (compliance)"
COUNSEL = "Anna Berger (legal)"


EVIDENCE_DIR = "demo-evidence"
# The demo's evidence files, written beside the demo register so `tracker evidence verify`
# has real files to check; one is altered after it was recorded, as happens in life.
EVIDENCE_FILES: dict[str, str] = {}
ALTERED = f"{EVIDENCE_DIR}/contracts/bj-news-licence-2023.pdf"
# Recorded with a SHA-256 typed from the supplier's cover letter: listed as unverified.
TYPED_HASH = {f"{EVIDENCE_DIR}/contracts/lumen-cn-standard-contract.pdf"}
TOP_DOMAINS_FILE = f"{EVIDENCE_DIR}/ai-act/web-crawl-2025-top-domains.csv"


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _evidence(location: str, text: str) -> dict[str, Any]:
    """Evidence values for a demo file whose content is ``text``."""
    EVIDENCE_FILES[location] = text
    return {"location": location, "sha256": _digest(text), "size_bytes": len(text.encode())}


class _Builder:
    def __init__(self, session: Session, today: date) -> None:
        self.session = session
        self.today = today

    def day(self, offset: int) -> date:
        return self.today + timedelta(days=offset)

    def months(self, offset: int) -> date:
        return self.today + relativedelta(months=offset)

    def add(self, entity: str, actor: str = OFFICER, **values: Any) -> int:
        if entity == "evidence":  # the demo hashed the files it writes, bar one typed by hand
            hashed = values.get("location") in EVIDENCE_FILES \
                and values.get("location") not in TYPED_HASH
            row: Any = svc.evidence.create(session=self.session, data=values, actor=actor,
                                           hashed_on=self.today if hashed else None)
        else:
            row = svc.SERVICES[entity].create(session=self.session, data=values, actor=actor)
        return int(getattr(row, "id"))

    def agreement(self, provider_id: int, kind: AgreementKind, *,
                  missing: tuple[str, ...] = (), **values: Any) -> int:
        agreement_id = self.add("agreement", actor=COUNSEL, provider_id=provider_id,
                                kind=kind, **values)
        for row in svc.agreement_clauses.list(session=self.session, agreement_id=agreement_id):
            if row.clause not in missing:
                self.update("agreement_clause", row, actor=COUNSEL, status="present")
        return agreement_id

    def update(self, entity: str, row: Any, actor: str = OFFICER, **changes: Any) -> None:
        svc.SERVICES[entity].update(session=self.session, record_id=row.id, changes=changes,
                                    expected_version=row.version, actor=actor)

    def review(self, provider_id: int, *, done: int, next_in_months: int, outcome: str,
               open_items: tuple[int, ...] = (), na_items: tuple[int, ...] = (),
               override: str | None = None, **values: Any) -> int:
        """A review as an officer records it: opened, the checklist answered, then decided
        (with the reason, where a critical item stays open)."""
        assessed = self.day(done)
        assessment_id = self.add(
            "assessment", provider_id=provider_id, kind="due_diligence", assessed_on=assessed,
            reviewer=OFFICER, outcome="pending",
            next_review_on=assessed + relativedelta(months=next_in_months),
            retain_until=assessed + relativedelta(years=10), **values)
        for answer in svc.checklist_answers.list(session=self.session,
                                                 assessment_id=assessment_id):
            status = ("open" if answer.item in open_items else
                      "not_applicable" if answer.item in na_items else "satisfied")
            if status != answer.status:
                self.update("checklist_answer", answer, status=status, answered_by=OFFICER,
                            answered_on=assessed)
        row = svc.assessments.get(session=self.session, record_id=assessment_id)
        decision: dict[str, Any] = {"outcome": outcome}
        if override:
            decision["approval_override"] = override
        self.update("assessment", row, **decision)
        return assessment_id


def build_demo(session: Session, today: date) -> None:
    """Fill an empty register with the demo; the caller commits."""
    b = _Builder(session, today)
    set_setting(session, "register_kind", "demo", actor=OFFICER)
    set_setting(session, "organisation_name", "Lumina Models Ltd (demo)", actor=OFFICER)
    set_setting(session, "organisation_dpo", "Li Wei, dpo@lumina-models.example", actor=OFFICER)
    # Established in Germany with a US subsidiary, serving the EU, China and the US: GDPR
    # follows the company to every supplier's PI, and 28 CFR 202 binds its US entity.
    set_setting(session, "organisation_established_in", ["DE", "US"], actor=OFFICER)
    set_setting(session, "organisation_markets", ["CN", "DE", "US"], actor=OFFICER)

    # 1. Licensed news archive (CN): licence expiring within 90 days.
    news = b.add("provider",
                 legal_name="北京新闻档案数据有限公司 Beijing News Archive Data Co., Ltd.",
                 country="CN", role="licensor", risk_tier="high", status="active",
                 state_owned=True, ownership="Majority held by a state-owned media group",
                 contact_name="Zhang Min", contact_email="licensing@bj-newsarchive.example.cn")
    news_supply = b.add("supply", provider_id=news, name="News articles 1990-2024",
                        modality="text", source_category="licensed_private",
                        volume="38M articles", contains_pi=True, people_concerned=2_000_000,
                        intended_use="pre_training", licence_name="Commercial data licence",
                        licence_training_permitted=True, licence_sublicensing=False,
                        licence_term="3 years", deletion_on_termination=True,
                        sampling_done_on=b.day(-120), sampling_illegal_pct=0.4)
    b.add("legal_basis", supply_id=news_supply, regime="pipl", pipl_art13="5_news_reporting",
          verified_by=OFFICER, verified_on=b.day(-200))
    news_licence = b.agreement(news, AgreementKind.DATA_LICENCE, supply_id=news_supply,
                               title="News archive licence 2023", signed_on=b.months(-34),
                               effective_on=b.months(-34), expires_on=b.day(55),
                               notice_period_days=90, governing_law="PRC",
                               signed_copy_location="contracts/bj-news-licence-2023.pdf")
    b.add("evidence", provider_id=news, kind="signed_contract", agreement_id=news_licence,
          **_evidence(f"{EVIDENCE_DIR}/contracts/bj-news-licence-2023.pdf",
                     "demo evidence: bj-news-licence"),
          supports="Signed data licence incl. AI-training clause")
    b.review(news, done=-300, next_in_months=12, outcome="approved", na_items=(11, 12, 22))
    # Sent to a Singapore mirror under the under-100,000 exemption, but the counter has
    # passed 100,000 this year: a standard contract or certification is now required.
    b.add("transfer", provider_id=news, supply_id=news_supply, origin_country="CN",
          destination_country="SG", exemption="under_100k_non_sensitive",
          count_year=today.year, people_non_sensitive=130_000, notice_and_consent=True)

    # 2. Web-scrape vendor (GB): critical, scraped data, UK/EU GDPR.
    scrape = b.add("provider", legal_name="WebHarvest Analytics Ltd", country="GB",
                   role="independent_controller", risk_tier="critical", status="active",
                   contact_name="Oliver Grant", contact_email="dpo@webharvest.example.co.uk")
    crawl = b.add("supply", provider_id=scrape, name="Multilingual web crawl 2025",
                  modality="text", source_category="scraped", volume="14 TB",
                  contains_pi=True, people_concerned=50_000_000, intended_use="pre_training",
                  optout_respected=True, provenance_records="Crawl logs per domain, robots.txt "
                  "snapshots", top_domains="wikipedia.org, reddit.com, stackexchange.com",
                  licence_training_permitted=True, sampling_done_on=b.day(-40),
                  sampling_illegal_pct=3.2)
    b.add("legal_basis", supply_id=crawl, regime="uk_gdpr", gdpr_art6="f_legitimate_interests",
          verified_by=OFFICER, verified_on=b.day(-45), evidence_note="LIA dated 2025-03")
    b.add("legal_basis", supply_id=crawl, regime="gdpr", gdpr_art6="f_legitimate_interests",
          verified_by=OFFICER, verified_on=b.day(-45))
    b.agreement(scrape, AgreementKind.DATA_LICENCE, supply_id=crawl, title="Crawl data licence",
                signed_on=b.months(-10), effective_on=b.months(-10), expires_on=b.day(25),
                notice_period_days=30, auto_renewal=True, governing_law="England and Wales")
    forum = b.add("supply", provider_id=scrape, name="Forum crawl 2026 (pilot)", modality="text",
                  source_category="scraped", contains_pi=True, intended_use="evaluation",
                  top_domains="forums.example.org")
    b.add("legal_basis", supply_id=forum, regime="uk_gdpr", gdpr_art6="f_legitimate_interests",
          verified_by=OFFICER, verified_on=b.day(-20))
    b.add("evidence", provider_id=scrape, kind="certificate",
          **_evidence(f"{EVIDENCE_DIR}/evidence/webharvest-iso27001-2023.pdf",
                     "demo evidence: wh-iso"),
          supports="ISO/IEC 27001 certificate", valid_until=b.day(-15))
    b.review(scrape, done=-400, next_in_months=12, outcome="approved_with_conditions",
             findings="Sampling above 3%: ask for a second pass on forums.", open_items=(9,),
             override="Evaluation use only until the forum re-sampling report arrives")

    # 3. Annotation vendor (CN): entrusted processing with missing clauses, no labelling rules.
    annot = b.add("provider", legal_name="上海标注科技有限公司 Shanghai Biaozhu Annotation Co.",
                  country="CN", role="processor", risk_tier="medium", status="active",
                  contact_name="Wang Fang")
    labels = b.add("supply", provider_id=annot, name="Preference labels for fine-tuning",
                   modality="text", source_category="annotation_service", volume="1.2M pairs",
                   contains_pi=False, intended_use="fine_tuning")
    b.agreement(annot, AgreementKind.ENTRUSTED_PROCESSING, supply_id=labels,
                title="委托处理协议 Entrusted processing contract", signed_on=b.months(-8),
                effective_on=b.months(-8), expires_on=b.months(16), governing_law="PRC",
                missing=("pipl21_no_subentrustment", "pipl21_return_delete"))
    b.review(annot, done=-200, next_in_months=24, outcome="approved_with_conditions",
             open_items=(11, 13, 14),
             override="Pilot batch only; contract amendment for deletion and sub-entrustment "
                      "under negotiation")

    # 4. Foundation-model licensor (DE) with a joint-modelling agreement.
    fm = b.add("provider", legal_name="Aleph Foundation Models GmbH", country="DE",
               role="licensor", risk_tier="high", status="active",
               contact_email="partners@aleph-fm.example.de")
    base_model = b.add("supply", provider_id=fm, name="Aleph-70B base weights",
                       modality="model", source_category="foundation_model",
                       intended_use="fine_tuning", licence_name="Aleph commercial licence",
                       licence_training_permitted=True, licence_sublicensing=True,
                       licence_term="Perpetual, revocable for breach")
    b.agreement(fm, AgreementKind.JOINT_MODELLING, supply_id=base_model,
                title="Joint modelling and cooperation agreement", signed_on=b.months(-5),
                effective_on=b.months(-5), expires_on=b.months(31), governing_law="Germany")
    b.agreement(fm, AgreementKind.NDA, title="Mutual NDA", signed_on=b.months(-7),
                effective_on=b.months(-7), expires_on=b.months(17))
    b.review(fm, done=-150, next_in_months=12, outcome="approved", na_items=(5, 9, 11, 22))

    # 5. Synthetic-data vendor (US): low risk.
    synth = b.add("provider", legal_name="SynthCorpus Inc.", country="US",
                  role="licensor", risk_tier="low", status="active")
    synth_supply = b.add("supply", provider_id=synth, name="Synthetic dialogues v3",
                         modality="text", source_category="synthetic", volume="5M dialogues",
                         intended_use="fine_tuning", licence_training_permitted=True)
    b.agreement(synth, AgreementKind.DATA_LICENCE, supply_id=synth_supply,
                title="Synthetic data subscription", signed_on=b.months(-14),
                effective_on=b.months(-14), expires_on=b.months(10), auto_renewal=True,
                governing_law="Delaware")
    b.review(synth, done=-500, next_in_months=36, outcome="approved")

    # 6. User-data pipeline (CN), minors' data, exported CN -> DE under a standard contract.
    lumen = b.add("provider", legal_name="杭州流明互动科技有限公司 Hangzhou Lumen Interactive",
                  country="CN", role="joint_controller", risk_tier="critical", status="active",
                  is_ciio=False, handles_important_data=False)
    chats = b.add("supply", provider_id=lumen, name="Opt-in chat logs from the Lumen app",
                  modality="text", source_category="user_data", contains_pi=True,
                  contains_sensitive_pi=True, contains_minors_data=True,
                  people_concerned=180_000, intended_use="fine_tuning",
                  provenance_records="In-app consent records per user")
    b.add("legal_basis", supply_id=chats, regime="pipl", pipl_art13="1_consent",
          separate_consent=False, verified_by=OFFICER, verified_on=b.day(-90))
    pipia = b.add("assessment", provider_id=lumen, kind="pipia", assessed_on=b.day(-95),
                  reviewer=OFFICER, outcome="approved_with_conditions",
                  findings="Minors' data: guardian consent flow to be verified.",
                  retain_until=b.day(-95) + relativedelta(years=3))
    cn_sc = b.agreement(lumen, AgreementKind.CN_STANDARD_CONTRACT,
                        title="个人信息出境标准合同 China standard contract",
                        signed_on=b.day(-20), effective_on=b.day(-12),
                        expires_on=b.months(24), governing_law="PRC")
    b.add("transfer", provider_id=lumen, supply_id=chats, origin_country="CN",
          destination_country="DE", mechanism="cn_standard_contract",
          count_year=today.year, people_non_sensitive=120_000, people_sensitive=4_000,
          effective_on=b.day(-12), notice_and_consent=False, assessment_id=pipia)
    b.add("evidence", provider_id=lumen, kind="consent_records", supply_id=chats,
          **_evidence(f"{EVIDENCE_DIR}/evidence/lumen-consent-export.csv",
                     "demo evidence: lumen-consent"),
          supports="Consent records for chat-log use")
    b.add("evidence", provider_id=lumen, kind="signed_contract", agreement_id=cn_sc,
          **_evidence(f"{EVIDENCE_DIR}/contracts/lumen-cn-standard-contract.pdf",
                     "demo evidence: lumen-sc"),
          supports="Signed China standard contract")
    b.add("transfer", provider_id=lumen, supply_id=chats, origin_country="CN",
          destination_country="SG", mechanism="pi_certification", count_year=today.year,
          people_non_sensitive=2_000, notice_and_consent=True, filing_number="PIC-2023-0412",
          filed_on=b.months(-40), filing_expires_on=b.day(-30))
    b.review(lumen, done=-390, next_in_months=12, outcome="approved_with_conditions",
             open_items=(5, 22, 23),
             override="Approved by the DPO pending the guardian-consent flow (ticket PRIV-412)")

    # 7. Open-source corpus (DE): no licence recorded.
    oss = b.add("provider", legal_name="OpenCorpus Commons e.V.", country="DE",
                role="open_source", risk_tier="low", status="active")
    b.add("supply", provider_id=oss, name="OpenCorpus-2 multilingual text",
          modality="text", source_category="public_dataset", volume="800 GB",
          contains_pi=True, intended_use="pre_training")
    b.review(oss, done=-700, next_in_months=36, outcome="approved")

    # 8. Voice data (FR), special-category data, EU -> CN under SCC module 1 with a TIA.
    voice = b.add("provider", legal_name="Paris Voice Lab SAS", country="FR",
                  role="independent_controller", risk_tier="high", status="active",
                  contact_email="privacy@parisvoicelab.example.fr")
    speech = b.add("supply", provider_id=voice, name="Read speech with speaker metadata",
                   modality="audio", source_category="licensed_private", contains_pi=True,
                   contains_sensitive_pi=True, people_concerned=12_400,
                   intended_use="fine_tuning", licence_training_permitted=True)
    b.add("legal_basis", supply_id=speech, regime="gdpr", gdpr_art6="a_consent",
          gdpr_art9="a_explicit_consent", verified_by=COUNSEL, verified_on=b.day(-60))
    tia = b.add("assessment", provider_id=voice, kind="tia", assessed_on=b.day(-70),
                reviewer=COUNSEL, outcome="approved",
                findings="Supplementary measures: encryption with keys held in the EU.",
                retain_until=b.day(-70) + relativedelta(years=10))
    b.agreement(voice, AgreementKind.EU_SCC, scc_module="module_1", supply_id=speech,
                title="SCC Module 1 (C2C)", signed_on=b.months(-3), effective_on=b.months(-3),
                governing_law="France")
    b.add("transfer", provider_id=voice, supply_id=speech, origin_country="FR",
          destination_country="CN", mechanism="eu_scc", assessment_id=tia)
    b.add("evidence", provider_id=voice, kind="certificate", location="evidence/pvl-iso27001.pdf",
          sha256=_digest("pvl-iso"), size_bytes=120_555, supports="ISO/IEC 27001 certificate",
          valid_until=b.day(20))
    b.review(voice, done=-100, next_in_months=12, outcome="approved")

    # 9. Image data (CN) exported CN -> US under a CAC security assessment.
    vision = b.add("provider",
                   legal_name="深圳视觉数据技术有限公司 Shenzhen Vision Data Technology",
                   country="CN", role="independent_controller", risk_tier="critical",
                   status="active", handles_important_data=True)
    faces = b.add("supply", provider_id=vision, name="Street-scene images with faces",
                  modality="image", source_category="licensed_private", contains_pi=True,
                  contains_sensitive_pi=True, people_concerned=1_500_000,
                  intended_use="pre_training", licence_training_permitted=True,
                  sampling_done_on=b.day(-30), sampling_illegal_pct=6.5)
    b.add("legal_basis", supply_id=faces, regime="pipl", pipl_art13="1_consent",
          separate_consent=True, verified_by=OFFICER, verified_on=b.day(-30))
    b.add("transfer", provider_id=vision, supply_id=faces, origin_country="CN",
          destination_country="US", mechanism="cac_security_assessment",
          count_year=today.year, people_non_sensitive=400_000, people_sensitive=15_000,
          filing_number="CAC-SA-2024-0187", filed_on=b.months(-33),
          filing_expires_on=b.day(70), notice_and_consent=True)
    b.review(vision, done=-330, next_in_months=12, outcome="approved_with_conditions",
             open_items=(9,), override="Filtered subset only; re-sampling requested")

    # 10. Legal texts (US): the expired agreement.
    legal = b.add("provider", legal_name="Pacific Legal Texts LLC", country="US",
                  role="licensor", risk_tier="medium", status="active")
    cases = b.add("supply", provider_id=legal, name="US case law corpus", modality="text",
                  source_category="licensed_private", contains_pi=True,
                  intended_use="pre_training", licence_training_permitted=False)
    b.add("legal_basis", supply_id=cases, regime="ccpa", ccpa_disclosure="neither",
          verified_by=COUNSEL, verified_on=b.day(-400))
    b.agreement(legal, AgreementKind.DATA_LICENCE, supply_id=cases, title="Case law licence",
                signed_on=b.months(-26), effective_on=b.months(-25), expires_on=b.day(-10),
                notice_period_days=60, governing_law="California")
    b.review(legal, done=-800, next_in_months=24, outcome="approved")

    # 11. Speech (NO), EEA processor with a DPA.
    nordic = b.add("provider", legal_name="Nordic Speech AS", country="NO", role="processor",
                   risk_tier="medium", status="active")
    transcripts = b.add("supply", provider_id=nordic, name="Transcription of in-house audio",
                        modality="audio", source_category="annotation_service",
                        contains_pi=True, intended_use="evaluation",
                        labelling_rules="Transcription guide v4, 5% double-keyed QA")
    b.add("legal_basis", supply_id=transcripts, regime="gdpr", gdpr_art6="b_contract",
          verified_by=COUNSEL, verified_on=b.day(-150))
    b.agreement(nordic, AgreementKind.DPA, supply_id=transcripts, title="DPA (Art 28)",
                signed_on=b.months(-18), effective_on=b.months(-18), expires_on=b.months(6),
                governing_law="Norway", missing=("gdpr28_h_audits",))
    b.review(nordic, done=-420, next_in_months=24, outcome="approved")

    # 12. Health data (GB): suspended after a breach.
    health = b.add("provider", legal_name="Medilex Health Data Ltd", country="GB",
                   role="independent_controller", risk_tier="critical", status="suspended",
                   notes="Suspended after the supplier reported a breach; review due.")
    notes = b.add("supply", provider_id=health, name="De-identified clinical notes",
                  modality="text", source_category="licensed_private", contains_pi=True,
                  contains_sensitive_pi=True, intended_use="evaluation")
    b.add("legal_basis", supply_id=notes, regime="uk_gdpr", gdpr_art6="f_legitimate_interests",
          verified_by=COUNSEL, verified_on=b.day(-200))
    b.review(health, done=-200, next_in_months=12, outcome="approved_with_conditions")
    b.add("review_trigger", provider_id=health, kind="breach", occurred_on=b.day(-9),
          note="Supplier reported unauthorised access to a staging bucket")

    # 12b. An annotation processor working under an NDA only: no DPA yet.
    label = b.add("provider", legal_name="Lisbon Label Studio Lda", country="PT",
                  role="processor", risk_tier="medium", status="active")
    boxes = b.add("supply", provider_id=label, name="Bounding boxes for street scenes",
                  modality="image", source_category="annotation_service",
                  intended_use="fine_tuning", contains_pi=False,
                  labelling_rules="Box guide v2, 10% second review", sampling_done_on=b.day(-60),
                  sampling_illegal_pct=0.0)
    b.agreement(label, AgreementKind.NDA, supply_id=boxes, title="Mutual NDA",
                signed_on=b.months(-2), effective_on=b.months(-2), expires_on=b.months(22))
    b.review(label, done=-50, next_in_months=24, outcome="approved_with_conditions",
             open_items=(13,), override="No personal data in the images; DPA to follow")

    # 13. Prospective supplier, never reviewed and with no tier yet.
    b.add("provider", legal_name="Tokyo Manga Scans KK", country="JP", status="prospective",
          notes="Offered a manga scan corpus; rights chain unclear.")

    # 14. US data broker, offboarded and archived.
    broker = b.add("provider", legal_name="DataMart Brokers Corp.", country="US",
                   role="independent_controller", risk_tier="high", status="offboarded")

    _issue14_cases(b, today)

    # A little history: changes after the fact, as an officer makes them.
    svc.providers.update(session=session, record_id=annot, changes={"risk_tier": "high"},
                         expected_version=1, actor=OFFICER)
    row = svc.providers.get(session=session, record_id=broker)
    svc.providers.archive(session=session, record_id=broker, expected_version=row.version,
                          actor=OFFICER)
    b.add("reminder", provider_id=scrape, title="Ask WebHarvest for the forum re-sampling report",
          due_on=b.day(-3))
    b.add("reminder", provider_id=lumen, title="File the standard contract with Zhejiang CAC",
          due_on=b.day(-2), notes="Due within 10 working days of taking effect")
    b.add("reminder", title="Quarterly register review with the DPO", due_on=b.day(12))
    _report_fields(b, fm)


# issue 14 reports: the organisation, the two models of the AI Act summary and the supply
# fields behind it and behind the RoPA. Lumina-Chat's summary is complete; Lumina-Vision's
# still lacks items (size bands, collection dates, a link), as a real register would.
SUPPLY_REPORT_FIELDS: dict[str, dict[str, Any]] = {
    "News articles 1990-2024": {
        "model_names": "Lumina-Chat", "size_band": "medium", "content_types": "news articles",
        "collection_start": date(1990, 1, 1), "collection_end": date(2024, 12, 31),
        "data_subject_categories": "journalists; people named in the news",
        "personal_data_categories": "names, quotes, photographs' captions",
        "recipients": "annotation vendor (entrusted processing)",
        "retention_period": "for the licence term; deleted within 30 days of its end",
        "illegal_content_removal": "Keyword and classifier filter; 4,000-item manual sample"},
    "Multilingual web crawl 2025": {
        "model_names": "Lumina-Chat", "size_band": "medium",
        "content_types": "encyclopaedia articles, forum posts, Q&A",
        "collection_start": date(2025, 1, 6), "collection_end": date(2025, 6, 30),
        "crawler_names": "WebHarvestBot/3.2", "crawler_purposes": "Collecting public web text for "
        "training general-purpose language models",
        "crawler_behaviour": "Honours robots.txt and TDMRep; does not solve captchas; does not "
        "pass paywalls or logins", "top_domains_file": TOP_DOMAINS_FILE,
        "tdm_optout_measures": "robots.txt (incl. AI-specific user agents) and TDMRep headers "
        "read before each fetch; opted-out domains dropped",
        "data_subject_categories": "authors of public posts; people named in them",
        "personal_data_categories": "user names, text written by them",
        "recipients": "cloud host (processor)",
        "retention_period": "raw crawl deleted 18 months after collection; training set kept",
        "illegal_content_removal": "URL blocklists, CSAM hash matching, toxicity classifier"},
    "Preference labels for fine-tuning": {
        "model_names": "Lumina-Chat", "size_band": "small", "content_types": "preference pairs",
        "collection_start": date(2025, 9, 1), "collection_end": date(2026, 3, 31)},
    "Synthetic dialogues v3": {
        "model_names": "Lumina-Chat", "size_band": "small", "content_types": "dialogues",
        "collection_end": date(2026, 2, 28), "generating_model": "SynthCorpus Dialog-XL 3",
        "generating_provider": "SynthCorpus Inc.", "implicit_labels_kept": True},
    "Opt-in chat logs from the Lumen app": {
        "model_names": "Lumina-Chat", "size_band": "small", "content_types": "chat messages",
        "description": "Conversations of the Lumen app's users who opted in (another service's "
                    "users, not the model's)",
        "collection_start": date(2025, 4, 1), "collection_end": date(2026, 6, 30),
        "data_subject_categories": "app users, including children under 14 with guardian "
                                "consent",
        "personal_data_categories": "chat text, age band, device region",
        "recipients": "annotation vendor; cloud host in Germany",
        "retention_period": "deleted 24 months after collection"},
    "OpenCorpus-2 multilingual text": {
        "model_names": "Lumina-Chat", "size_band": "medium", "content_types": "books, web text",
        "dataset_link": "https://opencorpus.example.org/oc2", "collection_end": date(2024, 10, 31),
        "optout_respected": True,
        "tdm_optout_measures": "Publisher's opt-out list applied; the data set's own robots.txt "
                            "filtering kept"},
    "US case law corpus": {
        "model_names": "Lumina-Chat", "size_band": "small", "content_types": "court decisions",
        "collection_end": date(2025, 12, 31),
        "data_subject_categories": "parties, judges and counsel named in decisions",
        "personal_data_categories": "names, facts of cases",
        "recipients": "none outside the company",
        "retention_period": "for the licence term"},
    "Street-scene images with faces": {
        "model_names": "Lumina-Vision", "content_types": "street photographs",
        "data_subject_categories": "passers-by", "personal_data_categories": "faces, number plates",
        "recipients": "annotation vendor"},
    "Bounding boxes for street scenes": {"model_names": "Lumina-Vision", "size_band": "small"},
    "Read speech with speaker metadata": {
        "model_names": "Lumina-Vision", "size_band": "small", "content_types": "read speech",
        "collection_end": date(2025, 11, 30),
        "data_subject_categories": "adult speakers (paid participants)",
        "personal_data_categories": "voice, age band, dialect", "recipients": "speech lab in China",
        "retention_period": "deleted 36 months after collection"},
    # The compliance-rule cases (_issue14_cases) go into the vision model, whose summary is
    # the incomplete one: a blank model list would put them into every model's summary.
    "Scraped social posts (CN)": {"model_names": "Lumina-Vision"},
    "Driving scenes (plates blurred)": {"model_names": "Lumina-Vision"},
    "US voiceprints for annotation": {"model_names": "Lumina-Vision"},
    "Transcription of in-house audio": {
        "data_subject_categories": "employees and customers on recorded calls",
        "personal_data_categories": "voice, call content", "recipients": "transcription vendor",
        "retention_period": "deleted 90 days after transcription"},
}


def _report_fields(b: _Builder, foundation_provider: int) -> None:
    session = b.session
    # Established in Germany (organisation_established_in, set above): in the Union, so the
    # AI Act summary needs no authorised representative.
    set_setting(session, "organisation_contact", "Friedrichstrasse 100, 10117 Berlin, "
                "Germany; privacy@lumina-models.example", actor=OFFICER)
    set_setting(session, "security_measures", "Encryption at rest (AES-256) and in transit "
                "(TLS 1.3); role-based access with MFA; training data in segregated "
                "storage; access logs kept 12 months; ISO 27001-aligned ISMS", actor=OFFICER)
    EVIDENCE_FILES[TOP_DOMAINS_FILE] = "domain,share_of_tokens\nwikipedia.org,0.081\n" \
        "reddit.com,0.043\nstackexchange.com,0.027\narxiv.org,0.019\ngithub.com,0.017\n" \
        "gutenberg.org,0.012\n"
    for supply in svc.supplies.list(session=session):
        if supply.name in SUPPLY_REPORT_FIELDS:
            b.update("supply", supply, **SUPPLY_REPORT_FIELDS[supply.name])
    b.add("ai_model", name="Lumina-Chat", model_version="2.1", provider_id=foundation_provider,
          modifies_model="Aleph-70B", modifies_model_summary="https://aleph.example.eu/"
          "aleph-70b/training-summary", placed_on_market_on=b.months(-2),
          training_continues=False, code_of_practice_signatory=True,
          optout_protocols="robots.txt (incl. AI user agents), TDMRep, ai.txt; opt-outs "
                           "re-checked before each training run",
          illegal_content_measures="Blocklists, CSAM hash matching and classifiers on every "
                                   "source; 4,000-item manual samples per source (GB/T 45654)",
          other_processing="Deduplication and PII redaction before training")
    b.add("ai_model", name="Lumina-Vision", model_version="0.9")


def _issue14_cases(b: _Builder, today: date) -> None:
    """A case of each rule of issue 14 (NDSMR, certification, DOJ 28 CFR 202, PIPIA
    retention, linked transfer documents), and providers that comply with them."""
    # 15. Crowd data (CN): scraped PI kept, important data notified and sent abroad under an
    # expired, unfiled standard contract; its PIPIA kept only 2 years.
    crowd = b.add("provider", legal_name="成都众包数据有限公司 Chengdu Crowd Data Co.",
                  country="CN", role="independent_controller", risk_tier="high",
                  status="active")
    posts = b.add("supply", provider_id=crowd, name="Scraped social posts (CN)", modality="text",
                  source_category="scraped", contains_pi=True, people_concerned=300_000,
                  intended_use="pre_training", licence_training_permitted=True,
                  provenance_records="Crawler logs", optout_respected=True,
                  sampling_done_on=b.day(-20), sampling_illegal_pct=1.0,
                  scraped_pi_handling="kept", important_data_status="notified",
                  provided_on=b.day(-40), provision_log_until=b.day(-40) + relativedelta(years=3),
                  data_subject_countries="CN")
    for regime, basis in (("pipl", {"pipl_art13": "6_lawfully_disclosed"}),
                          ("gdpr", {"gdpr_art6": "f_legitimate_interests"})):
        b.add("legal_basis", supply_id=posts, regime=regime, verified_by=OFFICER,
              verified_on=b.day(-30), **basis)
    b.agreement(crowd, AgreementKind.DATA_PROVISION, supply_id=posts,
                title="PI provision agreement (NDSMR Art 12)", signed_on=b.months(-14),
                effective_on=b.months(-14), expires_on=b.months(10), governing_law="PRC")
    old_sc = b.agreement(crowd, AgreementKind.CN_STANDARD_CONTRACT, title="Standard contract 2024",
                         signed_on=b.months(-26), effective_on=b.months(-25),
                         expires_on=b.day(-5), governing_law="PRC")
    crowd_pipia = b.add("assessment", provider_id=crowd, kind="pipia", assessed_on=b.day(-60),
                        reviewer=OFFICER, outcome="approved",
                        retain_until=b.day(-60) + relativedelta(years=2))
    b.add("transfer", provider_id=crowd, supply_id=posts, origin_country="CN",
          destination_country="DE", mechanism="cn_standard_contract", agreement_id=old_sc,
          count_year=today.year, people_non_sensitive=150_000, effective_on=b.day(-40),
          notice_and_consent=True, assessment_id=crowd_pipia)
    b.review(crowd, done=-60, next_in_months=12, outcome="approved", na_items=(11, 12))

    # 16. Vision labs (CN): an approved security assessment exceeded, a free-trade-zone
    # exemption with no list edition, a certificate relied on outside its band.
    labs = b.add("provider", legal_name="苏州视界实验室 Suzhou Vision Labs", country="CN",
                 role="independent_controller", risk_tier="high", status="active",
                 handles_important_data=True)
    scenes = b.add("supply", provider_id=labs, name="Driving scenes (plates blurred)",
                   modality="video", source_category="licensed_private", contains_pi=True,
                   people_concerned=80_000, intended_use="pre_training",
                   licence_training_permitted=True, sampling_done_on=b.day(-15),
                   sampling_illegal_pct=0.2, important_data_status="declared",
                   provided_on=b.day(-15), provision_log_until=b.day(-15) + relativedelta(years=3))
    scene_bases: tuple[tuple[str, dict[str, Any]], ...] = (
        ("pipl", {"pipl_art13": "1_consent", "separate_consent": True}),
        ("gdpr", {"gdpr_art6": "a_consent"}))
    for regime, basis in scene_bases:
        b.add("legal_basis", supply_id=scenes, regime=regime, verified_by=OFFICER,
              verified_on=b.day(-15), **basis)
    b.agreement(labs, AgreementKind.DATA_LICENCE, supply_id=scenes, title="Scenes licence",
                signed_on=b.months(-4), effective_on=b.months(-4), expires_on=b.months(20))
    b.agreement(labs, AgreementKind.DATA_PROVISION, supply_id=scenes,
                title="Provision agreement", signed_on=b.months(-4), effective_on=b.months(-4),
                expires_on=b.months(20))
    b.add("assessment", provider_id=labs, kind="pipia", assessed_on=b.day(-120),
          reviewer=OFFICER, outcome="approved", retain_until=b.day(-120) + relativedelta(years=3))
    b.add("transfer", provider_id=labs, supply_id=scenes, origin_country="CN",
          destination_country="US", mechanism="cac_security_assessment", count_year=today.year,
          people_non_sensitive=80_000, filing_number="CAC-SA-2025-0311", filed_on=b.months(-6),
          filing_expires_on=b.months(30), approved_people=50_000,
          approved_scope="Model training on blurred driving scenes; no faces",
          within_approved_scope=True, notice_and_consent=True)
    b.add("transfer", provider_id=labs, supply_id=scenes, origin_country="CN",
          destination_country="SG", exemption="free_trade_zone",
          free_trade_zone="China (Shanghai) Pilot Free Trade Zone Lingang New Area",
          notice_and_consent=True)
    cert_transfer = b.add("transfer", provider_id=labs, supply_id=scenes, origin_country="CN",
                          destination_country="JP", mechanism="pi_certification",
                          notice_and_consent=True)
    b.add("evidence", provider_id=labs, kind="certificate", transfer_id=cert_transfer,
          location="evidence/labs-pi-certificate.pdf", sha256=_digest("labs-cert"),
          size_bytes=9_000, supports="PI protection certificate (outbound)")
    undated_sc = b.agreement(labs, AgreementKind.CN_STANDARD_CONTRACT,
                             title="Standard contract (Seoul office)", signed_on=b.day(-3),
                             governing_law="PRC")
    b.add("transfer", provider_id=labs, supply_id=scenes, origin_country="CN",
          destination_country="KR", mechanism="cn_standard_contract", agreement_id=undated_sc,
          notice_and_consent=True)
    b.review(labs, done=-15, next_in_months=12, outcome="approved", na_items=(11, 12))

    # 17. A Chinese annotation and data-exchange partner given bulk US data: prohibited
    # brokerage, restricted vendor access without CISA's requirements, an unreported
    # rejected offer (28 CFR 202).
    exchange = b.add("provider", legal_name="大连数据交易所 Dalian Data Exchange Co.",
                     country="CN", role="processor", risk_tier="critical", status="active")
    b.add("supply", provider_id=exchange, name="US customer identifiers licensed out",
          modality="tabular", source_category="user_data", contains_pi=True,
          people_concerned=120_000, intended_use="evaluation",
          doj_data_category="covered_identifiers", us_persons=120_000,
          doj_transaction="data_brokerage", doj_transaction_on=b.day(-30),
          doj_records_until=b.day(-30) + relativedelta(years=10), data_subject_countries="US")
    b.add("supply", provider_id=exchange, name="US voiceprints for annotation",
          modality="audio", source_category="annotation_service", contains_pi=True,
          contains_sensitive_pi=True, people_concerned=1_500, intended_use="fine_tuning",
          licence_training_permitted=True, labelling_rules="Speaker labels v1",
          sampling_done_on=b.day(-10), sampling_illegal_pct=0.0,
          doj_data_category="biometric", us_persons=1_500, doj_transaction="vendor_agreement",
          doj_transaction_on=b.day(-10), data_subject_countries="US")
    b.add("review_trigger", provider_id=exchange, kind="doj_rejected_offer",
          occurred_on=b.day(-20), note="Declined a request to license US geolocation data")

    # 18. A UK broker buying US health data from us: no onward-brokerage clause.
    albion = b.add("provider", legal_name="Albion Data Partners Ltd", country="GB",
                   role="independent_controller", risk_tier="medium", status="active")
    b.add("supply", provider_id=albion, name="US wellness records licensed out",
          modality="tabular", source_category="user_data", contains_pi=True,
          contains_sensitive_pi=True, people_concerned=20_000, intended_use="evaluation",
          doj_data_category="personal_health", us_persons=20_000,
          doj_transaction="data_brokerage", doj_transaction_on=b.day(-45),
          doj_records_until=b.day(-45) + relativedelta(years=10))

    # 19. Compliant: data collected abroad and sent back (not counted in the volume,
    # Provisions Art 4), and a vendor given US data below the bulk threshold.
    returned = b.add("provider", legal_name="Kunming Return Processing Co.", country="CN",
                     role="processor", risk_tier="low", status="active")
    sent_back = b.add("supply", provider_id=returned, name="EU call-centre audio, transcribed",
                      modality="audio", source_category="annotation_service",
                      contains_pi=True, intended_use="evaluation", people_concerned=2_000_000,
                      data_subject_countries="DE, FR", provided_on=b.day(-5),
                      provision_log_until=b.day(-5) + relativedelta(years=3),
                      labelling_rules="Transcription guide v2", doj_data_category="biometric",
                      us_persons=1_000, doj_transaction="vendor_agreement",
                      doj_transaction_on=b.day(-5),
                      doj_records_until=b.day(-5) + relativedelta(years=10))
    b.agreement(returned, AgreementKind.ENTRUSTED_PROCESSING, supply_id=sent_back,
                title="Entrusted processing", signed_on=b.months(-6), effective_on=b.months(-6),
                expires_on=b.months(18))
    for regime, basis in (("pipl", {"pipl_art13": "2_contract_or_hr"}),
                          ("gdpr", {"gdpr_art6": "b_contract"})):
        b.add("legal_basis", supply_id=sent_back, regime=regime, verified_by=OFFICER,
              verified_on=b.day(-6), **basis)
    b.add("assessment", provider_id=returned, kind="pipia", assessed_on=b.day(-7),
          reviewer=OFFICER, outcome="approved", retain_until=b.day(-7) + relativedelta(years=3))
    b.add("transfer", provider_id=returned, supply_id=sent_back, origin_country="CN",
          destination_country="DE", exemption="collected_abroad", count_year=today.year,
          people_non_sensitive=2_000_000, notice_and_consent=True)
    b.review(returned, done=-5, next_in_months=36, outcome="approved", na_items=(11, 12))


def is_demo_register(path: Path) -> bool:
    """True when the file is a register marked as a demo (safe to overwrite)."""
    import sqlite3

    try:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as connection:
            row = connection.execute(
                "SELECT value FROM setting WHERE key = 'register_kind'").fetchone()
    except sqlite3.DatabaseError:
        return False
    return row is not None and json.loads(row[0]) == "demo"


def write_demo(path: Path, *, today: date) -> None:
    """Write a fresh demo register at ``path``; refuses to replace anything but a demo."""
    from tracker.store.engine import session_scope
    from tracker.store.migrate import create_register

    if path.exists():
        if path.stat().st_size and not is_demo_register(path):
            raise TrackerError(f"{path} is not a demo register; refusing to overwrite it "
                               "(choose another --db path)")
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)

    def fill(engine: Engine) -> None:
        with session_scope(engine) as session:
            build_demo(session, today)

    # Built whole before it takes the name: a kill never leaves an empty "live" register
    # where the demo should be (which `tracker demo` would then refuse to replace).
    create_register(f"sqlite:///{path}", fill=fill).dispose()
    for location, text in EVIDENCE_FILES.items():
        target = path.parent / location
        target.parent.mkdir(parents=True, exist_ok=True)
        files.write_bytes(target, (text + (" (amended after signing)" if location == ALTERED
                                           else "")).encode("utf-8"), force=True)

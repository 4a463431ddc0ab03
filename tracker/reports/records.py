"""The record of processing activities (GDPR Art 30(1)) and the explanation of training-data
sources for a CAC filing (Interim Measures for Generative AI Services), as pure functions of
``RegisterData``.

The RoPA answers each item of Art 30(1) as such: (a) the controller and its contacts,
(b) purposes, (c) categories of data subjects and of personal data, (d) recipients, (e)
transfers to third countries and their safeguards, (f) the envisaged time limits for erasure
(the supply's retention period, not an assessment's keep-until date), (g) a general
description of the security measures; whatever is not recorded is listed at the end."""

from __future__ import annotations

from typing import Any

from tracker.domain.cac_terms import (
    INTENDED_USE_ZH,
    MINORS_SENSITIVE,
    MODALITY_ZH,
    NO,
    SOURCE_CATEGORY_ZH,
    UNKNOWN,
    YES,
)
from tracker.domain.derived import is_sensitive_pi
from tracker.domain.enums import EvidenceKind, SourceCategory, TransferMechanism
from tracker.domain.regimes import EEA
from tracker.reports.document import Document, Table
from tracker.reports.register_data import Organisation, RegisterData
from tracker.store.models import LegalBasis, Supply, Transfer


def basis_text(basis: LegalBasis) -> str:
    """"EU GDPR: (a) consent, (a) explicit consent" — a legal basis as a report states it."""
    parts = [str(x.label) for x in (basis.gdpr_art6, basis.gdpr_art9, basis.pipl_art13,
                                     basis.ccpa_disclosure) if x is not None]
    consent = " (separate consent)" if basis.separate_consent else ""
    return f"{basis.regime.label}: {', '.join(parts)}{consent}"


def supply_transfers(data: RegisterData, supply: Supply) -> list[Transfer]:
    """The transfers that carry a supply: those naming it, and the provider's transfers that
    name no supply."""
    return [t for t in data.transfers.get(supply.provider_id, [])
            if t.supply_id in (None, supply.id)]


_DEROGATIONS = {TransferMechanism.EU_DEROGATION, TransferMechanism.EU_COMPELLING_INTERESTS}


def _safeguard(transfer: Transfer) -> str:
    if transfer.mechanism is not None:
        text = f"{transfer.mechanism.label} ({transfer.mechanism.article})"
        if transfer.mechanism in _DEROGATIONS:
            text += "; documentation of the suitable safeguards (GDPR Art 49(6))"
        return text
    if transfer.exemption is not None:
        return f"{transfer.exemption.label} ({transfer.exemption.article})"
    return "none recorded"


def _representative(org: Organisation) -> str:
    """GDPR Art 27 asks for a representative only of a controller not established in the
    Union; for one established there, "none named" would read as a gap it does not have."""
    if org.representative:
        return org.representative
    if set(org.established_in) & EEA:
        return "not required (established in the Union)"
    return "none named"


def ropa(data: RegisterData) -> Document:
    doc = Document("Record of processing activities (GDPR Art 30(1))", data.stamp())
    org = data.organisation
    missing: list[list[str]] = []
    doc.section("Controller (Art 30(1)(a))").paragraphs += [
        f"Name: {org.name or 'not recorded'}.",
        f"Contact details: {org.contact or 'not recorded'}.",
        f"Data protection officer: {org.dpo or 'not recorded'}.",
        f"Representative in the Union (Art 27): {_representative(org)}."]
    if not org.name:
        missing.append(["(a)", "controller's name", "tracker settings set organisation_name"])
    if not org.contact:
        missing.append(["(a)", "controller's contact details",
                        "tracker settings set organisation_contact"])
    security = doc.section("Security measures (Art 30(1)(g), Art 32(1))")
    security.paragraphs.append(org.security_measures or "General description not recorded.")
    if not org.security_measures:
        missing.append(["(g)", "general description of the security measures",
                        "tracker settings set security_measures"])
    rows = []
    for supply in data.supplies:
        provider = data.providers.get(supply.provider_id)
        if provider is None or not supply.contains_pi:
            continue
        where = f"supply {supply.id} \u201c{supply.name}\u201d"
        purposes = "; ".join(x for x in (
            f"AI model {supply.intended_use.label.lower()}" if supply.intended_use else None,
            f"models: {supply.model_names}" if supply.model_names else None) if x)
        categories = ", ".join(c for c, on in (
            (supply.personal_data_categories or "personal data", True),
            ("special categories / sensitive PI (Art 9; PIPL Art 28)",
             is_sensitive_pi(supply)),
            ("data of children", supply.contains_minors_data)) if on)
        subjects = supply.data_subject_categories
        outbound = supply_transfers(data, supply)
        third = [t for t in outbound if t.destination_country not in EEA
                 or t.origin_country not in EEA]
        abroad = dict.fromkeys(f"in {t.destination_country}: {provider.legal_name}"
                               for t in third if t.origin_country in EEA)
        recipients = "; ".join(x for x in (supply.recipients, *abroad) if x)
        transfers = "; ".join(f"{t.origin_country}\u2192{t.destination_country}: "
                              f"{_safeguard(t)}" for t in third)
        certificates = [e.supports or e.kind.label for e in data.evidence.get(provider.id or 0,
                                                                              [])
                        if e.kind in {EvidenceKind.CERTIFICATE, EvidenceKind.AUDIT_REPORT}]
        security_row = "; ".join(x for x in (
            "as described above" if org.security_measures else None,
            f"source's certifications: {', '.join(certificates)}" if certificates else None)
            if x)
        legal = "; ".join(basis_text(b) for b in data.legal_bases.get(supply.id or 0, []))
        for value, item, field in (
                (purposes, "(b) purposes", "intended_use"),
                (subjects, "(c) categories of data subjects", "data_subject_categories"),
                (supply.personal_data_categories, "(c) categories of personal data",
                 "personal_data_categories"),
                (supply.recipients, "(d) categories of recipients", "recipients"),
                (supply.retention_period, "(f) time limit for erasure", "retention_period")):
            if not value:
                missing.append([item.split(" ", 1)[0], f"{item.split(' ', 1)[1]} of {where}",
                                f"tracker edit supply {supply.id} {field}=..."])
        rows.append([supply.name, provider.legal_name, purposes or None, legal or None,
                     subjects or None, categories, supply.people_concerned,
                     recipients or None, transfers or "none", supply.retention_period,
                     security_row or None])
    doc.section("Processing activities").tables.append(Table(
        ["Processing (supply)", "Source (provider)", "Purposes (b)", "Legal basis",
         "Categories of data subjects (c)", "Categories of personal data (c)",
         "People concerned", "Recipients, incl. in third countries (d)",
         "Transfers to third countries and safeguards (e)", "Time limits for erasure (f)",
         "Security measures (g)"], rows))
    listed = doc.section(f"Not yet recorded ({len(missing)})")
    if missing:
        listed.tables.append(Table(["Art 30(1)", "Missing", "Where to record it"], missing))
    else:
        listed.paragraphs.append("Nothing: every item of Art 30(1) is recorded.")
    return doc


# --- the CAC filing's explanation of training-data sources --------------------------------

def _zh_bool(value: bool | None) -> str:
    return UNKNOWN if value is None else YES if value else NO


def _zh(mapping: dict[Any, str], value: Any) -> str | None:
    if value is None:
        return None
    return f"{mapping.get(value, '')} {value.label}".strip()


def sensitive(supply: Supply) -> bool:
    """Sensitive PI as PIPL counts it: flagged, or the PI of minors under 14 (Art 28)."""
    return is_sensitive_pi(supply)


def cac_explanation(data: RegisterData) -> Document:
    doc = Document("训练数据来源说明 Explanation of training-data sources "
                   "(生成式人工智能服务管理暂行办法 Interim Measures for Generative AI "
                   "Services, Art 7, 8, 19)", data.stamp())
    supplies = [s for s in data.supplies if s.provider_id in data.providers]
    art19 = doc.cite("interim_art8_19")
    general = doc.section("一、基本情况 General information")
    org = data.organisation
    general.paragraphs += [
        f"服务提供者 Service provider: {org.name or '未记录 not recorded'}",
        f"模型 Models: {'; '.join(m.name for m in data.models) or '未记录 not recorded'}",
        f"本说明依据第十九条说明训练数据的来源、规模、类型及标注规则 {art19}. This explanation "
        f"sets out the source, scale and type of the training data and the labelling rules "
        f"(Art 19) {art19}."]
    doc.section("二、数据来源 Sources (Art 7(1)-(2))").tables.append(Table(
        ["数据集 Data set", "提供方 Provider", "国家/地区 Country", "来源类别 Source category",
         "协议 Agreement", "许可允许训练 Licence allows training",
         "个人信息处理依据 Legal basis (PI)"],
        [[s.name, data.providers[s.provider_id].legal_name,
          data.providers[s.provider_id].country, _zh(SOURCE_CATEGORY_ZH, s.source_category),
          "; ".join(a.kind.label for a in data.agreements.get(s.provider_id, [])) or None,
          _zh_bool(s.licence_training_permitted),
          "; ".join(basis_text(b) for b in data.legal_bases.get(s.id or 0, []))
          or ("不含个人信息 no PI" if not s.contains_pi else None)]
         for s in supplies]))
    doc.section("三、规模与类型 Scale and types").tables.append(Table(
        ["数据集 Data set", "模态 Modality", "规模 Volume", "内容类型 Content types",
         "采集时间 Collected", "用途 Intended use"],
        [[s.name, _zh(MODALITY_ZH, s.modality), s.volume, s.content_types,
          " – ".join(d.isoformat() for d in (s.collection_start, s.collection_end) if d)
          or None, _zh(INTENDED_USE_ZH, s.intended_use)] for s in supplies]))
    pi = [s for s in supplies if s.contains_pi]
    personal = doc.section("四、个人信息 Personal information (PIPL Art 13, 28, 29, 31)")
    if any(s.contains_minors_data for s in pi):
        personal.paragraphs.append(MINORS_SENSITIVE + ".")
    personal.tables.append(Table(
        ["数据集 Data set", "涉及人数 People concerned", "敏感个人信息 Sensitive PI",
         "未满十四周岁未成年人 Minors under 14", "单独同意 Separate consent",
         "处理依据 Legal basis"],
        [[s.name, s.people_concerned,
          _zh_bool(sensitive(s)) + (" (PIPL Art 28)" if s.contains_minors_data else ""),
          _zh_bool(s.contains_minors_data),
          _zh_bool(any(b.separate_consent for b in data.legal_bases.get(s.id or 0, [])))
          if sensitive(s) else "不适用 not applicable",
          "; ".join(basis_text(b) for b in data.legal_bases.get(s.id or 0, [])) or None]
         for s in pi]))
    tc260 = doc.cite("tc260")
    doc.section(f"五、内容抽检 Content sampling (GB/T 45654-2025) {tc260}").tables.append(Table(
        ["数据集 Data set", "抽检日期 Sampled on", "违法不良信息比例 Illegal / harmful share (%)"],
        [[s.name, s.sampling_done_on, s.sampling_illegal_pct] for s in supplies]))
    scraped = [s for s in supplies if s.source_category == SourceCategory.SCRAPED]
    if scraped:
        doc.section("六、自采语料 Self-collected (crawled) corpora").tables.append(Table(
            ["数据集 Data set", "爬虫 Crawlers", "遵守robots协议 robots.txt respected",
             "采集方式 Behaviour", "采集记录 Collection records"],
            [[s.name, s.crawler_names, _zh_bool(s.optout_respected), s.crawler_behaviour,
              s.provenance_records] for s in scraped]))
    synthetic = [s for s in supplies if s.source_category == SourceCategory.SYNTHETIC]
    if synthetic:
        doc.section("七、合成数据 Synthetic data (GB 45438-2025)").tables.append(Table(
            ["数据集 Data set", "生成模型 Generating model", "模型提供方 Its provider",
             "保留隐式标识 Implicit labels kept"],
            [[s.name, s.generating_model, s.generating_provider,
              _zh_bool(s.implicit_labels_kept)] for s in synthetic]))
    labelling = doc.section(f"八、标注规则 Labelling rules and quality checks (Art 8) {art19}")
    annotated = [s for s in supplies if s.source_category == SourceCategory.ANNOTATION_SERVICE]
    labelling.tables.append(Table(
        ["数据集 Data set", "标注方 Annotation provider", "标注规则与质检 Labelling rules and QA"],
        [[s.name, data.providers[s.provider_id].legal_name,
          s.labelling_rules or "未记录 not recorded"] for s in annotated]))
    return doc
